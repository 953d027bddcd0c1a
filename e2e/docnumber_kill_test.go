package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

var docSeqRE = regexp.MustCompile(`^县府督办〔(\d{4})〕(\d+)号$`)

// TestDocNumbersGapFreeUnderKilledWorker: SIGKILL the worker process (engine and worker
// in it) while the 交办单 of a 300-item list are being numbered and written, start it
// again and adopt again: every dispatch notice carries a number, and the numbers are
// exactly 1 … N (N the notices), none skipped, none given twice, each notice's number
// the same in its file as in the engine's counter.
func TestDocNumbersGapFreeUnderKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	const n = 300
	dir := t.TempDir()
	logf, _ := os.Create(filepath.Join(dir, "worker.log"))
	defer logf.Close()
	w := &workerProc{t: t, data: filepath.Join(dir, "data"), db: engineDB(t), addr: freeAddr(t), log: logf}
	w.start()
	c := dialWait(t, w)
	meetingID := "cwh-docno-kill"
	list, units := bigList(t, dir, meetingID, n)
	cty := &county{t: t, addr: w.addr, data: w.data}
	cty.keys() // in the worker's data folder: its new tasks trust them
	cty.ok("submit", list)

	adopt := cty.command("adopt", meetingID)
	if err := adopt.Start(); err != nil {
		t.Fatal(err)
	}
	// Numbers are taken as the notices are written: kill after the first few.
	outbox := filepath.Join(w.data, "outbox")
	t0 := time.Now()
	for countFiles(t, outbox) < 3 && time.Since(t0) < time.Minute {
		time.Sleep(2 * time.Millisecond)
	}
	w.kill()
	_ = adopt.Wait()
	c.Close()
	before := numbered(t, outbox, meetingID)
	t.Logf("killed after %v with %d of %d 交办单 numbered and written", time.Since(t0).Round(time.Millisecond), len(before), len(units))
	if len(before) >= len(units) {
		t.Fatalf("the kill came after every notice (%d): nothing was tested", len(before))
	}

	w.start()
	c = dialWait(t, w)
	defer c.Close()
	cty.ok("adopt", meetingID)
	checkRelay(t, c, outbox, meetingID, n, units, nil)
	after := numbered(t, outbox, meetingID)
	if len(after) != len(units) {
		t.Fatalf("%d numbered 交办单, want one per unit (%d)", len(after), len(units))
	}
	seqs := make([]int, 0, len(after))
	for id, seq := range after {
		if b, ok := before[id]; ok && b != seq {
			t.Errorf("%s: numbered %d before the kill, %d after", id, b, seq)
		}
		seqs = append(seqs, seq)
	}
	sort.Ints(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers are not 1…%d without gap or repeat: %v", len(seqs), seqs)
		}
	}
	t.Logf("after restart: %d 交办单 numbered 1…%d, none skipped or repeated", len(seqs), len(seqs))
}

// numbered reads the meeting's dispatch notices in the outbox: notice id → sequence
// number of its 发文字号.
func numbered(t *testing.T, outbox, meetingID string) map[string]int {
	t.Helper()
	got, err := notify.NewOutbox(outbox).List(func(x relay.Notice) bool { return x.MeetingID == meetingID && x.Kind == relay.NoticeDispatch })
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, x := range got {
		m := docSeqRE.FindStringSubmatch(x.DocNo)
		if m == nil {
			t.Fatalf("%s: 发文字号 %q", x.ID, x.DocNo)
		}
		if y := strconv.Itoa(relay.DocYear(x.IssuedAt)); m[1] != y {
			t.Errorf("%s: year %s, issued in %s", x.ID, m[1], y)
		}
		seq, _ := strconv.Atoi(m[2])
		if _, dup := out[x.ID]; dup {
			t.Errorf("%s twice in the outbox", x.ID)
		}
		out[x.ID] = seq
	}
	return out
}
