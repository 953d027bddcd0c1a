package evidence

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode"

	"taskrelay/internal/relay"
)

// FuzzPut feeds arbitrary names and contents: a file is either refused with a reason
// naming it, or stored under a clean name with an accepted type whose bytes check.
func FuzzPut(f *testing.F) {
	for _, s := range samples(f) {
		f.Add(s.name, s.data)
	}
	f.Add("../../x.pdf", []byte("%PDF-"))
	f.Add("a\x00.png", []byte("\x89PNG\r\n\x1a\n"))
	f.Add("x.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0})
	f.Add("x.zip", []byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add("<script>.html", []byte("<html>"))
	s := newStore(f)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ctx := context.Background()
		st, err := s.Put(ctx, name, bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "附件") {
				t.Fatalf("refusal does not name the file: %v", err)
			}
			return
		}
		if _, ok := relay.FileTypeOf(st.Type); !ok {
			t.Fatalf("stored type %q not accepted", st.Type)
		}
		if strings.ContainsAny(st.Name, "/\\") || strings.IndexFunc(st.Name, unicode.IsControl) >= 0 || st.Name == "" {
			t.Fatalf("name %q not clean", st.Name)
		}
		if err := s.Check(ctx, st.Attachment); err != nil {
			t.Fatal(err)
		}
	})
}
