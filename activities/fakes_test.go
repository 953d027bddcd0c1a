package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/notify"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
	"taskrelay/internal/task"
)

// The activities' dependencies, faked: each records what it was asked and answers
// what the engine would.

// fakeEngine records the workflows started and signalled, and holds the parts of big
// lists as the engine keeps them (the input of each part's first event).
type fakeEngine struct {
	mu      sync.Mutex
	started []client.StartWorkflowOptions
	inputs  []relay.TaskInput
	signals []string // workflow id and signal name
	parts   map[string]relay.PartInput
}

func (f *fakeEngine) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ interface{}, args ...interface{}) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, o)
	if len(args) == 1 {
		if in, ok := args[0].(relay.TaskInput); ok {
			f.inputs = append(f.inputs, in)
		}
	}
	return nil, nil
}

func (f *fakeEngine) SignalWithStartWorkflow(_ context.Context, id, signal string, _ interface{}, o client.StartWorkflowOptions, _ interface{}, _ ...interface{}) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signals = append(f.signals, id+" "+signal)
	f.started = append(f.started, o)
	return nil, nil
}

func (f *fakeEngine) GetWorkflowHistory(_ context.Context, id, _ string, _ bool, _ enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	in, ok := f.parts[id]
	if !ok {
		return &history{}
	}
	p, err := converter.GetDefaultDataConverter().ToPayloads(in)
	if err != nil {
		panic(err)
	}
	return &history{events: []*historypb.HistoryEvent{{Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
		WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{Input: p}}}}}
}

type history struct{ events []*historypb.HistoryEvent }

func (h *history) HasNext() bool { return len(h.events) > 0 }
func (h *history) Next() (*historypb.HistoryEvent, error) {
	e := h.events[0]
	h.events = h.events[1:]
	return e, nil
}

// fakeRecords numbers documents as the counter does (one number per request id, in
// order) and records chases.
type fakeRecords struct {
	mu     sync.Mutex
	byID   map[string]int
	asked  []string
	chases []relay.ChaseInput
}

func (r *fakeRecords) DocNumber(_ context.Context, prefix string, year int, requestID string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, fmt.Sprintf("%s %d %s", prefix, year, requestID))
	if r.byID == nil {
		r.byID = map[string]int{}
	}
	if _, ok := r.byID[requestID]; !ok {
		r.byID[requestID] = len(r.byID) + 1
	}
	return r.byID[requestID], nil
}

func (r *fakeRecords) RecordChase(_ context.Context, in relay.ChaseInput) (relay.ChaseRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chases = append(r.chases, in)
	return relay.ChaseRecord{Refused: []string{"任务 " + in.Tasks[0] + " 已办结或已撤销"}}, nil
}

// notices records what was delivered.
type notices struct {
	mu  sync.Mutex
	got []relay.Notice
}

func (n *notices) Deliver(_ context.Context, x relay.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, x)
	return nil
}

func run(t *testing.T, acts any, fn any, args ...any) converter.EncodedValue {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	v, err := env.ExecuteActivity(fn, args...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDeliverNumbersOfficialDocuments: a 交办单 or 督办单 gets its 发文字号 from the
// counter, keyed by the notice's id (a retry, or Deliver after NumberNotices, gets
// the same); other notices, or a worker without numbering, ask for none.
func TestDeliverNumbersOfficialDocuments(t *testing.T) {
	rec, out := &fakeRecords{}, &notices{}
	a := &Activities{Notifier: out, Records: rec, DocPrefix: "县督办"}
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, relay.TimeZone)
	dispatch := func(unit string) relay.Notice {
		return relay.Notice{ID: relay.DispatchNoticeID("m", unit), Kind: relay.NoticeDispatch, ToKind: relay.ToUnit, To: unit, IssuedAt: at}
	}
	var nos map[string]string
	run(t, a, a.NumberNotices, []relay.Notice{dispatch("czj"), dispatch("rsj")}).Get(&nos)
	if nos["czj"] != "县督办〔2026〕1号" || nos["rsj"] != "县督办〔2026〕2号" {
		t.Fatalf("numbers %v", nos)
	}
	ctx := context.Background()
	for _, n := range []relay.Notice{dispatch("rsj"), {ID: "reminder:m:1", Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj", IssuedAt: at}} {
		if err := a.Deliver(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if out.got[0].DocNo != "县督办〔2026〕2号" || out.got[0].Hash == "" || out.got[1].DocNo != "" {
		t.Fatalf("delivered %+v", out.got)
	}
	if len(rec.asked) != 3 {
		t.Fatalf("the counter was asked %v, want the two dispatch notices and the repeat", rec.asked)
	}
	unnumbered := &Activities{Notifier: out, DocPrefix: "县督办"}
	if no, err := unnumbered.DocNumber(ctx, dispatch("gaj")); err != nil || no != "" {
		t.Fatalf("without Records: %q %v", no, err)
	}
}

// TestRecordChaseAndDigestGoThroughTheirInterfaces: a chase is recorded through
// Records, and a worker without them says so; a digested notice signals its
// recipient's digest, starting it if need be.
func TestRecordChaseAndDigestGoThroughTheirInterfaces(t *testing.T) {
	rec, eng := &fakeRecords{}, &fakeEngine{}
	a := &Activities{Records: rec, Engine: eng}
	ctx := context.Background()
	got, err := a.RecordChase(ctx, relay.ChaseInput{ID: "c1", Unit: "rsj", Tasks: []string{"m:1"}})
	if err != nil || len(rec.chases) != 1 || len(got.Refused) != 1 {
		t.Fatalf("chase: %+v %v (%d recorded)", got, err, len(rec.chases))
	}
	if _, err := (&Activities{}).RecordChase(ctx, relay.ChaseInput{ID: "c2"}); err == nil {
		t.Fatal("a chase without Records: no error")
	}
	n := relay.Notice{ID: "reminder:m:1:rsj", Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj"}
	if err := a.Digest(ctx, relay.DigestSignal{Notice: n, Window: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if want := relay.DigestWorkflowID(relay.ToUnit, "rsj") + " " + relay.SignalDigest; len(eng.signals) != 1 || eng.signals[0] != want ||
		eng.started[0].ID != relay.DigestWorkflowID(relay.ToUnit, "rsj") || eng.started[0].TaskQueue != relay.TaskQueue {
		t.Fatalf("signals %v, options %+v", eng.signals, eng.started)
	}
}

// TestStartPartReadsItsPart: a part of a big list is read back from the engine and
// each of its items started as a task, keyed by its business id, with the deputies
// the adoption changed and its units' 交办单 numbers; a part the engine lacks is an
// error, and nothing starts.
func TestStartPartReadsItsPart(t *testing.T) {
	part := relay.PlanPart{WorkflowID: "part:m:0", Count: 2, Nos: []relay.NoRange{{1, 2}}}
	eng := &fakeEngine{parts: map[string]relay.PartInput{part.WorkflowID: {MeetingID: "m", Items: []relay.Item{
		{No: 1, Title: "一", Lead: "rsj", Co: []string{"czj"}, Deadline: "2026-12-31"},
		{No: 2, Title: "二", Lead: "czj", Deputy: "ld-wang", Deadline: "2027-01-31"},
	}}}}
	a := &Activities{Engine: eng}
	req := PartStart{Plan: relay.Plan{Meeting: relay.Meeting{ID: "m", Name: "会议"}}, Part: part,
		Deputies: map[int]string{2: "ld-chang"}, AdoptedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, relay.TimeZone),
		DocNos: map[string]string{"rsj": "县督办〔2026〕1号", "czj": "县督办〔2026〕2号"}}
	var started int
	run(t, a, a.StartPart, req).Get(&started)
	if started != 2 || len(eng.inputs) != 2 {
		t.Fatalf("started %d, inputs %+v", started, eng.inputs)
	}
	slices.SortFunc(eng.inputs, func(x, y relay.TaskInput) int { return x.Item.No - y.Item.No })
	if in := eng.inputs[1]; in.TaskID != relay.TaskID("m", 2) || in.Item.Deputy != "ld-chang" || in.DispatchDocNos["czj"] != "县督办〔2026〕2号" {
		t.Fatalf("task 2 started with %+v", in)
	}
	if in := eng.inputs[0]; len(in.DispatchDocNos) != 2 {
		t.Fatalf("task 1 carries the numbers %v, want its two units'", in.DispatchDocNos)
	}
	for _, o := range eng.started {
		if o.ID != relay.TaskWorkflowID(relay.TaskID("m", 1)) && o.ID != relay.TaskWorkflowID(relay.TaskID("m", 2)) {
			t.Errorf("started %s", o.ID)
		}
	}

	lost := &fakeEngine{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	b := &Activities{Engine: lost}
	env.RegisterActivity(b)
	if _, err := env.ExecuteActivity(b.StartPart, req); err == nil || len(lost.started) != 0 {
		t.Fatalf("a missing part: %v, %d started", err, len(lost.started))
	}
}

// taskReader serves the monthly report's reads from summaries and timelines, and
// records which tasks' timelines were read.
type taskReader struct {
	sums      []relay.TaskSummary
	timelines map[string][]relay.Event
	read      []string
}

func (r *taskReader) Tasks(context.Context, string) ([]relay.TaskSummary, error) { return r.sums, nil }
func (r *taskReader) Meeting(_ context.Context, id string) (relay.MeetingView, error) {
	if id == "gone" {
		return relay.MeetingView{}, (&refusal.Error{Kind: refusal.ErrNotFound}).About(refusal.Meeting, id)
	}
	return relay.MeetingView{Meeting: relay.Meeting{ID: id, Name: "会议" + id}}, nil
}
func (r *taskReader) TaskViews(_ context.Context, ids []string) ([]relay.TaskView, error) {
	out := make([]relay.TaskView, len(ids))
	for i, id := range ids {
		r.read = append(r.read, id)
		out[i] = relay.TaskView{ID: id, Timeline: r.timelines[id]}
	}
	return out, nil
}
func (r *taskReader) DocNumber(context.Context, string, int, string) (int, error) {
	return 0, errors.New("not asked here")
}

// TestGatherReadsTimelinesOnlyWhereNeeded: a report as of now takes the summaries as
// they are and reads no timeline; one for a past day reads the timelines of the tasks
// whose state on that day may differ from now (open ones, and those closed after it),
// never those closed before it. A meeting the engine no longer has is named by its id.
func TestGatherReadsTimelinesOnlyWhereNeeded(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, relay.TimeZone) }
	closedAt := func(d int) *time.Time { x := day(d); return &x }
	sum := func(id, meeting string, state relay.State, closed *time.Time) relay.TaskSummary {
		var s relay.TaskSummary
		s.ID, s.Meeting, s.State, s.ClosedAt = id, meeting, state, closed
		return s
	}
	tr := &taskReader{sums: []relay.TaskSummary{
		sum("a:1", "a", relay.StateInProgress, nil),
		sum("a:2", "a", relay.StateClosed, closedAt(5)),
		sum("gone:1", "gone", relay.StateClosed, closedAt(25)),
	}, timelines: map[string][]relay.Event{"a:1": {{At: day(1), Action: relay.ActDispatched}}}}
	bucket, err := blobstore.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	r := &Reports{API: tr, Notices: notify.NewRecords(bucket)}
	now := day(30)
	in, err := r.Gather(context.Background(), report.Request{Month: "2026-11", AsOfTime: now, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.read) != 0 || len(in.Tasks) != 3 {
		t.Fatalf("as of now: read %v, %d tasks", tr.read, len(in.Tasks))
	}
	in, err = r.Gather(context.Background(), report.Request{Month: "2026-11", AsOfTime: day(20), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.read, []string{"a:1", "gone:1"}) {
		t.Fatalf("as of the 20th read the timelines of %v, want a:1 and gone:1", tr.read)
	}
	if len(in.Tasks[0].Timeline) != 1 || in.Tasks[1].Timeline != nil || in.Tasks[2].Timeline == nil {
		t.Fatalf("timelines %+v", in.Tasks)
	}
	if len(in.Meetings) != 2 || in.Meetings[0].Name != "会议a" || in.Meetings[1].Name != "gone" {
		t.Fatalf("meetings %+v", in.Meetings)
	}
}

// taskStore serves the follow-up's reads and records the reminders marked, refusing
// the mark on one task (closed meanwhile).
type taskStore struct {
	sums    []relay.TaskSummary
	queries []string
	marks   []string
	refuse  string
}

func (s *taskStore) Tasks(_ context.Context, q string) ([]relay.TaskSummary, error) {
	s.queries = append(s.queries, q)
	return s.sums, nil
}
func (s *taskStore) ActOnce(_ context.Context, id, action, requestID string, req task.Request) (relay.TaskView, error) {
	s.marks = append(s.marks, action+" "+requestID+" "+req.Cycle)
	if id == s.refuse {
		return relay.TaskView{}, (&refusal.Error{Kind: refusal.ErrClosed}).About(refusal.Task, id)
	}
	return relay.TaskView{ID: id}, nil
}

// TestRemindUnitOnceAndMarksEach: a unit late with its monthly progress gets one
// notice listing its tasks, and each task is marked reminded under an update id of
// the notice and the task; a task that refuses the mark (closed meanwhile) does not
// fail the reminder, which is out already.
func TestRemindUnitOnceAndMarksEach(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, relay.TimeZone)
	dispatched := time.Date(2026, 9, 1, 9, 0, 0, 0, relay.TimeZone)
	task := func(no int) relay.TaskSummary {
		var s relay.TaskSummary
		s.ID, s.Meeting, s.No, s.Title, s.LeadUnit, s.LeadUnitName = relay.TaskID("m", no), "m", no, fmt.Sprint("事项", no), "rsj", "县人社局"
		s.State, s.Standing, s.DispatchedAt = relay.StateInProgress, true, dispatched
		return s
	}
	store := &taskStore{sums: []relay.TaskSummary{task(1), task(2)}, refuse: relay.TaskID("m", 2)}
	out := &notices{}
	f := &FollowUp{Notifier: out, Store: store, FeedbackDay: 25}
	var res relay.RemindResult
	run(t, f, f.RemindUnit, relay.RemindRequest{Unit: "rsj", At: at}).Get(&res)
	if len(out.got) != 1 || out.got[0].ID != relay.FeedbackNoticeID("rsj", "2026-11") || len(out.got[0].Items) != 2 {
		t.Fatalf("notices %+v", out.got)
	}
	if len(res.Tasks) != 2 || res.NoticeID != out.got[0].ID {
		t.Fatalf("result %+v", res)
	}
	want := []string{
		relay.UpdateFeedbackReminded + " " + res.NoticeID + "|m:1 2026-11",
		relay.UpdateFeedbackReminded + " " + res.NoticeID + "|m:2 2026-11",
	}
	if !slices.Equal(store.marks, want) {
		t.Fatalf("marks %v, want %v", store.marks, want)
	}
	if store.queries[0] != relay.And(relay.Eq(relay.SALeadUnit, "rsj"), openQuery) {
		t.Fatalf("read the tasks with %q", store.queries[0])
	}
}
