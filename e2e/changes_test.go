package e2e

import (
	"path/filepath"
	"testing"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestChangesWithTheStarter: reassign, amend, push back and its decision, an
// instruction and a withdrawal, each through the real starter; refusals exit 1 with
// one Chinese line and change nothing; the outbox holds the notices of each kind;
// the audit chain still holds; the report counts the withdrawn task apart.
func TestChangesWithTheStarter(t *testing.T) {
	c := newCounty(t)
	c.start()
	c.ok("submit", sample, "--adopt")
	outbox := notify.NewOutbox(filepath.Join(c.data, "outbox"))
	count := func(kind, to, task string) int {
		t.Helper()
		got, err := outbox.List(func(n relay.Notice) bool { return n.Kind == kind && n.To == to && n.TaskID == task })
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}

	// Reassign item 4 from the propaganda department (named by a plaque) to finance.
	c.refused("找不到单位", "reassign", "cwh-2026-12:4", "--lead", "县水务局", "--reason", "职能调整")
	c.refused("需要 --reason", "reassign", "cwh-2026-12:4", "--lead", "县财政局")
	c.ok("reassign", "cwh-2026-12:4", "--lead", "县财政局", "--reason", "职能调整")
	var v relay.TaskView
	c.jsonOf(&v, "task", "cwh-2026-12:4", "--json")
	if v.LeadUnit != "czj" || v.IsUnitOf("xcb") {
		t.Errorf("after reassign: lead %s co %v", v.LeadUnit, v.CoUnits)
	}
	// Notices are numbered and delivered after the update returns: wait for them.
	eventually(t, "reassign: one dispatch to the new lead and one withdrawal to the old", func() bool {
		return count(relay.NoticeDispatch, "czj", "cwh-2026-12:4") == 1 && count(relay.NoticeWithdrawn, "xcb", "cwh-2026-12:4") == 1
	})
	c.refused("无权操作", "progress", "cwh-2026-12:4", "--unit", "县教育体育局", "--percent", "10", "--note", "x")
	eventually(t, "the new lead in visibility", func() bool {
		return len(c.workflows("RelayLeadUnit = 'czj' AND RelayMeeting = 'cwh-2026-12'")) >= 1 &&
			len(c.workflows("RelayUnits = 'xcb' AND WorkflowId = 'task:cwh-2026-12:4'")) == 0
	})

	// Item 9: the lead pushes back, the office moves it, then amends, instructs, withdraws.
	task := "cwh-2026-12:9"
	c.ok("pushback", task, "--unit", "县林草局", "--reason", "不属于本单位职责", "--suggest", "县农业农村局")
	c.jsonOf(&v, "task", task, "--json")
	if v.Light != relay.Yellow || v.Pushback == nil || v.Pushback.State != relay.PushbackPending {
		t.Errorf("waiting push back: light %s pushback %+v", v.Light, v.Pushback)
	}
	c.refused("已退回过", "pushback", task, "--unit", "lcj", "--reason", "再次申请")
	c.refused("需要 --keep 或 --lead", "decide-pushback", task, "--note", "x")
	c.ok("decide-pushback", task, "--lead", "县农业农村局", "--note", "同意改由农业农村局牵头")
	c.ok("amend", task, "--deadline", "2027-06-30", "--requirements", "分两期实施", "--reason", "县委调整安排")
	c.refused("找不到县领导", "instruct", task, "--by", "无此人", "--text", "x")
	c.refused("无权批示", "instruct", task, "--by", "ld-wang", "--text", "x")
	c.ok("instruct", task, "--by", "杨某", "--text", "务必按期完成")
	c.jsonOf(&v, "task", task, "--json")
	if v.LeadUnit != "nyj" || v.Pushback.State != relay.PushbackReassigned || v.Deadline != "2027-06-30" ||
		v.Requirements != "分两期实施" || len(v.Instructions) != 1 || v.Instructions[0].By != "杨某" {
		t.Errorf("after the changes: %+v", v)
	}
	eventually(t, "push back, amend, instruction: a notice of each kind", func() bool {
		return count(relay.NoticePushbackDecision, "lcj", task) == 1 && count(relay.NoticeAmended, "nyj", task) == 1 &&
			count(relay.NoticeInstruction, "shx", task) == 1 && count(relay.NoticePushback, relay.Office, task) == 1
	})
	c.ok("withdraw", task, "--reason", "县委常委会决定不再实施")
	c.refused("已撤销", "progress", task, "--unit", "nyj", "--percent", "10", "--note", "x")
	c.refused("已撤销", "reassign", task, "--lead", "县财政局", "--reason", "x")
	var st statusOut
	c.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if s := taskState(t, st.Tasks, 9).State; s != relay.StateWithdrawn {
		t.Errorf("status --json: item 9 is %s", s)
	}
	eventually(t, "withdraw: every unit told", func() bool {
		return count(relay.NoticeWithdrawn, "nyj", task) == 1 && count(relay.NoticeWithdrawn, "gxj", task) == 1
	})

	// The committee's text still checks against every notice and timeline.
	if out := c.ok("audit", "cwh-2026-12", "--outbox", filepath.Join(c.data, "outbox")); out == "" {
		t.Error("audit printed nothing")
	}
	var fig struct {
		Totals struct {
			Tasks     int `json:"tasks"`
			Withdrawn int `json:"withdrawn"`
		} `json:"totals"`
	}
	c.jsonOf(&fig, "report", "--month", "2026-12", "--json", "--out", filepath.Join(c.data, "out"))
	if fig.Totals.Withdrawn != 1 || fig.Totals.Tasks != 9 {
		t.Errorf("report totals: %+v", fig.Totals)
	}
	c.record(relay.TaskWorkflowID(task), "task-changes")
}
