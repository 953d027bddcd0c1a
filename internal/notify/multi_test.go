package notify

import (
	"context"
	"errors"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

type fakeNotifier struct {
	err   error
	calls int
}

func (f *fakeNotifier) Deliver(context.Context, relay.Notice) error {
	f.calls++
	return f.err
}

func TestMulti(t *testing.T) {
	ctx := context.Background()
	n := sampleNotice()
	transient := errors.New("connection refused")
	perm := permanent(errors.New("bad request"))

	a, b := &fakeNotifier{}, &fakeNotifier{}
	if err := (Multi{a, nil, b}).Deliver(ctx, n); err != nil || a.calls != 1 || b.calls != 1 {
		t.Fatalf("all ok: err %v, calls %d %d", err, a.calls, b.calls)
	}

	a, b = &fakeNotifier{err: transient}, &fakeNotifier{}
	err := (Multi{a, b}).Deliver(ctx, n)
	if !errors.Is(err, transient) || errors.Is(err, ErrPermanent) || b.calls != 1 {
		t.Fatalf("one transient: %v, later notifier called %d", err, b.calls)
	}

	err = (Multi{&fakeNotifier{err: perm}, &fakeNotifier{err: perm}}).Deliver(ctx, n)
	if !errors.Is(err, ErrPermanent) {
		t.Fatalf("all permanent: %v", err)
	}

	err = (Multi{&fakeNotifier{err: perm}, &fakeNotifier{err: transient}}).Deliver(ctx, n)
	if err == nil || errors.Is(err, ErrPermanent) || !errors.Is(err, transient) {
		t.Fatalf("mixed must stay retryable: %v", err)
	}
	if !strings.Contains(err.Error(), "bad request") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("mixed error lacks a cause: %v", err)
	}

	// Real sinks: outbox plus webhook both idempotent under Multi.
	var _ Notifier = Multi{NewOutbox(t.TempDir()), NewWebhook("http://127.0.0.1:1", nil)}
}
