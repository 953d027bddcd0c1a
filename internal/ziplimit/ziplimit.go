// Package ziplimit bounds what reading a zip package (an .xlsx or .docx list, an
// attachment being identified) may cost: the bytes its entries actually inflate to,
// counted as they come out rather than taken from the sizes the archive declares, and
// how many packages are read at once in the process.
package ziplimit

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// MaxParses is how many zip packages one process reads at a time; more wait their
// turn, so that a few hostile files at once cannot add up.
const MaxParses = 2

var turns = make(chan struct{}, MaxParses)

// Acquire waits for a turn to read a package and returns its release.
func Acquire() (release func()) {
	turns <- struct{}{}
	return func() { <-turns }
}

// TooLargeError: the entries inflate past the limit (Declared: the archive said so).
type TooLargeError struct {
	Limit    int64
	Declared bool
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("解压后超过 %d MiB", e.Limit>>20)
}

// ErrTooLarge matches any *TooLargeError with errors.Is.
var ErrTooLarge = errors.New("zip 解压后过大")

func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Check refuses a package whose entries declare, or actually inflate to, more than
// limit bytes in all. Every entry is inflated (into nothing, a small buffer at a time)
// and counted, so an entry lying about its size costs CPU up to the limit, never
// memory. A damaged entry is an error too.
func Check(zr *zip.Reader, limit int64) error {
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(limit) || declared > uint64(limit) {
			return &TooLargeError{Limit: limit, Declared: true}
		}
	}
	left := limit
	buf := make([]byte, 32<<10)
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		n, err := io.CopyBuffer(io.Discard, io.LimitReader(rc, left+1), buf)
		rc.Close()
		if n > left {
			return &TooLargeError{Limit: limit}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		left -= n
	}
	return nil
}
