package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

type countingReceiver struct {
	mu       sync.Mutex
	failNext int
	status   int
	byKey    map[string]int
}

func (c *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failNext > 0 {
		c.failNext--
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if c.status != 0 {
		http.Error(w, "no", c.status)
		return
	}
	c.byKey[r.Header.Get("Idempotency-Key")]++
}

func (c *countingReceiver) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey[key]
}

func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runPusher runs p until the test ends, and waits for it to stop before the test's
// folders are removed.
func runPusher(t *testing.T, p *Pusher) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ctx
}

func notice(id string) relay.Notice {
	return relay.Notice{ID: id, Kind: relay.NoticeReminder, To: "rsj", ToName: "县人社局", Subject: "提醒", IssuedAt: time.Now()}
}

func TestPusherRetriesUntilTheReceiverIsBackAndPushesOnce(t *testing.T) {
	recv := &countingReceiver{failNext: 5, byKey: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	dir := t.TempDir()
	p := NewPusher(filepath.Join(dir, "webhook"), NewWebhook(srv.URL, nil))
	p.MinBackoff, p.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
	s := Spooled{Outbox: NewOutbox(filepath.Join(dir, "outbox")), Pusher: p}
	ctx := runPusher(t, p)
	for _, id := range []string{"reminder:a:1", "reminder:a:2"} {
		if err := s.Deliver(ctx, notice(id)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both pushed", func() bool { return recv.count("reminder:a:1") == 1 && recv.count("reminder:a:2") == 1 })
	// Recording the same notice again (a retried activity) pushes nothing more.
	if err := s.Deliver(ctx, notice("reminder:a:1")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if recv.count("reminder:a:1") != 1 || p.Pending() != 0 {
		t.Errorf("re-recorded notice pushed again: %d, pending %d", recv.count("reminder:a:1"), p.Pending())
	}
}

func TestPusherResumesAfterRestart(t *testing.T) {
	recv := &countingReceiver{byKey: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "webhook")
	first := NewPusher(dir, NewWebhook(srv.URL, nil))
	if err := first.Enqueue(notice("escalation:b:3")); err != nil { // spooled, never run: the process died
		t.Fatal(err)
	}
	second := NewPusher(dir, NewWebhook(srv.URL, nil))
	runPusher(t, second)
	waitFor(t, "pushed after restart", func() bool { return recv.count("escalation:b:3") == 1 })
}

func TestPusherSetsAsideRefusedNotices(t *testing.T) {
	recv := &countingReceiver{status: http.StatusBadRequest, byKey: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "webhook")
	p := NewPusher(dir, NewWebhook(srv.URL, nil))
	if err := p.Enqueue(notice("dispatch:c:czj")); err != nil {
		t.Fatal(err)
	}
	runPusher(t, p)
	stem := FileName("dispatch:c:czj")
	waitFor(t, "set aside", func() bool {
		_, err := os.Stat(filepath.Join(dir, "failed", stem+".err"))
		return err == nil && p.Pending() == 0
	})
	// Recording it again does not spool it again.
	if err := p.Enqueue(notice("dispatch:c:czj")); err != nil || p.Pending() != 0 {
		t.Errorf("a refused notice was spooled again: %v, pending %d", err, p.Pending())
	}
}
