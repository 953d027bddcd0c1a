package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/parts"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// bigPlan is an n-item list where every item has a lead and two supporting units out
// of 40, as a county's list does.
func bigPlan(n int) relay.Plan {
	p := relay.Plan{
		Meeting: relay.Meeting{ID: "cwh-2026-13", Name: "县委常委会2026年第13次会议", Date: "2026-09-15"},
		Leaders: []relay.Leader{{ID: "ld-chang", Name: "李某", Title: "常务副县长"}, {ID: "ld-wang", Name: "王某", Title: "副县长"}},
	}
	const units = 40
	for u := 0; u < units; u++ {
		p.Units = append(p.Units, relay.Unit{ID: fmt.Sprintf("u%02d", u), Name: fmt.Sprintf("县第%d局", u)})
	}
	for i := 1; i <= n; i++ {
		p.Items = append(p.Items, relay.Item{
			No: i, Title: fmt.Sprintf("第%d项重点任务：推进县域治理体系改革落地见效", i),
			Requirements: "按照县委常委会会议要求，细化工作方案，明确时间节点，按月报送进展情况。",
			Lead:         fmt.Sprintf("u%02d", i%units),
			Co:           []string{fmt.Sprintf("u%02d", (i+1)%units), fmt.Sprintf("u%02d", (i+7)%units)},
			Deputy:       "ld-chang", Deadline: "2026-12-31",
		})
	}
	return p
}

// TestMeetingRelaysBigListInParts relays a 6,000-item list (over the 2 MB payload,
// the 2,000 pending children and, done inline, the history size limits) through the
// meeting workflow with its activities mocked on an in-memory part store: every task
// starts exactly once, with the adopted deputy, and every unit gets one notice.
func TestMeetingRelaysBigListInParts(t *testing.T) {
	const n = 6000
	plan := bigPlan(n)
	if !parts.Needed(plan) {
		t.Fatal("a 6,000-item list must be kept in parts")
	}
	header, ps := parts.Split(plan)
	store := map[string][]relay.Item{}
	var refs []relay.PlanPart
	for _, p := range ps {
		b, _ := json.Marshal(p.Input)
		if len(b) > relay.PartMaxBytes+relay.PartMaxBytes/4 || p.Ref.Count > relay.PartMaxItems {
			t.Fatalf("part %s: %d bytes, %d items", p.Ref.WorkflowID, len(b), p.Ref.Count)
		}
		store[p.Ref.WorkflowID] = p.Input.Items
		refs = append(refs, p.Ref)
	}
	if b, _ := json.Marshal(relay.MeetingInput{Plan: header, Parts: refs}); len(b) > 64<<10 {
		t.Fatalf("meeting input is %d bytes: it must not grow with the list", len(b))
	}

	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(cst("2026-09-20 10:00"))
	env.RegisterWorkflowWithOptions(MeetingRelay, workflow.RegisterOptions{Name: relay.MeetingWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	var (
		mu                    sync.Mutex
		started               = map[string]int{}
		deputies              = map[int]string{}
		notices               []relay.Notice
		inFlight, maxInFlight int
	)
	var acts *activities.Activities
	// The 交办单 are numbered before any part starts, one number per unit; every
	// part and the delivery get them all.
	docNos := map[string]string{}
	env.OnActivity(acts.NumberDispatch, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.Dispatch) (map[string]string, error) {
		mu.Lock()
		defer mu.Unlock()
		if len(started) > 0 {
			t.Error("numbered after tasks started")
		}
		for i, u := range header.Units {
			docNos[u.ID] = fmt.Sprintf("县府督交〔2026〕%d号", i+1)
		}
		return docNos, nil
	})
	checkNos := func(what string, got map[string]string) {
		if len(docNos) == 0 || fmt.Sprint(got) != fmt.Sprint(docNos) {
			t.Errorf("%s: numbers %v", what, got)
		}
	}
	env.OnActivity(acts.StartPart, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.PartStart) (int, error) {
		checkNos("part "+req.Part.WorkflowID, req.DocNos)
		mu.Lock()
		inFlight++
		maxInFlight = max(maxInFlight, inFlight)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		items, ok := store[req.Part.WorkflowID]
		if !ok {
			return 0, fmt.Errorf("no part %s", req.Part.WorkflowID)
		}
		time.Sleep(time.Millisecond) // let parts overlap
		mu.Lock()
		defer mu.Unlock()
		for _, it := range relay.ApplyDeputies(items, req.Deputies) {
			in := req.Plan.TaskInput(it, req.AdoptedAt)
			started[in.TaskID]++
			deputies[it.No] = in.Item.Deputy
		}
		return len(items), nil
	})
	env.OnActivity(acts.DeliverDispatch, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.Dispatch) (activities.Dispatched, error) {
		checkNos("delivery", req.DocNos)
		var items []relay.Item
		for _, p := range req.Parts {
			items = append(items, store[p.WorkflowID]...)
		}
		ns, views := req.Plan.DispatchNotices(relay.ApplyDeputies(items, req.Deputies), req.AdoptedAt)
		mu.Lock()
		notices = append(notices, ns...)
		mu.Unlock()
		for i := range views {
			views[i].Items = nil
		}
		return activities.Dispatched{Notices: views}, nil
	})
	env.SetTestTimeout(60 * time.Second)
	timeouts := recordTimeouts(env)

	var proposed relay.MeetingView
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(relay.QueryMeeting)
		if err == nil {
			err = v.Get(&proposed)
		}
		if err != nil {
			t.Error(err)
		}
	}, time.Hour)
	bad := adoptAt(env, 2*time.Hour, relay.AdoptRequest{Deputies: map[int]string{n + 1: "ld-wang"}})
	good := adoptAt(env, 3*time.Hour, relay.AdoptRequest{Deputies: map[int]string{4321: "王某"}, By: "office"})
	env.ExecuteWorkflow(relay.MeetingWorkflowName, relay.MeetingInput{Plan: header, Parts: refs})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if proposed.State != relay.MeetingProposed || proposed.ItemCount != n || len(proposed.Items) != 0 {
		t.Errorf("proposed view: state %s, %d items counted, %d carried", proposed.State, proposed.ItemCount, len(proposed.Items))
	}
	if bad.err == nil {
		t.Error("adopting with a deputy for an item that does not exist was accepted")
	}
	if good.err != nil {
		t.Fatal(good.err)
	}
	var v relay.MeetingView
	if err := env.GetWorkflowResult(&v); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(v); len(b) > 64<<10 {
		t.Errorf("the meeting's view is %d bytes: it must not grow with the list", len(b))
	}
	if v.State != relay.MeetingAdopted || v.DispatchedAt == nil {
		t.Errorf("after: %s", v.State)
	}
	if len(started) != n {
		t.Fatalf("%d tasks started, want %d", len(started), n)
	}
	for i := 1; i <= n; i++ {
		id := relay.TaskID(plan.Meeting.ID, i)
		if started[id] != 1 {
			t.Fatalf("task %s started %d times", id, started[id])
		}
	}
	if deputies[4321] != "ld-wang" || deputies[4322] != "ld-chang" {
		t.Errorf("deputies: item 4321 %s, item 4322 %s", deputies[4321], deputies[4322])
	}
	if maxInFlight > PartWindow {
		t.Errorf("%d parts started at once, window is %d", maxInFlight, PartWindow)
	}
	// One notice per unit, listing every item it leads or supports, each once.
	if len(notices) != len(plan.Units) || len(v.Notices) != len(plan.Units) {
		t.Fatalf("%d notices (%d in view) for %d units", len(notices), len(v.Notices), len(plan.Units))
	}
	refs3 := 0
	for _, nt := range notices {
		seen := map[int]bool{}
		for _, it := range nt.Items {
			if seen[it.No] {
				t.Fatalf("notice %s lists item %d twice", nt.ID, it.No)
			}
			seen[it.No] = true
			if it.No == 4321 && it.DeputyName != "王某" {
				t.Errorf("notice %s: item 4321 deputy %s", nt.ID, it.DeputyName)
			}
		}
		refs3 += len(nt.Items)
	}
	if refs3 != 3*n {
		t.Errorf("notices list %d item refs, want %d (a lead and two supporting units each)", refs3, 3*n)
	}
	timeouts.check(t, "NumberDispatch", "StartPart", "DeliverDispatch")
}

// TestTaskLivesAYearWithBoundedHistory drives a task through a year: weekly progress,
// five reminders per deadline, an extension that re-arms them, and the engine twice
// reporting a long history. Each time the task continues as new carrying its whole
// state: no action lost, no reminder sent twice, notice ids unique, the carried state
// small.
func TestTaskLivesAYearWithBoundedHistory(t *testing.T) {
	start := cst("2026-01-05 09:30")
	in := sampleTaskInput("2026-12-31")
	in.Config.ReminderDays = []int{30, 14, 7, 3, 1}
	type act struct {
		when time.Time
		name string
		req  model.Request
	}
	var acts []act
	for w := 0; w < 52; w++ {
		acts = append(acts, act{start.AddDate(0, 0, 7*w).Add(30 * time.Minute), relay.UpdateProgress,
			model.Request{Unit: "rsj", Percent: min(99, 2*w), Note: fmt.Sprintf("第%d周进展", w+1)}})
	}
	acts = append(acts,
		act{cst("2026-12-20 15:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2027-02-28", Note: "等待省级验收"}},
		act{cst("2026-12-21 15:00"), relay.UpdateDecideExtension, model.Request{By: "ld-chang", Approve: true}},
		act{cst("2027-02-27 12:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "全面完成"}},
		act{cst("2027-02-28 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true, Note: "同意销号"}},
	)
	// The engine reports a history past the threshold at these instants.
	longHistory := []time.Time{cst("2026-05-20 12:00"), cst("2026-10-07 12:00")}

	var (
		all      []relay.Notice
		runs     int
		final    relay.TaskView
		runStart = start
		carried  []int // carried input sizes
	)
	for runs = 1; runs <= 5; runs++ {
		env, rec := taskEnv(t, runStart)
		var outs []*outcome
		for _, a := range acts {
			if a.when.After(runStart) {
				outs = append(outs, at(env, runStart, a.when, a.name, a.req))
			}
		}
		for _, lh := range longHistory {
			if lh.After(runStart) {
				env.RegisterDelayedCallback(func() { env.SetCurrentHistoryLength(continueAsNewEvents + 1) }, lh.Sub(runStart))
			}
		}
		env.RegisterDelayedCallback(func() { final = queryTask(t, env) }, cst("2027-02-28 09:00").Sub(runStart))
		env.ExecuteWorkflow(relay.TaskWorkflowName, in)
		for _, o := range outs {
			if o.done && o.err != nil {
				t.Errorf("run %d: an action was refused: %v", runs, o.err)
			}
		}
		for _, s := range rec.items {
			all = append(all, s.n)
		}
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if err == nil {
			break
		}
		if !errors.As(err, &can) {
			t.Fatalf("run %d: %v", runs, err)
		}
		var next relay.TaskInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		carried = append(carried, len(can.Input.Payloads[0].Data))
		in, runStart = next, env.Now()
	}
	if runs != 3 {
		t.Fatalf("%d runs, want 3 (two continue-as-new)", runs)
	}
	for _, n := range carried {
		if n > 64<<10 {
			t.Errorf("carried state of %d bytes", n)
		}
	}
	progress := 0
	for _, e := range final.Timeline {
		if e.Action == relay.ActProgress {
			progress++
		}
	}
	if progress != 52 {
		t.Errorf("%d weekly reports on the timeline after a year, want 52", progress)
	}
	ids := map[string]bool{}
	reminders := 0
	for _, n := range all {
		if ids[n.ID] {
			t.Errorf("notice %s sent twice", n.ID)
		}
		ids[n.ID] = true
		if n.Kind == relay.NoticeReminder {
			reminders++
		}
	}
	// Before 2026-12-31 only the 30- and 14-day reminders were due when the extension
	// of 12-21 moved the deadline; then all five before 2027-02-28.
	if reminders != 7 {
		t.Errorf("%d reminders, want 7", reminders)
	}
	if final.State != relay.StateCompletionSubmitted || final.Deadline != "2027-02-28" {
		t.Errorf("final: %s, deadline %s", final.State, final.Deadline)
	}
}
