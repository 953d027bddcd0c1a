package notify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"taskrelay/internal/relay"
)

// Pusher forwards recorded notices to a webhook from a spool on disk (a transactional
// outbox): recording a notice is a fast local write that workflows wait for, while
// the push to the receiver retries with backoff in the background for as long as the
// receiver is down, across restarts, without holding up any task. Each notice is
// pushed until the receiver accepts it once; its ID is the Idempotency-Key, so a
// push repeated after a crash is recognisable to the receiver.
type Pusher struct {
	hook    *Webhook
	pending string // notices waiting to be pushed
	done    string // markers of notices pushed
	failed  string // notices the receiver refused for good, with the reason
	wake    chan struct{}

	// MinBackoff and MaxBackoff bound the wait between attempts at one notice.
	MinBackoff, MaxBackoff time.Duration
	// OnError, if set, hears about failed attempts (for logs).
	OnError func(id string, err error)

	mu    sync.Mutex
	retry map[string]backoff
	// spool serialises Enqueue with the end of a push (marker written, entry removed),
	// so a notice recorded again at that moment is neither lost nor pushed twice.
	spool sync.Mutex
}

type backoff struct {
	next  time.Time
	delay time.Duration
}

// NewPusher keeps its spool in dir.
func NewPusher(dir string, hook *Webhook) *Pusher {
	return &Pusher{
		hook: hook, pending: filepath.Join(dir, "pending"), done: filepath.Join(dir, "done"),
		failed: filepath.Join(dir, "failed"), wake: make(chan struct{}, 1),
		MinBackoff: time.Second, MaxBackoff: time.Minute, retry: map[string]backoff{},
	}
}

// Enqueue spools a notice for the webhook unless it is spooled or pushed already.
func (p *Pusher) Enqueue(n relay.Notice) error {
	p.spool.Lock()
	defer p.spool.Unlock()
	stem := FileName(n.ID)
	for _, dir := range []string{p.done, p.failed} {
		if _, err := os.Lstat(filepath.Join(dir, stem)); err == nil {
			return nil
		}
	}
	data, err := encodeNotice(n)
	if err != nil {
		return permanent(fmt.Errorf("notify: spool: encode notice %q: %w", n.ID, err))
	}
	if err := os.MkdirAll(p.pending, 0o755); err != nil {
		return fmt.Errorf("notify: spool: %w", err)
	}
	if _, err := writeExclusive(p.pending, stem+".json", data); err != nil {
		return err
	}
	if err := syncDir(p.pending); err != nil {
		return err
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

// Run pushes spooled notices until ctx ends.
func (p *Pusher) Run(ctx context.Context) {
	for {
		wait := p.pushDue(ctx)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-p.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// pushDue pushes every spooled notice whose backoff has passed, oldest name first,
// and returns how long to wait before the next one is due.
func (p *Pusher) pushDue(ctx context.Context) time.Duration {
	entries, err := os.ReadDir(p.pending)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		p.report("spool", err)
		return p.MaxBackoff
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	wait := time.Hour
	now := time.Now()
	for _, name := range names {
		if ctx.Err() != nil {
			return 0
		}
		p.mu.Lock()
		b := p.retry[name]
		p.mu.Unlock()
		if now.Before(b.next) {
			wait = min(wait, b.next.Sub(now))
			continue
		}
		if err := p.push(ctx, name); err != nil {
			p.report(name, err)
			if b.delay == 0 {
				b.delay = p.MinBackoff
			} else {
				b.delay = min(2*b.delay, p.MaxBackoff)
			}
			b.next = time.Now().Add(b.delay)
			p.mu.Lock()
			p.retry[name] = b
			p.mu.Unlock()
			wait = min(wait, b.delay)
			continue
		}
		p.mu.Lock()
		delete(p.retry, name)
		p.mu.Unlock()
	}
	return wait
}

func (p *Pusher) push(ctx context.Context, name string) error {
	path := filepath.Join(p.pending, name)
	n, err := readNotice(path)
	if err != nil {
		return err
	}
	stem := strings.TrimSuffix(name, ".json")
	err = p.hook.Deliver(ctx, n)
	if errors.Is(err, ErrPermanent) {
		// Refused for good: keep it, with the reason, for a person to look at.
		if mkErr := os.MkdirAll(p.failed, 0o755); mkErr != nil {
			return mkErr
		}
		p.spool.Lock()
		defer p.spool.Unlock()
		_ = writeReplace(p.failed, stem+".err", []byte(err.Error()+"\n"))
		if mvErr := os.Rename(path, filepath.Join(p.failed, stem)); mvErr != nil {
			return mvErr
		}
		return nil
	}
	if err != nil {
		return err
	}
	p.spool.Lock()
	defer p.spool.Unlock()
	if err := os.MkdirAll(p.done, 0o755); err != nil {
		return err
	}
	// The marker first, then the spool entry: a crash in between pushes nothing twice
	// except this one notice, which the receiver recognises by its key.
	if err := writeReplace(p.done, stem, nil); err != nil {
		return err
	}
	return os.Remove(path)
}

// Pending counts the notices waiting to be pushed.
func (p *Pusher) Pending() int {
	entries, _ := os.ReadDir(p.pending)
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			n++
		}
	}
	return n
}

func (p *Pusher) report(id string, err error) {
	if p.OnError != nil {
		p.OnError(id, err)
	}
}

// Spooled records each notice in the outbox and spools it for the webhook.
type Spooled struct {
	Outbox *Outbox
	Pusher *Pusher
}

// Deliver implements Notifier: both steps are local writes and idempotent.
func (s Spooled) Deliver(ctx context.Context, n relay.Notice) error {
	if err := s.Outbox.Deliver(ctx, n); err != nil {
		return err
	}
	return s.Pusher.Enqueue(n)
}
