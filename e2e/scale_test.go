package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/examples"
	"taskrelay/internal/directory"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestBigListRelays relays a 2,100-item list (past 2,000 pending children, and over
// the payload limit were it carried inline at 10,000) through the real starter, server
// and worker: every task exists once, every unit has one notice listing all its items,
// the meeting's own history stays small, and submitting again creates nothing.
func TestBigListRelays(t *testing.T) {
	const n = 2100
	c := newCounty(t)
	c.start()
	dir, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		t.Fatal(err)
	}
	var leads []directory.Unit
	for _, u := range dir.Units {
		if _, ok := dir.DeputyOf(u.ID); ok {
			leads = append(leads, u)
		}
	}
	type item struct {
		No       int      `json:"no"`
		Title    string   `json:"title"`
		Req      string   `json:"requirements"`
		Lead     string   `json:"lead"`
		Co       []string `json:"co"`
		Deadline string   `json:"deadline"`
	}
	list := struct {
		Meeting relay.Meeting `json:"meeting"`
		Items   []item        `json:"items"`
	}{Meeting: relay.Meeting{ID: "cwh-big", Name: "县委常委会扩大会议", Date: "2026-09-15"}}
	want := map[string]map[int]string{} // unit -> no -> role
	role := func(u string, no int, r string) {
		if want[u] == nil {
			want[u] = map[int]string{}
		}
		want[u][no] = r
	}
	for i := 1; i <= n; i++ {
		lead := leads[i%len(leads)]
		var co []directory.Unit
		for k := 1; len(co) < 2; k++ {
			u := dir.Units[(i*7+k*3)%len(dir.Units)]
			if u.ID != lead.ID && (len(co) == 0 || co[0].ID != u.ID) {
				co = append(co, u)
			}
		}
		list.Items = append(list.Items, item{No: i, Title: fmt.Sprintf("第%d项：推进重点改革任务", i),
			Req: "细化方案，按月报送进展。", Lead: lead.Name, Co: []string{co[0].Name, co[1].Name}, Deadline: "2030-12-31"})
		role(lead.ID, i, relay.RoleLead)
		role(co[0].ID, i, relay.RoleCo)
		role(co[1].ID, i, relay.RoleCo)
	}
	file := filepath.Join(t.TempDir(), "big.json")
	b, _ := json.Marshal(list)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}

	t0 := time.Now()
	out := c.ok("submit", file, "--adopt")
	t.Logf("submit --adopt of %d items: %.1fs: %s", n, time.Since(t0).Seconds(), strings.TrimSpace(out))
	if !strings.Contains(out, fmt.Sprintf("%d 项任务已启动", n)) {
		t.Errorf("submit output: %s", out)
	}

	var st statusOut
	c.jsonOf(&st, "status", "cwh-big", "--json")
	if st.Meeting.State != relay.MeetingAdopted || len(st.Tasks) != n {
		t.Fatalf("status: %s with %d tasks", st.Meeting.State, len(st.Tasks))
	}
	for i, tk := range st.Tasks {
		if tk.No != i+1 || tk.ID != relay.TaskID("cwh-big", i+1) || tk.State != relay.StateDispatched || tk.LeadUnit == "" {
			t.Fatalf("task %d: %+v", i+1, tk)
		}
	}
	eventually(t, "every task in visibility", func() bool {
		return len(c.workflows("WorkflowType = 'Task' AND RelayMeeting = 'cwh-big'")) == n
	})

	var notices []noticeOut
	c.jsonOf(&notices, "notices", "cwh-big", "--json")
	if len(notices) != len(want) {
		t.Fatalf("%d notices for %d units", len(notices), len(want))
	}
	outbox := notify.NewOutbox(filepath.Join(c.data, "outbox"))
	for _, nt := range notices {
		if len(nt.Items) != len(want[nt.Unit]) {
			t.Errorf("unit %s: notice lists %d items, want %d", nt.Unit, len(nt.Items), len(want[nt.Unit]))
		}
		for _, it := range nt.Items {
			if want[nt.Unit][it.No] != it.Role {
				t.Errorf("unit %s item %d: role %s, want %s", nt.Unit, it.No, it.Role, want[nt.Unit][it.No])
			}
		}
		files, err := outbox.List(func(x relay.Notice) bool {
			return x.Kind == relay.NoticeDispatch && x.To == nt.Unit && x.MeetingID == "cwh-big"
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 || len(files[0].Items) != len(want[nt.Unit]) {
			t.Errorf("unit %s: %d dispatch files", nt.Unit, len(files))
		}
	}

	// The meeting's history holds references and counts, not the list.
	events, biggest := historyOf(t, c, relay.MeetingWorkflowID("cwh-big"))
	t.Logf("meeting history: %d events, biggest event %d bytes", events, biggest)
	if events > 200 || biggest > 64<<10 {
		t.Errorf("meeting history: %d events, biggest %d bytes: it grows with the list", events, biggest)
	}

	before := len(c.workflows(""))
	if out := c.ok("submit", file, "--adopt"); !strings.Contains(out, "已提交过") {
		t.Errorf("second submit: %s", out)
	}
	if after := len(c.workflows("")); after != before {
		t.Errorf("submitting again made %d workflows", after-before)
	}
	c.record(relay.MeetingWorkflowID("cwh-big"), "meeting-parted")
	parts := c.workflows("WorkflowType = '" + relay.PartWorkflowName + "'")
	if len(parts) != (n+relay.PartMaxItems-1)/relay.PartMaxItems {
		t.Errorf("%d parts", len(parts))
	}
	if len(parts) > 0 {
		c.record(parts[0], "meeting-plan-part")
	}
}

func historyOf(t *testing.T, c *county, id string) (events, biggest int) {
	t.Helper()
	ctx := context.Background()
	it := c.node.Client.GetWorkflowHistory(ctx, id, "", false, 0)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		biggest = max(biggest, e.Size())
	}
	return events, biggest
}
