package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"taskrelay/internal/relay"
)

// Deliveries lists the deliveries of the spool in dir (config.SpoolDir), pending first, then
// set aside, then delivered, each oldest first; only the set-aside ones when
// failedOnly.
func Deliveries(dir string, failedOnly bool) ([]relay.Delivery, error) {
	states := []string{relay.DeliveryPending, relay.DeliveryFailed, relay.DeliveryDelivered}
	if failedOnly {
		states = []string{relay.DeliveryFailed}
	}
	out := []relay.Delivery{}
	for _, state := range states {
		items, err := readDir(filepath.Join(dir, stateDir(state)))
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, it.e.delivery(state))
		}
	}
	return out, nil
}

// delivery is a spool entry as the lists show it.
func (e entry) delivery(state string) relay.Delivery {
	to := e.Notice.To
	if _, person, ok := strings.Cut(e.Route, ":user:"); ok {
		to = person // an office app's message to one person
	}
	return relay.Delivery{Notice: e.Notice.ID, Channel: e.Channel, To: to, State: state,
		Attempts: e.Attempts, LastError: e.LastError, QueuedAt: e.QueuedAt, Route: e.Route}
}

func stateDir(state string) string {
	switch state {
	case relay.DeliveryFailed:
		return "failed"
	case relay.DeliveryDelivered:
		return "done"
	}
	return "pending"
}

// ErrNoSuchDelivery is Retry's answer for a delivery that is not set aside.
var ErrNoSuchDelivery = errors.New("没有这条已搁置的投递")

// Retry puts a set-aside delivery back in the spool of dir (config.SpoolDir); the pusher
// sends it again (the parts already accepted stay sent). A running pusher sees it
// within its poll interval.
func Retry(dir, noticeID, route string) error {
	stem := deliveryStem(noticeID, route)
	from := filepath.Join(dir, "failed", stem+".json")
	data, err := os.ReadFile(from)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w：通知 %s，渠道 %s", ErrNoSuchDelivery, noticeID, route)
		}
		return fmt.Errorf("notify: retry: %w", err)
	}
	var e entry
	if err := json.Unmarshal(data, &e); err != nil || e.Notice.ID != noticeID || e.Route != route {
		return fmt.Errorf("notify: retry: %s is not the delivery of %s on %s", from, noticeID, route)
	}
	pending := filepath.Join(dir, "pending")
	if err := os.MkdirAll(pending, 0o755); err != nil {
		return fmt.Errorf("notify: retry: %w", err)
	}
	if err := os.Rename(from, filepath.Join(pending, stem+".json")); err != nil {
		return fmt.Errorf("notify: retry: %w", err)
	}
	return syncDir(pending)
}

// MigrateLegacy moves the notices still waiting in the webhook spool of earlier
// versions (<data>/webhook/pending) into p, so none is lost on upgrade.
func MigrateLegacy(legacyDir string, p *Pusher) error {
	dir := filepath.Join(legacyDir, "pending")
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("notify: legacy spool: %w", err)
	}
	for _, d := range des {
		if !strings.HasSuffix(d.Name(), ".json") || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, d.Name())
		n, err := readNotice(path)
		if err != nil {
			return err
		}
		if err := p.Enqueue(n); err != nil {
			return err
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("notify: legacy spool: %w", err)
		}
	}
	return nil
}
