package notify

import (
	"sync"
	"time"
)

// Window is one rate limit: at most N messages in any period of length Per.
type Window struct {
	N   int
	Per time.Duration
}

// Limiter keeps the sends of each robot within its platform's windows, so that
// messages wait in the queue instead of being refused. A send is recorded when it
// has finished: with sends one after another, the receiver never sees more than N
// arrivals in any window either.
type Limiter struct {
	mu      sync.Mutex
	sent    map[string][]time.Time // per robot, oldest first
	blocked map[string]time.Time   // robots that answered "too fast", until when
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter {
	return &Limiter{sent: map[string][]time.Time{}, blocked: map[string]time.Time{}}
}

// Wait returns how long the robot key must wait before it may send once more
// (0: now).
func (l *Limiter) Wait(key string, ws []Window, now time.Time) time.Duration {
	if key == "" {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	if until, ok := l.blocked[key]; ok {
		if now.Before(until) {
			wait = until.Sub(now)
		} else {
			delete(l.blocked, key)
		}
	}
	longest := time.Duration(0)
	ts := l.sent[key]
	for _, w := range ws {
		longest = max(longest, w.Per)
		if w.N <= 0 || len(ts) < w.N {
			continue
		}
		// The N-th most recent send must have left the window.
		if free := ts[len(ts)-w.N].Add(w.Per); now.Before(free) {
			wait = max(wait, free.Sub(now))
		}
	}
	// Forget sends no window looks at any more.
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= longest {
		i++
	}
	l.sent[key] = ts[i:]
	return wait
}

// Sent records that robot key finished a send at t.
func (l *Limiter) Sent(key string, t time.Time) {
	if key == "" {
		return
	}
	l.mu.Lock()
	l.sent[key] = append(l.sent[key], t)
	l.mu.Unlock()
}

// Block holds robot key until t (its platform answered "too fast").
func (l *Limiter) Block(key string, until time.Time) {
	l.mu.Lock()
	if until.After(l.blocked[key]) {
		l.blocked[key] = until
	}
	l.mu.Unlock()
}
