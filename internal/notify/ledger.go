package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/relay"
)

// Ledger is the deliveries' record in the blob store every worker and console share,
// so that two workers never both send one delivery (a notify activity retried on the
// other worker after a kill spools the same notice there), a killed worker's waiting
// deliveries are taken over by another, and every console shows the same states:
//
//	deliveries/claims/<stem>.json    the delivery key, claimed once (written only if absent)
//	                                 by the worker that spools it first; never changed
//	deliveries/state/<stem>.json     its state (pending, failed, delivered), attempts, parts
//	                                 sent and last error, written by the worker that owns it
//	deliveries/lease/<stem>.json     there while it waits: its owner and when the owner last
//	                                 vouched for it (renewed while the owner runs)
//	deliveries/takeover/<stem>.<n>.json  one take-over of lease version n, written only if
//	                                 absent: of the workers finding a lease stale, one wins
//
// <stem> is the delivery's name, FileName(notice id + "|" + route).
type Ledger struct {
	b *blob.Bucket
	// Worker names this process's claims and leases (WorkerID keeps it across restarts).
	Worker string
	now    func() time.Time
}

// Ledger key prefixes.
const (
	claimsPrefix   = "deliveries/claims/"
	statePrefix    = "deliveries/state/"
	leasePrefix    = "deliveries/lease/"
	takeoverPrefix = "deliveries/takeover/"
)

// NewLedger keeps the deliveries' record in b for the worker named worker (empty for a
// reader such as the console).
func NewLedger(b *blob.Bucket, worker string) *Ledger {
	return &Ledger{b: b, Worker: worker, now: time.Now}
}

// WorkerID is the worker's name in the ledger, kept in <dir>/worker-id (made once, at
// random), so a restarted worker knows its own claims.
func WorkerID(dir string) (string, error) {
	path := filepath.Join(dir, "worker-id")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("notify: worker id: %w", err)
	}
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	host, _ := os.Hostname()
	id := host + "-" + hex.EncodeToString(raw[:])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("notify: worker id: %w", err)
	}
	if created, err := writeExclusive(dir, "worker-id", []byte(id+"\n")); err != nil {
		return "", err
	} else if !created { // another start won: use its
		return WorkerID(dir)
	}
	return id, nil
}

type claimRecord struct {
	Worker string    `json:"worker"`
	Notice string    `json:"notice"`
	Route  string    `json:"route"`
	At     time.Time `json:"at"`
}

type leaseRecord struct {
	Worker string    `json:"worker"` // "" : anyone's (a delivery put back by a person)
	At     time.Time `json:"at"`
}

// stateRecord is a delivery's shared state: its spool entry and where it stands.
type stateRecord struct {
	entry
	State  string    `json:"state"`
	Worker string    `json:"worker"`
	At     time.Time `json:"at"`
}

func (l *Ledger) writeJSON(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := l.b.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("notify: ledger %s: %w", key, err)
	}
	return nil
}

// readJSON reads key into v; found is false when there is no such key.
func (l *Ledger) readJSON(ctx context.Context, key string, v any) (found bool, err error) {
	data, err := l.b.ReadAll(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notify: ledger %s: %w", key, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("notify: ledger %s: %w", key, err)
	}
	return true, nil
}

// Claim claims a delivery for this worker, publishing it as pending, and reports
// whether it is this worker's to send: false when another worker claimed it first.
//
// A worker killed between its claim and the publication leaves a claim with no state
// and no lease, which no lease scan would ever take over: a delivery lost. So a claim
// found unpublished is an error to retry (the notify activity is retried) while it is
// younger than stale, and past that it is taken over, by one worker of those trying.
func (l *Ledger) Claim(ctx context.Context, stem string, e entry, stale time.Duration) (bool, error) {
	data, err := json.Marshal(claimRecord{Worker: l.Worker, Notice: e.Notice.ID, Route: e.Route, At: l.now()})
	if err != nil {
		return false, err
	}
	created, err := writeIfAbsent(ctx, l.b, claimsPrefix+stem+".json", data)
	if err != nil {
		return false, err
	}
	if created {
		return true, l.Publish(ctx, stem, e, relay.DeliveryPending)
	}
	var c claimRecord
	if _, err := l.readJSON(ctx, claimsPrefix+stem+".json", &c); err != nil {
		return false, err
	}
	if c.Worker == l.Worker {
		return true, nil
	}
	var st stateRecord
	if published, err := l.readJSON(ctx, statePrefix+stem+".json", &st); err != nil || published {
		return false, err // published: that worker sends it, or another takes its lease over
	}
	if age := l.now().Sub(c.At); age < stale {
		return false, fmt.Errorf("notify: ledger: delivery %s claimed by worker %s %s ago and not yet published: retry", stem, c.Worker, age.Round(time.Millisecond))
	}
	won, err := writeIfAbsent(ctx, l.b, fmt.Sprintf("%s%s.claim.%d.json", takeoverPrefix, stem, c.At.UnixNano()),
		[]byte(fmt.Sprintf("{\"worker\":%q,\"from\":%q}", l.Worker, c.Worker)))
	if err != nil || !won {
		return false, err
	}
	return true, l.Publish(ctx, stem, e, relay.DeliveryPending)
}

// Publish records a delivery's state; while it is pending, this worker holds its
// lease, and once it is delivered or set aside the lease is gone.
func (l *Ledger) Publish(ctx context.Context, stem string, e entry, state string) error {
	if err := l.writeJSON(ctx, statePrefix+stem+".json", stateRecord{entry: e, State: state, Worker: l.Worker, At: l.now()}); err != nil {
		return err
	}
	if state == relay.DeliveryPending {
		return l.writeJSON(ctx, leasePrefix+stem+".json", leaseRecord{Worker: l.Worker, At: l.now()})
	}
	if err := l.b.Delete(ctx, leasePrefix+stem+".json"); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("notify: ledger: %w", err)
	}
	return nil
}

// Mine reports whether this worker may send the delivery now: no other worker holds
// its lease, and no other worker has finished it.
func (l *Ledger) Mine(ctx context.Context, stem string) (bool, error) {
	var le leaseRecord
	found, err := l.readJSON(ctx, leasePrefix+stem+".json", &le)
	if err != nil {
		return false, err
	}
	if found {
		return le.Worker == l.Worker, nil
	}
	var st stateRecord
	if found, err = l.readJSON(ctx, statePrefix+stem+".json", &st); err != nil {
		return false, err
	}
	return !found || st.Worker == l.Worker, nil // not in the ledger: spooled before it
}

// Leases are the deliveries waiting, by stem, with who holds each.
func (l *Ledger) Leases(ctx context.Context) (map[string]leaseRecord, error) {
	out := map[string]leaseRecord{}
	err := blobstore.Each(ctx, l.b, leasePrefix, func(key string) error {
		var le leaseRecord
		if found, err := l.readJSON(ctx, key, &le); err == nil && found { // else gone meanwhile
			out[strings.TrimSuffix(strings.TrimPrefix(key, leasePrefix), ".json")] = le
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("notify: ledger: %w", err)
	}
	return out, nil
}

// Renew vouches again for this worker's lease of a delivery.
func (l *Ledger) Renew(ctx context.Context, stem string) error {
	return l.writeJSON(ctx, leasePrefix+stem+".json", leaseRecord{Worker: l.Worker, At: l.now()})
}

// TakeOver takes a waiting delivery whose lease le is stale (its worker killed or
// gone) or anyone's (put back by a person): of several workers trying at once, one
// wins. It returns the entry, with the parts already sent, for this worker's spool.
func (l *Ledger) TakeOver(ctx context.Context, stem string, le leaseRecord) (entry, bool, error) {
	won, err := writeIfAbsent(ctx, l.b, fmt.Sprintf("%s%s.%d.json", takeoverPrefix, stem, le.At.UnixNano()),
		[]byte(fmt.Sprintf("{\"worker\":%q,\"from\":%q}", l.Worker, le.Worker)))
	if err != nil || !won {
		return entry{}, false, err
	}
	var st stateRecord
	if found, err := l.readJSON(ctx, statePrefix+stem+".json", &st); err != nil || !found {
		return entry{}, false, err
	}
	if err := l.Publish(ctx, stem, st.entry, relay.DeliveryPending); err != nil {
		return entry{}, false, err
	}
	return st.entry, true, nil
}

// Deliveries lists the deliveries in the ledger, pending first, then set aside, then
// delivered, each oldest first; only the set-aside ones when failedOnly.
func (l *Ledger) Deliveries(ctx context.Context, failedOnly bool) ([]relay.Delivery, error) {
	var all []stateRecord
	err := blobstore.Each(ctx, l.b, statePrefix, func(key string) error {
		var st stateRecord
		found, err := l.readJSON(ctx, key, &st)
		if found && (!failedOnly || st.State == relay.DeliveryFailed) {
			all = append(all, st)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rank := map[string]int{relay.DeliveryPending: 0, relay.DeliveryFailed: 1, relay.DeliveryDelivered: 2}
	slices.SortFunc(all, func(a, b stateRecord) int {
		if c := rank[a.State] - rank[b.State]; c != 0 {
			return c
		}
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Notice.ID+"|"+a.Route, b.Notice.ID+"|"+b.Route)
	})
	out := make([]relay.Delivery, len(all))
	for i, st := range all {
		out[i] = st.delivery(st.State)
	}
	return out, nil
}

// Retry puts a set-aside delivery back for any worker to send (the parts already
// accepted stay sent): a running worker takes it within its scan interval.
func (l *Ledger) Retry(ctx context.Context, noticeID, route string) error {
	stem := deliveryStem(noticeID, route)
	var st stateRecord
	found, err := l.readJSON(ctx, statePrefix+stem+".json", &st)
	if err != nil {
		return err
	}
	if !found || st.State != relay.DeliveryFailed || st.Notice.ID != noticeID || st.Route != route {
		return fmt.Errorf("%w：通知 %s，渠道 %s", ErrNoSuchDelivery, noticeID, route)
	}
	if err := l.writeJSON(ctx, statePrefix+stem+".json", stateRecord{entry: st.entry, State: relay.DeliveryPending, At: l.now()}); err != nil {
		return err
	}
	return l.writeJSON(ctx, leasePrefix+stem+".json", leaseRecord{At: l.now()})
}

// As is the same ledger as seen by the worker named worker.
func (l *Ledger) As(worker string) *Ledger {
	c := *l
	c.Worker = worker
	return &c
}
