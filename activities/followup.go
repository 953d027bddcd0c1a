package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

// TaskStore is how the follow-up reads task summaries (the visibility store) and
// records a reminder on a task; relayclient.Client is one.
type TaskStore interface {
	Tasks(ctx context.Context, query string) ([]relay.TaskSummary, error)
	ActOnce(ctx context.Context, taskID, action, requestID string, req task.Request) (relay.TaskView, error)
}

// FollowUp holds the activities of the monthly follow-up (进展催报): find the lead
// units that have not reported on their `feedback: monthly` tasks this month, and send
// each of them one reminder listing all of those tasks.
type FollowUp struct {
	Notifier Notifier
	Store    TaskStore
	// FeedbackDay is the due day of a task that carries none.
	FeedbackDay int
}

// openQuery lists the tasks a reminder may concern (the memo says which are monthly).
var openQuery = relay.And(relay.Ne(relay.SAState, relay.StateClosed), relay.Ne(relay.SAState, relay.StateCompletionSubmitted))

// FeedbackDueUnits finds, for the month of at, the lead units to remind.
func (f *FollowUp) FeedbackDueUnits(ctx context.Context, at time.Time) (relay.FeedbackDue, error) {
	tasks, err := f.Store.Tasks(ctx, openQuery)
	if err != nil {
		return relay.FeedbackDue{}, fmt.Errorf("follow-up: %w", err)
	}
	cycle, byUnit := PendingFeedback(tasks, at, f.FeedbackDay)
	due := relay.FeedbackDue{Cycle: cycle, Units: []relay.UnitPending{}}
	for _, unit := range slices.Sorted(maps.Keys(byUnit)) {
		ts := byUnit[unit]
		u := relay.UnitPending{Unit: unit, UnitName: ts[0].LeadUnitName}
		for _, s := range ts {
			u.Tasks = append(u.Tasks, s.ID)
		}
		due.Units = append(due.Units, u)
	}
	return due, nil
}

// RemindUnit sends one unit its reminder for the month of req.At, listing every
// monthly task it still has not reported on (read again: it may have reported
// meanwhile), then records the reminder on each task so that later runs this month
// leave the unit alone. The notice id is the unit's and the month's, so a retry or a
// second run delivers the same notice, never a new one.
func (f *FollowUp) RemindUnit(ctx context.Context, req relay.RemindRequest) (relay.RemindResult, error) {
	tasks, err := f.Store.Tasks(ctx, relay.And(relay.Eq(relay.SALeadUnit, req.Unit), openQuery))
	if err != nil {
		return relay.RemindResult{}, fmt.Errorf("follow-up of %s: %w", req.Unit, err)
	}
	cycle, byUnit := PendingFeedback(tasks, req.At, f.FeedbackDay)
	pending := byUnit[req.Unit]
	if len(pending) == 0 {
		return relay.RemindResult{}, nil
	}
	n := FeedbackNotice(req.Unit, cycle, req.At, pending, f.FeedbackDay)
	if err := f.Notifier.Deliver(ctx, n); err != nil {
		if errors.Is(err, notify.ErrPermanent) {
			return relay.RemindResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("notice %s: %v", n.ID, err), "PermanentDelivery", err)
		}
		return relay.RemindResult{}, fmt.Errorf("notice %s: %w", n.ID, err)
	}
	res := relay.RemindResult{NoticeID: n.ID}
	for i, s := range pending {
		res.Tasks = append(res.Tasks, s.ID)
		// The update id makes a retried mark one mark. A refusal (the task closed
		// meanwhile) is no reason to fail: the notice is out, and its id keeps a
		// repeat from being a second notice.
		_, err := f.Store.ActOnce(ctx, s.ID, relay.UpdateFeedbackReminded, n.ID+"|"+s.ID,
			task.Request{By: "system", Cycle: cycle, Note: n.ID})
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			activity.GetLogger(ctx).Warn("feedback reminder not recorded on task", "task", s.ID, "error", err)
		}
		activity.RecordHeartbeat(ctx, i)
	}
	return res, nil
}

// PendingFeedback picks, from task summaries, the monthly tasks due for a reminder at
// `at`, by lead unit: open (neither closed nor waiting for verification), the task's
// feedback day of the month over (a task dispatched after it reports from next month),
// no progress reported since the month began, and not yet reminded this month.
// defDay is the feedback day of a task that carries none.
func PendingFeedback(tasks []relay.TaskSummary, at time.Time, defDay int) (cycle string, byUnit map[string][]relay.TaskSummary) {
	cycle = relay.Cycle(at)
	start, _ := relay.CycleStart(cycle)
	byUnit = map[string][]relay.TaskSummary{}
	for _, s := range tasks {
		if !relay.ReportsMonthly(s.Feedback, s.Standing) || s.State == relay.StateClosed || s.State == relay.StateWithdrawn || s.State == relay.StateCompletionSubmitted {
			continue
		}
		day := s.FeedbackDay
		if day <= 0 {
			day = defDay
		}
		if day <= 0 {
			day = relay.DefaultFeedbackDay
		}
		dueEnd := start.AddDate(0, 0, day) // the end of day `day`
		switch {
		case at.Before(dueEnd), !s.DispatchedAt.Before(dueEnd):
			continue
		case s.LastProgressAt != nil && !s.LastProgressAt.Before(start):
			continue // reported this month
		case s.FeedbackReminded >= cycle:
			continue
		}
		byUnit[s.LeadUnit] = append(byUnit[s.LeadUnit], s)
	}
	for _, ts := range byUnit {
		sort.Slice(ts, func(i, j int) bool {
			if ts[i].Meeting != ts[j].Meeting {
				return ts[i].Meeting < ts[j].Meeting
			}
			return ts[i].No < ts[j].No
		})
	}
	return cycle, byUnit
}

// FeedbackNotice is a unit's one reminder for a month, listing every task it has not
// reported on.
func FeedbackNotice(unit, cycle string, at time.Time, tasks []relay.TaskSummary, defDay int) relay.Notice {
	start, _ := relay.CycleStart(cycle)
	day := tasks[0].FeedbackDay
	if day <= 0 {
		day = defDay
	}
	// The unit as the committee's lists wrote it (县人力资源和社会保障局（县医疗保障局）).
	var written []string
	for _, s := range tasks {
		written = append(written, s.LeadUnitWritten)
	}
	n := relay.Notice{
		ID: relay.FeedbackNoticeID(unit, cycle), Kind: relay.NoticeFeedback,
		ToKind: relay.ToUnit, To: unit, ToName: relay.AddressedAsAll(tasks[0].LeadUnitName, written),
		Subject:  fmt.Sprintf("进展催报：%d年%d月有%d项任务未报送进展", start.Year(), start.Month(), len(tasks)),
		IssuedAt: at,
	}
	meetings := map[string]bool{}
	var lines []string
	for i, s := range tasks {
		meetings[s.Meeting] = true
		last := "尚未报送过进展"
		if s.LastProgressAt != nil {
			last = "上次报送 " + s.LastProgressAt.In(relay.TimeZone).Format(relay.DateLayout)
		}
		lines = append(lines, fmt.Sprintf("%d. %s %s（%s）", i+1, s.ID, s.Title, last))
		n.Items = append(n.Items, relay.NoticeItem{
			No: s.No, TaskID: s.ID, Title: s.Title, Role: relay.RoleLead, Deadline: s.Deadline, Standing: s.Standing,
			DeputyName: s.DeputyName, LeadUnitName: s.LeadAddressed(), CoUnitNames: s.CoAddressed(),
		})
	}
	if len(meetings) == 1 {
		n.MeetingID = tasks[0].Meeting
	}
	n.Body = fmt.Sprintf("你单位牵头的按月反馈任务应于每月%d日前报送进展。截至%d月%d日，以下%d项任务本月尚未报送，请尽快通过系统报送进展情况：\n%s",
		day, start.Month(), day, len(tasks), strings.Join(lines, "\n"))
	return n
}
