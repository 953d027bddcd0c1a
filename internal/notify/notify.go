// Package notify delivers the engine's notices (relay.Notice) to people: as files in
// an outbox folder, to a government IM robot webhook, or to several sinks at once.
//
// Every Notifier is idempotent: a notice is identified by its ID, and delivering the
// same notice twice leaves the same result as delivering it once. This is what lets a
// Temporal activity retry a delivery freely.
//
// Errors that no retry can cure are marked with ErrPermanent (test with errors.Is);
// the calling activity turns them into non-retryable errors.
package notify

import (
	"context"
	"errors"
	"fmt"

	"taskrelay/internal/relay"
)

// Notifier delivers one notice. Implementations must be idempotent: delivering the
// same notice (same ID) twice must leave the same result as once.
type Notifier interface {
	Deliver(ctx context.Context, n relay.Notice) error
}

// ErrPermanent marks a delivery failure that retrying will not cure (a 4xx answer
// from the webhook, a notice without an ID, a file in the way). Test with errors.Is.
var ErrPermanent = errors.New("permanent delivery failure")

// permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func permanent(err error) error {
	if err == nil || errors.Is(err, ErrPermanent) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}
