package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

type sent struct {
	at time.Time
	n  relay.Notice
}

// recorder stands in for the notifier and keeps what was delivered, with virtual time.
type recorder struct {
	mu    sync.Mutex
	env   *testsuite.TestWorkflowEnvironment
	items []sent
}

func (r *recorder) deliver(_ context.Context, n relay.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, sent{r.env.Now(), n})
	return nil
}

func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.items {
		out = append(out, s.n.Kind+"@"+s.at.In(relay.TimeZone).Format("01-02 15:04"))
	}
	return out
}

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, relay.TimeZone)
	if err != nil {
		panic(err)
	}
	return t
}

func taskEnv(t *testing.T, start time.Time) (*testsuite.TestWorkflowEnvironment, *recorder) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflowWithOptions(Task, workflow.RegisterOptions{Name: relay.TaskWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	rec := &recorder{env: env}
	var acts *activities.Activities
	env.OnActivity(acts.Deliver, mock.Anything, mock.Anything).Return(rec.deliver)
	env.SetTestTimeout(30 * time.Second)
	return env, rec
}

func sampleTaskInput(deadline string) relay.TaskInput {
	return relay.TaskInput{
		TaskID:  "cwh-2026-12:1",
		Meeting: relay.Meeting{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"},
		Item: relay.Item{No: 1, Title: "推进社保医保两险同宣同征", Lead: "rsj", Co: []string{"czj"},
			Deputy: "ld-chang", Deadline: deadline},
		LeadName: "县人力资源和社会保障局", CoNames: []string{"县财政局"}, DeputyName: "李某",
		Config: plainNotices(relay.DefaultTaskConfig()),
	}
}

// plainNotices turns the acknowledgment reminders and the digests off, so that the
// tests of other behaviour see only their own notices, each delivered at once
// (task_ack_test.go and digest_test.go test those).
func plainNotices(c relay.TaskConfig) relay.TaskConfig {
	c.AckDays = -1
	c.DigestWindow = 0
	return c
}

// update sends an update at a virtual time and keeps its outcome.
type outcome struct {
	err  error
	view relay.TaskView
	done bool
}

func (o *outcome) callbacks() *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject: func(err error) { o.err, o.done = err, true },
		OnAccept: func() {},
		OnComplete: func(v interface{}, err error) {
			o.done = true
			o.err = err
			if tv, ok := v.(relay.TaskView); ok {
				o.view = tv
			}
		},
	}
}

func at(env *testsuite.TestWorkflowEnvironment, start, when time.Time, name string, req model.Request) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", o.callbacks(), req)
	}, when.Sub(start))
	return o
}

func queryTask(t *testing.T, env *testsuite.TestWorkflowEnvironment) relay.TaskView {
	t.Helper()
	v, err := env.QueryWorkflow(relay.QueryTask)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var tv relay.TaskView
	if err := v.Get(&tv); err != nil {
		t.Fatal(err)
	}
	return tv
}

func TestTaskRemindsEscalatesAndCloses(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	var lightAtYellow, lightAfterOverdue relay.Light
	env.RegisterDelayedCallback(func() { lightAtYellow = queryTask(t, env).Light }, cst("2026-10-04 12:00").Sub(start))
	env.RegisterDelayedCallback(func() { lightAfterOverdue = queryTask(t, env).Light }, cst("2026-10-11 08:00").Sub(start))
	ack := at(env, start, cst("2026-09-20 09:30"), relay.UpdateAck, model.Request{Unit: "czj"})
	prog := at(env, start, cst("2026-09-25 09:30"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 40, Note: "窗口已设立"})
	comp := at(env, start, cst("2026-10-15 09:30"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "两险同宣同征全面实施"})
	rej := at(env, start, cst("2026-10-16 09:30"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: false, Note: "缺少佐证材料"})
	comp2 := at(env, start, cst("2026-10-20 09:30"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "已补充材料"})
	ok := at(env, start, cst("2026-10-21 09:30"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})

	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if !env.IsWorkflowCompleted() {
		t.Fatal("task did not close")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]*outcome{"ack": ack, "progress": prog, "complete": comp, "reject": rej, "complete again": comp2, "accept": ok} {
		if !o.done || o.err != nil {
			t.Errorf("%s: done=%v err=%v", name, o.done, o.err)
		}
	}
	if prog.view.State != relay.StateInProgress || prog.view.Progress != 40 {
		t.Errorf("after progress: %+v", prog.view)
	}
	if rej.view.State != relay.StateInProgress {
		t.Errorf("rejected completion should go back to in_progress, got %s", rej.view.State)
	}
	// The deputy is notified 7 days after the overdue notice (the task, back in
	// progress after the rejected completion, is still open then).
	want := []string{
		"reminder@10-03 09:00", "reminder@10-09 09:00",
		"overdue@10-11 00:00",
		"closed@10-15 09:30", "returned@10-16 09:30", "escalation@10-18 00:00", "closed@10-20 09:30", "closed@10-21 09:30",
	}
	if got := rec.kinds(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("notices\n got %v\nwant %v", got, want)
	}
	for _, s := range rec.items {
		switch s.n.Kind {
		case relay.NoticeEscalation:
			if s.n.To != "ld-chang" || s.n.ToKind != relay.ToLeader {
				t.Errorf("escalation went to %s %s", s.n.ToKind, s.n.To)
			}
		case relay.NoticeReminder, relay.NoticeOverdue:
			if s.n.To != "rsj" {
				t.Errorf("%s went to %s", s.n.Kind, s.n.To)
			}
		}
	}
	if lightAtYellow != relay.Yellow || lightAfterOverdue != relay.Red {
		t.Errorf("lights: within 7 days %s, overdue %s", lightAtYellow, lightAfterOverdue)
	}
	var final relay.TaskView
	if err := env.GetWorkflowResult(&final); err != nil {
		t.Fatal(err)
	}
	if final.State != relay.StateClosed || final.Progress != 100 || final.Light != "" {
		t.Errorf("final %+v", final)
	}
}

func TestTaskApprovedExtensionMovesTimers(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	var during relay.TaskView
	ext := at(env, start, cst("2026-09-28 10:00"), relay.UpdateExtend, model.Request{Unit: "czj", Until: "2026-11-30", Note: "需等待省级政策"})
	env.RegisterDelayedCallback(func() { during = queryTask(t, env) }, cst("2026-09-28 11:00").Sub(start))
	wrong := at(env, start, cst("2026-09-29 10:00"), relay.UpdateDecideExtension, model.Request{By: "ld-other", Approve: true})
	dec := at(env, start, cst("2026-09-30 10:00"), relay.UpdateDecideExtension, model.Request{By: "ld-chang", Approve: true, Note: "同意"})
	var afterOld relay.TaskView
	env.RegisterDelayedCallback(func() { afterOld = queryTask(t, env) }, cst("2026-10-12 10:00").Sub(start))
	comp := at(env, start, cst("2026-12-05 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
	ok := at(env, start, cst("2026-12-06 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})

	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if ext.err != nil || dec.err != nil || comp.err != nil || ok.err != nil {
		t.Fatalf("errors: ext %v dec %v comp %v ok %v", ext.err, dec.err, comp.err, ok.err)
	}
	if wrong.err == nil || !strings.Contains(wrong.err.Error(), "无权批复") {
		t.Errorf("a leader not in charge must be refused, got %v", wrong.err)
	}
	if during.Light != relay.Yellow || during.Extension == nil || during.State != relay.StateAcknowledged {
		t.Errorf("pending extension: %+v", during)
	}
	if afterOld.Deadline != "2026-11-30" || afterOld.Light != relay.Green {
		t.Errorf("after the old deadline: deadline %s light %s", afterOld.Deadline, afterOld.Light)
	}
	want := []string{
		"extension_request@09-28 10:00", "extension_request@09-28 10:00", "extension_decision@09-30 10:00",
		"reminder@11-23 09:00", "reminder@11-29 09:00",
		"overdue@12-01 00:00", // completed within the 7 days: no escalation to the deputy
		"closed@12-05 10:00", "closed@12-06 10:00",
	}
	if got := rec.kinds(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("notices\n got %v\nwant %v", got, want)
	}
}

func TestTaskRefusesOutsidersAndChangesNothing(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	cases := []struct {
		name, update string
		req          model.Request
		want         string
	}{
		{"other unit ack", relay.UpdateAck, model.Request{Unit: "jyj"}, "无权操作"},
		{"other unit progress", relay.UpdateProgress, model.Request{Unit: "jyj", Percent: 10, Note: "x"}, "无权操作"},
		{"no unit", relay.UpdateComplete, model.Request{Note: "x"}, "未指明操作单位"},
		{"bad percent", relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 120, Note: "x"}, "0 到 100"},
		{"extension earlier", relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-10-01", Note: "x"}, "不晚于"},
		{"extension bad date", relay.UpdateExtend, model.Request{Unit: "rsj", Until: "明年", Note: "x"}, "无法识别"},
		{"decide nothing", relay.UpdateDecideExtension, model.Request{By: relay.Inspection, Approve: true}, "没有待批复"},
		{"verify nothing", relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true}, "没有待审核"},
		{"unit verifies", relay.UpdateVerify, model.Request{By: "rsj", Approve: true}, "无权审核"},
		{"note over the cap", relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 10, Note: overCap}, "进展情况过长"},
		{"reason over the cap", relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2027-01-31", Note: overCap}, "延期理由过长"},
		{"completion over the cap", relay.UpdateComplete, model.Request{Unit: "rsj", Note: overCap}, "办结情况过长"},
		{"user over the cap", relay.UpdateAck, model.Request{Unit: "rsj", User: strings.Repeat("张", relay.MaxUserRunes+1)}, "操作人过长"},
	}
	outs := make([]*outcome, len(cases))
	for i, c := range cases {
		outs[i] = at(env, start, start.Add(time.Duration(i+1)*time.Hour), c.update, c.req)
	}
	var after relay.TaskView
	env.RegisterDelayedCallback(func() { after = queryTask(t, env) }, 24*time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 25*time.Hour)
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-12-31"))
	for i, c := range cases {
		if outs[i].err == nil || !strings.Contains(outs[i].err.Error(), c.want) {
			t.Errorf("%s: want refusal containing %q, got %v", c.name, c.want, outs[i].err)
		}
	}
	if after.State != relay.StateDispatched || after.Progress != 0 || after.Extension != nil || len(after.Timeline) != 1 {
		t.Errorf("refusals changed the task: %+v", after)
	}
	if len(rec.items) != 0 {
		t.Errorf("refusals sent notices: %v", rec.kinds())
	}
}

func TestLateListIsOverdueAtOnce(t *testing.T) {
	start := cst("2026-11-27 15:00")
	env, rec := taskEnv(t, start)
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, time.Minute)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Hour)
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-31"))
	if v.Light != relay.Red {
		t.Errorf("light %s, want red", v.Light)
	}
	if got := strings.Join(rec.kinds(), " "); got != "overdue@11-27 15:00" {
		t.Errorf("notices %s: a late list gets the overdue notice, no stale reminders", got)
	}
}

func TestTaskContinuesAsNewKeepingState(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	at(env, start, cst("2026-09-17 10:00"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 30, Note: "推进中"})
	env.RegisterDelayedCallback(func() { env.SetContinueAsNewSuggested(true) }, cst("2026-09-18 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-12-31"))
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next relay.TaskInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	c := next.Carry
	// The run continues as new at its next wake-up: the light turning yellow on 12-24.
	if c == nil || c.State != relay.StateInProgress || c.Progress != 30 || len(c.Timeline) != 3 ||
		c.Deadline != "2026-12-31" || c.Light != relay.Yellow {
		t.Fatalf("carried state lost: %+v", c)
	}

	// The next run starts from the carried state and goes on.
	env2, rec := taskEnv(t, cst("2026-12-24 00:00"))
	var v relay.TaskView
	env2.RegisterDelayedCallback(func() { v = queryTask(t, env2) }, time.Minute)
	env2.RegisterDelayedCallback(func() { env2.CancelWorkflow() }, 9*24*time.Hour)
	env2.ExecuteWorkflow(relay.TaskWorkflowName, next)
	if v.State != relay.StateInProgress || v.Progress != 30 || len(v.Timeline) != 3 || v.Light != relay.Yellow {
		t.Errorf("resumed task: %+v", v)
	}
	if got := strings.Join(rec.kinds(), " "); got != "reminder@12-24 09:00 reminder@12-30 09:00 overdue@01-01 00:00" {
		t.Errorf("resumed run notices: %s", got)
	}
}

// TestTaskKeepsTheFirstReadReceiptOfEachUnit: opening the notice again changes
// nothing; a unit not on the task is refused; the summary (memo) carries the reads.
func TestTaskKeepsTheFirstReadReceiptOfEachUnit(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	first := at(env, start, cst("2026-09-16 11:00"), relay.UpdateRead, model.Request{Unit: "rsj", User: "rsj1"})
	again := at(env, start, cst("2026-09-17 11:00"), relay.UpdateRead, model.Request{Unit: "rsj", User: "rsj2"})
	outsider := at(env, start, cst("2026-09-17 12:00"), relay.UpdateRead, model.Request{Unit: "gaj"})
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, cst("2026-09-18 10:00").Sub(start))
	at(env, start, cst("2026-09-19 09:30"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
	at(env, start, cst("2026-09-19 10:30"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if first.err != nil || again.err != nil {
		t.Fatalf("read receipts refused: %v %v", first.err, again.err)
	}
	if outsider.err == nil {
		t.Error("a unit not on the task marked it read")
	}
	got := v.ReadAt("rsj")
	if got == nil || !got.Equal(cst("2026-09-16 11:00")) || len(v.Reads) != 1 {
		t.Fatalf("reads = %+v", v.Reads)
	}
	if u := v.Unread(); len(u) != 1 || u[0] != "czj" {
		t.Errorf("unread = %v", u)
	}
	for _, e := range v.Timeline {
		if e.User == "rsj2" || e.User == "rsj1" {
			t.Errorf("a read receipt went on the timeline: %+v", e)
		}
	}
}

// overCap is a note one character longer than the cap.
var overCap = strings.Repeat("进", relay.MaxNoteRunes+1)

// TestNoteAtTheCapIsAccepted: the cap refuses only what is over it.
func TestNoteAtTheCapIsAccepted(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	note := strings.Repeat("进", relay.MaxNoteRunes)
	o := at(env, start, start.Add(time.Hour), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 10, Note: note})
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Hour)
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-12-31"))
	if o.err != nil || o.view.Progress != 10 {
		t.Errorf("note of %d characters: %v, progress %d", relay.MaxNoteRunes, o.err, o.view.Progress)
	}
}

// runUntilContinued runs a task from in, sending n progress updates a minute apart
// after the given requests, and returns the input it continued as new with.
func runUntilContinued(t *testing.T, in relay.TaskInput, start time.Time, first []model.Request, n int) (relay.TaskInput, func() relay.TaskSummary) {
	t.Helper()
	env, _ := taskEnv(t, start)
	memo := lastMemo(env)
	when := start
	for _, req := range first {
		when = when.Add(time.Minute)
		name := relay.UpdateExtend
		switch {
		case req.By != "" && req.Until == "" && req.Approve:
			name = relay.UpdateDecideExtension
		case req.Percent > 0:
			name = relay.UpdateProgress
		}
		at(env, start, when, name, req)
	}
	for i := 0; i < n; i++ {
		when = when.Add(time.Minute)
		at(env, start, when, relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 1 + i%99, Note: fmt.Sprintf("第%d次报送", i+1)})
	}
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next relay.TaskInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next, memo
}

// TestTimelineCarriedStaysBounded: however many actions a task gets, each run hands
// over about timelineCarried entries; every entry is in some run's input (so a
// client can read it back) with an unbroken hash chain, and the summary still counts
// the extension granted in entries no longer carried.
func TestTimelineCarriedStaysBounded(t *testing.T) {
	start := cst("2026-09-16 10:00")
	in := sampleTaskInput("2026-12-31")
	first := []model.Request{
		{Unit: "rsj", Until: "2027-01-31", Note: "等待省级文件"},
		{By: relay.Inspection, Approve: true, Note: "请于2026-10-20前补充材料"},
	}
	var carries []*relay.TaskCarry
	for run := 0; run < 3; run++ {
		next, _ := runUntilContinued(t, in, start, first, 3*timelineCarried)
		c := next.Carry
		if c == nil || len(c.Timeline) != timelineCarried {
			t.Fatalf("run %d carried %d entries, want %d", run+1, len(c.Timeline), timelineCarried)
		}
		if want := run * timelineCarried; c.TimelineFrom != want {
			t.Errorf("run %d: timeline_from %d, want %d", run+1, c.TimelineFrom, want)
		}
		carries = append(carries, c)
		in, first, start = next, nil, start.Add(24*time.Hour)
	}
	// Every entry, read back from the inputs, chains from the committee's item.
	var all []relay.Event
	for _, c := range carries {
		all = append(all[:c.TimelineFrom], c.Timeline...)
	}
	if len(all) != 3*timelineCarried {
		t.Fatalf("read back %d entries", len(all))
	}
	prev := relay.ItemRoot(in.Meeting, in.Item)
	for i, e := range all {
		if relay.ChainEvent(prev, e) != e.Hash {
			t.Fatalf("entry %d (%s) breaks the chain", i, e.Action)
		}
		prev = e.Hash
	}
	if all[2].Action != relay.ActExtensionRequested || all[3].Action != relay.ActExtensionApproved {
		t.Fatalf("first entries: %s %s", all[2].Action, all[3].Action)
	}
	// A fourth run: the grant is no longer carried, the summary still has it.
	_, memo := runUntilContinued(t, in, start, nil, 2*timelineCarried)
	s := memo()
	checkGrants(t, s.Grants, []relay.Grant{{At: cst("2026-09-16 10:02"), By: relay.Inspection, From: "2026-12-31", To: "2027-01-31"}})
	if s.ExtensionsGranted != 1 || s.LastProgressAt == nil || s.Deadline != "2027-01-31" {
		t.Errorf("summary after four runs: %+v", s)
	}
}

// TestEscalationNumberOnTimeline: the 督办单 the task issues is numbered before it is
// delivered; the number is on the notice and on the timeline (doc_numbered, DocNo).
func TestEscalationNumberOnTimeline(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	var acts *activities.Activities
	asked := 0
	env.OnActivity(acts.DocNumber, mock.Anything, mock.Anything).Return(func(_ context.Context, n relay.Notice) (string, error) {
		asked++
		if n.Kind != relay.NoticeEscalation {
			t.Errorf("numbered a %s", n.Kind)
		}
		return "县府督办〔2026〕5号", nil
	})
	var final relay.TaskView
	env.RegisterDelayedCallback(func() { final = queryTask(t, env) }, cst("2026-10-25 09:00").Sub(start))
	at(env, start, cst("2026-10-25 09:30"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
	at(env, start, cst("2026-10-26 09:30"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var escalations []string
	for _, s := range rec.items {
		if s.n.Kind == relay.NoticeEscalation {
			escalations = append(escalations, s.n.DocNo)
		}
	}
	if asked != 1 || len(escalations) != 1 || escalations[0] != "县府督办〔2026〕5号" {
		t.Fatalf("asked %d, escalations %v", asked, escalations)
	}
	n := 0
	for _, e := range final.Timeline {
		if e.Action == relay.ActDocNumbered {
			n++
			if e.DocNo != "县府督办〔2026〕5号" || !strings.Contains(e.Note, "督办单") || e.Hash == "" {
				t.Errorf("entry %+v", e)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d doc_numbered entries: %+v", n, final.Timeline)
	}
}

// TestDispatchNumbersOnTimeline: a task started with its units' 交办单 numbers records
// each on its timeline at dispatch (doc_numbered, typed DocNo and Unit, lead first),
// chained like every entry; a task started without them records none.
func TestDispatchNumbersOnTimeline(t *testing.T) {
	for _, numbered := range []bool{true, false} {
		start := cst("2026-09-16 10:00")
		env, _ := taskEnv(t, start)
		in := sampleTaskInput("2026-12-31")
		if numbered {
			in.DispatchDocNos = map[string]string{"czj": "县府督交〔2026〕1号", "rsj": "县府督交〔2026〕3号", "jyj": "县府督交〔2026〕2号"}
		}
		var v relay.TaskView
		env.RegisterDelayedCallback(func() { v = queryTask(t, env); env.CancelWorkflow() }, time.Hour)
		env.ExecuteWorkflow(relay.TaskWorkflowName, in)
		var got []relay.Event
		for _, e := range v.Timeline {
			if e.Action == relay.ActDocNumbered {
				got = append(got, e)
			}
		}
		if !numbered {
			if len(got) != 0 {
				t.Errorf("unnumbered task recorded %+v", got)
			}
			continue
		}
		if len(v.Timeline) != 3 || v.Timeline[0].Action != relay.ActDispatched || len(got) != 2 {
			t.Fatalf("timeline %+v", v.Timeline)
		}
		if got[0].Unit != "rsj" || got[0].DocNo != "县府督交〔2026〕3号" || got[0].Note != "交办单 县府督交〔2026〕3号（县人力资源和社会保障局）" ||
			got[1].Unit != "czj" || got[1].DocNo != "县府督交〔2026〕1号" || !got[0].At.Equal(start) {
			t.Errorf("entries %+v", got)
		}
		prev := relay.ItemRoot(in.Meeting, in.Item)
		for _, e := range v.Timeline {
			if relay.ChainEvent(prev, e) != e.Hash {
				t.Errorf("%s breaks the chain", e.Action)
			}
			prev = e.Hash
		}
	}
}
