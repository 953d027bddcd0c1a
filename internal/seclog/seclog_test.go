package seclog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestChainHoldsAndBreaksWhenEdited(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	l := Open(path)
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, ev := range []string{Login, LoginFailed, Locked, Refused} {
		if err := l.Append(Entry{At: base.Add(time.Duration(i) * time.Hour), User: "duban", IP: "10.0.0.1", Event: ev, Detail: fmt.Sprint("第", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := Verify(path); err != nil || n != 4 {
		t.Fatalf("verify: %d %v", n, err)
	}
	got, err := Read(path, base.Add(2*time.Hour))
	if err != nil || len(got) != 2 || got[0].Event != Locked {
		t.Fatalf("since: %+v %v", got, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}

	orig, _ := os.ReadFile(path)
	lines := bytes.SplitAfter(orig, []byte("\n"))
	for name, c := range map[string]struct {
		data []byte
		line int
	}{
		"edited detail": {bytes.Replace(orig, []byte("第1"), []byte("第9"), 1), 2},
		"edited user":   {bytes.Replace(orig, []byte(`"user":"duban"`), []byte(`"user":"other"`), 1), 1},
		"line removed":  {bytes.Join([][]byte{lines[0], lines[2], lines[3]}, nil), 2},
		"lines swapped": {bytes.Join([][]byte{lines[0], lines[2], lines[1], lines[3]}, nil), 2},
	} {
		if err := os.WriteFile(path, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Verify(path)
		var ce *ChainError
		if !errors.As(err, &ce) || ce.Line != c.line {
			t.Errorf("%s: %v, want a break at line %d", name, err, c.line)
		}
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		l := Open(path) // one Log per writer: as separate processes, only the file lock serialises
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if err := l.Append(Entry{User: fmt.Sprint("w", w), Event: Login}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n, err := Verify(path); err != nil || n != 100 {
		t.Fatalf("verify: %d %v", n, err)
	}
}
