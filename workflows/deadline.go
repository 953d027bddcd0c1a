package workflows

import (
	"fmt"
	"reflect"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// watching reports whether the deadline still concerns the units: not once the task is
// closed, nor while a completion submitted in time waits for verification.
func (t *task) watching() bool {
	return !t.finished() && t.m.Status != relay.StateCompletionSubmitted
}

// deadlineEnd is when the deadline passes; never (the zero time, ok false) for a
// standing task.
func (t *task) deadlineEnd() time.Time {
	end, _ := relay.DeadlineEnd(t.m.Deadline) // validated at submit and at extension
	return end
}

// dated reports a task with a deadline (not a standing one): only such a task is
// reminded of it, turns yellow near it and is overdue after it.
func (t *task) dated() bool { return !t.in.Item.Standing }

type reminder struct {
	key  string
	days int
	at   time.Time
}

func (t *task) reminders() []reminder {
	if !t.dated() {
		return nil
	}
	day, _ := relay.ParseDate(t.m.Deadline)
	var rs []reminder
	for _, d := range t.in.Config.ReminderDays {
		rs = append(rs, reminder{
			key:  fmt.Sprintf("remind:%s:%d", t.m.Deadline, d),
			days: d,
			at:   day.AddDate(0, 0, -d).Add(time.Duration(t.in.Config.ReminderHour) * time.Hour),
		})
	}
	return rs
}

func (t *task) overdueKey() string { return "overdue:" + t.m.Deadline }

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
		if t.dated() && !now.Before(end) && !t.c.Fired[t.overdueKey()] {
			t.c.Fired[t.overdueKey()] = true
			t.overdue(ctx)
		}
		if t.tiers {
			t.escalate(ctx, now)
		}
		t.remindAcks(ctx, now)
	}
	if t.c.Tier != "" && (now.Before(end) || !t.dated()) {
		// An extension decided after the deadline passed: no longer overdue.
		t.c.Tier, t.c.TierAt, t.c.Listed = "", nil, false
	}
	t.setLight(now)
	if t.tiers {
		t.recordBehind(ctx)
	}
}

// setLight computes the milestone the task is behind (a tiered run only) and the light.
func (t *task) setLight(now time.Time) {
	if t.tiers {
		t.c.Behind = t.behindAt(now)
	}
	t.c.Light = t.light(now)
}

// nextTier is when the task, still open, moves to the next escalation tier: the
// deputy N days after the overdue notice, the monthly report M days after the deputy.
// Zero when no tier is ahead.
func (t *task) nextTier() time.Time {
	if t.c.TierAt == nil {
		return time.Time{}
	}
	switch t.c.Tier {
	case relay.TierBlue:
		return t.c.TierAt.AddDate(0, 0, t.in.Config.EscalateDeputyDays)
	case relay.TierYellow:
		return t.c.TierAt.AddDate(0, 0, t.in.Config.ReportListDays)
	}
	return time.Time{}
}

// escalate moves an overdue task up the tiers that are due, one at a time in order.
func (t *task) escalate(ctx workflow.Context, now time.Time) {
	for {
		at := t.nextTier()
		if at.IsZero() || at.After(now) {
			return
		}
		switch t.c.Tier {
		case relay.TierBlue:
			t.escalateToDeputy(ctx, relay.TierYellow)
		case relay.TierYellow:
			t.listForReport(ctx)
		}
		n := now
		t.c.TierAt = &n
	}
}

// behindAt is the last milestone passed by now if the reported progress has not
// reached it (nodes are in date order with non-decreasing percentages, so the last
// one passed decides). Nil when on schedule, or when the deadline no longer concerns
// the units.
func (t *task) behindAt(now time.Time) *relay.Milestone {
	if !t.watching() {
		return nil
	}
	var last *relay.Milestone
	for i := range t.in.Item.Milestones {
		m := &t.in.Item.Milestones[i]
		if end, err := relay.DeadlineEnd(m.Date); err == nil && !now.Before(end) {
			last = m
		}
	}
	if last == nil || t.m.Progress >= last.Percent {
		return nil
	}
	b := *last
	return &b
}

// recordBehind puts a missed node on the timeline once.
func (t *task) recordBehind(ctx workflow.Context) {
	if t.c.Behind == nil {
		return
	}
	key := "milestone:" + t.c.Behind.Date
	if t.c.Fired[key] {
		return
	}
	t.c.Fired[key] = true
	t.record(ctx, System, "", relay.ActBehindMilestone, fmt.Sprintf("节点 %s“%s”已过，序时进度应达 %d%%，实际报送 %d%%",
		t.c.Behind.Date, t.c.Behind.Goal, t.c.Behind.Percent, t.m.Progress))
}

func (t *task) remind(ctx workflow.Context, r reminder) {
	when := fmt.Sprintf("还有%d天到期", r.days)
	if r.days == 0 {
		when = "今天到期"
	}
	note := fmt.Sprintf("完成时限 %s，%s", t.m.Deadline, when)
	t.record(ctx, System, "", relay.ActReminder, note)
	it := t.in.Item
	t.queue(ctx, fmt.Sprintf("reminder:%s:%s:%d", t.in.TaskID, t.m.Deadline, r.days),
		relay.NoticeReminder, relay.ToUnit, it.Lead, t.in.LeadName,
		fmt.Sprintf("到期提醒：第%d项 %s", it.No, it.Title),
		fmt.Sprintf("你单位牵头的“%s”%s，请抓紧办理并及时报送进展。", it.Title, note))
}

// overdue is the deadline passing: the overdue notice to the lead unit. Before the
// tiers (an old run) the deputy in charge was notified at the same moment; a tiered
// run starts at the blue tier and notifies the deputy only if the task stays open.
func (t *task) overdue(ctx workflow.Context) {
	it := t.in.Item
	now := workflow.Now(ctx)
	t.record(ctx, System, "", relay.ActOverdue, fmt.Sprintf("完成时限 %s 已过，未办结", t.m.Deadline))
	subject := fmt.Sprintf("逾期通知：第%d项 %s", it.No, it.Title)
	if t.tiers {
		subject = fmt.Sprintf("蓝色督办单：第%d项 %s 已逾期", it.No, it.Title)
	}
	t.queue(ctx, fmt.Sprintf("overdue:%s:%s", t.in.TaskID, t.m.Deadline),
		relay.NoticeOverdue, relay.ToUnit, it.Lead, t.in.LeadName, subject,
		fmt.Sprintf("你单位牵头的“%s”完成时限为 %s，现已逾期未办结，请立即办理并说明情况。", it.Title, t.m.Deadline))
	t.c.Tier, t.c.TierAt, t.c.Listed = relay.TierBlue, &now, false
	if !t.tiers {
		t.escalateToDeputy(ctx, relay.TierYellow)
	}
}

// escalateToDeputy sends the 督办单 to the deputy in charge.
func (t *task) escalateToDeputy(ctx workflow.Context, tier string) {
	it := t.in.Item
	t.c.Tier = tier
	if !t.tiers {
		t.record(ctx, System, "", relay.ActEscalation, fmt.Sprintf("逾期督办：报分管县领导 %s", t.in.DeputyName))
		t.queue(ctx, fmt.Sprintf("escalation:%s:%s", t.in.TaskID, t.m.Deadline),
			relay.NoticeEscalation, relay.ToLeader, it.Deputy, t.in.DeputyName,
			fmt.Sprintf("督办单：第%d项 %s 已逾期", it.No, it.Title),
			fmt.Sprintf("%s确定的“%s”由%s牵头，完成时限 %s，现已逾期未办结，请督促落实。",
				t.in.Meeting.Name, it.Title, t.in.LeadName, t.m.Deadline))
		return
	}
	days := t.in.Config.EscalateDeputyDays
	t.record(ctx, System, "", relay.ActEscalation, fmt.Sprintf("黄色督办：逾期通知后 %d 天仍未办结，报分管县领导 %s", days, t.in.DeputyName))
	t.queue(ctx, fmt.Sprintf("escalation:%s:%s", t.in.TaskID, t.m.Deadline),
		relay.NoticeEscalation, relay.ToLeader, it.Deputy, t.in.DeputyName,
		fmt.Sprintf("黄色督办单：第%d项 %s 逾期未办结", it.No, it.Title),
		fmt.Sprintf("%s确定的“%s”由%s牵头，完成时限 %s，逾期通知发出 %d 天后仍未办结，请督促落实。",
			t.in.Meeting.Name, it.Title, t.in.LeadName, t.m.Deadline, days))
}

// listForReport is the red tier: no notice, the task is named in the monthly report.
func (t *task) listForReport(ctx workflow.Context) {
	t.c.Tier, t.c.Listed = relay.TierRed, true
	t.record(ctx, System, "", relay.ActListed, fmt.Sprintf("红色督办：报分管县领导后 %d 天仍未办结，列入月度通报点名", t.in.Config.ReportListDays))
}

// light is the task model's light (model.Light): none once closed or withdrawn.
func (t *task) light(now time.Time) relay.Light {
	return model.Light(t.m, now, model.Rule{YellowDays: t.in.Config.YellowDays}, t.c.Behind != nil)
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
	if !t.finished() && t.dated() {
		consider(t.yellowFrom())
		consider(end)
	}
	if t.watching() {
		for _, r := range t.reminders() {
			if !t.c.Fired[r.key] {
				consider(r.at)
			}
		}
		consider(t.nextAckReminder(now))
		if t.tiers {
			consider(t.nextTier())
			for _, m := range t.in.Item.Milestones {
				if end, err := relay.DeadlineEnd(m.Date); err == nil {
					consider(end)
				}
			}
		}
	}
	return next
}

// publish keeps the search attributes in step with the task, writing only changes.
func (t *task) publish(ctx workflow.Context) {
	var updates []temporal.SearchAttributeUpdate
	if t.m.Status != t.saState {
		t.saState = t.m.Status
		updates = append(updates, relay.SAState.ValueSet(string(t.m.Status)))
	}
	if t.c.Light != t.saLight {
		t.saLight = t.c.Light
		updates = append(updates, relay.SALight.ValueSet(string(t.c.Light)))
	}
	if t.m.Deadline != t.saDead {
		t.saDead = t.m.Deadline
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
		SubmittedAt:  t.m.SubmittedAt,
		ClosedAt:     t.m.ClosedAt,
	}
	// Grants and RejectedCompletions change exactly when the two counts do, so they add
	// no memo upsert of their own (the command sequence of running tasks is unchanged).
	d := model.Digest(t.c.Earlier, t.c.Timeline, t.in.Item.Deadline)
	s.LastProgressAt, s.LastProgressNote = d.LastProgressAt, d.LastProgressNote
	s.ExtensionsGranted, s.Grants = len(d.Grants), d.Grants
	s.Received = t.m.Received
	s.Rejections, s.RejectedCompletions = len(d.Rejections), d.Rejections
	return s
}
