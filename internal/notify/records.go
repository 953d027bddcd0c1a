package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/relay"
)

// RecordsPrefix is the folder of the blob store holding one record per notice.
const RecordsPrefix = "notices/"

// RecordKey is the blob key of a notice's record: notices/<FileName(id)>.json.
func RecordKey(id string) string { return RecordsPrefix + FileName(id) + ".json" }

// Records is a Notifier that keeps every notice in the blob store every worker and
// console share (TASKRELAY_BLOB_URL), so that what was issued does not live on one
// worker's disk: the reform figure of the monthly report and `starter audit` read it
// back whichever worker made the notice.
//
// A record is written only if absent (blob.WriterOptions.IfNotExist: S3's
// If-None-Match: *), so the first delivery of an ID wins and a retry of the activity
// on another worker leaves it as it is.
type Records struct{ b *blob.Bucket }

// NewRecords keeps notice records in b.
func NewRecords(b *blob.Bucket) *Records { return &Records{b: b} }

// Deliver implements Notifier. It returns nil when the notice is recorded already; a
// record of another notice under its key is a permanent error.
func (r *Records) Deliver(ctx context.Context, n relay.Notice) error {
	if n.ID == "" {
		return permanent(errors.New("notify: records: notice has no ID"))
	}
	data, err := encodeNotice(n)
	if err != nil {
		return permanent(fmt.Errorf("notify: records: encode notice %q: %w", n.ID, err))
	}
	created, err := writeIfAbsent(ctx, r.b, RecordKey(n.ID), data)
	if err != nil || created {
		return err
	}
	stored, err := r.read(ctx, RecordKey(n.ID))
	if err != nil {
		return err
	}
	if stored.ID != n.ID {
		return permanent(fmt.Errorf("notify: records: %s holds notice %q, not %q", RecordKey(n.ID), stored.ID, n.ID))
	}
	return nil
}

// writeIfAbsent writes a JSON record unless key exists (blobstore.WriteIfAbsent).
func writeIfAbsent(ctx context.Context, b *blob.Bucket, key string, data []byte) (bool, error) {
	return blobstore.WriteIfAbsent(ctx, b, key, data, "application/json")
}

func (r *Records) read(ctx context.Context, key string) (relay.Notice, error) {
	var n relay.Notice
	data, err := r.b.ReadAll(ctx, key)
	if err != nil {
		return n, fmt.Errorf("notify: records: %w", err)
	}
	if err := json.Unmarshal(data, &n); err != nil {
		return n, permanent(fmt.Errorf("notify: records: %s is not a notice: %w", key, err))
	}
	return n, nil
}

// Get reads back the notice recorded under id; an error wrapping fs.ErrNotExist when
// there is none (not yet delivered).
func (r *Records) Get(ctx context.Context, id string) (relay.Notice, error) {
	ok, err := r.b.Exists(ctx, RecordKey(id))
	if err != nil {
		return relay.Notice{}, fmt.Errorf("notify: records: %w", err)
	}
	if !ok {
		return relay.Notice{}, fmt.Errorf("notify: records: notice %q: %w", id, fs.ErrNotExist)
	}
	return r.read(ctx, RecordKey(id))
}

// List reads back the recorded notices that filter accepts (all when filter is nil),
// sorted by IssuedAt, then ID.
func (r *Records) List(ctx context.Context, filter func(relay.Notice) bool) ([]relay.Notice, error) {
	var out []relay.Notice
	err := blobstore.Each(ctx, r.b, RecordsPrefix, func(key string) error {
		if !strings.HasSuffix(key, ".json") {
			return nil
		}
		n, err := r.read(ctx, key)
		if err == nil && (filter == nil || filter(n)) {
			out = append(out, n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sortNotices(out)
	return out, nil
}

// Import records the notices of an outbox folder written before the records existed
// (each only if absent, so it is safe on every start), and returns how many it added.
// A missing folder imports nothing.
func (r *Records) Import(ctx context.Context, outboxDir string) (int, error) {
	entries, err := os.ReadDir(outboxDir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("notify: import %s: %w", outboxDir, err)
	}
	added := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		n, err := readNotice(filepath.Join(outboxDir, name))
		if err != nil {
			return added, err
		}
		data, err := encodeNotice(n)
		if err != nil {
			return added, fmt.Errorf("notify: import %s: %w", name, err)
		}
		created, err := writeIfAbsent(ctx, r.b, RecordKey(n.ID), data)
		if err != nil {
			return added, err
		}
		if created {
			added++
		}
	}
	return added, nil
}

// All writes a notice to each of its sinks in turn (each idempotent): the shared
// record first, so a notice on any sink is on record.
type All []Notifier

// Deliver implements Notifier.
func (s All) Deliver(ctx context.Context, n relay.Notice) error {
	for _, x := range s {
		if err := x.Deliver(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
