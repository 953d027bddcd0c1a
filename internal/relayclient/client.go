// Package relayclient is what people's tools call: the command line today, the console
// tomorrow. It turns submit, adopt, act and read into Temporal starts, updates and
// queries, and turns the engine's errors into one readable line.
package relayclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"taskrelay/internal/actor"
	"taskrelay/internal/config"
	"taskrelay/internal/logging"
	"taskrelay/internal/mtls"
	"taskrelay/internal/parts"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
	model "taskrelay/internal/task"
)

// Client wraps a Temporal client with taskrelay's operations.
type Client struct {
	T client.Client
	// QueryConcurrency bounds parallel task queries in Status.
	QueryConcurrency int
	// Signer signs every action this client sends for a unit, a leader or an office
	// (package actor): the console's key, or an operator's. Nil sends them unsigned,
	// which a workflow that trusts keys refuses.
	Signer *actor.Signer
	// TrustedKeys are the keys a meeting this client submits accepts its adoption
	// signed with (the trusted-keys file); none: any adoption.
	TrustedKeys []actor.PublicKey
	// CallTimeout bounds each call a person waits on that only the worker can answer
	// (a query, an adoption, an action): past it the call is refused as
	// refusal.ErrUnavailable instead of waiting on the caller's whole context (the
	// engine holds such a call while no worker polls). 0: the caller's context alone.
	CallTimeout time.Duration
	// CatchUp is how long Status waits for an adopted meeting's dispatch to finish
	// (after a restart the engine first catches up) before it answers *Dispatching.
	CatchUp time.Duration
}

// call is ctx bounded by CallTimeout, for one call the worker must answer.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.CallTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.CallTimeout)
}

// sign returns the assertion that id takes action on workflow in update request, or
// have (nil, or what the caller put there) when the client has no signer.
func (c *Client) sign(have *actor.Assertion, id actor.Identity, workflow, action, request, digest string) *actor.Assertion {
	if c.Signer == nil {
		return have
	}
	a := c.Signer.Sign(id, workflow, action, request, digest)
	return &a
}

// Dial is the one way taskrelay's processes reach the engine: the cluster at
// TEMPORAL_ADDRESS, else the embedded engine at TASKRELAY_ENGINE_ADDR with the client
// certificate in <TASKRELAY_DATA>/tls, in namespace TEMPORAL_NAMESPACE (cfg, read once
// by config.FromEnv). It keeps trying for wait, since
// containers start in any order; wait 0 tries once. A nil log silences the SDK.
//
// tune adjusts the SDK client's options, all but the TLS set on each try (the bench counts the worker's sticky
// cache hits and misses through a metrics handler set this way).
func Dial(ctx context.Context, cfg config.Config, log *zap.Logger, wait time.Duration, tune ...func(*client.Options)) (*Client, error) {
	if log == nil {
		log = zap.NewNop()
	}
	addr := cfg.ClientAddress()
	opts := client.Options{HostPort: addr, Namespace: cfg.Namespace, Logger: logging.SDK(log.Named("sdk"))}
	for _, f := range tune {
		f(&opts)
	}
	deadline := time.Now().Add(wait)
	for {
		// The TLS files are read on each try: the embedded engine's are made by the
		// worker's first start, which may still be under way.
		c, err := dialOnce(ctx, cfg, opts)
		if err == nil {
			return &Client{T: c}, nil
		}
		if wait <= 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return nil, &refusal.Error{Kind: refusal.ErrUnavailable, Err: err,
				Reason: fmt.Sprintf("连接引擎 %s（命名空间 %s）失败（工作进程是否已启动？）: %v", addr, cfg.Namespace, err)}
		}
		log.Warn("engine not reachable yet", zap.String("addr", addr), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil, &refusal.Error{Kind: refusal.ErrUnavailable, Err: err,
				Reason: fmt.Sprintf("连接引擎 %s（命名空间 %s）失败: %v", addr, cfg.Namespace, err)}
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// InNamespace is a client of another namespace (county) on this client's connection:
// a province's processes hold one connection and a client per county.
func (c *Client) InNamespace(ctx context.Context, namespace string, log *zap.Logger) (*Client, error) {
	if log == nil {
		log = zap.NewNop()
	}
	t, err := client.NewClientFromExistingWithContext(ctx, c.T, client.Options{Namespace: namespace, Logger: logging.SDK(log.Named("sdk"))})
	if err != nil {
		return nil, fmt.Errorf("连接命名空间 %s: %w", namespace, err)
	}
	return &Client{T: t, QueryConcurrency: c.QueryConcurrency}, nil
}

// dialOnce dials with the TLS of cfg.DialTLS: the cluster's TEMPORAL_TLS_* (none: a
// plain connection), or the embedded engine's client certificate, always.
func dialOnce(ctx context.Context, cfg config.Config, opts client.Options) (client.Client, error) {
	t := cfg.DialTLS()
	if cfg.TemporalAddress == "" {
		if _, err := os.Stat(t.Cert); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("内置引擎的客户端证书 %s 不存在：请先启动 worker（首次启动时在数据目录 %s 生成证书），或将 TASKRELAY_DATA 设为 worker 的数据目录", t.Cert, cfg.EngineData())
		}
	}
	if t.Enabled() {
		tlsCfg, err := mtls.ClientTLS(t.Cert, t.Key, t.CA, t.ServerName)
		if err != nil {
			return nil, err
		}
		opts.ConnectionOptions.TLS = tlsCfg
	}
	return client.DialContext(ctx, opts)
}

// Close releases the connection.
func (c *Client) Close() { c.T.Close() }

// Submit starts a meeting's relay. Submitting a meeting that already exists changes
// nothing and reports created=false: one relay per meeting id. A big list is stored
// in parts first (package parts) and the relay gets only their references.
func (c *Client) Submit(ctx context.Context, plan relay.Plan) (created bool, err error) {
	in := relay.MeetingInput{Plan: plan, Keys: c.TrustedKeys}
	if parts.Needed(plan) {
		// Checked first so that submitting an existing meeting again writes nothing.
		_, err := c.T.DescribeWorkflowExecution(ctx, relay.MeetingWorkflowID(plan.Meeting.ID), "")
		var nf *serviceerror.NotFound
		switch {
		case err == nil:
			return false, nil
		case !errors.As(err, &nf):
			return false, fmt.Errorf("提交会议 %s: %w", plan.Meeting.ID, err)
		}
		header, ps := parts.Split(plan)
		refs, err := parts.Store(ctx, c.T, ps)
		if err != nil {
			return false, fmt.Errorf("提交会议 %s: %w", plan.Meeting.ID, err)
		}
		in = relay.MeetingInput{Plan: header, Parts: refs, Keys: c.TrustedKeys}
	}
	_, err = c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       relay.MeetingWorkflowID(plan.Meeting.ID),
		TaskQueue:                                relay.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			relay.SAMeeting.ValueSet(plan.Meeting.ID),
			relay.SAState.ValueSet(relay.MeetingProposed),
		),
	}, relay.MeetingWorkflowName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("提交会议 %s: %w", plan.Meeting.ID, err)
	}
	return true, nil
}

// Meeting reads a meeting's relay with all its items and notices. For a list kept in
// parts, the items are read from the parts and the notices' item refs rebuilt from
// them (the same function built the notices that were sent).
func (c *Client) Meeting(ctx context.Context, meetingID string) (relay.MeetingView, error) {
	v, err := c.meetingHeader(ctx, meetingID)
	if err != nil || len(v.Parts) == 0 {
		return v, err
	}
	items, err := parts.ReadAll(ctx, c.T, v.Parts)
	if err != nil {
		return v, err
	}
	v.Items = relay.ApplyDeputies(items, v.Deputies)
	if len(v.Notices) > 0 {
		h := relay.Plan{Meeting: v.Meeting, Units: v.Units, Leaders: v.Leaders}
		_, full := h.DispatchNotices(v.Items, time.Time{})
		refs := map[string][]relay.NoticeRef{}
		for _, n := range full {
			refs[n.Unit] = n.Items
		}
		for i := range v.Notices {
			v.Notices[i].Items = refs[v.Notices[i].Unit]
		}
	}
	return v, nil
}

// meetingHeader is the engine's view of a meeting: without items when the list is
// kept in parts.
func (c *Client) meetingHeader(ctx context.Context, meetingID string) (relay.MeetingView, error) {
	var v relay.MeetingView
	qctx, cancel := c.call(ctx)
	defer cancel()
	resp, err := c.T.QueryWorkflow(qctx, relay.MeetingWorkflowID(meetingID), "", relay.QueryMeeting)
	if err != nil {
		return v, refused(err, refusal.Meeting, meetingID)
	}
	return v, resp.Get(&v)
}

// Adopt records the executive meeting's adoption, optionally changing deputies. A
// meeting already adopted is reported as it is (and refused if deputies would change).
func (c *Client) Adopt(ctx context.Context, meetingID string, req relay.AdoptRequest) (relay.MeetingView, error) {
	var v relay.MeetingView
	id, wf := uuid.NewString(), relay.MeetingWorkflowID(meetingID)
	req.Assertion = c.sign(req.Assertion, req.Identity(), wf, relay.UpdateAdopt, id, "")
	if err := c.quickUpdate(ctx, client.UpdateWorkflowOptions{
		UpdateID: id, WorkflowID: wf, UpdateName: relay.UpdateAdopt, Args: []interface{}{req},
	}, &v); err != nil {
		if c.ended(ctx, wf, err) {
			// The relay finishes once dispatched: adoption has happened.
			if v, qerr := c.Meeting(ctx, meetingID); qerr == nil && v.State == relay.MeetingAdopted {
				if len(req.Deputies) > 0 {
					return v, refusal.New(refusal.ErrConflict, "会议任务清单已通过，不能再调整分管县领导").About(refusal.Meeting, meetingID)
				}
				return v, nil
			}
		}
		return v, refused(err, refusal.Meeting, meetingID)
	}
	return v, nil
}

// quickUpdate is update bounded by CallTimeout: for updates the worker answers at once
// (not a report's draft, which waits for the report to be made).
func (c *Client) quickUpdate(ctx context.Context, opts client.UpdateWorkflowOptions, out any) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	return c.update(ctx, opts, out)
}

// update runs an update to its completion and decodes its result into out.
func (c *Client) update(ctx context.Context, opts client.UpdateWorkflowOptions, out any) error {
	opts.WaitForStage = client.WorkflowUpdateStageCompleted
	h, err := c.T.UpdateWorkflow(ctx, opts)
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// WaitDispatched waits until every task of an adopted meeting is started and every
// notice sent.
func (c *Client) WaitDispatched(ctx context.Context, meetingID string) (relay.MeetingView, error) {
	for {
		v, err := c.meetingHeader(ctx, meetingID) // polled: without reading the parts
		if err != nil {
			return v, err
		}
		if v.DispatchedAt != nil {
			return c.Meeting(ctx, meetingID)
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("等待会议 %s 交办完成: %w", meetingID, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Task reads one task with its timeline.
func (c *Client) Task(ctx context.Context, taskID string) (relay.TaskView, error) {
	var v relay.TaskView
	qctx, cancel := c.call(ctx)
	defer cancel()
	resp, err := c.T.QueryWorkflow(qctx, relay.TaskWorkflowID(taskID), "", relay.QueryTask)
	if err != nil {
		return v, refused(err, refusal.Task, taskID)
	}
	if err := resp.Get(&v); err != nil || v.TimelineFrom == 0 {
		return v, err
	}
	earlier, err := c.earlierTimeline(ctx, taskID, v.TimelineFrom)
	if err != nil {
		return v, err
	}
	v.Timeline, v.TimelineFrom = append(earlier, v.Timeline...), 0
	return v, nil
}

// Status reads a meeting and all its tasks. Before adoption the tasks are the proposed
// decomposition (state "proposed"). A small list's tasks are queried one by one
// (exact to the last action); a list kept in parts is read from the visibility store
// (one call per 1,000 tasks, each task's memo summary, which can lag an action by a
// moment), and only the tasks missing there are queried.
func (c *Client) Status(ctx context.Context, meetingID string) (relay.MeetingView, []relay.TaskView, error) {
	m, err := c.Meeting(ctx, meetingID)
	if err != nil {
		return m, nil, err
	}
	if m.State == relay.MeetingAdopted && m.DispatchedAt == nil {
		// Adopted, still dispatching: its tasks are not all started, and those that
		// are may not have run yet (a worker just restarted replays first). The
		// proposed list would read as if nothing had happened: wait a moment, else
		// say so.
		if m, err = c.caughtUp(ctx, m); err != nil {
			return m, nil, err
		}
	}
	tasks := make([]relay.TaskView, len(m.Items))
	if m.DispatchedAt == nil {
		for i, it := range m.Items {
			tasks[i] = proposedView(m, it)
		}
		return m, tasks, nil
	}
	missing := make([]int, 0, len(m.Items)) // indexes into m.Items
	if len(m.Parts) > 0 {
		sums, err := c.Tasks(ctx, relay.Eq(relay.SAMeeting, meetingID))
		if err != nil {
			return m, nil, err
		}
		byNo := make(map[int]relay.TaskView, len(sums))
		for _, s := range sums {
			if s.Meeting == meetingID {
				byNo[s.No] = s.TaskView
			}
		}
		for i, it := range m.Items {
			if v, ok := byNo[it.No]; ok {
				tasks[i] = v
			} else {
				missing = append(missing, i)
			}
		}
	} else {
		for i := range m.Items {
			missing = append(missing, i)
		}
	}
	ids := make([]string, len(missing))
	for k, i := range missing {
		ids[k] = relay.TaskID(meetingID, m.Items[i].No)
	}
	views, err := c.TaskViews(ctx, ids)
	for k, i := range missing {
		tasks[i] = views[k]
	}
	return m, tasks, err
}

// Dispatching is Status's answer for a meeting adopted but not yet fully dispatched:
// its tasks are still being started and its notices sent, or the engine is catching
// up after a restart. Their states are not known yet, so no board is drawn from them;
// asking again shortly is safe (it is refusal.ErrUnavailable).
type Dispatching struct {
	Meeting string
	// Started is how many of the meeting's Total tasks the visibility store lists
	// (-1: it did not answer).
	Started, Total int
}

func (e *Dispatching) Error() string {
	return fmt.Sprintf("会议 %s 已通过，任务尚在交办中（已启动 %d/%d 项）", e.Meeting, max(e.Started, 0), e.Total)
}

// Is makes it refusal.ErrUnavailable: nothing was refused, the answer is not ready.
func (e *Dispatching) Is(target error) bool { return target == refusal.ErrUnavailable }

// caughtUp waits up to CatchUp for adopted meeting m to be dispatched and returns it
// read again; still dispatching, it answers *Dispatching.
func (c *Client) caughtUp(ctx context.Context, m relay.MeetingView) (relay.MeetingView, error) {
	id := m.Meeting.ID
	if c.CatchUp > 0 {
		wctx, cancel := context.WithTimeout(ctx, c.CatchUp)
		v, err := c.WaitDispatched(wctx, id)
		cancel()
		switch {
		case err == nil:
			return v, nil
		case ctx.Err() != nil:
			return m, err
		case wctx.Err() == nil:
			return m, err // the engine's own refusal, not the wait's end
		}
	}
	total := len(m.Items)
	if m.ItemCount > 0 {
		total = m.ItemCount
	}
	started, err := c.CountTasks(ctx, relay.Eq(relay.SAMeeting, id))
	if err != nil {
		started = -1
	}
	return m, &Dispatching{Meeting: id, Started: started, Total: total}
}

// TaskViews queries tasks, with their timelines, QueryConcurrency at a time; views[i]
// is ids[i] (zero where its query failed), err the first failure.
func (c *Client) TaskViews(ctx context.Context, ids []string) ([]relay.TaskView, error) {
	views, errs := readEach(c, ctx, ids, c.Task)
	for _, err := range errs {
		if err != nil {
			return views, err
		}
	}
	return views, nil
}

// readEach reads each id, QueryConcurrency at a time; out[i] and errs[i] answer ids[i].
func readEach[T any](c *Client, ctx context.Context, ids []string, read func(context.Context, string) (T, error)) ([]T, []error) {
	out := make([]T, len(ids))
	errs := make([]error, len(ids))
	g := c.queries()
	for i := range ids {
		g.Go(func() error { out[i], errs[i] = read(ctx, ids[i]); return nil })
	}
	_ = g.Wait() // errs holds each read's error
	return out, errs
}

// MeetingViews reads meetings, QueryConcurrency at a time; views[i] and errs[i] answer
// ids[i].
func (c *Client) MeetingViews(ctx context.Context, ids []string) ([]relay.MeetingView, []error) {
	return readEach(c, ctx, ids, c.Meeting)
}

// queries bounds parallel reads: QueryConcurrency (default 16) at a time.
func (c *Client) queries() *errgroup.Group {
	g := new(errgroup.Group)
	g.SetLimit(c.QueryConcurrency)
	if c.QueryConcurrency <= 0 {
		g.SetLimit(16)
	}
	return g
}

func proposedView(m relay.MeetingView, it relay.Item) relay.TaskView {
	coNames := []string{}
	for _, co := range it.Co {
		coNames = append(coNames, unitName(m, co))
	}
	var deputyName string
	for _, l := range m.Leaders {
		if l.ID == it.Deputy {
			deputyName = l.Name
		}
	}
	v := relay.ItemView(relay.TaskID(m.Meeting.ID, it.No), m.Meeting.ID, it, unitName(m, it.Lead), coNames, deputyName)
	v.State = "proposed"
	return v
}

func unitName(m relay.MeetingView, id string) string {
	for _, u := range m.Units {
		if u.ID == id {
			return u.Name
		}
	}
	return id
}

// Act sends one action to a task: a unit's, a leader's or an office's (every update
// task.Request carries, the changes included). A refusal comes back as an error and
// changes nothing.
func (c *Client) Act(ctx context.Context, taskID, action string, req model.Request) (relay.TaskView, error) {
	return c.ActOnce(ctx, taskID, action, uuid.NewString(), req)
}

// ActOnce is Act with the caller's request id: the engine applies one update id at
// most once, so a form submitted twice (a double click, a retried request) acts once.
func (c *Client) ActOnce(ctx context.Context, taskID, action, requestID string, req model.Request) (relay.TaskView, error) {
	req.Assertion = c.sign(req.Assertion, req.Identity(), relay.TaskWorkflowID(taskID), action, requestID, "")
	return c.taskUpdate(ctx, taskID, action, requestID, req)
}

func (c *Client) taskUpdate(ctx context.Context, taskID, action, requestID string, arg any) (relay.TaskView, error) {
	var v relay.TaskView
	if err := c.quickUpdate(ctx, client.UpdateWorkflowOptions{
		UpdateID: requestID, WorkflowID: relay.TaskWorkflowID(taskID), UpdateName: action, Args: []interface{}{arg},
	}, &v); err != nil {
		if c.ended(ctx, relay.TaskWorkflowID(taskID), err) {
			kind := refusal.ErrClosed
			if t, qerr := c.Task(ctx, taskID); qerr == nil && t.State == relay.StateWithdrawn {
				kind = refusal.ErrWithdrawn
			}
			return v, &refusal.Error{Kind: kind, Subject: refusal.Task, ID: taskID, Err: err}
		}
		return v, refused(err, refusal.Task, taskID)
	}
	return v, nil
}

// Notices lists the dispatch notices of a meeting, by unit.
func (c *Client) Notices(ctx context.Context, meetingID string) ([]relay.DispatchNotice, error) {
	m, err := c.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	out := append([]relay.DispatchNotice{}, m.Notices...)
	sort.Slice(out, func(i, j int) bool { return out[i].Unit < out[j].Unit })
	return out, nil
}

// MarkRead records that a person of unit opened the meeting's dispatch notice to it:
// a read receipt on each task of the notice, kept by the engine so every console
// replica sees it. The update id is per unit, so opening the notice again adds
// nothing; tasks already closed are skipped. It reports whether the unit has a
// notice in the meeting.
func (c *Client) MarkRead(ctx context.Context, meetingID, noticeID, unit, user string) (bool, error) {
	m, err := c.Meeting(ctx, meetingID)
	if err != nil {
		return false, err
	}
	var ids []string
	for _, n := range m.Notices {
		if n.Unit == unit && n.NoticeID == noticeID {
			for _, it := range n.Items {
				ids = append(ids, relay.TaskID(meetingID, it.No))
			}
		}
	}
	if len(ids) == 0 {
		return false, nil
	}
	errs := make([]error, len(ids))
	g := c.queries()
	for i := range ids {
		g.Go(func() error {
			_, errs[i] = c.ActOnce(ctx, ids[i], relay.UpdateRead, "read:"+unit, model.Request{Unit: unit, User: user})
			return nil
		})
	}
	_ = g.Wait() // errs holds each update's error
	for i, err := range errs {
		if err != nil && !errors.Is(err, refusal.ErrClosed) {
			return true, fmt.Errorf("任务 %s 记录已读: %w", ids[i], err)
		}
	}
	return true, nil
}

// NoticeReads returns, per unit of a meeting's dispatch notices, when one of its
// people first opened the notice (units absent: unread).
func (c *Client) NoticeReads(ctx context.Context, meetingID string) (map[string]time.Time, error) {
	_, tasks, err := c.Status(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return ReadsOf(tasks), nil
}

// ReadsOf folds the tasks' read receipts by unit: the earliest one.
func ReadsOf(tasks []relay.TaskView) map[string]time.Time {
	out := map[string]time.Time{}
	for _, t := range tasks {
		for _, r := range t.Reads {
			if at, ok := out[r.Unit]; !ok || r.At.Before(at) {
				out[r.Unit] = r.At
			}
		}
	}
	return out
}

// Reason strips the engine's wrapping from an error so a person reads one line; a
// refusal (package refusal) is returned as it is, its kind kept.
func Reason(err error) error {
	if err == nil {
		return nil
	}
	var r *refusal.Error
	if errors.As(err, &r) {
		return r
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return errors.New(app.Message())
	}
	return err
}

// Tasks lists task summaries from the visibility store (eventually consistent, and
// cheap for thousands of tasks). query is a Temporal list filter on the Relay* search
// attributes built with relay.Eq and its kin, e.g.
// relay.And(relay.Eq(relay.SAMeeting, id), relay.Eq(relay.SALight, relay.Red)); empty means
// every task.
func (c *Client) Tasks(ctx context.Context, query string) ([]relay.TaskSummary, error) {
	var out []relay.TaskSummary
	var token []byte
	for {
		page, next, err := c.TasksPage(ctx, query, 1000, token)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if token = next; len(token) == 0 {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Meeting != out[j].Meeting {
			return out[i].Meeting < out[j].Meeting
		}
		return out[i].No < out[j].No
	})
	return out, nil
}

// MeetingRef is a meeting's relay as the visibility store lists it.
type MeetingRef struct {
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
}

// Meetings lists every meeting relay, newest first (from the visibility store, so a
// meeting submitted a moment ago may take a moment to appear).
func (c *Client) Meetings(ctx context.Context) ([]MeetingRef, error) {
	q := relay.Eq(relay.SAWorkflowType, relay.MeetingWorkflowName)
	var out []MeetingRef
	var token []byte
	for {
		resp, err := c.T.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: q, NextPageToken: token, PageSize: 1000,
		})
		if err != nil {
			return nil, fmt.Errorf("列出会议: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			id, ok := strings.CutPrefix(e.GetExecution().GetWorkflowId(), relay.MeetingWorkflowID(""))
			if !ok {
				continue
			}
			out = append(out, MeetingRef{ID: id, StartedAt: e.GetStartTime().AsTime()})
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartedAt.Equal(out[j].StartedAt) {
			return out[i].StartedAt.After(out[j].StartedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// RunReport runs the monthly inspection now for req.Month (state as of req.AsOf, by
// default the month's last day or today): the same workflow the Schedule runs. It
// waits for the reports to be archived and returns where they are.
func (c *Client) RunReport(ctx context.Context, req report.Request) (report.Result, error) {
	var res report.Result
	r, err := report.Resolve(req, time.Now(), time.Now())
	if err != nil {
		return res, err
	}
	run, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       relay.ReportWorkflowID(r.Month, r.AsOf),
		TaskQueue:                relay.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, // the same report running: wait for it
	}, relay.MonthlyWorkflowName, report.Request{Month: req.Month, AsOf: req.AsOf})
	if err != nil {
		return res, fmt.Errorf("启动月度报告: %w", err)
	}
	return c.ReportDraft(ctx, run)
}

// ReportDraft waits for a monthly inspection run's draft (拟稿) and returns it: the
// run itself then waits for the sign-off. A run that fails says why.
func (c *Client) ReportDraft(ctx context.Context, run client.WorkflowRun) (report.Result, error) {
	var res report.Result
	// The worker accepts the update at once and completes it when the draft is made,
	// which may take a while: only the acceptance is bounded by CallTimeout, so that a
	// worker that is not answering is said so without cutting a long report short.
	actx, cancel := c.call(ctx)
	h, err := c.T.UpdateWorkflow(actx, client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), RunID: run.GetRunID(), UpdateName: relay.UpdateReportDraft,
		WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	cancel()
	if err == nil {
		err = h.Get(ctx, &res)
	}
	if err != nil {
		if unavailable(err) {
			return res, refused(err, refusal.Report, "")
		}
		// The run may have ended meanwhile: failed (its reason), or finished.
		if gerr := run.Get(ctx, &res); gerr != nil {
			return res, fmt.Errorf("生成月度报告: %w", Reason(gerr))
		}
		return res, nil
	}
	return res, nil
}

// ReportSignoff takes one sign-off step on the run holding a month's draft (so: its
// record in the archive) and returns the new state. A step out of order, or on an
// issued report, is refused with the reason and changes nothing.
func (c *Client) ReportSignoff(ctx context.Context, so relay.ReportSignoff, r relay.SignoffRequest) (relay.ReportSignoff, error) {
	if err := relay.CheckSignoff(so.Month, so.State, r); err != nil {
		return so, err
	}
	var out relay.ReportSignoff
	id := uuid.NewString()
	r.Assertion = c.sign(r.Assertion, r.Identity(), so.WorkflowID, relay.UpdateReportSignoff, id, "")
	err := c.update(ctx, client.UpdateWorkflowOptions{
		UpdateID: id, WorkflowID: so.WorkflowID, RunID: so.RunID, UpdateName: relay.UpdateReportSignoff, Args: []any{r},
	}, &out)
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return so, &refusal.Error{Kind: refusal.ErrClosed, Subject: refusal.Report, ID: so.Month,
			Reason: fmt.Sprintf("%s 月度报告的拟稿已不在办理中（已签发或已结束）", so.Month), Err: err}
	case err != nil:
		return so, refused(err, refusal.Report, so.Month)
	}
	return out, nil
}

// TasksPage lists one page of task summaries from the visibility store, in its own
// order, from token (nil: the first page); it returns the next page's token, nil after
// the last. Listing costs per row returned, so pages keep big boards fast.
func (c *Client) TasksPage(ctx context.Context, query string, pageSize int, token []byte) ([]relay.TaskSummary, []byte, error) {
	q := taskQuery(query)
	resp, err := c.T.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: q, NextPageToken: token, PageSize: int32(pageSize),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("列出任务（%s）: %w", q, err)
	}
	out := make([]relay.TaskSummary, 0, len(resp.GetExecutions()))
	for _, e := range resp.GetExecutions() {
		p, ok := e.GetMemo().GetFields()[relay.MemoSummary]
		if !ok {
			continue
		}
		var s relay.TaskSummary
		if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
			return nil, nil, fmt.Errorf("任务 %s 的摘要: %w", e.GetExecution().GetWorkflowId(), err)
		}
		model.Present(&s, time.Now())
		out = append(out, s)
	}
	return out, resp.GetNextPageToken(), nil
}

// taskQuery narrows a caller's filter (built with relay.Eq and its kin) to tasks.
func taskQuery(filter string) string {
	q := relay.Eq(relay.SAWorkflowType, relay.TaskWorkflowName)
	if strings.TrimSpace(filter) != "" {
		q = relay.And(q, "("+filter+")")
	}
	return q
}

// CountTasks counts the tasks a visibility filter matches (see Tasks).
func (c *Client) CountTasks(ctx context.Context, query string) (int, error) {
	q := taskQuery(query)
	resp, err := c.T.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
	if err != nil {
		return 0, fmt.Errorf("统计任务（%s）: %w", q, err)
	}
	return int(resp.GetCount()), nil
}

// DocNumber allocates the 发文字号 sequence number of one document (requestID: the
// notice id) from the counter of prefix and year, starting the counter the first time.
// Asking again with the same request id returns the same number.
func (c *Client) DocNumber(ctx context.Context, prefix string, year int, requestID string) (int, error) {
	id := relay.DocNumberWorkflowID(prefix, year)
	if _, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                relay.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, relay.DocNumberWorkflowName, relay.DocCounter{Prefix: prefix, Year: year, Next: 1}); err != nil {
		return 0, fmt.Errorf("文号计数器 %s: %w", id, err)
	}
	h, err := c.T.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		// The engine applies one update id once: a retry after a lost answer is the same.
		UpdateID:     "docno:" + requestID,
		WorkflowID:   id,
		UpdateName:   relay.UpdateDocNumber,
		Args:         []interface{}{requestID},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var n int
	if err == nil {
		err = h.Get(ctx, &n)
	}
	if err != nil {
		return 0, fmt.Errorf("取文号 %s（%s）: %w", requestID, id, err)
	}
	return n, nil
}
