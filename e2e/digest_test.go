package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestLateListGivesOneDigest: a list entered after five of the finance bureau's
// deadlines have passed gives the bureau one digest (kind digest) listing the five
// overdue items, not five overdue notices; the other units' dispatches are unchanged.
func TestLateListGivesOneDigest(t *testing.T) {
	c := newCounty(t)
	c.digest = 3 * time.Second
	c.start()
	var b strings.Builder
	b.WriteString("meeting:\n  id: late-1\n  name: 县委常委会补录会议\n  date: 2026-09-01\nitems:\n")
	for no := 1; no <= 5; no++ {
		fmt.Fprintf(&b, "  - no: %d\n    title: 补录事项%d\n    requirements: 按要求办理\n    lead: 县财政局\n    deadline: 2026-10-%02d\n", no, no, no)
	}
	list := filepath.Join(t.TempDir(), "late.yaml")
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c.ok("submit", list, "--adopt")
	outbox := notify.NewOutbox(filepath.Join(c.data, "outbox"))
	list1 := func(kind string) []relay.Notice {
		got, err := outbox.List(func(n relay.Notice) bool { return n.Kind == kind && n.To == "czj" })
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(list1(relay.NoticeDigest)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no digest within a minute")
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(4 * time.Second) // a second window, were anything left over
	digests, overdue := list1(relay.NoticeDigest), list1(relay.NoticeOverdue)
	if len(digests) != 1 || len(digests[0].Items) != 5 || len(overdue) != 0 {
		t.Fatalf("want one digest of 5 items and no overdue notice to czj; got %d digests (%d items), %d overdue",
			len(digests), len(digests[0].Items), len(overdue))
	}
	for _, it := range digests[0].Items {
		if !strings.HasPrefix(it.Why, relay.NoticeKindLabel(relay.NoticeOverdue)) {
			t.Errorf("item %d why %q", it.No, it.Why)
		}
	}
	if d := list1(relay.NoticeDispatch); len(d) != 1 {
		t.Errorf("dispatch notices to czj: %d, want 1", len(d))
	}
	var fig struct {
		Notices struct {
			Issued     int `json:"issued"`
			OnePerItem int `json:"one_per_item"`
		} `json:"notices"`
	}
	c.jsonOf(&fig, "report", "--month", time.Now().In(relay.TimeZone).Format("2006-01"), "--json")
	t.Logf("reform figure this month: %d notices sent for %d item-units", fig.Notices.Issued, fig.Notices.OnePerItem)
	c.record(relay.DigestWorkflowID(relay.ToUnit, "czj"), "digest")
	c.record(relay.TaskWorkflowID("late-1:1"), "task-digested")
}
