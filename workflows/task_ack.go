package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

// ackChange is the GetVersion change id of the acknowledgment deadline (签收时限): from
// version 1 a task started afresh tracks which units have signed for it, and reminds
// each unit that has not within AckDays working days of receiving it. Histories
// recorded before it replay without; tasks started before it (carried over by
// continue-as-new) are not tracked, since they never recorded who signed.
const ackChange = "ack-deadline"

// trackAcks starts the tracking on a task's first run under ackChange (not when
// reminders are off: AckDays < 0).
func (t *task) trackAcks(ctx workflow.Context, fresh bool) {
	if (t.current || workflow.GetVersion(ctx, ackChange, workflow.DefaultVersion, 1) >= 1) && fresh && t.in.Config.AckDays >= 0 {
		now := workflow.Now(ctx)
		t.c.AckSince = &now
	}
}

func (t *task) ackDays() int {
	if d := t.in.Config.AckDays; d > 0 {
		return d
	}
	return relay.DefaultAckDays
}

// ackReceived is when a unit received the task: at dispatch (the task's start when
// the input does not say), or when a reassignment added it.
func (t *task) ackReceived(unit string) time.Time {
	if at := t.m.ReceivedAt(unit); !at.IsZero() {
		return at
	}
	return *t.c.AckSince
}

// ackDue is when a unit's time to sign for the task runs out: the end of the AckDays-th
// working day after the day it received the task (the start of the next working day).
func (t *task) ackDue(unit string) time.Time {
	return t.in.Config.Calendar.AfterWorkdays(t.ackReceived(unit), t.ackDays())
}

// ackRemindAt is the reminder's hour on that next working day.
func (t *task) ackRemindAt(unit string) time.Time {
	return t.ackDue(unit).Add(time.Duration(t.in.Config.ReminderHour) * time.Hour)
}

func (t *task) ackKey(unit string) string {
	return "ack:" + unit + ":" + t.ackReceived(unit).UTC().Format(time.RFC3339)
}

// markAcked notes that a unit has signed for the task (or acted on it, which signs).
func (t *task) markAcked(unit string) {
	if unit != "" && t.c.AckSince != nil && !slices.Contains(t.c.Acked, unit) {
		t.c.Acked = append(t.c.Acked, unit)
	}
}

// awaitingAck lists the units that have not signed for the task and are not reminded yet.
func (t *task) awaitingAck() []relay.UnitRef {
	if t.c.AckSince == nil || !t.watching() {
		return nil
	}
	var out []relay.UnitRef
	for _, u := range t.unitRefs() {
		if !slices.Contains(t.c.Acked, u.ID) && !t.c.Fired[t.ackKey(u.ID)] {
			out = append(out, u)
		}
	}
	return out
}

// remindAcks reminds each unit whose time to sign has run out, once.
func (t *task) remindAcks(ctx workflow.Context, now time.Time) {
	for _, u := range t.awaitingAck() {
		if now.Before(t.ackRemindAt(u.ID)) {
			continue
		}
		t.c.Fired[t.ackKey(u.ID)] = true
		days, received := t.ackDays(), t.ackReceived(u.ID).In(relay.TimeZone).Format("2006-01-02 15:04")
		t.record(ctx, System, "", relay.ActAckReminded, fmt.Sprintf("%s %s 收到交办，%d 个工作日内未签收，已提醒", u.Name, received, days))
		it := t.in.Item
		t.notifyUnitNamed(ctx, relay.NoticeAckReminder, u.ID, u.Name, t.roleOf(u.ID),
			fmt.Sprintf("签收提醒：第%d项 %s", it.No, it.Title),
			fmt.Sprintf("%s交办的“%s”已于 %s 送达你单位，已超过 %d 个工作日的签收时限仍未签收，请立即签收并抓好落实。",
				t.in.Meeting.Name, it.Title, received, days))
	}
}

// nextAckReminder is the earliest reminder still ahead (zero: none).
func (t *task) nextAckReminder(now time.Time) time.Time {
	var next time.Time
	for _, u := range t.awaitingAck() {
		if at := t.ackRemindAt(u.ID); at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// unsigned lists, for the view, the units that have not signed for the task, with
// when their time ran or runs out.
func (t *task) unsigned() []relay.Unsigned {
	if t.c.AckSince == nil || t.finished() {
		return nil
	}
	var out []relay.Unsigned
	for _, u := range t.unitRefs() {
		if !slices.Contains(t.c.Acked, u.ID) {
			out = append(out, relay.Unsigned{Unit: u.ID, UnitName: u.Name, Due: t.ackDue(u.ID), Reminded: t.c.Fired[t.ackKey(u.ID)]})
		}
	}
	return out
}
