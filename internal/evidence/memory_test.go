package evidence

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// rssBytes is this process's resident set size (Linux /proc; 0 elsewhere).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// pdfStream is a PDF of n bytes made on the fly, never held whole.
type pdfStream struct{ n, off int64 }

func (p *pdfStream) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		b[i] = byte('a' + (p.off+int64(i))%26)
	}
	if p.off == 0 {
		copy(b, "%PDF-1.7\n")
	}
	p.off += int64(len(b))
	return len(b), nil
}

// BenchmarkPut20MiB stores a 20 MiB file and reports the resident memory it added:
// the file is streamed through a temporary file and the store, never buffered whole.
func BenchmarkPut20MiB(b *testing.B) {
	s := newStore(b)
	s.MaxBytes = 20 << 20
	ctx := context.Background()
	var worst int64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		debug.FreeOSMemory()
		before := rssBytes()
		st, err := s.Put(ctx, "大文件.pdf", &pdfStream{n: 20 << 20})
		if err != nil {
			b.Fatal(err)
		}
		if grew := rssBytes() - before; grew > worst {
			worst = grew
		}
		b.StopTimer()
		s.Bucket.Delete(ctx, Key(st.SHA256))
		b.StartTimer()
	}
	b.ReportMetric(float64(worst)/(1<<20), "rss-growth-MiB")
	b.SetBytes(20 << 20)
}

// TestPutKeepsMemoryFlat: storing a 20 MiB file grows resident memory by less than
// 40 MiB (the bound).
func TestPutKeepsMemoryFlat(t *testing.T) {
	if rssBytes() == 0 {
		t.Skip("no /proc/self/statm")
	}
	s := newStore(t)
	s.MaxBytes = 20 << 20
	runtime.GC()
	debug.FreeOSMemory()
	before := rssBytes()
	if _, err := s.Put(context.Background(), "大文件.pdf", &pdfStream{n: 20 << 20}); err != nil {
		t.Fatal(err)
	}
	grew := rssBytes() - before
	t.Logf("resident memory growth storing 20 MiB: %.1f MiB", float64(grew)/(1<<20))
	if grew > 40<<20 {
		t.Fatalf("resident memory grew %.1f MiB storing a 20 MiB file", float64(grew)/(1<<20))
	}
}
