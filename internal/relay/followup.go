package relay

import (
	"fmt"
	"time"
)

// FeedbackMonthly is the follow-up cadence of a continuing task: its lead unit reports
// progress by the feedback day of every month.
const FeedbackMonthly = "monthly"

// ReportsMonthly reports whether a task's lead unit reports its progress every month
// (and is reminded when it does not): a continuing task, or a standing one.
func ReportsMonthly(feedback string, standing bool) bool {
	return feedback == FeedbackMonthly || standing
}

// Milestone is one node of a one-off task (序时进度): by the end of Date the task should
// have reached Goal, that is reported progress of at least Percent. A task past a node
// with less progress is behind it, and its light is yellow.
type Milestone struct {
	Date    string `json:"date" yaml:"date"` // YYYY-MM-DD
	Goal    string `json:"goal" yaml:"goal"`
	Percent int    `json:"percent,omitempty" yaml:"percent,omitempty"`
}

// Escalation tiers (蓝/黄/红 督办单).
const (
	TierBlue   = "blue"   // overdue: notice to the lead unit
	TierYellow = "yellow" // still open: notice to the deputy in charge
	TierRed    = "red"    // still open: listed by name in the monthly report
)

// Follow-up names: the daily workflow its Schedule runs, the Schedule, the update that
// records a monthly reminder on a task, and the notice kind of that reminder.
const (
	FollowUpWorkflowName   = "FollowUp"
	FollowUpScheduleID     = "taskrelay-followup"
	UpdateFeedbackReminded = "feedback-reminded"
	NoticeFeedback         = "feedback_reminder" // 进展催报: one per unit per month
)

// Cycle is the follow-up month of an instant, YYYY-MM in county time.
func Cycle(t time.Time) string { return t.In(TimeZone).Format("2006-01") }

// CycleStart is the first instant of a cycle (YYYY-MM).
func CycleStart(cycle string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", cycle, TimeZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("月份 %q 无法识别，应为 YYYY-MM", cycle)
	}
	return t, nil
}

// FeedbackNoticeID names the one reminder a unit gets for a month.
func FeedbackNoticeID(unit, cycle string) string { return "feedback:" + unit + ":" + cycle }

// FollowUpInput is the daily follow-up run's input. AsOf (RFC 3339) replaces the run's
// own clock, for a backfill or a test; empty means now.
type FollowUpInput struct {
	AsOf string `json:"as_of,omitempty"`
}

// FeedbackDue is what a follow-up run finds: for the month of its time, every lead
// unit that has not reported on some of its monthly tasks by their feedback day and
// has not been reminded for the month yet.
type FeedbackDue struct {
	Cycle string        `json:"cycle"`
	Units []UnitPending `json:"units"`
}

// UnitPending is one lead unit and the tasks it has not reported on this month.
type UnitPending struct {
	Unit     string   `json:"unit"`
	UnitName string   `json:"unit_name"`
	Tasks    []string `json:"tasks"` // task ids
}

// RemindRequest asks for one unit's reminder for the month of At.
type RemindRequest struct {
	At   time.Time `json:"at"`
	Unit string    `json:"unit"`
}

// RemindResult is one unit's reminder: its notice id and the tasks it listed; empty
// when the unit has reported on everything meanwhile.
type RemindResult struct {
	NoticeID string   `json:"notice_id,omitempty"`
	Tasks    []string `json:"tasks,omitempty"`
}

// FollowUpResult is what a run did.
type FollowUpResult struct {
	Cycle     string   `json:"cycle"`
	Reminded  []string `json:"reminded"` // unit ids
	NoticeIDs []string `json:"notice_ids"`
	Failed    []string `json:"failed,omitempty"` // reminders a sink refused for good
}
