// Package workflows is taskrelay's orchestration, and nothing else: deterministic code
// that decides what happens and when. Every effect (notices, starting tasks) is an
// activity in package activities.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/actor"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
)

// StartBatch is how many tasks one StartTasks activity starts.
const StartBatch = 200

// PartWindow is how many parts of a big list start their tasks at once: enough to
// keep the engine busy, few enough to bound pending activities and the load.
const PartWindow = 4

// a is only used to name activity methods; the worker registers the real value.
var a *activities.Activities

// activityOptions are the options of an activity that does not heartbeat; one that
// does adds a heartbeat timeout (workflow.WithHeartbeatTimeout).
func activityOptions(ctx workflow.Context, startToClose time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: startToClose,
		// No attempt limit: a notice must reach its unit however long a sink is down.
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}

// StartWindow bounds the retries of an activity that starts workflows: a start the
// engine keeps refusing fails the relay after this long instead of retrying forever
// (a refusal known to be permanent fails it at once: activities mark it non-retryable).
// A day outlasts an engine outage overnight.
const StartWindow = 24 * time.Hour

// startOptions are the options of an activity that starts workflows and heartbeats.
func startOptions(ctx workflow.Context, startToClose, heartbeat time.Duration) workflow.Context {
	ctx = workflow.WithHeartbeatTimeout(activityOptions(ctx, startToClose), heartbeat)
	return workflow.WithScheduleToCloseTimeout(ctx, StartWindow)
}

type meeting struct {
	view    relay.MeetingView
	adopted bool
	// keys: the keys the adoption must be signed with (task_actor.go), none: any.
	keys []actor.PublicKey
}

// parted reports whether the list is kept in parts (a big list, see relay.PlanPart).
func (m *meeting) parted() bool { return len(m.view.Parts) > 0 }

// header is the meeting as a plan without items: what names units and deputies.
func (m *meeting) header() relay.Plan {
	return relay.Plan{Meeting: m.view.Meeting, Units: m.view.Units, Leaders: m.view.Leaders, SourceFile: m.view.SourceFile}
}

// MeetingPlanPart keeps one part of a big list: its input is the record, read back by
// the activities and the api; it has nothing to do and returns the part's size.
func MeetingPlanPart(_ workflow.Context, in relay.PartInput) (int, error) {
	return len(in.Items), nil
}

// MeetingRelay carries one committee meeting's task list: it waits, proposed, for the
// executive meeting to adopt it; then starts one task per item and sends every unit
// one consolidated dispatch notice (令出一家). A big list comes in parts (in.Parts):
// the meeting's input, state, query and result then stay small whatever its size.
func MeetingRelay(ctx workflow.Context, in relay.MeetingInput) (relay.MeetingView, error) {
	m := &meeting{view: relay.MeetingView{
		Meeting:     in.Plan.Meeting,
		State:       relay.MeetingProposed,
		Items:       in.Plan.Items,
		Units:       in.Plan.Units,
		Leaders:     in.Plan.Leaders,
		SourceFile:  in.Plan.SourceFile,
		SubmittedAt: workflow.Now(ctx),
	}, keys: in.Keys}
	if len(in.Parts) > 0 {
		m.view.Items = nil
		m.view.Parts = in.Parts
		for _, p := range in.Parts {
			m.view.ItemCount += p.Count
		}
	}
	if err := workflow.SetQueryHandler(ctx, relay.QueryMeeting, func() (relay.MeetingView, error) {
		return m.view, nil
	}); err != nil {
		return m.view, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, relay.UpdateAdopt,
		func(ctx workflow.Context, req relay.AdoptRequest) (relay.MeetingView, error) {
			if m.adopted {
				return m.view, nil
			}
			m.adopt(ctx, req)
			return m.view, nil
		},
		workflow.UpdateHandlerOptions{Validator: m.validateAdopt},
	); err != nil {
		return m.view, err
	}
	if err := setKeysHandler(ctx, &m.keys, func() any { return m.view }); err != nil {
		return m.view, err
	}

	if err := workflow.Await(ctx, func() bool { return m.adopted }); err != nil {
		return m.view, err
	}
	if err := m.dispatch(ctx); err != nil {
		return m.view, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return m.view, err
	}
	return m.view, nil
}

func (m *meeting) validateAdopt(ctx workflow.Context, req relay.AdoptRequest) error {
	if err := checkActor(ctx, m.keys, nil, relay.UpdateAdopt, req.Assertion, req.Identity()); err != nil {
		return err
	}
	if m.adopted {
		if len(req.Deputies) > 0 {
			return refusal.Wire(refusal.New(refusal.ErrConflict, "会议任务清单已通过，不能再调整分管县领导"))
		}
		return nil
	}
	var problems []string
	for _, no := range workflow.DeterministicKeys(req.Deputies) {
		leader := req.Deputies[no]
		if !m.hasItem(no) {
			problems = append(problems, fmt.Sprintf("第%d项不存在", no))
			continue
		}
		if _, ok := m.leader(leader); !ok {
			problems = append(problems, fmt.Sprintf("第%d项：找不到县领导“%s”", no, leader))
		}
	}
	if len(problems) > 0 {
		return refusal.Wire(refusal.Invalid("deputy", joinCN(problems)))
	}
	return nil
}

func (m *meeting) hasItem(no int) bool {
	for _, p := range m.view.Parts {
		if p.Has(no) {
			return true
		}
	}
	for _, it := range m.view.Items {
		if it.No == no {
			return true
		}
	}
	return false
}

func (m *meeting) leader(idOrName string) (relay.Leader, bool) {
	for _, l := range m.view.Leaders {
		if l.ID == idOrName || l.Name == idOrName {
			return l, true
		}
	}
	return relay.Leader{}, false
}

func (m *meeting) adopt(ctx workflow.Context, req relay.AdoptRequest) {
	if m.parted() {
		for _, no := range workflow.DeterministicKeys(req.Deputies) {
			l, _ := m.leader(req.Deputies[no])
			if m.view.Deputies == nil {
				m.view.Deputies = map[int]string{}
			}
			m.view.Deputies[no] = l.ID
		}
	}
	for i := range m.view.Items {
		if leader, ok := req.Deputies[m.view.Items[i].No]; ok {
			l, _ := m.leader(leader)
			m.view.Items[i].Deputy = l.ID
		}
	}
	now := workflow.Now(ctx)
	m.view.AdoptedAt = &now
	m.view.AdoptedBy = req.By
	m.view.State = relay.MeetingAdopted
	m.adopted = true
}

// numberFirstChange is the GetVersion change id of numbering the 交办单 before the
// tasks start: from version 1 the meeting has every unit's notice numbered first and
// hands each task its units' numbers, which the task records on its timeline
// (doc_numbered). Each task learns them from its own input: no signal per task.
// Meetings before it had the notices numbered on delivery only.
const numberFirstChange = "dispatch-number-first"

// numberOptions are the options of the activities that number a meeting's notices.
func numberOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithHeartbeatTimeout(activityOptions(ctx, 10*time.Minute), time.Minute)
}

// dispatch starts every task, then sends the notices, so that a unit reading its
// notice can already act on every task it lists.
func (m *meeting) dispatch(ctx workflow.Context) error {
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		relay.SAMeeting.ValueSet(m.view.Meeting.ID),
		relay.SAState.ValueSet(relay.MeetingAdopted))
	numberFirst := workflow.GetVersion(ctx, numberFirstChange, workflow.DefaultVersion, 1) == 1
	if m.parted() {
		return m.dispatchParts(ctx, numberFirst)
	}

	adopted := *m.view.AdoptedAt
	var docNos map[string]string
	if numberFirst {
		notices := m.dispatchNotices(adopted)
		bare := make([]relay.Notice, len(notices))
		for i, n := range notices {
			bare[i] = relay.Notice{ID: n.ID, Kind: n.Kind, To: n.To, IssuedAt: n.IssuedAt}
		}
		if err := workflow.ExecuteActivity(numberOptions(ctx), a.NumberNotices, bare).Get(ctx, &docNos); err != nil {
			return fmt.Errorf("number notices: %w", err)
		}
	}
	// A short heartbeat timeout: a batch lost with a crashed worker is retried
	// within seconds instead of at its start-to-close timeout.
	startCtx := startOptions(ctx, 10*time.Minute, 15*time.Second)
	var futures []workflow.Future
	for lo := 0; lo < len(m.view.Items); lo += StartBatch {
		hi := min(lo+StartBatch, len(m.view.Items))
		batch := make([]relay.TaskInput, 0, hi-lo)
		for _, it := range m.view.Items[lo:hi] {
			in := m.taskInput(it, adopted)
			in.DispatchDocNos = relay.DispatchNumbers(it, docNos)
			batch = append(batch, in)
		}
		futures = append(futures, workflow.ExecuteActivity(startCtx, a.StartTasks, batch))
	}
	for _, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			return fmt.Errorf("start tasks: %w", err)
		}
	}

	notices := m.dispatchNotices(adopted)
	noticeCtx := activityOptions(ctx, 30*time.Second)
	futures = futures[:0]
	for i, n := range notices {
		n.DocNo = docNos[n.To]
		m.view.Notices[i].DocNo = n.DocNo
		futures = append(futures, workflow.ExecuteActivity(noticeCtx, a.Deliver, n))
	}
	for i, f := range futures {
		// Retries are unlimited: an error is a permanent refusal by the sink. The
		// tasks exist and the notice stays in the outbox record; keep the failure
		// visible instead of failing the relay.
		if err := f.Get(ctx, nil); err != nil {
			m.view.FailedNotices = append(m.view.FailedNotices, notices[i].ID+": "+err.Error())
		}
	}
	now := workflow.Now(ctx)
	m.view.DispatchedAt = &now
	return nil
}

func (m *meeting) taskInput(it relay.Item, adopted time.Time) relay.TaskInput {
	h := m.header()
	return h.TaskInput(it, adopted)
}

// dispatchNotices builds one notice per unit listing every item it leads or supports.
func (m *meeting) dispatchNotices(at time.Time) []relay.Notice {
	h := m.header()
	notices, views := h.DispatchNotices(m.view.Items, at)
	m.view.Notices = views
	return notices
}

// dispatchParts starts the tasks of a big list part by part, at most PartWindow
// parts at a time, then has every unit's notice built and delivered from the parts.
// Only part references and counts pass through this history: about four events per
// 500 items, with small payloads, so even a list of the maximum size stays far from
// the engine's history limits without continuing as new.
func (m *meeting) dispatchParts(ctx workflow.Context, numberFirst bool) error {
	startCtx := startOptions(ctx, 30*time.Minute, time.Minute)
	adopted := *m.view.AdoptedAt
	header := m.header()
	req := activities.Dispatch{Plan: header, Parts: m.view.Parts, Deputies: m.view.Deputies, AdoptedAt: adopted}
	if numberFirst {
		// One number per unit: the result is as small as the list of units.
		if err := workflow.ExecuteActivity(numberOptions(ctx), a.NumberDispatch, req).Get(ctx, &req.DocNos); err != nil {
			return fmt.Errorf("number notices: %w", err)
		}
	}
	sel := workflow.NewSelector(ctx)
	var firstErr error
	pending := 0
	for _, p := range m.view.Parts {
		if pending == PartWindow {
			sel.Select(ctx)
			pending--
		}
		ps := activities.PartStart{Plan: header, Part: p, AdoptedAt: adopted, DocNos: req.DocNos}
		for _, no := range workflow.DeterministicKeys(m.view.Deputies) {
			if p.Has(no) {
				if ps.Deputies == nil {
					ps.Deputies = map[int]string{}
				}
				ps.Deputies[no] = m.view.Deputies[no]
			}
		}
		sel.AddFuture(workflow.ExecuteActivity(startCtx, a.StartPart, ps), func(f workflow.Future) {
			if err := f.Get(ctx, nil); err != nil && firstErr == nil {
				firstErr = err
			}
		})
		pending++
	}
	for ; pending > 0; pending-- {
		sel.Select(ctx)
	}
	if firstErr != nil {
		return fmt.Errorf("start tasks: %w", firstErr)
	}
	var done activities.Dispatched
	// Notices are retried without a bound: one must reach its unit however long a sink is down.
	dispatchCtx := workflow.WithHeartbeatTimeout(activityOptions(ctx, 30*time.Minute), time.Minute)
	if err := workflow.ExecuteActivity(dispatchCtx, a.DeliverDispatch, req).Get(ctx, &done); err != nil {
		return fmt.Errorf("dispatch notices: %w", err)
	}
	m.view.Notices = done.Notices
	m.view.FailedNotices = append(m.view.FailedNotices, done.Failed...)
	now := workflow.Now(ctx)
	m.view.DispatchedAt = &now
	return nil
}

func joinCN(parts []string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += "；"
		}
		s += p
	}
	return s
}
