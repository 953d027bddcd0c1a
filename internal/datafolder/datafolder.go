// Package datafolder keeps the data folder private to the service's own user: the
// folders 0700 and the files 0600 (engine database, evidence in the blob store, the
// outbox, keys, users, logs), whatever the umask, and whatever an older version left.
package datafolder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// private are the permission bits no one but the owner keeps.
const private = 0o077

// Restrict sets the process's umask to 077, so that everything it creates from now on
// (including files written by libraries: SQLite, the blob store) is the owner's only,
// then creates each folder (0700) and takes group and other permissions away from it
// and everything already in it. Symbolic links are not followed.
func Restrict(dirs ...string) error {
	syscall.Umask(private)
	seen := map[string]bool{}
	for _, dir := range dirs {
		if dir == "" || seen[dir] {
			continue
		}
		seen[dir] = true
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("数据目录 %s: %w", dir, err)
		}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) { // removed meanwhile (a temporary file)
					return nil
				}
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if mode := info.Mode().Perm(); mode&private != 0 {
				// A file another user put there (an operator copying a list in as root)
				// cannot be changed by the service; it is left as it is rather than
				// keeping the service from starting.
				if err := os.Chmod(path, mode&^private); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("数据目录 %s 权限: %w", dir, err)
		}
	}
	return nil
}
