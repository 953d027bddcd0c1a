package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// maxStemPrefix bounds the readable part of a file name, so that the whole name
// (prefix, hash, extension, temp decoration) stays far below the usual 255-byte limit.
const maxStemPrefix = 100

// FileName returns a safe file-name stem (no extension) for a notice id: every
// character outside [A-Za-z0-9._-] becomes '_', a leading '.' becomes '_' (no hidden
// files, no "." or ".."), the readable part is cut to 100 bytes, and "-" plus 12 hex
// digits of the id's SHA-256 are appended so that ids which sanitise alike (such as
// "a:b" and "a/b") still get distinct names. The result never contains a path
// separator, so it cannot leave the folder it is joined to.
//
//	FileName("dispatch:cwh-2026-12:rsj") == "dispatch_cwh-2026-12_rsj-<12 hex>"
func FileName(id string) string {
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= maxStemPrefix {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		b.WriteString("notice")
	}
	sum := sha256.Sum256([]byte(id))
	return b.String() + "-" + hex.EncodeToString(sum[:6])
}

// Outbox is a Notifier that writes each notice into a folder: <dir>/<FileName(id)>.json
// holds the notice as indented JSON (the record, read back by List) and a sibling
// .md holds Render(n) for people who read the folder.
//
// Files are written atomically (temp file, fsync, then a hard link that fails if the
// name exists, or a rename where links are not supported), so a reader never sees a
// half-written notice. The first delivery of an ID wins: a later Deliver of the same
// ID, even with a changed body, leaves the files as they are. Safe for concurrent use,
// also by several processes sharing the folder.
//
// With Documents set, 交办单 and 督办单 (see Documented) also get a sibling .docx laid
// out as an official document.
type Outbox struct {
	dir string
	// Documents are the official documents' settings; nil writes no .docx.
	Documents *gongwen.Settings
}

// NewOutbox returns an Outbox writing to dir. The folder is created on first
// delivery if it does not exist.
func NewOutbox(dir string) *Outbox { return &Outbox{dir: dir} }

// Dir returns the folder the outbox writes to.
func (o *Outbox) Dir() string { return o.dir }

// Path returns the path of the JSON file that holds the notice with the given id.
func (o *Outbox) Path(id string) string {
	return filepath.Join(o.dir, FileName(id)+".json")
}

// Deliver implements Notifier. It returns nil when the notice is already in the
// outbox. A notice without an ID, one that cannot be encoded, or a file of another
// notice in the way is a permanent error.
func (o *Outbox) Deliver(ctx context.Context, n relay.Notice) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n.ID == "" {
		return permanent(errors.New("notify: outbox: notice has no ID"))
	}
	stem := FileName(n.ID)
	jsonPath := filepath.Join(o.dir, stem+".json")
	mdPath := filepath.Join(o.dir, stem+".md")

	// Already delivered: do nothing but repair a missing .md (a crash between the
	// two writes), rendered from what is stored, not from the new notice.
	if stored, err := readNotice(jsonPath); err == nil {
		return o.ensureMarkdown(stored, n.ID, mdPath)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}

	data, err := encodeNotice(n)
	if err != nil {
		return permanent(fmt.Errorf("notify: outbox: encode notice %q: %w", n.ID, err))
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	created, err := writeExclusive(o.dir, stem+".json", data)
	if err != nil {
		return err
	}
	if !created {
		// Another delivery of the same ID won the race.
		stored, err := readNotice(jsonPath)
		if err != nil {
			return err
		}
		return o.ensureMarkdown(stored, n.ID, mdPath)
	}
	// We own the record: write its human-readable twins (overwriting any leftover).
	if err := writeReplace(o.dir, stem+".md", []byte(Render(n))); err != nil {
		return err
	}
	if err := o.writeDocx(n, stem); err != nil {
		return err
	}
	return syncDir(o.dir)
}

// DocxPath is where the .docx of a notice is (when its kind is Documented).
func (o *Outbox) DocxPath(id string) string {
	return filepath.Join(o.dir, FileName(id)+".docx")
}

// writeDocx writes the notice's official document, when there is one to write.
func (o *Outbox) writeDocx(n relay.Notice, stem string) error {
	if o.Documents == nil || !Documented(n.Kind) {
		return nil
	}
	b, err := Document(n, *o.Documents).Docx(*o.Documents)
	if err != nil {
		return permanent(fmt.Errorf("notify: outbox: %s: %w", n.ID, err))
	}
	return writeReplace(o.dir, stem+".docx", b)
}

// ensureMarkdown checks that the stored notice is the one asked for and writes its
// .md if missing.
func (o *Outbox) ensureMarkdown(stored relay.Notice, id, mdPath string) error {
	if stored.ID != id {
		return permanent(fmt.Errorf("notify: outbox: %s.json holds notice %q, not %q", strings.TrimSuffix(filepath.Base(mdPath), ".md"), stored.ID, id))
	}
	stem := strings.TrimSuffix(filepath.Base(mdPath), ".md")
	wrote := false
	if _, err := os.Lstat(mdPath); errors.Is(err, fs.ErrNotExist) {
		if err := writeReplace(o.dir, filepath.Base(mdPath), []byte(Render(stored))); err != nil {
			return err
		}
		wrote = true
	} else if err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	if o.Documents != nil && Documented(stored.Kind) {
		if _, err := os.Lstat(filepath.Join(o.dir, stem+".docx")); errors.Is(err, fs.ErrNotExist) {
			if err := o.writeDocx(stored, stem); err != nil {
				return err
			}
			wrote = true
		} else if err != nil {
			return fmt.Errorf("notify: outbox: %w", err)
		}
	}
	if !wrote {
		return nil
	}
	return syncDir(o.dir)
}

// List reads back the notices in the outbox that filter accepts (all when filter is
// nil), sorted by IssuedAt, then ID. A missing folder is an empty outbox. Only
// "*.json" files are read; temp files and other names starting with '.' are skipped.
// A .json file that is not a notice is an error naming the file.
func (o *Outbox) List(filter func(relay.Notice) bool) ([]relay.Notice, error) {
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("notify: outbox: %w", err)
	}
	var out []relay.Notice
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		n, err := readNotice(filepath.Join(o.dir, name))
		if err != nil {
			return nil, err
		}
		if filter == nil || filter(n) {
			out = append(out, n)
		}
	}
	sortNotices(out)
	return out, nil
}

func encodeNotice(n relay.Notice) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <, > and & readable for people
	enc.SetIndent("", "  ")
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func readNotice(path string) (relay.Notice, error) {
	var n relay.Notice
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		return n, fmt.Errorf("notify: outbox: %w", err)
	}
	if err := json.Unmarshal(data, &n); err != nil {
		// A damaged record does not heal by retrying; someone must look at it.
		return n, permanent(fmt.Errorf("notify: outbox: %s is not a notice: %w", filepath.Base(path), err))
	}
	return n, nil
}

// writeTemp writes data to a synced temp file in dir and returns its path.
func writeTemp(dir, name string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("notify: outbox: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o600) // the outbox is the service user's alone
	}
	if werr != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("notify: outbox: write %s: %w", name, werr)
	}
	return tmp, nil
}

// writeExclusive atomically creates dir/name with data unless it exists. It reports
// whether this call created the file.
func writeExclusive(dir, name string, data []byte) (bool, error) {
	tmp, err := writeTemp(dir, name, data)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	final := filepath.Join(dir, name)
	err = os.Link(tmp, final)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// No hard links on this file system: check, then rename. This fallback is not
	// race-free: two writers of the same ID racing here may both rename, and the
	// later one's version of the notice stays.
	if _, serr := os.Lstat(final); serr == nil {
		return false, nil
	}
	if err := os.Rename(tmp, final); err != nil {
		return false, fmt.Errorf("notify: outbox: %w", err)
	}
	return true, nil
}

// writeReplace atomically writes dir/name, replacing it if it exists.
func writeReplace(dir, name string, data []byte) error {
	tmp, err := writeTemp(dir, name, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("notify: outbox: %w", err)
	}
	return nil
}

// syncDir makes the folder's new entries durable. File systems that cannot sync a
// directory are tolerated.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("notify: outbox: sync %s: %w", dir, err)
	}
	return nil
}

// sortNotices orders notices as every list shows them: oldest first, then by id.
func sortNotices(ns []relay.Notice) {
	slices.SortFunc(ns, func(a, b relay.Notice) int {
		if c := a.IssuedAt.Compare(b.IssuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
