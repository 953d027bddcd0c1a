package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestReadReceipts: a unit's person opening the notice's link marks it read for the
// unit, on the engine; the sender sees it on the meeting page; another unit cannot.
func TestReadReceipts(t *testing.T) {
	e := setup(t)
	meeting := "cwh-read-" + time.Now().Format("150405")
	e.adopted(t, meeting)
	ctx := context.Background()
	ns, err := e.api.Notices(ctx, meeting)
	if err != nil {
		t.Fatal(err)
	}
	var rsjNotice string
	for _, n := range ns {
		if n.Unit == "rsj" {
			rsjNotice = n.NoticeID
		}
	}
	if rsjNotice == "" {
		t.Fatal("rsj has no notice")
	}
	link := "/notices/" + url.PathEscape(rsjNotice)

	// Another unit's person: not its notice, nothing recorded.
	must(t, e.login(t, "gaj1").get(link), http.StatusForbidden, "不是发给本单位的")
	must(t, e.login(t, "rsj1").get("/notices/dispatch:no-such-meeting:rsj"), http.StatusNotFound, "没有这份通知")
	if reads, _ := e.api.NoticeReads(ctx, meeting); len(reads) != 0 {
		t.Fatalf("reads after an outsider opened it: %v", reads)
	}
	before := time.Now()
	rsj := e.login(t, "rsj1")
	r := rsj.get(link)
	must(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.loc, "/notices?opened=") {
		t.Fatalf("redirect %q", r.loc)
	}
	must(t, rsj.get(link), http.StatusSeeOther) // opened again: the first time stays
	reads, err := e.api.NoticeReads(ctx, meeting)
	if err != nil {
		t.Fatal(err)
	}
	at, ok := reads["rsj"]
	if !ok || at.Before(before.Add(-time.Second)) || len(reads) != 1 {
		t.Fatalf("reads = %v", reads)
	}
	// Every task of rsj's notice carries the receipt (lead or supporting).
	for _, n := range ns {
		if n.Unit != "rsj" {
			continue
		}
		for _, it := range n.Items {
			v, err := e.api.Task(ctx, relay.TaskID(meeting, it.No))
			if err != nil || v.ReadAt("rsj") == nil || len(v.Reads) != 1 {
				t.Errorf("task %d reads %+v (%v)", it.No, v.Reads, err)
			}
		}
	}
	eventually(t, "the unit's notices page shows it read", func() bool {
		return strings.Contains(rsj.get("/notices").body, "已读（")
	})
	// The sender: the meeting page says who has read, and who has not.
	eventually(t, "the meeting page shows rsj read", func() bool {
		body := e.login(t, "duban").get(MeetingURL(meeting)).body
		i := strings.Index(body, rsjNotice)
		if i < 0 {
			return false
		}
		row, _, _ := strings.Cut(body[i:], "</tr>")
		return strings.Contains(row, "已读 ") && strings.Contains(body, ">未读<")
	})
	// The inspection office following the same link lands on the meeting.
	r = e.login(t, "duban").get(link)
	if r.status != http.StatusSeeOther || r.loc != MeetingURL(meeting)+"#notices" {
		t.Errorf("office opening the link: %d %q", r.status, r.loc)
	}
}

// TestDeliveriesPageAndRetry: the inspection office sees the spool's deliveries with
// the reason of a refusal and sends a set-aside one again; units may not.
func TestDeliveriesPageAndRetry(t *testing.T) {
	e := pageSetup(t)
	ledger := e.s.cfg.Deliveries
	id := failedDelivery(t, ledger)
	must(t, e.login(t, "rsj1").get("/deliveries"), http.StatusForbidden)
	ins := e.login(t, "duban")
	r := ins.get("/deliveries?failed=1")
	must(t, r, http.StatusOK, id, "已搁置", "Webhook", "县人力资源和社会保障局", "400 Bad Request", "重新发送")
	r = ins.post("/deliveries/retry", url.Values{"notice": {id}, "route": {relay.ChannelWebhook}})
	must(t, r, http.StatusSeeOther)
	ds, _ := ledger.Deliveries(context.Background(), true)
	for _, d := range ds {
		if d.Notice == id {
			t.Fatalf("still set aside after retry: %+v", d)
		}
	}
	must(t, ins.get(r.loc), http.StatusOK, "已重新排队", "待发送")
	must(t, ins.post("/deliveries/retry", url.Values{"notice": {id}, "route": {relay.ChannelWebhook}}), http.StatusNotFound)
}

// failedDelivery spools a fresh notice for a webhook that refuses it for good, runs
// a worker's pusher on the shared ledger until the delivery is set aside, and returns
// the notice's id.
func failedDelivery(t *testing.T, ledger *notify.Ledger) string {
	t.Helper()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "收件方拒收", http.StatusBadRequest)
	}))
	defer refusing.Close()
	rs, err := notify.NewRoutes(nil, notify.Secrets{}, notify.RouteOptions{WebhookURL: refusing.URL})
	if err != nil {
		t.Fatal(err)
	}
	p := notify.NewPusher(t.TempDir(), rs)
	p.Ledger = ledger.As("console-test-worker")
	failedSeq++
	id := fmt.Sprintf("reminder:deliveries-test:%s-%d", time.Now().Format("150405.000"), failedSeq)
	if err := p.Enqueue(relay.Notice{ID: id, Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj", Subject: "提醒"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	eventually(t, "set aside", func() bool {
		ds, _ := ledger.Deliveries(context.Background(), true)
		for _, d := range ds {
			if d.Notice == id {
				return true
			}
		}
		return false
	})
	return id
}

var failedSeq int
