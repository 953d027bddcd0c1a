package workflows

import (
	"fmt"
	"reflect"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/relay"
)

// watching reports whether the deadline still concerns the units: not once the task is
// closed, nor while a completion submitted in time waits for verification.
func (t *task) watching() bool {
	return t.c.State != relay.StateClosed && t.c.State != relay.StateCompletionSubmitted
}

func (t *task) deadlineEnd() time.Time {
	end, _ := relay.DeadlineEnd(t.c.Deadline) // validated at submit and at extension
	return end
}

type reminder struct {
	key  string
	days int
	at   time.Time
}

func (t *task) reminders() []reminder {
	day, _ := relay.ParseDate(t.c.Deadline)
	var rs []reminder
	for _, d := range t.in.Config.ReminderDays {
		rs = append(rs, reminder{
			key:  fmt.Sprintf("remind:%s:%d", t.c.Deadline, d),
			days: d,
			at:   day.AddDate(0, 0, -d).Add(time.Duration(t.in.Config.ReminderHour) * time.Hour),
		})
	}
	return rs
}

func (t *task) overdueKey() string { return "overdue:" + t.c.Deadline }

// tick fires whatever is due now: the latest due reminder (older ones that a late
// list or a long pause skipped are not sent in a burst), or the overdue notice and
// escalation; then it sets the light.
func (t *task) tick(ctx workflow.Context) {
	now := workflow.Now(ctx)
	end := t.deadlineEnd()
	if t.watching() {
		var due *reminder
		for _, r := range t.reminders() {
			if t.c.Fired[r.key] || r.at.After(now) {
				continue
			}
			t.c.Fired[r.key] = true
			if due == nil || r.at.After(due.at) {
				r := r
				due = &r
			}
		}
		if due != nil && now.Before(end) {
			t.remind(ctx, *due)
		}
		if !now.Before(end) && !t.c.Fired[t.overdueKey()] {
			t.c.Fired[t.overdueKey()] = true
			t.overdue(ctx)
		}
	}
	t.c.Light = t.light(now)
}

func (t *task) remind(ctx workflow.Context, r reminder) {
	when := fmt.Sprintf("还有%d天到期", r.days)
	if r.days == 0 {
		when = "今天到期"
	}
	note := fmt.Sprintf("完成时限 %s，%s", t.c.Deadline, when)
	t.record(ctx, System, "", ActReminder, note)
	it := t.in.Item
	t.queue(ctx, fmt.Sprintf("reminder:%s:%s:%d", t.in.TaskID, t.c.Deadline, r.days),
		relay.NoticeReminder, relay.ToUnit, it.Lead, t.in.LeadName,
		fmt.Sprintf("到期提醒：第%d项 %s", it.No, it.Title),
		fmt.Sprintf("你单位牵头的“%s”%s，请抓紧办理并及时报送进展。", it.Title, note))
}

func (t *task) overdue(ctx workflow.Context) {
	it := t.in.Item
	t.record(ctx, System, "", ActOverdue, fmt.Sprintf("完成时限 %s 已过，未办结", t.c.Deadline))
	t.queue(ctx, fmt.Sprintf("overdue:%s:%s", t.in.TaskID, t.c.Deadline),
		relay.NoticeOverdue, relay.ToUnit, it.Lead, t.in.LeadName,
		fmt.Sprintf("逾期通知：第%d项 %s", it.No, it.Title),
		fmt.Sprintf("你单位牵头的“%s”完成时限为 %s，现已逾期未办结，请立即办理并说明情况。", it.Title, t.c.Deadline))
	t.record(ctx, System, "", ActEscalation, fmt.Sprintf("逾期督办：报分管县领导 %s", t.in.DeputyName))
	t.queue(ctx, fmt.Sprintf("escalation:%s:%s", t.in.TaskID, t.c.Deadline),
		relay.NoticeEscalation, relay.ToLeader, it.Deputy, t.in.DeputyName,
		fmt.Sprintf("督办单：第%d项 %s 已逾期", it.No, it.Title),
		fmt.Sprintf("%s确定的“%s”由%s牵头，完成时限 %s，现已逾期未办结，请督促落实。",
			t.in.Meeting.Name, it.Title, t.in.LeadName, t.c.Deadline))
}

func (t *task) light(now time.Time) relay.Light {
	if t.c.State == relay.StateClosed {
		return relay.Green
	}
	end := t.deadlineEnd()
	submittedInTime := t.c.State == relay.StateCompletionSubmitted && t.c.SubmittedAt != nil && t.c.SubmittedAt.Before(end)
	if !now.Before(end) && !submittedInTime {
		return relay.Red
	}
	if t.c.Extension != nil || !now.Before(t.yellowFrom()) {
		return relay.Yellow
	}
	return relay.Green
}

// yellowFrom is the start of the day YellowDays before the deadline day: from then on
// the deadline is "within 7 days".
func (t *task) yellowFrom() time.Time {
	return t.deadlineEnd().AddDate(0, 0, -t.in.Config.YellowDays-1)
}

// nextWake is the next instant something is due: a reminder, the light turning yellow,
// or the deadline passing. Zero when nothing is.
func (t *task) nextWake(now time.Time) time.Time {
	var next time.Time
	consider := func(at time.Time) {
		if at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	end := t.deadlineEnd()
	if t.c.State != relay.StateClosed {
		consider(t.yellowFrom())
		consider(end)
	}
	if t.watching() {
		for _, r := range t.reminders() {
			if !t.c.Fired[r.key] {
				consider(r.at)
			}
		}
	}
	return next
}

// publish keeps the search attributes in step with the task, writing only changes.
func (t *task) publish(ctx workflow.Context) {
	var updates []temporal.SearchAttributeUpdate
	if t.c.State != t.saState {
		t.saState = t.c.State
		updates = append(updates, relay.SAState.ValueSet(string(t.c.State)))
	}
	if t.c.Light != t.saLight {
		t.saLight = t.c.Light
		updates = append(updates, relay.SALight.ValueSet(string(t.c.Light)))
	}
	if t.c.Deadline != t.saDead {
		t.saDead = t.c.Deadline
		updates = append(updates, relay.SADeadline.ValueSet(t.deadlineEnd()))
	}
	if sum := t.summary(); !reflect.DeepEqual(sum, t.memo) {
		t.memo = sum
		_ = workflow.UpsertMemo(ctx, map[string]interface{}{relay.MemoSummary: sum})
	}
	if len(updates) == 0 {
		return
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// summary is the task as list views see it (the memo).
func (t *task) summary() relay.TaskSummary {
	s := relay.TaskSummary{
		TaskView:     t.view(),
		DispatchedAt: t.in.DispatchedAt,
		SubmittedAt:  t.c.SubmittedAt,
		ClosedAt:     t.c.ClosedAt,
	}
	for i := range t.c.Timeline {
		e := &t.c.Timeline[i]
		switch e.Action {
		case ActProgress:
			s.LastProgressAt, s.LastProgressNote = &e.At, e.Note
		case ActExtensionApproved:
			s.ExtensionsGranted++
		case ActCompletionRejected:
			s.Rejections++
		}
	}
	return s
}
