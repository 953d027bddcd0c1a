package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestRestoreDrill: a county's worker relays a list and a late one (whose overdue
// notices wait in the digest's timer), units act, an account is made; `starter backup`
// runs while the worker runs; more actions, another list and another account follow;
// then the worker is killed and its data folder deleted. Restored into an empty
// folder and started again: every task, timeline, the document-number counter and
// the account are as at the backup, the digest due during the outage is delivered
// once, `starter audit` passes, and what came after the backup is simply absent.
func TestRestoreDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	if pg != nil {
		t.Skip("the SQLite data folder's drill; PostgreSQL is backed up with pg_dump (TestPostgresDumpRestore)")
	}
	const window = 45 * time.Second
	dir := t.TempDir()
	logf, _ := os.Create(filepath.Join(dir, "worker.log"))
	defer logf.Close()
	data := filepath.Join(dir, "data")
	w := &workerProc{t: t, data: data, addr: freeAddr(t), log: logf,
		env: []string{"TASKRELAY_DIGEST_WINDOW=" + window.String()}}
	w.start()
	c := dialWait(t, w)
	cty := &county{t: t, addr: w.addr, data: data}
	cty.keys()
	account := func(name string) {
		cmd := cty.command("user", "add", name, "--role", "office", "--name", "办公室"+name, "--password-stdin")
		cmd.Stdin = strings.NewReader("Drill-Secret-77\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("user add %s: %v\n%s", name, err, out)
		}
	}

	// Before the backup: the sample list, a late list (overdue notices into the digest
	// window), actions, an account.
	cty.ok("submit", sample, "--adopt")
	late := lateList(t, dir, "late-drill")
	lateAt := time.Now()
	cty.ok("submit", late, "--adopt")
	cty.ok("ack", "cwh-2026-12:1", "--unit", "rsj")
	cty.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "40", "--note", "窗口已设立")
	account("clerk1")
	outbox := filepath.Join(data, "outbox")
	eventually(t, "the dispatch notices written", func() bool { return len(numbered(t, outbox, "cwh-2026-12")) > 0 })

	archive := filepath.Join(dir, "county.tar.gz")
	t0 := time.Now()
	out := cty.ok("backup", "--out", archive)
	t.Logf("backup while the worker runs: %v: %s", time.Since(t0).Round(time.Millisecond), strings.TrimSpace(out))
	atBackup := taskJSON(t, cty, "cwh-2026-12:1")
	statusAtBackup := cty.ok("status", "cwh-2026-12", "--json")
	docsAtBackup := numbered(t, outbox, "cwh-2026-12")
	if len(digests(t, outbox)) != 0 {
		t.Fatalf("the digest was delivered before the backup (machine too slow for a %v window): nothing to test", window)
	}
	cty.refused("已存在", "backup", "--out", archive)

	// After the backup: actions, a list, an account; all to be lost.
	cty.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "80", "--note", "备份之后的进展")
	after := filepath.Join(dir, "after.yaml")
	os.WriteFile(after, []byte("meeting:\n  id: after-backup\n  name: 备份后的会议\n  date: 2026-12-01\nitems:\n  - no: 1\n    title: 备份后的事项\n    requirements: 按要求办理\n    lead: 县财政局\n    deadline: 2027-06-30\n"), 0o644)
	cty.ok("submit", after, "--adopt")
	account("clerk2")

	// The outage: worker killed, its folder gone, past the digest's due time.
	c.Close()
	w.kill()
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	if wait := time.Until(lateAt.Add(window + 5*time.Second)); wait > 0 {
		time.Sleep(wait)
	}

	// A non-empty folder is refused; the empty one is restored.
	busy := t.TempDir()
	os.WriteFile(filepath.Join(busy, "x"), nil, 0o644)
	cty.refused("不为空", "restore", archive, "--data", busy)
	t0 = time.Now()
	out = cty.ok("restore", archive, "--data", data)
	t.Logf("restore: %v: %s", time.Since(t0).Round(time.Millisecond), strings.TrimSpace(out))
	w.start()
	c = dialWait(t, w)
	defer c.Close()

	// The digest due during the outage: delivered once.
	deadline := time.Now().Add(2 * time.Minute)
	for len(digests(t, outbox)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the digest due during the outage was not delivered after the start")
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	if d := digests(t, outbox); len(d) != 1 {
		t.Fatalf("%d digests after the start, want 1", len(d))
	}

	// Tasks and timelines as at the backup (the timeline may only have grown by the
	// digest's delivery), nothing of what came after.
	got := taskJSON(t, cty, "cwh-2026-12:1")
	if !strings.Contains(string(got), "窗口已设立") || strings.Contains(string(got), "备份之后的进展") {
		t.Errorf("task 1 after the restore:\n%s", got)
	}
	var before, now relay.TaskView
	json.Unmarshal(atBackup, &before)
	json.Unmarshal(got, &now)
	if before.State != now.State || before.Progress != now.Progress || len(now.Timeline) < len(before.Timeline) {
		t.Errorf("task 1: %s %d%% (%d timeline entries) at the backup, %s %d%% (%d) after the restore",
			before.State, before.Progress, len(before.Timeline), now.State, now.Progress, len(now.Timeline))
	}
	for i := range before.Timeline {
		if i < len(now.Timeline) && before.Timeline[i].Note != now.Timeline[i].Note {
			t.Errorf("timeline entry %d: %q at the backup, %q after the restore", i, before.Timeline[i].Note, now.Timeline[i].Note)
		}
	}
	if s := tasksOf(t, cty.ok("status", "cwh-2026-12", "--json")); s != tasksOf(t, statusAtBackup) {
		t.Errorf("meeting's tasks changed by the restore:\nat backup %s\nnow %s", tasksOf(t, statusAtBackup), s)
	}
	cty.refused("after-backup", "status", "after-backup")
	if docs := numbered(t, outbox, "cwh-2026-12"); fmt.Sprint(docs) != fmt.Sprint(docsAtBackup) {
		t.Errorf("document numbers %v, at the backup %v", docs, docsAtBackup)
	}
	// The counter continues from the backup: the list submitted after it is numbered
	// again from there.
	next := len(numbered(t, outbox, "cwh-2026-12")) + len(numbered(t, outbox, "late-drill")) + 1
	cty.ok("submit", after, "--adopt")
	eventually(t, "the new list's 交办单", func() bool { return len(numbered(t, outbox, "after-backup")) == 1 })
	for _, seq := range numbered(t, outbox, "after-backup") {
		if seq != next {
			t.Errorf("the first number after the restore is %d, want %d (the counter as at the backup)", seq, next)
		}
	}
	users := cty.ok("user", "list")
	if !strings.Contains(users, "clerk1") || strings.Contains(users, "clerk2") {
		t.Errorf("accounts after the restore:\n%s", users)
	}
	if out := cty.ok("audit", "cwh-2026-12", "--outbox", outbox); !strings.Contains(out, "记录完整") {
		t.Errorf("audit after the restore:\n%s", out)
	}
	// New actions work.
	cty.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "60", "--note", "恢复之后的进展")
}

// lateList is a list for the finance bureau whose deadlines have all passed.
func lateList(t *testing.T, dir, id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "meeting:\n  id: %s\n  name: 县委常委会补录会议\n  date: 2026-09-01\nitems:\n", id)
	for no := 1; no <= 3; no++ {
		fmt.Fprintf(&b, "  - no: %d\n    title: 补录事项%d\n    requirements: 按要求办理\n    lead: 县财政局\n    deadline: 2026-10-%02d\n", no, no, no)
	}
	p := filepath.Join(dir, id+".yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func digests(t *testing.T, outbox string) []relay.Notice {
	got, err := notify.NewOutbox(outbox).List(func(n relay.Notice) bool { return n.Kind == relay.NoticeDigest })
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return got
}

func taskJSON(t *testing.T, c *county, id string) []byte {
	return []byte(c.ok("task", id, "--json"))
}

// tasksOf is each task's id, state and progress in a status --json.
func tasksOf(t *testing.T, status string) string {
	var s statusOut
	if err := json.Unmarshal([]byte(status), &s); err != nil {
		t.Fatalf("status --json: %v", err)
	}
	var b strings.Builder
	for _, x := range s.Tasks {
		fmt.Fprintf(&b, "%s %s %d; ", x.ID, x.State, x.Progress)
	}
	return b.String()
}
