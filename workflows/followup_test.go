package workflows

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// --- the task's side: tiers and milestones ---

func tieredInput(deadline string, deputyDays, listDays int) relay.TaskInput {
	in := sampleTaskInput(deadline)
	in.Config.EscalateDeputyDays, in.Config.ReportListDays = deputyDays, listDays
	return in
}

func actions(tl []relay.Event) []string {
	var out []string
	for _, e := range tl {
		if e.By == System {
			out = append(out, e.Action+"@"+e.At.In(relay.TimeZone).Format("01-02"))
		}
	}
	return out
}

// Over two months of an overdue task: the lead unit when the deadline passes (blue),
// the deputy N days later (yellow), the monthly report M days after that (red); the
// light stays red, the tier and the listing are in the view (and so in the memo).
func TestEscalationTiersInOrder(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	views := map[string]relay.TaskView{}
	for _, when := range []string{"2026-10-10 12:00", "2026-10-11 12:00", "2026-10-15 12:00", "2026-10-20 12:00", "2026-11-15 12:00"} {
		when := when
		env.RegisterDelayedCallback(func() { views[when] = queryTask(t, env) }, cst(when).Sub(start))
	}
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-11-16 00:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, tieredInput("2026-10-10", 4, 5))

	want := "reminder@10-03 09:00 reminder@10-09 09:00 overdue@10-11 00:00 escalation@10-15 00:00"
	if got := strings.Join(rec.kinds(), " "); got != want {
		t.Errorf("notices\n got %s\nwant %s", got, want)
	}
	for _, s := range rec.items {
		if s.n.Kind == relay.NoticeOverdue && (s.n.To != "rsj" || !strings.HasPrefix(s.n.Subject, "蓝色督办单")) ||
			s.n.Kind == relay.NoticeEscalation && (s.n.To != "ld-chang" || !strings.HasPrefix(s.n.Subject, "黄色督办单")) {
			t.Errorf("%s to %s: %s", s.n.Kind, s.n.To, s.n.Subject)
		}
	}
	end := cst("2026-10-11 00:00")
	for when, w := range map[string]struct {
		tier   string
		listed bool
		light  relay.Light
	}{
		"2026-10-10 12:00": {"", false, relay.Yellow},
		"2026-10-11 12:00": {relay.TierBlue, false, relay.Red},
		"2026-10-15 12:00": {relay.TierYellow, false, relay.Red},
		"2026-10-20 12:00": {relay.TierRed, true, relay.Red},
		"2026-11-15 12:00": {relay.TierRed, true, relay.Red},
	} {
		v := views[when]
		if v.EscalationTier != w.tier || v.ListedForReport != w.listed || v.Light != w.light {
			t.Errorf("%s: tier %q listed %v light %s, want %q %v %s", when, v.EscalationTier, v.ListedForReport, v.Light, w.tier, w.listed, w.light)
		}
		if w.light == relay.Red && (v.OverdueSince == nil || !v.OverdueSince.Equal(end)) {
			t.Errorf("%s: overdue since %v", when, v.OverdueSince)
		}
	}
	if at := views["2026-10-20 12:00"].EscalatedAt; at == nil || !at.Equal(cst("2026-10-20 00:00")) {
		t.Errorf("listed at %v, want 10-20 00:00 (5 days after the deputy)", at)
	}
	if got := strings.Join(actions(views["2026-11-15 12:00"].Timeline), " "); got != "dispatched@09-16 reminder@10-03 reminder@10-09 overdue@10-11 escalation@10-15 listed@10-20" {
		t.Errorf("timeline %s", got)
	}
}

// A task closed before a tier is due sends nothing more; one whose completion waits
// for verification is not escalated, and the tier resumes if the completion is sent back.
func TestTiersStopWhenClosedAndPauseWhileVerifying(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	at(env, start, cst("2026-10-12 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "已完成"})
	at(env, start, cst("2026-10-25 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Note: "材料不全"})
	at(env, start, cst("2026-11-20 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "已补齐"})
	at(env, start, cst("2026-11-21 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, tieredInput("2026-10-10", 7, 14))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	// Waiting for verification 10-12..10-25 holds the deputy tier (due 10-18); sent back,
	// it fires at once; the listing is due 14 days later, 11-08.
	want := "reminder@10-03 09:00 reminder@10-09 09:00 overdue@10-11 00:00 closed@10-12 10:00 " +
		"returned@10-25 10:00 escalation@10-25 10:00 closed@11-20 10:00 closed@11-21 10:00"
	if got := strings.Join(rec.kinds(), " "); got != want {
		t.Errorf("notices\n got %s\nwant %s", got, want)
	}
	var final relay.TaskView
	if err := env.GetWorkflowResult(&final); err != nil {
		t.Fatal(err)
	}
	if final.State != relay.StateClosed || final.EscalationTier != relay.TierRed || !final.ListedForReport || final.Light != "" || final.OverdueSince != nil {
		t.Errorf("final %+v", final)
	}

	env2, rec2 := taskEnv(t, start)
	at(env2, start, cst("2026-10-13 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "已完成"})
	at(env2, start, cst("2026-10-14 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env2.ExecuteWorkflow(relay.TaskWorkflowName, tieredInput("2026-10-10", 7, 14))
	if got := strings.Join(rec2.kinds(), " "); got != "reminder@10-03 09:00 reminder@10-09 09:00 overdue@10-11 00:00 closed@10-13 10:00 closed@10-14 10:00" {
		t.Errorf("closed within N days: %s", got)
	}
}

// A run recorded before the tiers (GetVersion's default) keeps the old sequence: the
// deputy at the moment the deadline passes, and no listing.
func TestOldRunsEscalateAtOnce(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	env.OnGetVersion(currentChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion(followUpChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, cst("2026-11-30 10:00").Sub(start))
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-12-01 00:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if got := strings.Join(rec.kinds(), " "); got != "reminder@10-03 09:00 reminder@10-09 09:00 overdue@10-11 00:00 escalation@10-11 00:00" {
		t.Errorf("notices %s", got)
	}
	if v.ListedForReport || v.EscalationTier != relay.TierYellow {
		t.Errorf("old run: tier %q listed %v", v.EscalationTier, v.ListedForReport)
	}
}

// A task behind its node turns yellow until the unit reports enough progress.
func TestBehindMilestoneTurnsYellow(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	in := sampleTaskInput("2027-03-31")
	in.Item.Milestones = []relay.Milestone{{Date: "2026-10-15", Goal: "印发方案", Percent: 30}, {Date: "2026-12-15", Goal: "完成整合", Percent: 60}}
	at(env, start, cst("2026-10-01 10:00"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 10, Note: "起草中"})
	at(env, start, cst("2026-10-20 10:00"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 35, Note: "方案已印发"})
	views := map[string]relay.TaskView{}
	for _, when := range []string{"2026-10-15 12:00", "2026-10-16 08:00", "2026-10-21 08:00", "2026-12-16 08:00"} {
		when := when
		env.RegisterDelayedCallback(func() { views[when] = queryTask(t, env) }, cst(when).Sub(start))
	}
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-12-17 00:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)

	for when, w := range map[string]struct {
		light relay.Light
		node  string
	}{
		"2026-10-15 12:00": {relay.Green, ""},
		"2026-10-16 08:00": {relay.Yellow, "2026-10-15"},
		"2026-10-21 08:00": {relay.Green, ""},
		"2026-12-16 08:00": {relay.Yellow, "2026-12-15"},
	} {
		v := views[when]
		node := ""
		if v.BehindMilestone != nil {
			node = v.BehindMilestone.Date
		}
		if v.Light != w.light || node != w.node || len(v.Milestones) != 2 {
			t.Errorf("%s: light %s behind %q, want %s %q", when, v.Light, node, w.light, w.node)
		}
	}
	if got := strings.Join(actions(views["2026-12-16 08:00"].Timeline), " "); got != "dispatched@09-16 behind_milestone@10-16 behind_milestone@12-16" {
		t.Errorf("timeline %s", got)
	}
	if len(rec.items) != 0 {
		t.Errorf("a node sends no notice: %v", rec.kinds())
	}
}

// The reminder's record on a monthly task: once per month, refused for others.
func TestFeedbackRemindedRecord(t *testing.T) {
	start := cst("2026-10-26 09:00")
	env, _ := taskEnv(t, start)
	in := sampleTaskInput("2027-03-31")
	in.Item.Feedback = relay.FeedbackMonthly
	req := model.Request{By: System, Cycle: "2026-10", Note: "feedback:rsj:2026-10"}
	first := at(env, start, start.Add(time.Minute), relay.UpdateFeedbackReminded, req)
	again := at(env, start, start.Add(2*time.Minute), relay.UpdateFeedbackReminded, req)
	bad := at(env, start, start.Add(3*time.Minute), relay.UpdateFeedbackReminded, model.Request{By: System, Cycle: "十月"})
	unit := at(env, start, start.Add(4*time.Minute), relay.UpdateFeedbackReminded, model.Request{By: "rsj", Cycle: "2026-10"})
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Hour)
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)
	if first.err != nil || again.err != nil || bad.err == nil || unit.err == nil {
		t.Errorf("first %v again %v bad %v unit %v", first.err, again.err, bad.err, unit.err)
	}
	if v.FeedbackReminded != "2026-10" || v.FeedbackDay != relay.DefaultFeedbackDay || strings.Count(strings.Join(actions(v.Timeline), " "), relay.ActFeedbackReminded) != 1 {
		t.Errorf("view %+v", v)
	}

	env2, _ := taskEnv(t, start)
	other := at(env2, start, start.Add(time.Minute), relay.UpdateFeedbackReminded, req)
	env2.RegisterDelayedCallback(func() { env2.CancelWorkflow() }, time.Hour)
	env2.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2027-03-31"))
	if other.err == nil || !strings.Contains(other.err.Error(), "不是按月反馈") {
		t.Errorf("a task without monthly feedback: %v", other.err)
	}
}

// --- the daily follow-up run over two months ---

// fakeStore stands in for the visibility store and the tasks: summaries that change
// at scripted virtual times, and the reminders' records.
type fakeStore struct {
	mu     sync.Mutex
	env    *testsuite.TestWorkflowEnvironment
	tasks  []relay.TaskSummary
	script []scripted
	marks  []string
}

type scripted struct {
	at time.Time
	id string
	do func(*relay.TaskSummary)
}

var leadRE = regexp.MustCompile(`RelayLeadUnit = '([^']*)'`)

func (f *fakeStore) Tasks(_ context.Context, query string) ([]relay.TaskSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.env.Now()
	rest := f.script[:0]
	for _, s := range f.script {
		if s.at.After(now) {
			rest = append(rest, s)
			continue
		}
		for i := range f.tasks {
			if f.tasks[i].ID == s.id {
				s.do(&f.tasks[i])
			}
		}
	}
	f.script = rest
	var out []relay.TaskSummary
	m := leadRE.FindStringSubmatch(query)
	for _, s := range f.tasks {
		if s.DispatchedAt.After(now) || s.State == relay.StateClosed || s.State == relay.StateCompletionSubmitted {
			continue // not started yet; the query's state filter
		}
		if m != nil && s.LeadUnit != m[1] {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func (f *fakeStore) ActOnce(_ context.Context, taskID, action, _ string, req model.Request) (relay.TaskView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.tasks {
		if f.tasks[i].ID == taskID && action == relay.UpdateFeedbackReminded {
			f.tasks[i].FeedbackReminded = req.Cycle
			f.marks = append(f.marks, taskID+"@"+req.Cycle)
			return f.tasks[i].TaskView, nil
		}
	}
	return relay.TaskView{}, fmt.Errorf("找不到任务 %s", taskID)
}

// dailyFollowUp stands in for the Schedule: the follow-up every morning at 09:00.
func dailyFollowUp(ctx workflow.Context, days int) ([]relay.FollowUpResult, error) {
	var out []relay.FollowUpResult
	for i := 0; i < days; i++ {
		if err := workflow.Sleep(ctx, 24*time.Hour); err != nil {
			return out, err
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: fmt.Sprintf("followup-%d", i)})
		var r relay.FollowUpResult
		if err := workflow.ExecuteChildWorkflow(cctx, relay.FollowUpWorkflowName, relay.FollowUpInput{}).Get(ctx, &r); err != nil {
			return out, err
		}
		if len(r.Reminded) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

func monthly(id, unit string, dispatched time.Time) relay.TaskSummary {
	return relay.TaskSummary{
		TaskView: relay.TaskView{ID: id, Meeting: id[:strings.LastIndex(id, ":")], No: int(id[len(id)-1] - '0'), Title: "任务" + id,
			LeadUnit: unit, LeadUnitName: "单位" + unit, State: relay.StateDispatched, Deadline: "2027-03-31",
			Feedback: relay.FeedbackMonthly, FeedbackDay: 25},
		DispatchedAt: dispatched,
	}
}

func TestFollowUpTwoMonths(t *testing.T) {
	start := cst("2026-09-30 09:00")
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(60 * time.Second)
	env.RegisterWorkflowWithOptions(FollowUp, workflow.RegisterOptions{Name: relay.FollowUpWorkflowName})
	env.RegisterWorkflow(dailyFollowUp)
	rec := &recorder{env: env}
	store := &fakeStore{env: env}
	env.RegisterActivity(&activities.FollowUp{Notifier: notifierFunc(rec.deliver), Store: store, FeedbackDay: 25})

	sep := cst("2026-09-16 10:00")
	progress := func(when string) func(*relay.TaskSummary) {
		at := cst(when)
		return func(s *relay.TaskSummary) { s.LastProgressAt, s.State = &at, relay.StateInProgress }
	}
	store.tasks = []relay.TaskSummary{
		monthly("m:1", "zfb", sep), monthly("m:2", "zfb", sep), // one unit, two monthly items
		monthly("m:3", "lcj", sep),                     // reports in October only
		monthly("m:4", "rsj", sep),                     // closed in October
		monthly("m:5", "jyj", cst("2026-10-28 10:00")), // dispatched after October's due day
		monthly("m:6", "wlj", sep),                     // completion waiting for verification
		monthly("m:7", "czj", sep),                     // not monthly
	}
	store.tasks[5].State = relay.StateCompletionSubmitted
	store.tasks[6].Feedback, store.tasks[6].FeedbackDay = "", 0
	store.script = []scripted{
		{cst("2026-10-20 15:00"), "m:3", progress("2026-10-20 15:00")},
		{cst("2026-10-10 10:00"), "m:4", func(s *relay.TaskSummary) { s.State = relay.StateClosed }},
		{cst("2026-11-03 10:00"), "m:1", progress("2026-11-03 10:00")},
	}

	env.ExecuteWorkflow(dailyFollowUp, 62) // October 1st to December 1st
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var runs []relay.FollowUpResult
	if err := env.GetWorkflowResult(&runs); err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, x := range rec.items {
		var ids []string
		for _, it := range x.n.Items {
			ids = append(ids, it.TaskID)
		}
		got = append(got, fmt.Sprintf("%s@%s[%s]", x.n.ID, x.at.In(relay.TimeZone).Format("01-02 15:04"), strings.Join(ids, ",")))
		if x.n.Kind != relay.NoticeFeedback || x.n.ToKind != relay.ToUnit || !strings.Contains(x.n.Subject, "进展催报") {
			t.Errorf("notice %+v", x.n)
		}
	}
	want := []string{
		"feedback:zfb:2026-10@10-26 09:00[m:1,m:2]",
		"feedback:jyj:2026-11@11-26 09:00[m:5]",
		"feedback:lcj:2026-11@11-26 09:00[m:3]",
		"feedback:zfb:2026-11@11-26 09:00[m:2]",
	}
	// Units of one run are reminded side by side: compare as sets.
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("reminders\n got %v\nwant %v", got, want)
	}
	if len(runs) != 2 || runs[0].Cycle != "2026-10" || runs[1].Cycle != "2026-11" || len(runs[1].NoticeIDs) != 3 {
		t.Errorf("runs that reminded: %+v", runs)
	}
	marks := append([]string(nil), store.marks...)
	sort.Strings(marks)
	if strings.Join(marks, " ") != "m:1@2026-10 m:2@2026-10 m:2@2026-11 m:3@2026-11 m:5@2026-11" {
		t.Errorf("records on the tasks: %v", store.marks)
	}
	if body := rec.items[0].n.Body; !strings.Contains(body, "每月25日前") || !strings.Contains(body, "m:2 任务m:2（尚未报送过进展）") {
		t.Errorf("body %s", body)
	}
}

// A run as of a given time (a backfill) uses it, and a bad one is refused.
func TestFollowUpAsOf(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(cst("2026-12-05 09:00"))
	env.RegisterWorkflowWithOptions(FollowUp, workflow.RegisterOptions{Name: relay.FollowUpWorkflowName})
	rec := &recorder{env: env}
	store := &fakeStore{env: env, tasks: []relay.TaskSummary{monthly("m:1", "zfb", cst("2026-09-16 10:00"))}}
	env.RegisterActivity(&activities.FollowUp{Notifier: notifierFunc(rec.deliver), Store: store, FeedbackDay: 25})
	timeouts := recordTimeouts(env)
	env.ExecuteWorkflow(relay.FollowUpWorkflowName, relay.FollowUpInput{AsOf: "2026-11-27T10:00:00+08:00"})
	var r relay.FollowUpResult
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	if r.Cycle != "2026-11" || len(rec.items) != 1 || rec.items[0].n.ID != "feedback:zfb:2026-11" || !rec.items[0].n.IssuedAt.Equal(cst("2026-11-27 10:00")) {
		t.Errorf("result %+v, notices %v", r, rec.kinds())
	}
	timeouts.check(t, "FeedbackDueUnits", "RemindUnit")

	env2 := s.NewTestWorkflowEnvironment()
	env2.RegisterWorkflowWithOptions(FollowUp, workflow.RegisterOptions{Name: relay.FollowUpWorkflowName})
	env2.RegisterActivity(&activities.FollowUp{Notifier: notifierFunc(rec.deliver), Store: store})
	env2.ExecuteWorkflow(relay.FollowUpWorkflowName, relay.FollowUpInput{AsOf: "11月底"})
	if err := env2.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "as_of") {
		t.Errorf("bad as_of: %v", err)
	}
}

type notifierFunc func(context.Context, relay.Notice) error

func (f notifierFunc) Deliver(ctx context.Context, n relay.Notice) error { return f(ctx, n) }
