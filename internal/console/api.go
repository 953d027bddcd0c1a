package console

import (
	"context"
	"io"

	"taskrelay/internal/evidence"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/task"
)

// Reader is what the pages read from the engine: one task or meeting, the listings of
// the visibility store (board, 我的任务, 分管任务, unread notices), and an attached
// file. A listing's query is built with relay.Eq and its kin.
type Reader interface {
	Task(ctx context.Context, taskID string) (relay.TaskView, error)
	Meeting(ctx context.Context, meetingID string) (relay.MeetingView, error)
	MeetingViews(ctx context.Context, ids []string) ([]relay.MeetingView, []error)
	Meetings(ctx context.Context) ([]relayclient.MeetingRef, error)
	Tasks(ctx context.Context, query string) ([]relay.TaskSummary, error)
	TasksPage(ctx context.Context, query string, pageSize int, token []byte) ([]relay.TaskSummary, []byte, error)
	CountTasks(ctx context.Context, query string) (int, error)
	Attachment(ctx context.Context, store *evidence.Store, t relay.TaskView, sha string) (relay.AttachmentView, io.ReadCloser, error)
}

// Actions is what the pages' forms ask of the engine, each under the signed-in
// person's name: the units', leaders' and inspection office's actions on a task and
// its changes, the office's submission and adoption of a list, a read receipt, a
// 催办单, an instruction on a meeting, and the monthly report's run and sign-off. A
// refusal is a *refusal.Error (matched with errors.Is), the page words it.
type Actions interface {
	Act(ctx context.Context, taskID, action string, req task.Request) (relay.TaskView, error)
	ActOnce(ctx context.Context, taskID, action, requestID string, req task.Request) (relay.TaskView, error)
	ActWithFiles(ctx context.Context, ev relayclient.Evidence, taskID, action, requestID string, req task.Request, files []evidence.Upload) (relay.TaskView, error)
	InstructMeeting(ctx context.Context, meetingID, requestID string, req task.Request) ([]relay.TaskView, error)
	Chase(ctx context.Context, in relay.ChaseInput) (relay.ChaseResult, error)
	MarkRead(ctx context.Context, meetingID, noticeID, unit, user string) (bool, error)
	Submit(ctx context.Context, plan relay.Plan) (created bool, err error)
	Adopt(ctx context.Context, meetingID string, req relay.AdoptRequest) (relay.MeetingView, error)
	RunReport(ctx context.Context, req report.Request) (report.Result, error)
	ReportSignoff(ctx context.Context, so relay.ReportSignoff, r relay.SignoffRequest) (relay.ReportSignoff, error)
}

// API is everything a console asks of the engine: relayclient.Client in a running
// console, a fake (package consoletest) in the pages' tests.
type API interface {
	Reader
	Actions
}

var _ API = (*relayclient.Client)(nil)
