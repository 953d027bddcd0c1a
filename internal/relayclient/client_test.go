package relayclient

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/config"
	"taskrelay/internal/refusal"
)

// An engine that is not there: one attempt fails at once, and waiting gives up at the
// deadline; both name the address the config chose.
func TestDialUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // a port nobody listens on
	cfg := config.Config{EngineAddr: addr, Namespace: "default"}
	for _, wait := range []time.Duration{0, 1500 * time.Millisecond} {
		t0 := time.Now()
		_, err := Dial(context.Background(), cfg, nil, wait)
		took := time.Since(t0)
		if err == nil || !strings.Contains(err.Error(), addr) || !errors.Is(err, refusal.ErrUnavailable) {
			t.Fatalf("wait %v: err %v, want the engine unavailable, naming %s", wait, err, addr)
		}
		if took < wait || took > wait+20*time.Second {
			t.Errorf("wait %v: gave up after %v", wait, took)
		}
	}
}
