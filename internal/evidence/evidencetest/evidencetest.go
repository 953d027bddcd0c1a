// Package evidencetest measures what storing evidence costs a process: its resident
// memory while a large file goes through, and a large file made on the fly.
package evidencetest

import (
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// RSS is this process's resident set size in bytes (Linux /proc; 0 elsewhere).
func RSS() int64 {
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

// PeakGrowth runs f and returns how far the resident memory rose above where it was
// before (after a collection), sampled every few milliseconds while f runs and once
// after.
func PeakGrowth(f func()) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	before := RSS()
	peak := before
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, RSS())
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return max(peak, RSS()) - before
}

// PDF is a PDF-typed stream of N bytes made on the fly, never held whole; Seed varies
// its bytes (so two streams are two files to a content-addressed store).
type PDF struct {
	N, Seed int64
	off     int64
}

func (p *PDF) Read(b []byte) (int, error) {
	if p.off >= p.N {
		return 0, io.EOF
	}
	if int64(len(b)) > p.N-p.off {
		b = b[:p.N-p.off]
	}
	for i := range b {
		b[i] = byte('a' + (p.off+int64(i)+p.Seed)%26)
	}
	if p.off == 0 {
		copy(b, "%PDF-1.7\n")
	}
	p.off += int64(len(b))
	return len(b), nil
}
