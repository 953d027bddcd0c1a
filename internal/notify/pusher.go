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
	// Ledger, if set, is the deliveries' record shared with the other workers: a
	// delivery is spooled only by the worker that claims it, sent only while that
	// worker holds its lease, and taken over by another when the lease is not renewed
	// for StaleAfter (its worker killed). Scan is how often the leases are looked at.
	Ledger           *Ledger
	Scan, StaleAfter time.Duration
	lastScan         time.Time

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
		Scan: 10 * time.Second, StaleAfter: 2 * time.Minute,
	}
}

// deliveryStem names a delivery's files.
func deliveryStem(noticeID, route string) string { return FileName(noticeID + "|" + route) }

// Enqueue spools a notice on each of its routes, unless spooled or done already.
func (p *Pusher) Enqueue(n relay.Notice) error { return p.EnqueueContext(context.Background(), n) }

// ContextRouter finds routes that need a context and may fail: the office apps'
// routes of the people a notice concerns (AppRouter).
type ContextRouter interface {
	ForContext(ctx context.Context, n relay.Notice) ([]Route, error)
}

// EnqueueContext is Enqueue with the caller's context for finding the routes.
func (p *Pusher) EnqueueContext(ctx context.Context, n relay.Notice) error {
	if n.ID == "" {
		return permanent(errors.New("notify: spool: notice has no ID"))
	}
	routes := p.routes.For(n)
	if cr, ok := p.routes.(ContextRouter); ok {
		var err error
		if routes, err = cr.ForContext(ctx, n); err != nil {
			return err
		}
	}
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
		e := entry{Notice: n, Route: r.Name, Channel: r.Channel, QueuedAt: time.Now()}
		data, err := json.Marshal(e)
		if err != nil {
			return permanent(fmt.Errorf("notify: spool: encode notice %q: %w", n.ID, err))
		}
		if p.Ledger != nil {
			mine, err := p.Ledger.Claim(context.Background(), stem, e, p.StaleAfter)
			if err != nil {
				return err
			}
			if !mine {
				continue // another worker spooled it first and sends it
			}
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
		if p.Ledger != nil && time.Since(p.lastScan) >= p.Scan {
			p.scan(ctx)
			p.lastScan = time.Now()
		}
		wait := min(p.pushDue(ctx), p.Poll)
		if p.Ledger != nil {
			wait = min(wait, p.Scan)
		}
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
	if p.Ledger != nil {
		mine, err := p.Ledger.Mine(ctx, strings.TrimSuffix(it.name, ".json"))
		if err != nil {
			return 0, err
		}
		if !mine { // taken over by another worker while this one was away
			return 0, p.drop(it)
		}
	}
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
	switch rs := r.(type) {
	case *Routes:
		return rs.PublicURL
	case *AppRouter:
		return rs.Base.PublicURL
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
	if err := writeReplace(p.pending, it.name, data); err != nil {
		return err
	}
	return p.publish(it, relay.DeliveryPending)
}

// publish records a delivery's state in the shared ledger, if there is one.
func (p *Pusher) publish(it spooled, state string) error {
	if p.Ledger == nil {
		return nil
	}
	return p.Ledger.Publish(context.Background(), strings.TrimSuffix(it.name, ".json"), it.e, state)
}

// drop removes a pending entry another worker now owns.
func (p *Pusher) drop(it spooled) error {
	p.spool.Lock()
	defer p.spool.Unlock()
	if err := os.Remove(filepath.Join(p.pending, it.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// scan looks at the shared leases: it renews this worker's (a lease left on a
// delivery this worker finished, say when publishing failed, gets the final state),
// and takes over those of a worker gone for StaleAfter, and those put back by a person.
func (p *Pusher) scan(ctx context.Context) {
	leases, err := p.Ledger.Leases(ctx)
	if err != nil {
		p.report("ledger", err)
		return
	}
	for stem, le := range leases {
		if ctx.Err() != nil {
			return
		}
		name := stem + ".json"
		if le.Worker == p.Ledger.Worker {
			err = p.keep(ctx, name, le)
		} else if le.Worker == "" || time.Since(le.At) >= p.StaleAfter {
			err = p.takeOver(ctx, name, le)
		}
		if err != nil {
			p.report("ledger "+stem, err)
		}
	}
}

// keep renews this worker's lease of a waiting delivery (once a third of StaleAfter
// has passed), or publishes the final state of one it finished.
func (p *Pusher) keep(ctx context.Context, name string, le leaseRecord) error {
	if _, err := os.Lstat(filepath.Join(p.pending, name)); err == nil {
		if time.Since(le.At) < p.StaleAfter/3 {
			return nil
		}
		return p.Ledger.Renew(ctx, strings.TrimSuffix(name, ".json"))
	}
	for state, dir := range map[string]string{relay.DeliveryDelivered: p.done, relay.DeliveryFailed: p.failed} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var e entry
		if err := json.Unmarshal(data, &e); err != nil {
			return err
		}
		return p.publish(spooled{name, e}, state)
	}
	return nil
}

// takeOver spools a delivery this worker won from the ledger.
func (p *Pusher) takeOver(ctx context.Context, name string, le leaseRecord) error {
	e, won, err := p.Ledger.TakeOver(ctx, strings.TrimSuffix(name, ".json"), le)
	if err != nil || !won {
		return err
	}
	e.LastError = ""
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	p.spool.Lock()
	defer p.spool.Unlock()
	if err := os.MkdirAll(p.pending, 0o755); err != nil {
		return err
	}
	if err := writeReplace(p.pending, name, data); err != nil {
		return err
	}
	for _, dir := range []string{p.done, p.failed} { // this worker's own, put back
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	p.mu.Lock()
	delete(p.retry, name)
	p.mu.Unlock()
	p.nudge()
	return nil
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
	if err := syncDir(dir); err != nil {
		return err
	}
	state := relay.DeliveryDelivered
	if dir == p.failed {
		state = relay.DeliveryFailed
	}
	return p.publish(it, state)
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
	return s.Pusher.EnqueueContext(ctx, n)
}
