// Package backup makes and restores one consistent archive of a taskrelay data
// folder while the worker runs: the embedded engine's SQLite database through
// SQLite's own VACUUM INTO (a snapshot taken in one read transaction, never a copy
// of a file being written), then every other file of the folder (the file store's
// evidence and records, accounts, sessions, the security log, keys, trusted keys,
// certificates, the outbox), and the directory and calendar in use. A manifest names
// each file with its size and SHA-256; a restore checks them all before it writes
// anything, and only into an empty folder.
//
// On PostgreSQL (TASKRELAY_ENGINE_DB) and an S3 store (TASKRELAY_BLOB_URL s3://) the
// engine's and the store's own tools are the backup: the manifest says so and the
// archive holds the rest.
package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver the embedded engine itself uses
)

// Format is the archive layout's version, written in the manifest.
const Format = 1

// ManifestName is the manifest's name inside the archive (its last entry).
const ManifestName = "manifest.json"

// Engine database file names in a data folder: the snapshot replaces them.
const engineDB = "temporal.db"

// Folders inside the archive.
const (
	dataPrefix   = "data/"
	configPrefix = "config/"
)

// Options say what to archive.
type Options struct {
	// DataDir is the data folder (TASKRELAY_DATA).
	DataDir string
	// EngineDB is the embedded engine's PostgreSQL URL (TASKRELAY_ENGINE_DB), if any;
	// ClusterAddress the Temporal cluster's (TEMPORAL_ADDRESS), if any. Either means
	// the engine's history is not in the data folder.
	EngineDB, ClusterAddress string
	// BlobURL is the file store (TASKRELAY_BLOB_URL); empty: <DataDir>/blobs, included.
	BlobURL string
	// Directory and Calendar are the files in use (TASKRELAY_DIRECTORY,
	// TASKRELAY_CALENDAR); empty: the built-in sample directory, the Monday–Friday week.
	Directory, Calendar string
	// Skip are absolute paths left out (the archive being written, the folder of
	// scheduled copies).
	Skip []string
	Now  func() time.Time
}

// Manifest lists what an archive holds.
type Manifest struct {
	Format  int       `json:"format"`
	MadeAt  time.Time `json:"made_at"`
	DataDir string    `json:"data_dir"`
	// Engine: "sqlite" (data/temporal.db in the archive), "postgres" or "cluster"
	// (not in the archive: back up the database with pg_dump), "none" (no engine
	// data on this host).
	Engine string `json:"engine"`
	// BlobStore: "file" (data/blobs in the archive) or the s3:// bucket (not in the
	// archive: copy the bucket).
	BlobStore string `json:"blob_store"`
	// Directory and Calendar: where the files in use were ("" for the built-in
	// ones); their copies are config/directory and config/calendar.
	Directory string `json:"directory"`
	Calendar  string `json:"calendar"`
	Files     []File `json:"files"`
}

// File is one archived file.
type File struct {
	Path   string      `json:"path"`
	Size   int64       `json:"size"`
	SHA256 string      `json:"sha256"`
	Mode   fs.FileMode `json:"mode"`
}

// Engine kinds in the manifest.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
	EngineCluster  = "cluster"
	EngineNone     = "none" // a console's folder: no engine data on this host
	BlobFile       = "file"
)

// WriteFile writes the archive to path (through a temporary file renamed into place,
// so a failed backup never leaves a half archive under the final name) and a
// path.sha256 file in sha256sum's format.
func WriteFile(ctx context.Context, o Options, out string) (Manifest, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return Manifest{}, err
	}
	tmp := abs + ".partial"
	o.Skip = append(o.Skip, abs, tmp, abs+".sha256")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return Manifest{}, fmt.Errorf("备份文件 %s: %w", out, err)
	}
	h := sha256.New()
	m, err := Write(ctx, o, io.MultiWriter(f, h))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return Manifest{}, err
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return Manifest{}, fmt.Errorf("备份文件 %s: %w", out, err)
	}
	sum := fmt.Sprintf("%s  %s\n", hex.EncodeToString(h.Sum(nil)), filepath.Base(abs))
	if err := os.WriteFile(abs+".sha256", []byte(sum), 0o600); err != nil {
		return Manifest{}, fmt.Errorf("备份校验文件 %s.sha256: %w", out, err)
	}
	return m, nil
}

// Write streams the archive (tar, gzip) to w.
func Write(ctx context.Context, o Options, w io.Writer) (Manifest, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	data, err := filepath.Abs(o.DataDir)
	if err != nil {
		return Manifest{}, err
	}
	if st, err := os.Stat(data); err != nil || !st.IsDir() {
		return Manifest{}, fmt.Errorf("数据目录 %s 不存在或不是目录 (TASKRELAY_DATA)", o.DataDir)
	}
	m := Manifest{Format: Format, MadeAt: o.Now().UTC(), DataDir: data, Engine: EngineSQLite,
		BlobStore: BlobFile, Directory: o.Directory, Calendar: o.Calendar}
	if o.BlobURL != "" && !strings.HasPrefix(o.BlobURL, "file://") {
		m.BlobStore = redact(o.BlobURL)
	}
	skip := map[string]bool{}
	for _, s := range o.Skip {
		if a, err := filepath.Abs(s); err == nil {
			skip[a] = true
		}
	}
	tmpDir, err := os.MkdirTemp("", "taskrelay-backup-")
	if err != nil {
		return Manifest{}, err
	}
	defer os.RemoveAll(tmpDir)

	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	add := func(name string, mode fs.FileMode, r io.Reader) error {
		// Read whole: the header needs the size, and a file appended to meanwhile
		// must not change under the tar writer.
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: int64(mode.Perm()), Size: int64(len(b)),
			ModTime: m.MadeAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
		m.Files = append(m.Files, File{Path: name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:]), Mode: mode.Perm()})
		return nil
	}
	addFile := func(name, src string, mode fs.FileMode) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		return add(name, mode, f)
	}

	// 1. The engine's databases first: every file the store holds afterwards is at
	// least as new as what the history refers to.
	var dbs []string
	if err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skip[p] {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == engineDB && !skip[p] {
			dbs = append(dbs, p)
		}
		return nil
	}); err != nil {
		return Manifest{}, fmt.Errorf("读取数据目录 %s: %w", data, err)
	}
	// The engine is in the folder when its database is; else on PostgreSQL (the
	// embedded engine's TASKRELAY_ENGINE_DB) or a cluster's.
	switch {
	case len(dbs) > 0:
	case o.EngineDB != "":
		m.Engine = EnginePostgres
	case o.ClusterAddress != "":
		m.Engine = EngineCluster
	default:
		m.Engine = EngineNone
	}
	for i, db := range dbs {
		if err := ctx.Err(); err != nil {
			return Manifest{}, err
		}
		snap := filepath.Join(tmpDir, fmt.Sprintf("snap-%d.db", i))
		if err := snapshot(ctx, db, snap); err != nil {
			return Manifest{}, err
		}
		rel, _ := filepath.Rel(data, db)
		if err := addFile(dataPrefix+filepath.ToSlash(rel), snap, 0o600); err != nil {
			return Manifest{}, fmt.Errorf("归档引擎数据库 %s: %w", db, err)
		}
		os.Remove(snap)
	}

	// 2. Every other file of the data folder.
	var files []string
	if err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a temporary file renamed away meanwhile
			}
			return err
		}
		if skip[p] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && !leftOut(d.Name()) {
			files = append(files, p)
		}
		return nil
	}); err != nil {
		return Manifest{}, fmt.Errorf("读取数据目录 %s: %w", data, err)
	}
	sort.Strings(files)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return Manifest{}, err
		}
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Manifest{}, err
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Manifest{}, fmt.Errorf("归档 %s: %w", p, err)
		}
		if appended(filepath.Base(p)) {
			// Appended to while the worker runs: up to the last whole line.
			b = b[:bytes.LastIndexByte(b, '\n')+1]
		}
		rel, _ := filepath.Rel(data, p)
		if err := add(dataPrefix+filepath.ToSlash(rel), st.Mode(), bytes.NewReader(b)); err != nil {
			return Manifest{}, fmt.Errorf("归档 %s: %w", p, err)
		}
	}

	// 3. The directory and calendar in use.
	for _, c := range []struct{ name, src string }{{"directory", o.Directory}, {"calendar", o.Calendar}} {
		if c.src == "" {
			continue
		}
		if err := addFile(configPrefix+c.name+path.Ext(c.src), c.src, 0o644); err != nil {
			return Manifest{}, fmt.Errorf("归档 %s 文件 %s: %w", c.name, c.src, err)
		}
	}

	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o644, Size: int64(len(mb)),
		ModTime: m.MadeAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return Manifest{}, err
	}
	if _, err := tw.Write(mb); err != nil {
		return Manifest{}, err
	}
	if err := tw.Close(); err != nil {
		return Manifest{}, err
	}
	return m, gz.Close()
}

// leftOut are the engine's own files (replaced by the snapshot) and temporary files
// that a writer renames into place.
func leftOut(name string) bool {
	switch {
	case name == engineDB, strings.HasPrefix(name, engineDB+"-"), strings.HasPrefix(name, engineDB+"."):
		return true
	case strings.HasSuffix(name, ".tmp"), strings.HasSuffix(name, ".partial"):
		return true
	case strings.HasPrefix(name, ".") && strings.Contains(name, "-"):
		return true // .users-*.json, .sessions-*.json being written
	}
	return false
}

// appended are files written by appending lines.
func appended(name string) bool { return name == "security.log" || name == "trusted-keys" }

// snapshot copies the SQLite database at src into dst with VACUUM INTO: one read
// transaction, so a consistent state whatever the worker writes meanwhile.
func snapshot(ctx context.Context, src, dst string) error {
	dsn := "file:" + src + "?mode=ro&_pragma=busy_timeout(30000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("打开引擎数据库 %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("引擎数据库 %s 的快照 (VACUUM INTO): %w", src, err)
	}
	var ok string
	if err := func() error {
		s, err := sql.Open("sqlite", "file:"+dst+"?mode=ro")
		if err != nil {
			return err
		}
		defer s.Close()
		return s.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok)
	}(); err != nil || ok != "ok" {
		return fmt.Errorf("引擎数据库快照 %s 未通过完整性检查: %v %s", src, err, ok)
	}
	return nil
}

// redact drops credentials from a store URL before it is written down.
func redact(u string) string {
	if i := strings.Index(u, "?"); i >= 0 {
		return u[:i]
	}
	return u
}
