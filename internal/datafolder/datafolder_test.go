package datafolder

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Check walks dirs and reports any folder or file that group or others may use.
func check(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		if d.Type()&fs.ModeSymlink == 0 && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v", path, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// What an older version left world-readable is made private; what is created from
// then on is private whatever it asks for.
func TestRestrict(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "evidence"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"taskrelay.db", "blobs/evidence/ab12", "users.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Restrict(dir, filepath.Join(dir, "engine")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "outbox.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "outbox", "sent"), 0o755); err != nil {
		t.Fatal(err)
	}
	check(t, dir)
}

// TestRestrictLeavesWhatItCannotChange: a file the service may not change (another
// user's, here an immutable one, which even root may not chmod) is left as it is and
// the service still starts; the rest is made private.
func TestRestrictLeavesWhatItCannotChange(t *testing.T) {
	if _, err := exec.LookPath("chattr"); err != nil {
		t.Skip("no chattr")
	}
	dir := t.TempDir()
	theirs, ours := filepath.Join(dir, "tasklist.yaml"), filepath.Join(dir, "ours")
	for _, f := range []string{theirs, ours} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(f, 0o644)
	}
	if out, err := exec.Command("chattr", "+i", theirs).CombinedOutput(); err != nil {
		t.Skipf("chattr +i: %v %s", err, out)
	}
	defer exec.Command("chattr", "-i", theirs).Run()
	if err := os.Chmod(theirs, 0o600); err == nil {
		t.Skip("an immutable file could be changed here")
	}
	if err := Restrict(dir); err != nil {
		t.Fatalf("Restrict refused to start over a file it cannot change: %v", err)
	}
	if info, _ := os.Stat(ours); info.Mode().Perm() != 0o600 {
		t.Errorf("ours is %v", info.Mode().Perm())
	}
}
