package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gocloud.dev/blob"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/blobstore/fakes3"
	"taskrelay/internal/relay"
)

// stores are the shared store's kinds the records are tested on: the default
// folder and an S3 endpoint (gofakes3, in process).
func stores(t *testing.T) map[string]*blob.Bucket {
	t.Helper()
	ctx := context.Background()
	file, err := blobstore.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	srv, err := fakes3.Start("shared")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", fakes3.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", fakes3.SecretKey)
	s3, err := blobstore.Open(ctx, srv.URL("shared"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s3.Close() })
	return map[string]*blob.Bucket{"file": file, "s3": s3}
}

// TestRecordsFirstDeliveryWins: a notice is recorded once under notices/<name>.json;
// a redelivery (the activity retried on another worker), even with a changed body
// and from many goroutines at once, leaves the first record; List reads them back.
func TestRecordsFirstDeliveryWins(t *testing.T) {
	ctx := context.Background()
	for name, b := range stores(t) {
		t.Run(name, func(t *testing.T) {
			r := NewRecords(b)
			n := sampleNotice()
			changed := n
			changed.Body = "改过的正文"
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					m := n
					if i > 0 {
						m = changed
					}
					errs <- r.Deliver(ctx, m)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			other := n
			other.ID, other.To = "dispatch:cwh-2026-12:czj", "czj"
			if err := r.Deliver(ctx, other); err != nil {
				t.Fatal(err)
			}
			list, err := r.List(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].ID != other.ID || list[1].ID != n.ID {
				t.Fatalf("records: %+v", list)
			}
			got, err := r.List(ctx, func(x relay.Notice) bool { return x.To == "rsj" })
			if err != nil || len(got) != 1 {
				t.Fatalf("filtered: %v %v", got, err)
			}
			if got[0].Body != n.Body && got[0].Body != changed.Body {
				t.Fatalf("body %q", got[0].Body)
			}
			if _, err := b.Attributes(ctx, RecordKey(n.ID)); err != nil {
				t.Errorf("no blob at %s: %v", RecordKey(n.ID), err)
			}
			if err := r.Deliver(ctx, relay.Notice{}); !errors.Is(err, ErrPermanent) {
				t.Errorf("a notice without an ID: %v", err)
			}
		})
	}
}

// TestWriteIfAbsentOnS3: on S3 the check and the write are one request: of many
// writers racing for one key exactly one wins, and the stored bytes are its.
func TestWriteIfAbsentOnS3(t *testing.T) {
	b := stores(t)["s3"]
	ctx := context.Background()
	const writers = 16
	var wg sync.WaitGroup
	won := make(chan string, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := fmt.Sprintf("writer %d", i)
			ok, err := writeIfAbsent(ctx, b, "claims/x.json", []byte(data))
			if err != nil {
				t.Error(err)
			}
			if ok {
				won <- data
			}
		}()
	}
	wg.Wait()
	close(won)
	var winners []string
	for w := range won {
		winners = append(winners, w)
	}
	stored, _ := b.ReadAll(ctx, "claims/x.json")
	if len(winners) != 1 || winners[0] != string(stored) {
		t.Fatalf("winners %v, stored %q", winners, stored)
	}
}

// TestRecordsImportTheOutbox: an outbox folder of an earlier version is recorded
// once; a record already there is kept.
func TestRecordsImportTheOutbox(t *testing.T) {
	ctx := context.Background()
	b := stores(t)["file"]
	dir := filepath.Join(t.TempDir(), "outbox")
	o := NewOutbox(dir)
	n := sampleNotice()
	other := n
	other.ID, other.To = "dispatch:cwh-2026-12:czj", "czj"
	for _, x := range []relay.Notice{n, other} {
		if err := o.Deliver(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	r := NewRecords(b)
	kept := n
	kept.Body = "已在共享存储中的记录"
	if err := r.Deliver(ctx, kept); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		got, err := r.Import(ctx, dir)
		if err != nil || got != want {
			t.Fatalf("import %d: %d %v, want %d", i, got, err, want)
		}
	}
	list, err := r.List(ctx, func(x relay.Notice) bool { return x.ID == n.ID })
	if err != nil || len(list) != 1 || list[0].Body != kept.Body {
		t.Fatalf("kept record: %+v %v", list, err)
	}
	if got, err := r.Import(ctx, filepath.Join(dir, "none")); err != nil || got != 0 {
		t.Errorf("missing folder: %d %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Import(ctx, dir); !errors.Is(err, ErrPermanent) {
		t.Errorf("a damaged file: %v", err)
	}
}
