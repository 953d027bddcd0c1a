package workflows

import (
	"path/filepath"
	"testing"
	"time"

	"taskrelay/internal/relay"

	model "taskrelay/internal/task"
	"taskrelay/internal/workcal"
)

// ackInput is the sample task dispatched at start, with acknowledgment reminders on.
func ackInput(start time.Time, cal *relay.Calendar) relay.TaskInput {
	in := changeInput("2026-12-31", start)
	in.Config.AckDays = relay.DefaultAckDays
	in.Config.Calendar = cal
	return in
}

// runAck dispatches the task at start; the lead unit signs at signAt; the task is
// withdrawn at end. It returns the notices sent and the task as seen just before end.
func runAck(t *testing.T, start, signAt, end time.Time, cal *relay.Calendar) ([]string, relay.TaskView) {
	t.Helper()
	env, rec := taskEnv(t, start)
	ack := at(env, start, signAt, relay.UpdateAck, model.Request{Unit: "rsj"})
	var before relay.TaskView
	env.RegisterDelayedCallback(func() { before = queryTask(t, env) }, end.Add(-time.Minute).Sub(start))
	wd := change(env, start, end, relay.UpdateWithdraw, model.Request{By: relay.Office, Reason: "测试结束"})
	env.ExecuteWorkflow(relay.TaskWorkflowName, ackInput(start, cal))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	mustOK(t, "ack", ack)
	mustOK(t, "withdraw", wd)
	var sent []string
	for _, s := range rec.sentTo() {
		if s[:len(relay.NoticeAckReminder)] == relay.NoticeAckReminder {
			sent = append(sent, s)
		}
	}
	return sent, before
}

// TestAckReminderAcrossAWeekend: dispatched on a Friday, two working days are Monday
// and Tuesday; the unit that has not signed is reminded on Wednesday morning, the one
// that signed is not.
func TestAckReminderAcrossAWeekend(t *testing.T) {
	sent, v := runAck(t, cst("2026-09-11 10:00"), cst("2026-09-14 10:00"), cst("2026-09-20 10:00"), nil)
	if len(sent) != 1 || sent[0] != "ack_reminder>czj[co]@09-16 09:00" {
		t.Errorf("reminders %v, want one to czj on Wednesday 09:00", sent)
	}
	if len(v.Unsigned) != 1 || v.Unsigned[0].Unit != "czj" || !v.Unsigned[0].Reminded ||
		!v.Unsigned[0].Due.Equal(cst("2026-09-16 00:00")) {
		t.Errorf("unsigned %+v", v.Unsigned)
	}
	var entries int
	for _, e := range v.Timeline {
		if e.Action == relay.ActAckReminded {
			entries++
		}
	}
	if entries != 1 {
		t.Errorf("%d ack_reminded entries on the timeline, want 1", entries)
	}
}

// TestAckReminderAcrossAHoliday: dispatched the day before National Day 2026, the two
// working days are 8 and 9 October with the county's calendar, and the reminder goes
// on Saturday 10 October, a worked day (调休); without a calendar, on Monday 5 October.
func TestAckReminderAcrossAHoliday(t *testing.T) {
	cal, err := workcal.Load(filepath.Join("..", "examples", "calendar.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	start, signed, end := cst("2026-09-30 10:00"), cst("2026-10-01 10:00"), cst("2026-10-15 10:00")
	if sent, _ := runAck(t, start, signed, end, cal); len(sent) != 1 || sent[0] != "ack_reminder>czj[co]@10-10 09:00" {
		t.Errorf("with the calendar: %v, want one to czj on 10-10 09:00", sent)
	}
	if sent, _ := runAck(t, start, signed, end, nil); len(sent) != 1 || sent[0] != "ack_reminder>czj[co]@10-05 09:00" {
		t.Errorf("Monday to Friday: %v, want one to czj on 10-05 09:00", sent)
	}
}

// TestAckRemindersOffAndSigned: nothing is sent when every unit signs in time.
func TestAckNoReminderWhenEveryUnitSigns(t *testing.T) {
	start := cst("2026-09-11 10:00")
	env, rec := taskEnv(t, start)
	at(env, start, cst("2026-09-14 10:00"), relay.UpdateAck, model.Request{Unit: "rsj"})
	at(env, start, cst("2026-09-15 16:00"), relay.UpdateProgress, model.Request{Unit: "czj", Percent: 5, Note: "已启动"})
	change(env, start, cst("2026-09-25 10:00"), relay.UpdateWithdraw, model.Request{By: relay.Office, Reason: "测试结束"})
	env.ExecuteWorkflow(relay.TaskWorkflowName, ackInput(start, nil))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for _, s := range rec.sentTo() {
		if s[:len(relay.NoticeAckReminder)] == relay.NoticeAckReminder {
			t.Errorf("sent %s although every unit signed in time", s)
		}
	}
}
