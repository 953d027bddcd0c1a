package workflows

import (
	"strings"
	"testing"

	"taskrelay/internal/relay"

	model "taskrelay/internal/task"
)

// A unit that has signed for a task is refused a second signature, and nothing is
// recorded.
func TestAckTwiceRefused(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	first := at(env, start, cst("2026-09-17 09:00"), relay.UpdateAck, model.Request{Unit: "rsj"})
	again := at(env, start, cst("2026-09-18 09:00"), relay.UpdateAck, model.Request{Unit: "rsj"})
	prog := at(env, start, cst("2026-09-19 09:00"), relay.UpdateProgress, model.Request{Unit: "czj", Percent: 10, Note: "启动"})
	late := at(env, start, cst("2026-09-20 09:00"), relay.UpdateAck, model.Request{Unit: "czj"})
	var acks int
	env.RegisterDelayedCallback(func() {
		for _, e := range queryTask(t, env).Timeline {
			if e.Action == relay.ActAcknowledged {
				acks++
			}
		}
		env.CancelWorkflow()
	}, cst("2026-09-21 09:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-12-31"))
	if first.err != nil || prog.err != nil {
		t.Fatalf("first ack %v, progress %v", first.err, prog.err)
	}
	for name, o := range map[string]*outcome{"second ack": again, "ack after acting": late} {
		if o.err == nil || !strings.Contains(o.err.Error(), "已签收") {
			t.Errorf("%s: %v, want a refusal saying 已签收", name, o.err)
		}
	}
	// rsj's ack, and czj's implied by its progress on an acknowledged task: no entry.
	if acks != 1 {
		t.Errorf("%d acknowledgment entries, want 1", acks)
	}
}

// A standing task is never overdue: no reminder, no overdue notice, no red, however
// long it runs; it closes like any other.
func TestStandingTaskNeverOverdue(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	in := sampleTaskInput("")
	in.Item.Standing = true
	var later relay.TaskView
	env.RegisterDelayedCallback(func() { later = queryTask(t, env) }, cst("2027-10-01 09:00").Sub(start))
	ext := at(env, start, cst("2026-10-01 09:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2027-01-01", Note: "x"})
	at(env, start, cst("2027-10-02 09:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "长期坚持"})
	at(env, start, cst("2027-10-03 09:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if later.Light != relay.Green || later.OverdueDays != 0 || !later.Standing || later.Deadline != "" {
		t.Errorf("a year on: light %q, overdue days %d, standing %v, deadline %q", later.Light, later.OverdueDays, later.Standing, later.Deadline)
	}
	if ext.err == nil {
		t.Error("an extension of a standing task was accepted")
	}
	for _, s := range rec.items {
		if s.n.Kind == relay.NoticeReminder || s.n.Kind == relay.NoticeOverdue || s.n.Kind == relay.NoticeEscalation {
			t.Errorf("a standing task sent %s", s.n.Kind)
		}
	}
}

// A list adopted after its deadline passed: overdue days count from when the unit
// received the task; a closed task has no light.
func TestOverdueDaysFromReceipt(t *testing.T) {
	start := cst("2026-11-20 09:00")
	env, _ := taskEnv(t, start)
	in := sampleTaskInput("2026-10-31")
	in.DispatchedAt = start
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, cst("2026-11-25 10:00").Sub(start))
	at(env, start, cst("2026-11-26 09:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
	ok := at(env, start, cst("2026-11-27 09:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)
	if v.Light != relay.Red || v.OverdueDays != 5 {
		t.Errorf("five days after receipt: light %q, overdue days %d, want red, 5", v.Light, v.OverdueDays)
	}
	if ok.view.State != relay.StateClosed || ok.view.Light != "" {
		t.Errorf("closed: state %s light %q, want no light", ok.view.State, ok.view.Light)
	}
}

// A reassignment that moves the deputy in charge: the timeline says so, the new
// 交办单 names the new deputy, and so does every later 督办单.
func TestReassignedDeputyNamedAfterwards(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	zhao := &relay.UnitRef{ID: "ld-zhao", Name: "赵某"}
	re := change(env, start, cst("2026-09-18 10:00"), relay.UpdateReassign, model.Request{By: relay.Office,
		Lead: &relay.UnitRef{ID: "lcj", Name: "县林业和草原局"}, Deputy: zhao, Reason: "职能划转"})
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-10-30 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-10-10", start))
	if re.err != nil || re.view.Deputy != "ld-zhao" || re.view.DeputyName != "赵某" {
		t.Fatalf("reassign: %v %+v", re.err, re.view.Deputy)
	}
	var dispatch, escalation bool
	for _, s := range rec.items {
		switch s.n.Kind {
		case relay.NoticeDispatch:
			dispatch = s.n.To == "lcj" && s.n.Items[0].DeputyName == "赵某"
		case relay.NoticeEscalation:
			escalation = s.n.To == "ld-zhao" && strings.Contains(s.n.Body+s.n.Subject, "县林业和草原局")
			if s.n.Items[0].DeputyName != "赵某" {
				t.Errorf("督办单 names deputy %s", s.n.Items[0].DeputyName)
			}
		}
	}
	if !dispatch || !escalation {
		t.Errorf("new 交办单 to lcj naming 赵某: %v; 督办单 to ld-zhao: %v (%v)", dispatch, escalation, rec.kinds())
	}
}
