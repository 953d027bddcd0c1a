// Package consoletest is an engine for the console's page tests: Fake answers what
// the pages read (console.Reader) from tasks and meetings a test puts in, and records
// what the forms ask (console.Actions), answering with the refusals a test sets. It
// keeps no workflow rules: a test states the task as the engine would hold it, and
// what the engine would answer.
package consoletest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"taskrelay/internal/evidence"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/task"
)

// Call is one action a page asked for.
type Call struct {
	// Method is the API's method (Act, ActOnce, ActWithFiles,
	// InstructMeeting, Chase, MarkRead, Submit, Adopt, RunReport, ReportSignoff).
	Method string
	// ID is the task's or the meeting's id, Action the update's name, RequestID the
	// form's own id.
	ID, Action, RequestID string
	Req                   task.Request
	Files                 []evidence.Upload
	Plan                  relay.Plan
	Adopt                 relay.AdoptRequest
	Chase                 relay.ChaseInput
}

// Fake is an engine in memory. The zero value is not ready: use New.
type Fake struct {
	mu       sync.Mutex
	tasks    map[string]relay.TaskSummary
	meetings map[string]meeting
	refuse   map[string]error // by "method" or "method id" or "task id action"
	calls    []Call
	// Applied, if set, is the task after an accepted action (else the task as it was).
	Applied func(t relay.TaskView, c Call) relay.TaskView
}

type meeting struct {
	view    relay.MeetingView
	started time.Time
}

// New is an empty engine.
func New() *Fake {
	return &Fake{tasks: map[string]relay.TaskSummary{}, meetings: map[string]meeting{}, refuse: map[string]error{}}
}

// PutTask puts a task in as the engine holds it: its view (Task) and its summary in
// the visibility store (the listings), one and the same here.
func (f *Fake) PutTask(t relay.TaskSummary) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks[t.ID] = t
}

// Summary is the task as the fake holds it, to change and put back.
func (f *Fake) Summary(id string) (relay.TaskSummary, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tasks[id]
	return t, ok
}

// PutMeeting puts a meeting in, started at started (the listings' order: newest first).
func (f *Fake) PutMeeting(v relay.MeetingView, started time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.meetings[v.Meeting.ID] = meeting{v, started}
}

// RefuseAction makes every action named action on task id answer err (a
// *refusal.Error as the engine's validators give, or any error).
func (f *Fake) RefuseAction(id, action string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse["task "+id+" "+action] = err
}

// Fail makes method (a Reader's or an Actions' method name) answer err, on id
// (a task or meeting) or, with id empty, on anything.
func (f *Fake) Fail(method, id string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != "" {
		method += " " + id
	}
	f.refuse[method] = err
}

// Calls are the actions asked for so far, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// failure is the error set for method on id, if any (the caller holds mu).
func (f *Fake) failure(method, id string) error {
	if err := f.refuse[method+" "+id]; err != nil {
		return err
	}
	return f.refuse[method]
}

func notFound(s refusal.Subject, id string) error {
	return (&refusal.Error{Kind: refusal.ErrNotFound}).About(s, id)
}

// Task is the task's view.
func (f *Fake) Task(_ context.Context, taskID string) (relay.TaskView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failure("Task", taskID); err != nil {
		return relay.TaskView{}, err
	}
	t, ok := f.tasks[taskID]
	if !ok {
		return relay.TaskView{}, notFound(refusal.Task, taskID)
	}
	return t.TaskView, nil
}

// Meeting is the meeting's view.
func (f *Fake) Meeting(_ context.Context, meetingID string) (relay.MeetingView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.meeting(meetingID)
}

func (f *Fake) meeting(id string) (relay.MeetingView, error) {
	if err := f.failure("Meeting", id); err != nil {
		return relay.MeetingView{}, err
	}
	m, ok := f.meetings[id]
	if !ok {
		return relay.MeetingView{}, notFound(refusal.Meeting, id)
	}
	return m.view, nil
}

// MeetingViews are the meetings' views, with an error for each not found.
func (f *Fake) MeetingViews(_ context.Context, ids []string) ([]relay.MeetingView, []error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	views, errs := make([]relay.MeetingView, len(ids)), make([]error, len(ids))
	for i, id := range ids {
		views[i], errs[i] = f.meeting(id)
	}
	return views, errs
}

// Meetings lists the meetings, newest first.
func (f *Fake) Meetings(context.Context) ([]relayclient.MeetingRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failure("Meetings", ""); err != nil {
		return nil, err
	}
	var out []relayclient.MeetingRef
	for id, m := range f.meetings {
		out = append(out, relayclient.MeetingRef{ID: id, StartedAt: m.started})
	}
	slices.SortFunc(out, func(a, b relayclient.MeetingRef) int {
		return cmp.Or(b.StartedAt.Compare(a.StartedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// matching are the tasks query selects, by meeting and number (the caller holds mu).
func (f *Fake) matching(method, query string) ([]relay.TaskSummary, error) {
	if err := f.failure(method, ""); err != nil {
		return nil, err
	}
	var out []relay.TaskSummary
	for _, t := range f.tasks {
		ok, err := match(query, t)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b relay.TaskSummary) int {
		return cmp.Or(cmp.Compare(a.Meeting, b.Meeting), cmp.Compare(a.No, b.No), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Tasks lists every task query selects.
func (f *Fake) Tasks(_ context.Context, query string) ([]relay.TaskSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.matching("Tasks", query)
}

// TasksPage lists one page of what query selects; the token is where the next starts.
func (f *Fake) TasksPage(_ context.Context, query string, pageSize int, token []byte) ([]relay.TaskSummary, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	all, err := f.matching("TasksPage", query)
	if err != nil {
		return nil, nil, err
	}
	from := 0
	if len(token) > 0 {
		if from, err = strconv.Atoi(string(token)); err != nil || from < 0 || from > len(all) {
			return nil, nil, fmt.Errorf("page token %q: not one this engine gave", token)
		}
	}
	to := min(from+max(pageSize, 1), len(all))
	var next []byte
	if to < len(all) {
		next = []byte(strconv.Itoa(to))
	}
	return all[from:to], next, nil
}

// CountTasks counts what query selects.
func (f *Fake) CountTasks(_ context.Context, query string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	all, err := f.matching("CountTasks", query)
	return len(all), err
}

// Attachment opens a file of the task from store, as relayclient.Client does: a hash
// not on the task is not found.
func (f *Fake) Attachment(ctx context.Context, store *evidence.Store, t relay.TaskView, sha string) (relay.AttachmentView, io.ReadCloser, error) {
	for _, a := range t.Attachments {
		if a.SHA256 == sha {
			r, err := store.Open(ctx, sha)
			return a, r, err
		}
	}
	return relay.AttachmentView{}, nil, fmt.Errorf("任务 %s 没有文件 %s: %w", t.ID, sha, refusal.ErrNotFound)
}

// act records an action on a task and answers as set: the task as it is (or as
// Applied makes it), or the refusal.
func (f *Fake) act(c Call) (relay.TaskView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	if err := f.refuse["task "+c.ID+" "+c.Action]; err != nil {
		return relay.TaskView{}, err
	}
	if err := f.failure(c.Method, c.ID); err != nil {
		return relay.TaskView{}, err
	}
	t, ok := f.tasks[c.ID]
	if !ok {
		return relay.TaskView{}, notFound(refusal.Task, c.ID)
	}
	if f.Applied != nil {
		t.TaskView = f.Applied(t.TaskView, c)
		f.tasks[c.ID] = t
	}
	return t.TaskView, nil
}

// Act records a unit's, leader's or the inspection office's action.
func (f *Fake) Act(_ context.Context, taskID, action string, req task.Request) (relay.TaskView, error) {
	return f.act(Call{Method: "Act", ID: taskID, Action: action, Req: req})
}

// ActOnce is Act with the form's id.
func (f *Fake) ActOnce(_ context.Context, taskID, action, requestID string, req task.Request) (relay.TaskView, error) {
	return f.act(Call{Method: "ActOnce", ID: taskID, Action: action, RequestID: requestID, Req: req})
}

// ActWithFiles is ActOnce with files; like relayclient.Client, it refuses a completion
// without files when evidence is required. The files are recorded, not stored.
func (f *Fake) ActWithFiles(_ context.Context, ev relayclient.Evidence, taskID, action, requestID string, req task.Request, files []evidence.Upload) (relay.TaskView, error) {
	if ev.Require && action == relay.UpdateComplete && len(files) == 0 {
		return relay.TaskView{}, relayclient.ErrEvidenceRequired
	}
	return f.act(Call{Method: "ActWithFiles", ID: taskID, Action: action, RequestID: requestID, Req: req, Files: files})
}

// record records a call that is not on one task and answers the error set for it.
func (f *Fake) record(c Call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	return f.failure(c.Method, c.ID)
}

// InstructMeeting records an instruction on a meeting and answers its tasks.
func (f *Fake) InstructMeeting(_ context.Context, meetingID, requestID string, req task.Request) ([]relay.TaskView, error) {
	if err := f.record(Call{Method: "InstructMeeting", ID: meetingID, RequestID: requestID, Req: req}); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []relay.TaskView
	for _, t := range f.tasks {
		if t.Meeting == meetingID {
			out = append(out, t.TaskView)
		}
	}
	return out, nil
}

// Chase records a 催办单.
func (f *Fake) Chase(_ context.Context, in relay.ChaseInput) (relay.ChaseResult, error) {
	return relay.ChaseResult{}, f.record(Call{Method: "Chase", ID: in.Unit, Chase: in})
}

// MarkRead records a read receipt; the unit has a notice in every meeting here.
func (f *Fake) MarkRead(_ context.Context, meetingID, noticeID, unit, user string) (bool, error) {
	err := f.record(Call{Method: "MarkRead", ID: meetingID, Action: noticeID, Req: task.Request{Unit: unit, User: user}})
	return err == nil, err
}

// Submit records a list and puts its meeting in, proposed; a meeting already in is
// kept as it is (created false), as the engine does.
func (f *Fake) Submit(_ context.Context, plan relay.Plan) (bool, error) {
	if err := f.record(Call{Method: "Submit", ID: plan.Meeting.ID, Plan: plan}); err != nil {
		return false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.meetings[plan.Meeting.ID]; ok {
		return false, nil
	}
	now := time.Now()
	f.meetings[plan.Meeting.ID] = meeting{relay.MeetingView{Meeting: plan.Meeting, State: relay.MeetingProposed,
		Items: plan.Items, Units: plan.Units, Leaders: plan.Leaders, SourceFile: plan.SourceFile, SubmittedAt: now}, now}
	return true, nil
}

// Adopt records an adoption and marks the meeting adopted (no task is started).
func (f *Fake) Adopt(_ context.Context, meetingID string, req relay.AdoptRequest) (relay.MeetingView, error) {
	if err := f.record(Call{Method: "Adopt", ID: meetingID, Adopt: req}); err != nil {
		return relay.MeetingView{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.meetings[meetingID]
	if !ok {
		return relay.MeetingView{}, notFound(refusal.Meeting, meetingID)
	}
	now := time.Now()
	m.view.State, m.view.AdoptedAt, m.view.AdoptedBy = relay.MeetingAdopted, &now, req.By
	f.meetings[meetingID] = m
	return m.view, nil
}

// RunReport records a report's run; it writes nothing.
func (f *Fake) RunReport(_ context.Context, req report.Request) (report.Result, error) {
	return report.Result{Request: req}, f.record(Call{Method: "RunReport", ID: req.Month})
}

// ReportSignoff records a sign-off step and answers so unchanged.
func (f *Fake) ReportSignoff(_ context.Context, so relay.ReportSignoff, r relay.SignoffRequest) (relay.ReportSignoff, error) {
	return so, f.record(Call{Method: "ReportSignoff", ID: so.Month, Action: r.Step})
}
