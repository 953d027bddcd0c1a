package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"taskrelay/internal/relay"
)

// Pusher delivers recorded notices on every route of their recipient (DingTalk,
// WeCom, Feishu, e-mail, webhooks) from a spool on disk (a transactional outbox):
// recording a notice is a fast local write that workflows wait for, while the sends
// retry with backoff in the background for as long as a receiver is down, across
// restarts, without holding up any task.
//
// One delivery is one notice on one route. Its spool entry records how many of the
// notice's parts the platform has accepted, so a delivery resumed after a failure or
// a restart sends the remaining parts only. Robots are kept within their platform's
// rate limits: a message waits in the queue, it is never dropped. A permanent
// refusal sets the delivery aside (failed/) with the reason, for a person to retry.
type Pusher struct {
	routes  Router
	pending string // deliveries waiting to be sent
	done    string // deliveries the platform accepted
	failed  string // deliveries refused for good, with the reason
	wake    chan struct{}
	limiter *Limiter

	// MinBackoff and MaxBackoff bound the wait between attempts at one delivery;
	// Poll is how often the spool is looked at for deliveries put back by another
	// process (the console's or the command line's retry).
	MinBackoff, MaxBackoff, Poll time.Duration
	// OnError, if set, hears about failed attempts (for logs).
	OnError func(name string, err error)

	mu    sync.Mutex
	retry map[string]backoff
	// spool serialises Enqueue with the end of a delivery (entry moved), so a notice
	// recorded again at that moment is neither lost nor sent twice.
	spool sync.Mutex
}

// Router finds the routes of a notice's recipient.
type Router interface {
	For(n relay.Notice) []Route
	Route(name string) (Route, bool)
}

type backoff struct {
	next  time.Time
	delay time.Duration
}

// entry is a delivery's spool record.
type entry struct {
	Notice    relay.Notice `json:"notice"`
	Route     string       `json:"route"`
	Channel   string       `json:"channel"`
	QueuedAt  time.Time    `json:"queued_at"`
	Attempts  int          `json:"attempts"`
	Sent      int          `json:"sent"` // parts the platform accepted
	LastError string       `json:"last_error,omitempty"`
	DoneAt    time.Time    `json:"done_at,omitzero"`
}

// NewPusher keeps its spool in dir and sends on the routes r knows.
func NewPusher(dir string, r Router) *Pusher {
	return &Pusher{
		routes: r, pending: filepath.Join(dir, "pending"), done: filepath.Join(dir, "done"),
		failed: filepath.Join(dir, "failed"), wake: make(chan struct{}, 1), limiter: NewLimiter(),
		MinBackoff: time.Second, MaxBackoff: time.Minute, Poll: 5 * time.Second, retry: map[string]backoff{},
	}
}

// deliveryStem names a delivery's files.
func deliveryStem(noticeID, route string) string { return FileName(noticeID + "|" + route) }

// Enqueue spools a notice on each of its routes, unless spooled or done already.
func (p *Pusher) Enqueue(n relay.Notice) error {
	if n.ID == "" {
		return permanent(errors.New("notify: spool: notice has no ID"))
	}
	routes := p.routes.For(n)
	if len(routes) == 0 {
		return nil
	}
	p.spool.Lock()
	defer p.spool.Unlock()
	if err := os.MkdirAll(p.pending, 0o755); err != nil {
		return fmt.Errorf("notify: spool: %w", err)
	}
	added := false
	for _, r := range routes {
		stem := deliveryStem(n.ID, r.Name)
		if p.exists(stem) {
			continue
		}
		data, err := json.Marshal(entry{Notice: n, Route: r.Name, Channel: r.Channel, QueuedAt: time.Now()})
		if err != nil {
			return permanent(fmt.Errorf("notify: spool: encode notice %q: %w", n.ID, err))
		}
		created, err := writeExclusive(p.pending, stem+".json", data)
		if err != nil {
			return err
		}
		added = added || created
	}
	if !added {
		return nil
	}
	if err := syncDir(p.pending); err != nil {
		return err
	}
	p.nudge()
	return nil
}

func (p *Pusher) exists(stem string) bool {
	for _, dir := range []string{p.done, p.failed} {
		if _, err := os.Lstat(filepath.Join(dir, stem+".json")); err == nil {
			return true
		}
	}
	return false
}

func (p *Pusher) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run sends spooled deliveries until ctx ends.
func (p *Pusher) Run(ctx context.Context) {
	for {
		wait := min(p.pushDue(ctx), p.Poll)
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

type spooled struct {
	name string
	e    entry
}

// readDir reads a spool folder's entries, oldest first.
func readDir(dir string) ([]spooled, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("notify: spool: %w", err)
	}
	var out []spooled
	for _, d := range des {
		name := d.Name()
		if !d.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue // moved away meanwhile
		}
		var e entry
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("notify: spool: %s is not a delivery: %w", filepath.Join(dir, name), err)
		}
		out = append(out, spooled{name, e})
	}
	slices.SortFunc(out, func(a, b spooled) int {
		if c := a.e.QueuedAt.Compare(b.e.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out, nil
}

// pushDue sends every spooled delivery whose backoff has passed and whose robot is
// within its rate limit, oldest first, and returns how long to wait before the next
// one is due.
func (p *Pusher) pushDue(ctx context.Context) time.Duration {
	items, err := readDir(p.pending)
	if err != nil {
		p.report("spool", err)
		return p.MaxBackoff
	}
	wait := time.Hour
	for _, it := range items {
		if ctx.Err() != nil {
			return 0
		}
		p.mu.Lock()
		b := p.retry[it.name]
		p.mu.Unlock()
		if now := time.Now(); now.Before(b.next) {
			wait = min(wait, b.next.Sub(now))
			continue
		}
		held, err := p.push(ctx, it)
		if held > 0 {
			wait = min(wait, held)
			continue
		}
		if err != nil {
			p.report(it.e.Route+" "+it.e.Notice.ID, err)
			if b.delay == 0 {
				b.delay = p.MinBackoff
			} else {
				b.delay = min(2*b.delay, p.MaxBackoff)
			}
			if rest, ok := IsRateLimited(err); ok {
				b.delay = max(b.delay, rest)
			}
			b.next = time.Now().Add(b.delay)
			p.mu.Lock()
			p.retry[it.name] = b
			p.mu.Unlock()
			wait = min(wait, b.delay)
			continue
		}
		p.mu.Lock()
		delete(p.retry, it.name)
		p.mu.Unlock()
	}
	return wait
}

// push sends the parts of one delivery not yet accepted. It returns how long the
// delivery is held by its robot's rate limit (0: not held), or the failure.
func (p *Pusher) push(ctx context.Context, it spooled) (time.Duration, error) {
	e := it.e
	r, ok := p.routes.Route(e.Route)
	if !ok {
		return 0, p.setAside(it, permanent(fmt.Errorf("渠道 %s 已不在目录中", e.Route)))
	}
	o := Outgoing{Notice: e.Notice, Link: NoticeLink(publicURL(p.routes), e.Notice), Mobiles: r.Mobiles, Key: r.Key(e.Notice.ID)}
	msgs, err := r.Out.Prepare(o)
	if err != nil {
		return 0, p.failure(it, err)
	}
	key, windows := r.Out.Rate()
	for e.Sent < len(msgs) {
		if held := p.limiter.Wait(key, windows, time.Now()); held > 0 {
			return held, nil
		}
		err := r.Out.Send(ctx, o, msgs[e.Sent])
		p.limiter.Sent(key, time.Now())
		if err != nil {
			if rest, ok := IsRateLimited(err); ok {
				p.limiter.Block(key, time.Now().Add(rest))
			}
			it.e = e
			return 0, p.failure(it, err)
		}
		e.Sent++
		if e.Sent < len(msgs) {
			// Remember the accepted part before the next: a crash now resends none.
			it.e = e
			if err := p.rewrite(it); err != nil {
				return 0, err
			}
		}
	}
	e.DoneAt = time.Now()
	e.Attempts++
	e.LastError = ""
	it.e = e
	return 0, p.finish(it, p.done)
}

func publicURL(r Router) string {
	if rs, ok := r.(*Routes); ok {
		return rs.PublicURL
	}
	return ""
}

// failure records a failed attempt; a permanent one sets the delivery aside.
func (p *Pusher) failure(it spooled, err error) error {
	if errors.Is(err, ErrPermanent) {
		return p.setAside(it, err)
	}
	it.e.Attempts++
	it.e.LastError = reason(err)
	if werr := p.rewrite(it); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

func (p *Pusher) setAside(it spooled, err error) error {
	it.e.Attempts++
	it.e.LastError = reason(err)
	if ferr := p.finish(it, p.failed); ferr != nil {
		return ferr
	}
	p.report(it.e.Route+" "+it.e.Notice.ID, err)
	return nil
}

// reason is an error as the inspection office reads it: without the package prefix
// and the permanent mark.
func reason(err error) string {
	s := strings.ReplaceAll(err.Error(), ErrPermanent.Error()+": ", "")
	return strings.ReplaceAll(s, "notify: ", "")
}

// rewrite replaces a pending entry with its updated record.
func (p *Pusher) rewrite(it spooled) error {
	data, err := json.Marshal(it.e)
	if err != nil {
		return err
	}
	return writeReplace(p.pending, it.name, data)
}

// finish moves a delivery out of the spool into dir (done or failed) with its
// final record: the record first, then the spool entry removed, so a crash in
// between leaves it finished (Enqueue sees it) and sends nothing twice.
func (p *Pusher) finish(it spooled, dir string) error {
	data, err := json.Marshal(it.e)
	if err != nil {
		return err
	}
	p.spool.Lock()
	defer p.spool.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeReplace(dir, it.name, data); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(p.pending, it.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(dir)
}

// Pending counts the deliveries waiting to be sent.
func (p *Pusher) Pending() int {
	items, _ := readDir(p.pending)
	return len(items)
}

func (p *Pusher) report(name string, err error) {
	if p.OnError != nil {
		p.OnError(name, err)
	}
}

// Spooled records each notice in the outbox and spools it for its routes.
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
