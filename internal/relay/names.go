package relay

import (
	"strconv"

	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the one task queue the worker polls.
const TaskQueue = "taskrelay"

// Workflow, query and update names, shared by the worker and every client.
const (
	MeetingWorkflowName = "MeetingRelay"
	TaskWorkflowName    = "Task"

	QueryMeeting = "meeting"
	QueryTask    = "task"

	UpdateAdopt           = "adopt"
	UpdateAck             = "ack"
	UpdateProgress        = "progress"
	UpdateExtend          = "extend"
	UpdateDecideExtension = "decide-extension"
	UpdateComplete        = "complete"
	UpdateVerify          = "verify"
	// UpdateRead records that a person of a unit opened the task's dispatch notice
	// in the console (已读).
	UpdateRead       = "read"
	UpdateAssign     = "assign"      // the unit head names the officer responsible
	UpdateHeadReview = "head-review" // the unit head signs off or returns a completion
)

// The monthly inspection: a Temporal Schedule starts MonthlyInspection (ids
// "monthly-inspection-<time>"); `starter report` starts it as ReportWorkflowID.
const (
	MonthlyWorkflowName = "MonthlyInspection"
	MonthlyScheduleID   = "taskrelay-monthly-report"
	MonthlyWorkflowID   = "monthly-inspection"
	// NoticeReportReady tells the inspection office that a month's reports are archived.
	NoticeReportReady = "report_ready"
)

// ReportWorkflowID is the id of an on-demand report: one run at a time per month and day.
func ReportWorkflowID(month, asOf string) string { return "report:" + month + ":" + asOf }

// MeetingWorkflowID is the business key of a meeting's relay: one relay per meeting.
func MeetingWorkflowID(meetingID string) string { return "meeting:" + meetingID }

// TaskID names item no of a meeting; it is what the command line takes.
func TaskID(meetingID string, no int) string { return meetingID + ":" + strconv.Itoa(no) }

// TaskWorkflowID is the business key of a task's workflow.
func TaskWorkflowID(taskID string) string { return "task:" + taskID }

// Search attributes set on task workflows so list views and the Temporal UI can filter.
var (
	SAMeeting  = temporal.NewSearchAttributeKeyKeyword("RelayMeeting")
	SALeadUnit = temporal.NewSearchAttributeKeyKeyword("RelayLeadUnit")
	SAUnits    = temporal.NewSearchAttributeKeyKeywordList("RelayUnits")
	SADeputy   = temporal.NewSearchAttributeKeyKeyword("RelayDeputy")
	SADeadline = temporal.NewSearchAttributeKeyTime("RelayDeadline")
	SAState    = temporal.NewSearchAttributeKeyKeyword("RelayState")
	SALight    = temporal.NewSearchAttributeKeyKeyword("RelayLight")
)

// SearchAttributeKeys lists every custom search attribute, for registration.
func SearchAttributeKeys() []temporal.SearchAttributeKey {
	return []temporal.SearchAttributeKey{SAMeeting, SALeadUnit, SAUnits, SADeputy, SADeadline, SAState, SALight}
}

// TaskMemo is the memo a task workflow starts with.
func TaskMemo(in TaskInput) map[string]interface{} {
	v := ItemView(in.TaskID, in.Meeting.ID, in.Item, in.LeadName, in.CoNames, in.DeputyName)
	v.State, v.Light, v.FeedbackDay = StateDispatched, Green, feedbackDay(in)
	return map[string]interface{}{MemoSummary: TaskSummary{TaskView: v, DispatchedAt: in.DispatchedAt}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// feedbackDay is the day a monthly task reports by, as the task workflow shows it.
func feedbackDay(in TaskInput) int {
	if !ReportsMonthly(in.Item.Feedback, in.Item.Standing) {
		return 0
	}
	return in.Config.WithFollowUpDefaults().FeedbackDay
}
