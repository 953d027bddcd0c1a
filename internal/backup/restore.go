package backup

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrNotEmpty refuses a restore into a folder that holds anything.
var ErrNotEmpty = errors.New("目标目录不为空")

// ChecksumError is an archive whose content does not match its manifest.
type ChecksumError struct {
	Archive, Item, Field string
	Want, Got            string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("备份 %s 中 %s 的 %s 不符：清单为 %s，实际为 %s", e.Archive, e.Item, e.Field, e.Want, e.Got)
}

// Verify reads the whole archive and checks every file against its manifest (and the
// archive against FILE.sha256 when that file is there). It writes nothing.
func Verify(archive string) (Manifest, error) {
	if err := verifySidecar(archive); err != nil {
		return Manifest{}, err
	}
	seen := map[string]File{}
	var m *Manifest
	err := walk(archive, func(h *tar.Header, r io.Reader) error {
		if h.Name == ManifestName {
			m = &Manifest{}
			if err := json.NewDecoder(r).Decode(m); err != nil {
				return fmt.Errorf("备份 %s 的清单 %s 无法读取: %w", archive, ManifestName, err)
			}
			return nil
		}
		hs := sha256.New()
		n, err := io.Copy(hs, r)
		if err != nil {
			return err
		}
		seen[h.Name] = File{Path: h.Name, Size: n, SHA256: hex.EncodeToString(hs.Sum(nil))}
		return nil
	})
	if err != nil {
		return Manifest{}, err
	}
	if m == nil {
		return Manifest{}, fmt.Errorf("备份 %s 没有清单 %s（不是 starter backup 的备份，或已截断）", archive, ManifestName)
	}
	if m.Format != Format {
		return Manifest{}, fmt.Errorf("备份 %s 的格式版本 %d 不受支持（本程序为 %d）", archive, m.Format, Format)
	}
	for _, f := range m.Files {
		got, ok := seen[f.Path]
		if !ok {
			return Manifest{}, &ChecksumError{archive, f.Path, "存在", "有", "缺失"}
		}
		if got.Size != f.Size {
			return Manifest{}, &ChecksumError{archive, f.Path, "大小", fmt.Sprint(f.Size), fmt.Sprint(got.Size)}
		}
		if got.SHA256 != f.SHA256 {
			return Manifest{}, &ChecksumError{archive, f.Path, "SHA-256", f.SHA256, got.SHA256}
		}
		delete(seen, f.Path)
	}
	for name := range seen {
		return Manifest{}, &ChecksumError{archive, name, "清单条目", "无", "多出的文件"}
	}
	return *m, nil
}

// verifySidecar checks archive against archive.sha256 when that file exists.
func verifySidecar(archive string) error {
	b, err := os.ReadFile(archive + ".sha256")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return fmt.Errorf("校验文件 %s.sha256 为空", archive)
	}
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("备份 %s: %w", archive, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != fields[0] {
		return &ChecksumError{archive, filepath.Base(archive), "SHA-256（" + filepath.Base(archive) + ".sha256）", fields[0], got}
	}
	return nil
}

// Restore checks the archive (Verify), then writes its data folder into dir, which
// must be empty or absent, and the directory and calendar it names into
// dir/restored-config/. Nothing is written when a check fails.
func Restore(archive, dir string) (Manifest, error) {
	if err := emptyOrAbsent(dir); err != nil {
		return Manifest{}, err
	}
	m, err := Verify(archive)
	if err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Manifest{}, fmt.Errorf("目标目录 %s: %w", dir, err)
	}
	err = walk(archive, func(h *tar.Header, r io.Reader) error {
		var dst string
		switch {
		case strings.HasPrefix(h.Name, dataPrefix):
			dst = strings.TrimPrefix(h.Name, dataPrefix)
		case strings.HasPrefix(h.Name, configPrefix):
			dst = path.Join(RestoredConfigDir, strings.TrimPrefix(h.Name, configPrefix))
		default:
			return nil
		}
		clean := path.Clean(dst)
		if clean == "." || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("备份 %s 中的路径 %q 不在数据目录内", archive, h.Name)
		}
		out := filepath.Join(dir, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(h.Mode).Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("恢复到 %s: %w", dir, err)
	}
	return m, nil
}

// RestoredConfigDir is where a restore puts the directory and calendar files that
// were in use, for TASKRELAY_DIRECTORY and TASKRELAY_CALENDAR to name.
const RestoredConfigDir = "restored-config"

func emptyOrAbsent(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("目标目录 %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w：%s 中已有 %s 等 %d 项；恢复只写入空目录（或不存在的目录），不覆盖任何数据", ErrNotEmpty, dir, entries[0].Name(), len(entries))
	}
	return nil
}

// walk calls f for each regular file of the archive, in order.
func walk(archive string, f func(*tar.Header, io.Reader) error) error {
	file, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("备份 %s: %w", archive, err)
	}
	defer file.Close()
	gz, err := gzip.NewReader(bufio.NewReader(file))
	if err != nil {
		return fmt.Errorf("备份 %s 不是 gzip 压缩的 tar 归档: %w", archive, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("备份 %s 无法读取（已损坏或截断）: %w", archive, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := f(h, tr); err != nil {
			return err
		}
	}
}
