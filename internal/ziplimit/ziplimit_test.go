package ziplimit

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"testing"
	"time"
)

// deflated is n zero bytes, compressed.
func deflated(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(make([]byte, n))
	w.Close()
	return buf.Bytes()
}

// An entry that declares 1 KiB but inflates to 40 MiB (its sizes lie) is refused
// after at most what it declared; one that declares the truth past the limit is
// refused before inflating; within the limit, the package passes.
func TestCheckCountsInflatedBytes(t *testing.T) {
	build := func(declared uint64, real int) *zip.Reader {
		var buf bytes.Buffer
		z := zip.NewWriter(&buf)
		body := deflated(t, real)
		w, err := z.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CompressedSize64: uint64(len(body)), UncompressedSize64: declared})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
		z.Close()
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return zr
	}
	if err := Check(build(1<<10, 40<<20), 8<<20); err == nil {
		t.Fatal("an entry lying about its size passed")
	}
	if err := Check(build(40<<20, 40<<20), 8<<20); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a 40 MiB entry under an 8 MiB limit: %v", err)
	}
	if err := Check(build(1<<20, 1<<20), 8<<20); err != nil {
		t.Fatalf("a 1 MiB entry: %v", err)
	}
}

// At most MaxParses packages are read at once; the next waits for a turn.
func TestAcquireBoundsConcurrentReads(t *testing.T) {
	var releases []func()
	for i := 0; i < MaxParses; i++ {
		releases = append(releases, Acquire())
	}
	got := make(chan func())
	go func() { got <- Acquire() }()
	select {
	case <-got:
		t.Fatal("a read started beyond MaxParses")
	case <-time.After(100 * time.Millisecond):
	}
	releases[0]()
	select {
	case r := <-got:
		r()
	case <-time.After(5 * time.Second):
		t.Fatal("a released turn was not taken")
	}
	for _, r := range releases[1:] {
		r()
	}
}
