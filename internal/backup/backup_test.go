package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// dataFolder makes a data folder as a worker leaves it: the engine's SQLite in WAL
// mode, a blob, keys (0600), a security log whose last line is being written.
func dataFolder(t *testing.T) (string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "temporal.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE events (id INTEGER PRIMARY KEY, pair INTEGER, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"blobs/sha256/ab/abcdef":       "evidence bytes",
		"blobs/notices/n1.json":        `{"kind":"dispatch"}`,
		"operators/e2e.key":            "secret key",
		"trusted-keys":                 "key1\nkey2\n",
		"users.json":                   `{"users":[]}`,
		"security.log":                 "{\"seq\":1}\n{\"seq\":2}\n{\"seq\":3, half",
		"tls/ca.pem":                   "CA",
		"outbox/.n2.json.1234.tmp":     "being written",
		".users-123.json":              "being written",
		"blobs/sha256/cd/cdef.1a2.tmp": "being written",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".key") {
			mode = 0o600
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir, db
}

// TestBackupWhileWritingRestoresAConsistentState: a writer commits two rows per
// transaction without pause while the backup runs; the restored database holds whole
// transactions only and passes SQLite's integrity check, every other file comes back
// byte for byte (the security log up to its last whole line, keys with their mode),
// temporary files are left out.
func TestBackupWhileWritingRestoresAConsistentState(t *testing.T) {
	dir, db := dataFolder(t)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			tx, err := db.Begin()
			if err != nil {
				continue
			}
			tx.Exec("INSERT INTO events (pair, v) VALUES (?, ?)", i, strings.Repeat("x", 200))
			tx.Exec("INSERT INTO events (pair, v) VALUES (?, ?)", i, strings.Repeat("y", 200))
			tx.Commit()
		}
	}()
	time.Sleep(200 * time.Millisecond)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	m, err := WriteFile(context.Background(), Options{DataDir: dir}, archive)
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if m.Engine != EngineSQLite || m.BlobStore != BlobFile {
		t.Errorf("manifest engine %q store %q", m.Engine, m.BlobStore)
	}
	to := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(archive, to); err != nil {
		t.Fatal(err)
	}
	rdb, err := sql.Open("sqlite", "file:"+filepath.Join(to, "temporal.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var ok string
	var rows, pairs int
	if err := rdb.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity: %v %s", err, ok)
	}
	if err := rdb.QueryRow("SELECT COUNT(*), COUNT(DISTINCT pair) FROM events").Scan(&rows, &pairs); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != 2*pairs {
		t.Errorf("restored %d rows in %d transactions: want whole transactions of two rows", rows, pairs)
	}
	t.Logf("restored %d transactions written while the backup ran", pairs)
	for name, want := range map[string]string{
		"blobs/sha256/ab/abcdef": "evidence bytes",
		"blobs/notices/n1.json":  `{"kind":"dispatch"}`,
		"operators/e2e.key":      "secret key",
		"trusted-keys":           "key1\nkey2\n",
		"users.json":             `{"users":[]}`,
		"security.log":           "{\"seq\":1}\n{\"seq\":2}\n",
		"tls/ca.pem":             "CA",
	} {
		got, err := os.ReadFile(filepath.Join(to, name))
		if err != nil || string(got) != want {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
	}
	if st, err := os.Stat(filepath.Join(to, "operators/e2e.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key mode: %v %v", st.Mode(), err)
	}
	for _, gone := range []string{"outbox/.n2.json.1234.tmp", ".users-123.json", "blobs/sha256/cd/cdef.1a2.tmp", "temporal.db-wal"} {
		if _, err := os.Stat(filepath.Join(to, gone)); err == nil {
			t.Errorf("%s restored: temporary and WAL files are left out", gone)
		}
	}
}

// TestRestoreOnlyIntoAnEmptyFolder: a folder holding anything is refused and left as it was.
func TestRestoreOnlyIntoAnEmptyFolder(t *testing.T) {
	dir, _ := dataFolder(t)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	if _, err := WriteFile(context.Background(), Options{DataDir: dir}, archive); err != nil {
		t.Fatal(err)
	}
	to := t.TempDir()
	os.WriteFile(filepath.Join(to, "keep.txt"), []byte("mine"), 0o644)
	_, err := Restore(archive, to)
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "keep.txt") {
		t.Fatalf("restore into a non-empty folder: %v", err)
	}
	if entries, _ := os.ReadDir(to); len(entries) != 1 {
		t.Errorf("folder changed: %d entries", len(entries))
	}
	// An empty existing folder is fine.
	empty := t.TempDir()
	if _, err := Restore(archive, empty); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreChecksFirst: one changed byte inside a file (archive rebuilt, so only the
// manifest can tell) or in the archive itself (its .sha256) is refused naming the
// file and field, and nothing is written.
func TestRestoreChecksFirst(t *testing.T) {
	dir, _ := dataFolder(t)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	if _, err := WriteFile(context.Background(), Options{DataDir: dir}, archive); err != nil {
		t.Fatal(err)
	}
	// Rewrite the archive with users.json changed, keeping the old manifest.
	tampered := filepath.Join(t.TempDir(), "t.tar.gz")
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := walk(archive, func(h *tar.Header, r io.Reader) error {
		b, _ := io.ReadAll(r)
		if h.Name == "data/users.json" {
			b = []byte(`{"users":[1]}`)
		}
		h.Size = int64(len(b))
		tw.WriteHeader(h)
		tw.Write(b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	gz.Close()
	os.WriteFile(tampered, buf.Bytes(), 0o600)
	to := filepath.Join(t.TempDir(), "r")
	_, err := Restore(tampered, to)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Item != "data/users.json" {
		t.Fatalf("tampered file: %v", err)
	}
	if _, err := os.Stat(to); err == nil {
		t.Error("a refused restore wrote the folder")
	}
	// The archive itself changed: its .sha256 tells.
	b, _ := os.ReadFile(archive)
	b[len(b)/2] ^= 0xff
	os.WriteFile(archive, b, 0o600)
	if _, err := Restore(archive, to); !errors.As(err, &ce) || !strings.Contains(ce.Field, ".sha256") {
		t.Fatalf("changed archive: %v", err)
	}
	if _, err := os.Stat(to); err == nil {
		t.Error("a refused restore wrote the folder")
	}
}

// TestScheduledCopiesKeepTheNewest: three copies with keep 2 leave the two newest.
func TestScheduledCopiesKeepTheNewest(t *testing.T) {
	dir, _ := dataFolder(t)
	s := Schedule{Dir: filepath.Join(dir, "backups"), Every: time.Hour, Keep: 2}
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	var made []string
	for i := 0; i < 3; i++ {
		now := at.Add(time.Duration(i) * time.Hour)
		p, err := s.Once(context.Background(), Options{DataDir: dir, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	left, _ := filepath.Glob(filepath.Join(s.Dir, "*.tar.gz"))
	if len(left) != 2 || left[0] != made[1] || left[1] != made[2] {
		t.Fatalf("left %v, want %v", left, made[1:])
	}
	// The copies folder inside the data folder is not itself backed up.
	m, err := Verify(made[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if strings.Contains(f.Path, "backups/") {
			t.Errorf("a copy holds %s", f.Path)
		}
	}
}
