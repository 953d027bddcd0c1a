// Package workflows is taskrelay's orchestration, and nothing else: deterministic code
// that decides what happens and when. Every effect (notices, starting tasks) is an
// activity in package activities.
package workflows

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/relay"
)

// StartBatch is how many tasks one StartTasks activity starts.
const StartBatch = 200

// a is only used to name activity methods; the worker registers the real value.
var a *activities.Activities

func activityOptions(ctx workflow.Context, startToClose time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: startToClose,
		HeartbeatTimeout:    time.Minute,
		// No attempt limit: a notice must reach its unit however long a sink is down.
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}

type meeting struct {
	view    relay.MeetingView
	adopted bool
}

// MeetingRelay carries one committee meeting's task list: it waits, proposed, for the
// executive meeting to adopt it; then starts one task per item and sends every unit
// one consolidated dispatch notice (令出一家).
func MeetingRelay(ctx workflow.Context, in relay.MeetingInput) (relay.MeetingView, error) {
	m := &meeting{view: relay.MeetingView{
		Meeting:     in.Plan.Meeting,
		State:       relay.MeetingProposed,
		Items:       in.Plan.Items,
		Units:       in.Plan.Units,
		Leaders:     in.Plan.Leaders,
		SourceFile:  in.Plan.SourceFile,
		SubmittedAt: workflow.Now(ctx),
	}}
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
	if m.adopted {
		if len(req.Deputies) > 0 {
			return errors.New("会议任务清单已通过，不能再调整分管县领导")
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
		return errors.New(joinCN(problems))
	}
	return nil
}

func (m *meeting) hasItem(no int) bool {
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

// dispatch starts every task, then sends the notices, so that a unit reading its
// notice can already act on every task it lists.
func (m *meeting) dispatch(ctx workflow.Context) error {
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		relay.SAMeeting.ValueSet(m.view.Meeting.ID),
		relay.SAState.ValueSet(relay.MeetingAdopted))

	startCtx := activityOptions(ctx, 10*time.Minute)
	adopted := *m.view.AdoptedAt
	var futures []workflow.Future
	for lo := 0; lo < len(m.view.Items); lo += StartBatch {
		hi := min(lo+StartBatch, len(m.view.Items))
		batch := make([]relay.TaskInput, 0, hi-lo)
		for _, it := range m.view.Items[lo:hi] {
			batch = append(batch, m.taskInput(it, adopted))
		}
		futures = append(futures, workflow.ExecuteActivity(startCtx, a.StartTasks, batch))
	}
	for _, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			return fmt.Errorf("start tasks: %w", err)
		}
	}

	notices := m.dispatchNotices(adopted)
	noticeCtx := activityOptions(ctx, time.Minute)
	futures = futures[:0]
	for _, n := range notices {
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
	in := relay.TaskInput{
		TaskID:       relay.TaskID(m.view.Meeting.ID, it.No),
		Meeting:      m.view.Meeting,
		Item:         it,
		LeadName:     m.unitName(it.Lead),
		DispatchedAt: adopted,
	}
	for _, c := range it.Co {
		in.CoNames = append(in.CoNames, m.unitName(c))
	}
	if l, ok := m.leader(it.Deputy); ok {
		in.DeputyName = l.Name
	}
	return in
}

func (m *meeting) unitName(id string) string {
	for _, u := range m.view.Units {
		if u.ID == id {
			return u.Name
		}
	}
	return id
}

// dispatchNotices builds one notice per unit listing every item it leads or supports.
func (m *meeting) dispatchNotices(at time.Time) []relay.Notice {
	byUnit := map[string][]relay.NoticeItem{}
	for _, it := range m.view.Items {
		in := m.taskInput(it, at)
		ni := relay.NoticeItem{
			No: it.No, TaskID: in.TaskID, Title: it.Title, Requirements: it.Requirements,
			Deadline: it.Deadline, DeputyName: in.DeputyName,
			LeadUnitName: in.LeadName, CoUnitNames: in.CoNames,
		}
		lead := ni
		lead.Role = relay.RoleLead
		byUnit[it.Lead] = append(byUnit[it.Lead], lead)
		for _, c := range it.Co {
			if c == it.Lead {
				continue
			}
			co := ni
			co.Role = relay.RoleCo
			byUnit[c] = append(byUnit[c], co)
		}
	}
	units := workflow.DeterministicKeys(byUnit)
	notices := make([]relay.Notice, 0, len(units))
	m.view.Notices = m.view.Notices[:0]
	for _, u := range units {
		items := byUnit[u]
		sort.SliceStable(items, func(i, j int) bool { return items[i].No < items[j].No })
		lead := 0
		refs := make([]relay.NoticeRef, 0, len(items))
		for _, it := range items {
			if it.Role == relay.RoleLead {
				lead++
			}
			refs = append(refs, relay.NoticeRef{No: it.No, Role: it.Role})
		}
		id := "dispatch:" + m.view.Meeting.ID + ":" + u
		notices = append(notices, relay.Notice{
			ID: id, Kind: relay.NoticeDispatch,
			MeetingID: m.view.Meeting.ID, MeetingName: m.view.Meeting.Name,
			ToKind: relay.ToUnit, To: u, ToName: m.unitName(u),
			Subject: fmt.Sprintf("交办单：%s任务清单（%s）", m.view.Meeting.Name, m.unitName(u)),
			Body: fmt.Sprintf("经县政府常务会议研究，%s确定的事项中，共%d项由你单位承办，其中牵头%d项、配合%d项。请按时限要求抓好落实，及时在系统中签收并报送进展。",
				m.view.Meeting.Name, len(items), lead, len(items)-lead),
			Items:    items,
			IssuedAt: at,
		})
		m.view.Notices = append(m.view.Notices, relay.DispatchNotice{Unit: u, UnitName: m.unitName(u), NoticeID: id, Items: refs})
	}
	return notices
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
