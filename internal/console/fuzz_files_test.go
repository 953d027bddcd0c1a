package console

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"

	"taskrelay/internal/relay"
)

// FuzzTaskFiles: a unit's officer reports progress with two files of any names and
// contents. Either the report is accepted and every file it brought is on the task
// under a clean name (no path, no control character) with an accepted type and its
// bytes in the store, or it is refused with a Chinese message, the task unchanged and
// no new file in the store.
func FuzzTaskFiles(f *testing.F) {
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2)))
	f.Add("现场.png", img.Bytes(), "方案.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	f.Add("../../etc/passwd", []byte("root:x:0:0"), "a\x00b.pdf", []byte("%PDF-1.4"))
	f.Add("报告.pdf", []byte("<html><script>alert(1)</script>"), "空.zip", []byte("PK\x05\x06"+strings.Repeat("\x00", 18)))
	f.Add(`C:\Users\x\照片.jpg`, []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, "\u202egpj.exe", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	f.Add(strings.Repeat("长", 300)+".pdf", []byte("%PDF-"), `"; filename="x.html`, []byte("%PDF-1.7"))
	z := fuzzSetup(f)
	store := z.s.cfg.Evidence.Store
	stored := func(t *testing.T) []string {
		var keys []string
		it := store.Bucket.List(nil)
		for {
			o, err := it.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, o.Key)
		}
		slices.Sort(keys)
		return keys
	}
	f.Fuzz(func(t *testing.T, name1 string, body1 []byte, name2 string, body2 []byte) {
		id := z.fuzzTask(t)
		v0, before := z.taskState(t, id)
		keys := stored(t)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField(CSRFField, z.token(t, "rsj1"))
		_ = mw.WriteField("percent", "10")
		_ = mw.WriteField("note", "模糊测试附件")
		for _, file := range []struct {
			name string
			body []byte
		}{{name1, body1}, {name2, body2}} {
			fw, _ := mw.CreateFormFile(FilesField, file.name)
			_, _ = fw.Write(file.body)
		}
		_ = mw.Close()
		path := TaskURL(id) + "/progress"
		w := z.serve(t, request("POST", path, buf.Bytes(), mw.FormDataContentType()), "rsj1")
		checkAnswer(t, w, fmt.Sprintf("files %q, %q", name1, name2))
		v, after := z.taskState(t, id)
		if w.Code != http.StatusSeeOther {
			if after != before {
				t.Fatalf("refused (%d) but changed: %s -> %s", w.Code, before, after)
			}
			if got := stored(t); !slices.Equal(got, keys) {
				t.Fatalf("refused (%d) but the store changed: %v -> %v", w.Code, keys, got)
			}
			return
		}
		for _, a := range v.Attachments[len(v0.Attachments):] {
			if a.Name == "" || strings.ContainsAny(a.Name, `/\`) || strings.IndexFunc(a.Name, unicode.IsControl) >= 0 {
				t.Fatalf("file kept under the name %q", a.Name)
			}
			if _, ok := relay.FileTypeOf(a.Type); !ok {
				t.Fatalf("file %q of type %q", a.Name, a.Type)
			}
			if err := store.Check(context.Background(), a.Attachment); err != nil {
				t.Fatal(err)
			}
		}
	})
}
