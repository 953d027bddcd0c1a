package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"gocloud.dev/blob"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/relay"
)

func newStore(t testing.TB) *Store {
	t.Helper()
	b, err := blobstore.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	s := New(b, 1)
	s.TempDir = t.TempDir()
	return s
}

func zipOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, "<x/>")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func imageBytes(t testing.TB, enc func(io.Writer, image.Image) error) []byte {
	var buf bytes.Buffer
	if err := enc(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xlsxBytes(t testing.TB) []byte {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "进展")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFile(t testing.TB, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// samples are real files of every accepted type, by the type their content is.
func samples(t testing.TB) map[string]struct {
	name string
	data []byte
} {
	type s = struct {
		name string
		data []byte
	}
	doc := readFile(t, "novpapplan.doc")
	return map[string]s{
		"pdf":  {"报告.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")},
		"ofd":  {"通报.ofd", zipOf(t, "OFD.xml", "Doc_0/Document.xml")},
		"docx": {"说明.docx", zipOf(t, "[Content_Types].xml", "word/document.xml")},
		"xlsx": {"台账.xlsx", xlsxBytes(t)},
		"zip":  {"照片.zip", zipOf(t, "a.txt")},
		"doc":  {"方案.doc", doc},
		"wps":  {"方案.wps", doc},
		"xls":  {"统计.xls", readFile(t, "test.xls")},
		"jpg":  {"现场.jpg", imageBytes(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) })},
		"png":  {"截图.png", imageBytes(t, png.Encode)},
	}
}

func TestPutSniffsEveryAcceptedType(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for want, f := range samples(t) {
		st, err := s.Put(ctx, f.name, bytes.NewReader(f.data))
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if st.Type != want || st.Size != int64(len(f.data)) || st.Name != f.name {
			t.Errorf("%s: got %+v, want type %s size %d", f.name, st.Attachment, want, len(f.data))
		}
		if err := s.Check(ctx, st.Attachment); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
		rc, err := s.Open(ctx, st.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, f.data) {
			t.Errorf("%s: stored bytes differ", f.name)
		}
	}
}

func TestTypeComesFromContentNotName(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	png := samples(t)["png"].data
	st, err := s.Put(ctx, "伪装.pdf", bytes.NewReader(png))
	if err != nil || st.Type != "png" {
		t.Fatalf("png named .pdf: %+v %v", st, err)
	}
	for name, data := range map[string][]byte{
		"页面.pdf":  []byte("<html><script>alert(1)</script></html>"),
		"程序.docx": []byte("MZ\x90\x00\x03\x00\x00\x00"),
		"演示.doc":  readFile(t, "test.ppt"),
		"坏包.zip":  []byte("PK\x03\x04garbage"),
	} {
		if _, err := s.Put(ctx, name, bytes.NewReader(data)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: want a refusal naming the file, got %v", name, err)
		}
	}
}

func TestLimitsRefuseAndWriteNothing(t *testing.T) {
	s := newStore(t) // 1 MiB
	ctx := context.Background()
	big := append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...)
	if _, err := s.Put(ctx, "大文件.pdf", bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "超过大小上限 1 MiB") {
		t.Fatalf("oversize: %v", err)
	}
	if _, err := s.Put(ctx, "空.pdf", bytes.NewReader(nil)); err == nil || !strings.Contains(err.Error(), "空文件") {
		t.Fatalf("empty: %v", err)
	}
	var many []Upload
	for i := 0; i < relay.MaxAttachments+1; i++ {
		many = append(many, bytesUpload("a.png", samples(t)["png"].data))
	}
	if _, err := s.PutAll(ctx, many); err == nil || !strings.Contains(err.Error(), "最多 10 个") {
		t.Fatalf("11 files: %v", err)
	}
	assertEmpty(t, s.Bucket)

	// One bad file among good ones: the good ones this call wrote are removed; a file
	// that was already there (attached elsewhere) stays.
	pdf := samples(t)["pdf"].data
	before, err := s.Put(ctx, "早先.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.PutAll(ctx, []Upload{
		bytesUpload("a.pdf", pdf),
		bytesUpload("b.png", samples(t)["png"].data),
		bytesUpload("c.html", []byte("<html></html>")),
	})
	if err == nil || !strings.Contains(err.Error(), "c.html") {
		t.Fatalf("mixed: %v", err)
	}
	keys := listKeys(t, s.Bucket)
	if len(keys) != 1 || keys[0] != Key(before.SHA256) {
		t.Fatalf("after a refused action the store holds %v, want only %s", keys, Key(before.SHA256))
	}
}

func TestCheckNamesAlteredAndMissingFiles(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	st, err := s.Put(ctx, "报告.pdf", bytes.NewReader(samples(t)["pdf"].data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Bucket.WriteAll(ctx, Key(st.SHA256), []byte("%PDF-1.4 changed"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, st.Attachment); err == nil || !strings.Contains(err.Error(), "报告.pdf") || !strings.Contains(err.Error(), "改动") {
		t.Fatalf("altered: %v", err)
	}
	if err := s.Bucket.Delete(ctx, Key(st.SHA256)); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, st.Attachment); err == nil || !strings.Contains(err.Error(), "报告.pdf") || !strings.Contains(err.Error(), "缺失") {
		t.Fatalf("missing: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":                "passwd",
		`C:\Users\张三\进展.pdf`:              "进展.pdf",
		"a\x00b\r\n.pdf":                  "ab.pdf",
		"\u202egpj.exe":                   "gpj.exe",
		"  材料.png ":                       "材料.png",
		strings.Repeat("长", 200) + ".pdf": strings.Repeat("长", maxNameRunes-4) + ".pdf",
	} {
		got, err := CleanName(in)
		if err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "..", "\x00\x01", "a/"} {
		if got, err := CleanName(in); err == nil {
			t.Errorf("CleanName(%q) = %q, want refused", in, got)
		}
	}
}

func bytesUpload(name string, data []byte) Upload {
	return Upload{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func listKeys(t *testing.T, b *blob.Bucket) []string {
	t.Helper()
	var keys []string
	it := b.List(nil)
	for {
		o, err := it.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !o.IsDir {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

func assertEmpty(t *testing.T, b *blob.Bucket) {
	t.Helper()
	if keys := listKeys(t, b); len(keys) != 0 {
		t.Fatalf("store holds %v after refusals", keys)
	}
}
