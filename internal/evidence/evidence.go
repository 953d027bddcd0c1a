// Package evidence keeps the files attached to task actions (佐证材料) in a blob store,
// named by the SHA-256 of their bytes. Files are streamed through a temporary file on
// disk while hashed and sized, never held whole in memory; the type is sniffed from
// the content (see Sniff).
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"taskrelay/internal/relay"
)

// Store is the evidence kept in one bucket.
type Store struct {
	Bucket *blob.Bucket
	// MaxBytes is the largest file accepted (TASKRELAY_ATTACH_MAX_MB).
	MaxBytes int64
	// TempDir holds files while they are hashed; empty means os.TempDir().
	TempDir string
}

// New wraps a bucket with the size limit in MiB (0: the default).
func New(b *blob.Bucket, maxMB int) *Store {
	if maxMB <= 0 {
		maxMB = relay.DefaultAttachMaxMB
	}
	return &Store{Bucket: b, MaxBytes: int64(maxMB) << 20}
}

// Key is where a file with the given hash is kept.
func Key(sha string) string {
	if len(sha) < 2 {
		return "sha256/" + sha
	}
	return "sha256/" + sha[:2] + "/" + sha
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether s is a lower-case hex SHA-256.
func ValidHash(s string) bool { return hexHash.MatchString(s) }

// maxNameRunes bounds a file name as shown and stored.
const maxNameRunes = 120

// CleanName is the name a file is listed under: its last path element, without
// control characters, at most maxNameRunes long. An empty result is refused.
func CleanName(name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "", errors.New("文件名为空")
	}
	if r := []rune(name); len(r) > maxNameRunes {
		ext := filepath.Ext(name)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		name = string(r[:maxNameRunes-len([]rune(ext))]) + ext
	}
	return name, nil
}

// Stored is a file put in the store; Created says whether this put wrote it (a file
// with the same bytes may have been there already, attached elsewhere).
type Stored struct {
	relay.Attachment
	Created bool
}

// Put streams one file into the store and returns what the engine will carry. A file
// that is empty, too big or of a type not accepted is refused with a reason naming
// it, and nothing is written.
func (s *Store) Put(ctx context.Context, name string, r io.Reader) (Stored, error) {
	var st Stored
	clean, err := CleanName(name)
	if err != nil {
		return st, fmt.Errorf("附件 %q：%v", name, err)
	}
	tmp, err := os.CreateTemp(s.TempDir, "taskrelay-upload-*")
	if err != nil {
		return st, fmt.Errorf("附件 %s：暂存失败：%w", clean, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, s.MaxBytes+1))
	if err != nil {
		return st, fmt.Errorf("附件 %s：读取失败：%w", clean, err)
	}
	if n > s.MaxBytes {
		return st, fmt.Errorf("附件 %s 超过大小上限 %d MiB", clean, s.MaxBytes>>20)
	}
	if n == 0 {
		return st, fmt.Errorf("附件 %s 是空文件", clean)
	}
	typ, err := Sniff(tmp, n, clean)
	if err != nil {
		return st, fmt.Errorf("附件 %s：%v", clean, err)
	}
	st.Attachment = relay.Attachment{SHA256: hex.EncodeToString(h.Sum(nil)), Name: clean, Size: n, Type: typ}
	key := Key(st.SHA256)
	if ok, err := s.Bucket.Exists(ctx, key); err != nil {
		return st, fmt.Errorf("附件 %s：文件存储不可用：%w", clean, err)
	} else if ok {
		return st, nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return st, fmt.Errorf("附件 %s：%w", clean, err)
	}
	ft, _ := relay.FileTypeOf(typ)
	if err := s.Bucket.Upload(ctx, key, tmp, &blob.WriterOptions{ContentType: ft.MIME}); err != nil {
		return st, fmt.Errorf("附件 %s：保存到文件存储失败：%w", clean, err)
	}
	st.Created = true
	return st, nil
}

// Upload is a file offered with an action, before it is stored.
type Upload struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// PutAll stores the files of one action: at most relay.MaxAttachments, all or none.
// When one is refused, those this call wrote are removed again.
func (s *Store) PutAll(ctx context.Context, files []Upload) ([]Stored, error) {
	if len(files) > relay.MaxAttachments {
		return nil, fmt.Errorf("附件 %d 个，超过每次最多 %d 个", len(files), relay.MaxAttachments)
	}
	var out []Stored
	for _, f := range files {
		st, err := s.putOne(ctx, f)
		if err != nil {
			s.Discard(context.WithoutCancel(ctx), out)
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Store) putOne(ctx context.Context, f Upload) (Stored, error) {
	rc, err := f.Open()
	if err != nil {
		return Stored{}, fmt.Errorf("附件 %s：无法打开：%w", f.Name, err)
	}
	defer rc.Close()
	return s.Put(ctx, f.Name, rc)
}

// Discard removes the files a refused action wrote, so that none of them stays
// reachable; files that were there before (Created false) are kept.
func (s *Store) Discard(ctx context.Context, files []Stored) error {
	var errs []error
	for _, f := range files {
		if !f.Created {
			continue
		}
		if err := s.Bucket.Delete(ctx, Key(f.SHA256)); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Attachments are the engine's part of stored files.
func Attachments(files []Stored) []relay.Attachment {
	out := make([]relay.Attachment, len(files))
	for i, f := range files {
		out[i] = f.Attachment
	}
	return out
}

// Open reads a stored file.
func (s *Store) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if !ValidHash(sha) {
		return nil, fmt.Errorf("附件编号 %q 不是 SHA-256", sha)
	}
	r, err := s.Bucket.NewReader(ctx, Key(sha), nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, fmt.Errorf("文件存储中没有附件 %s", sha)
		}
		return nil, fmt.Errorf("读取附件 %s：%w", sha, err)
	}
	return r, nil
}

// Check reads a stored file through and reports whether it is there and its bytes
// still hash to its name.
func (s *Store) Check(ctx context.Context, a relay.Attachment) error {
	r, err := s.Bucket.NewReader(ctx, Key(a.SHA256), nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return fmt.Errorf("附件 %s（%s）在文件存储中缺失", a.Name, a.SHA256)
		}
		return fmt.Errorf("附件 %s（%s）无法读取：%w", a.Name, a.SHA256, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("附件 %s（%s）无法读取：%w", a.Name, a.SHA256, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.SHA256 || n != a.Size {
		return fmt.Errorf("附件 %s（%s）已被改动：存储中的文件 %d 字节，哈希 %s", a.Name, a.SHA256, n, got)
	}
	return nil
}
