package notify

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"taskrelay/internal/relay"
)

// sharedPusher is a worker's pusher on its own spool folder with the shared ledger,
// taking over leases not renewed for staleAfter.
func sharedPusher(t *testing.T, b *blob.Bucket, worker, url string, staleAfter time.Duration) *Pusher {
	p := fastPusher(filepath.Join(t.TempDir(), "deliveries"), countyHook(t, url))
	p.Ledger = NewLedger(b, worker)
	p.Scan, p.StaleAfter = 20*time.Millisecond, staleAfter
	return p
}

// TestTwoWorkersSendEachDeliveryOnce: one notice recorded on both workers (the notify
// activity retried on the second after the first was lost) is claimed by the first
// and sent once, and both read its state from the shared store.
func TestTwoWorkersSendEachDeliveryOnce(t *testing.T) {
	for name, b := range stores(t) {
		t.Run(name, func(t *testing.T) {
			recv, url := receiver(t)
			// Both alive: a lease is renewed long before it could be taken over.
			a, c := sharedPusher(t, b, "a", url, time.Minute), sharedPusher(t, b, "c", url, time.Minute)
			ids := []string{"dispatch:m:rsj", "dispatch:m:czj", "reminder:m:1"}
			for _, id := range ids {
				for _, p := range []*Pusher{a, c, a} {
					if err := p.Enqueue(notice(id)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if a.Pending() != 3 || c.Pending() != 0 {
				t.Fatalf("spooled: a %d, c %d; want 3, 0", a.Pending(), c.Pending())
			}
			runPusher(t, a)
			runPusher(t, c)
			ledger := NewLedger(b, "")
			waitFor(t, "all delivered", func() bool {
				ds, err := ledger.Deliveries(context.Background(), false)
				if err != nil || len(ds) != 3 {
					return false
				}
				for _, d := range ds {
					if d.State != relay.DeliveryDelivered {
						return false
					}
				}
				return true
			})
			time.Sleep(100 * time.Millisecond)
			for _, id := range ids {
				if n := recv.count(id); n != 1 {
					t.Errorf("%s received %d times", id, n)
				}
			}
		})
	}
}

// TestDeliveriesOfAKilledWorkerAreTakenOver: a worker spools deliveries and dies
// before sending (or while the receiver is down); another worker takes them over once
// their leases are stale, sends each once, and the first worker, back, sends nothing.
func TestDeliveriesOfAKilledWorkerAreTakenOver(t *testing.T) {
	b := stores(t)["s3"]
	recv, url := receiver(t)
	dead := sharedPusher(t, b, "dead", url, 300*time.Millisecond)
	t0 := time.Now()
	for _, id := range []string{"dispatch:k:rsj", "dispatch:k:czj"} {
		if err := dead.Enqueue(notice(id)); err != nil { // spooled, never run: killed
			t.Fatal(err)
		}
	}
	other := sharedPusher(t, b, "other", url, 300*time.Millisecond)
	if err := other.Enqueue(notice("dispatch:k:rsj")); err != nil || other.Pending() != 0 {
		t.Fatalf("the retried activity spooled a claimed delivery: %v, %d", err, other.Pending())
	}
	runPusher(t, other)
	waitFor(t, "taken over and sent", func() bool { return recv.count("dispatch:k:rsj") == 1 && recv.count("dispatch:k:czj") == 1 })
	if took := time.Since(t0); took < other.StaleAfter {
		t.Errorf("taken over after %v, before the lease was stale (%v)", took, other.StaleAfter)
	}
	// The first worker is started again: its spool still holds both, it sends neither.
	if dead.Pending() != 2 {
		t.Fatalf("dead worker's spool: %d", dead.Pending())
	}
	runPusher(t, dead)
	waitFor(t, "dropped by the returning worker", func() bool { return dead.Pending() == 0 })
	time.Sleep(100 * time.Millisecond)
	if recv.count("dispatch:k:rsj") != 1 || recv.count("dispatch:k:czj") != 1 {
		t.Errorf("sent twice: %v", recv.byKey)
	}
}

// TestAClaimLeftUnpublishedIsTakenOver: a worker killed between its claim and the
// claim's publication (state and lease) leaves a claim nothing would take over. The
// retried activity on another worker is told to retry while the claim is young, and
// past StaleAfter takes it over: the delivery is sent once, and a third worker leaves it.
func TestAClaimLeftUnpublishedIsTakenOver(t *testing.T) {
	b := stores(t)["s3"]
	recv, url := receiver(t)
	other := sharedPusher(t, b, "other", url, 300*time.Millisecond)
	n := notice("dispatch:u:rsj")
	stem := deliveryStem(n.ID, other.routes.For(n)[0].Name)
	claim := fmt.Sprintf(`{"worker":"dead","notice":%q,"route":"x","at":%q}`, n.ID, time.Now().Format(time.RFC3339Nano))
	if _, err := writeIfAbsent(context.Background(), b, claimsPrefix+stem+".json", []byte(claim)); err != nil {
		t.Fatal(err)
	}
	err := other.Enqueue(n)
	if err == nil || !strings.Contains(err.Error(), "not yet published") || other.Pending() != 0 {
		t.Fatalf("a young unpublished claim: %v, %d spooled; want an error to retry and none", err, other.Pending())
	}
	time.Sleep(other.StaleAfter)
	if err := other.Enqueue(n); err != nil || other.Pending() != 1 {
		t.Fatalf("a stale unpublished claim: %v, %d spooled; want it taken over", err, other.Pending())
	}
	third := sharedPusher(t, b, "third", url, 300*time.Millisecond)
	if err := third.Enqueue(n); err != nil || third.Pending() != 0 {
		t.Fatalf("third worker: %v, %d spooled; want it left to the one that took it over", err, third.Pending())
	}
	runPusher(t, other)
	runPusher(t, third)
	waitFor(t, "sent", func() bool { return recv.count(n.ID) == 1 })
	time.Sleep(100 * time.Millisecond)
	if recv.count(n.ID) != 1 {
		t.Errorf("sent %d times", recv.count(n.ID))
	}
}

// TestALedgerRetryIsTakenByAnyWorker: a delivery set aside on one worker is put back
// through the ledger (as the console does) and sent by a worker that runs.
func TestALedgerRetryIsTakenByAnyWorker(t *testing.T) {
	b := stores(t)["file"]
	recv, url := receiver(t)
	recv.status = http.StatusBadRequest
	first := sharedPusher(t, b, "first", url, time.Minute)
	if err := first.Enqueue(notice("dispatch:r:rsj")); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { first.Run(ctx); close(done) }()
	ledger := NewLedger(b, "")
	waitFor(t, "set aside", func() bool {
		ds, _ := ledger.Deliveries(context.Background(), true)
		return len(ds) == 1
	})
	stop()
	<-done
	recv.mu.Lock()
	recv.status = 0
	recv.mu.Unlock()
	if err := ledger.Retry(context.Background(), "dispatch:r:rsj", "nope"); err == nil {
		t.Error("retry of an unknown delivery accepted")
	}
	if err := ledger.Retry(context.Background(), "dispatch:r:rsj", relay.ChannelWebhook); err != nil {
		t.Fatal(err)
	}
	second := sharedPusher(t, b, "second", url, time.Minute)
	runPusher(t, second)
	waitFor(t, "delivered by the second worker", func() bool {
		ds, _ := ledger.Deliveries(context.Background(), false)
		return len(ds) == 1 && ds[0].State == relay.DeliveryDelivered && ds[0].Attempts == 2
	})
	if recv.count("dispatch:r:rsj") != 1 {
		t.Errorf("received %d", recv.count("dispatch:r:rsj"))
	}
}

func TestWorkerIDIsKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deliveries")
	a, err := WorkerID(dir)
	if err != nil || a == "" {
		t.Fatal(a, err)
	}
	if b, err := WorkerID(dir); err != nil || b != a {
		t.Fatalf("second read %q %v, want %q", b, err, a)
	}
	if _, err := os.Stat(filepath.Join(dir, "worker-id")); err != nil {
		t.Fatal(err)
	}
}
