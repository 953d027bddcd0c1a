package evidence

import (
	"context"
	"testing"

	"taskrelay/internal/evidence/evidencetest"
)

// BenchmarkPut20MiB stores a 20 MiB file and reports the resident memory it added at
// its peak: the file is streamed through a temporary file and the store, never
// buffered whole.
func BenchmarkPut20MiB(b *testing.B) {
	s := newStore(b)
	s.MaxBytes = 20 << 20
	ctx := context.Background()
	var worst int64
	for i := 0; i < b.N; i++ {
		var st Stored
		grew := evidencetest.PeakGrowth(func() {
			var err error
			if st, err = s.Put(ctx, "大文件.pdf", &evidencetest.PDF{N: 20 << 20, Seed: int64(i)}); err != nil {
				b.Fatal(err)
			}
		})
		worst = max(worst, grew)
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
	if evidencetest.RSS() == 0 {
		t.Skip("no /proc/self/statm")
	}
	s := newStore(t)
	s.MaxBytes = 20 << 20
	grew := evidencetest.PeakGrowth(func() {
		if _, err := s.Put(context.Background(), "大文件.pdf", &evidencetest.PDF{N: 20 << 20}); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("resident memory growth storing 20 MiB: %.1f MiB", float64(grew)/(1<<20))
	if grew > 40<<20 {
		t.Fatalf("resident memory grew %.1f MiB storing a 20 MiB file", float64(grew)/(1<<20))
	}
}
