package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"taskrelay/internal/relay"

	"taskrelay/internal/report"
	model "taskrelay/internal/task"
)

// change sends a change update at a virtual time and keeps its outcome.
func change(env *testsuite.TestWorkflowEnvironment, start, when time.Time, name string, req model.Request) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", o.callbacks(), req)
	}, when.Sub(start))
	return o
}

func changeInput(deadline string, start time.Time) relay.TaskInput {
	in := sampleTaskInput(deadline)
	in.DispatchedAt = start
	return in
}

// sentTo lists the delivered notices as kind>recipient[role].
func (r *recorder) sentTo() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.items {
		out = append(out, s.n.Kind+">"+s.n.To+"["+s.n.Items[0].Role+"]@"+s.at.In(relay.TimeZone).Format("01-02 15:04"))
	}
	return out
}

func wantNotices(t *testing.T, rec *recorder, want []string) {
	t.Helper()
	if got := rec.sentTo(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("notices\n got %v\nwant %v", got, want)
	}
}

func mustOK(t *testing.T, name string, o *outcome) {
	t.Helper()
	if !o.done || o.err != nil {
		t.Errorf("%s: done=%v err=%v", name, o.done, o.err)
	}
}

func mustRefuse(t *testing.T, name string, o *outcome, want string) {
	t.Helper()
	if o.err == nil || !strings.Contains(o.err.Error(), want) {
		t.Errorf("%s: want refusal containing %q, got %v", name, want, o.err)
	}
}

func TestReassignThenWithdraw(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	jyj := &relay.UnitRef{ID: "jyj", Name: "县教育体育局"}
	re := change(env, start, cst("2026-09-18 10:00"), relay.UpdateReassign, model.Request{By: relay.Office, Lead: jyj, Reason: "职能划转"})
	old := at(env, start, cst("2026-09-19 10:00"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 10, Note: "x"})
	prog := at(env, start, cst("2026-09-20 10:00"), relay.UpdateProgress, model.Request{Unit: "jyj", Percent: 20, Note: "已接手"})
	wd := change(env, start, cst("2026-10-05 10:00"), relay.UpdateWithdraw, model.Request{By: relay.Office, Reason: "县委常委会决定不再实施"})
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-10-10", start))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	mustOK(t, "reassign", re)
	mustOK(t, "progress by the new lead", prog)
	mustOK(t, "withdraw", wd)
	mustRefuse(t, "progress by the removed unit", old, "无权操作")
	if v := re.view; v.LeadUnit != "jyj" || v.LeadUnitName != "县教育体育局" || strings.Join(v.CoUnits, ",") != "czj" {
		t.Errorf("after reassign: lead %s (%s) co %v", v.LeadUnit, v.LeadUnitName, v.CoUnits)
	}
	var final relay.TaskView
	if err := env.GetWorkflowResult(&final); err != nil {
		t.Fatal(err)
	}
	if final.State != relay.StateWithdrawn || final.WithdrawnAt == nil || final.Light != "" {
		t.Errorf("final: %+v", final)
	}
	// The reminder 7 days ahead goes to the new lead; after the withdrawal nothing more.
	wantNotices(t, rec, []string{
		"dispatch>jyj[lead]@09-18 10:00", "withdrawn>rsj[co]@09-18 10:00",
		"reminder>jyj[lead]@10-03 09:00",
		"withdrawn>jyj[lead]@10-05 10:00", "withdrawn>czj[co]@10-05 10:00",
	})
	for _, s := range rec.items {
		if s.n.Kind == relay.NoticeDispatch && !strings.Contains(s.n.Body, "职能划转") {
			t.Errorf("the dispatch should carry the reason: %s", s.n.Body)
		}
	}
}

func TestAmendMovesTimersAndKeepsTheCommitteeText(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	am := change(env, start, cst("2026-09-20 10:00"), relay.UpdateAmend, model.Request{By: relay.Office,
		Deadline: "2026-11-30", Requirements: "年底前实现全县覆盖", Reason: "县委调整工作安排"})
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, cst("2026-11-24 10:00").Sub(start))
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-11-25 10:00").Sub(start))
	in := changeInput("2026-10-10", start)
	in.Item.Requirements = "原要求"
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)
	mustOK(t, "amend", am)
	if v.Deadline != "2026-11-30" || v.Requirements != "年底前实现全县覆盖" {
		t.Errorf("after amend: deadline %s requirements %s", v.Deadline, v.Requirements)
	}
	wantNotices(t, rec, []string{"amended>rsj[lead]@09-20 10:00", "amended>czj[co]@09-20 10:00", "reminder>rsj[lead]@11-23 09:00"})
	for _, s := range rec.items {
		if it := s.n.Items[0]; it.Requirements != "原要求" || it.ItemHash != relay.ItemRoot(in.Meeting, in.Item) {
			t.Errorf("a notice must keep the committee's item: %+v", it)
		}
	}
	last := v.Timeline[1] // dispatched, amended, reminder
	if last.Action != relay.ActAmended || last.Change == nil || last.Change.FromDeadline != "2026-10-10" || last.Change.Deadline != "2026-11-30" {
		t.Errorf("timeline entry: %+v", last)
	}
}

func TestPushbackKeptThenReassigned(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	jyj := &relay.UnitRef{ID: "jyj", Name: "县教育体育局"}
	pb := change(env, start, cst("2026-09-17 10:00"), relay.UpdatePushback, model.Request{Unit: "czj", Reason: "不属于本单位职责", Suggest: jyj})
	var waiting relay.TaskView
	env.RegisterDelayedCallback(func() { waiting = queryTask(t, env) }, cst("2026-09-17 11:00").Sub(start))
	other := change(env, start, cst("2026-09-17 12:00"), relay.UpdatePushback, model.Request{Unit: "rsj", Reason: "x"})
	keep := change(env, start, cst("2026-09-18 10:00"), relay.UpdateDecidePushback, model.Request{By: relay.Office, Keep: true, Reason: "配合职责明确"})
	again := change(env, start, cst("2026-09-19 10:00"), relay.UpdatePushback, model.Request{Unit: "czj", Reason: "再次申请"})
	pb2 := change(env, start, cst("2026-09-20 10:00"), relay.UpdatePushback, model.Request{Unit: "rsj", Reason: "应由教育部门牵头"})
	move := change(env, start, cst("2026-09-21 09:00"), relay.UpdateDecidePushback, model.Request{By: relay.Office, Lead: jyj, Reason: "同意改由教育体育局牵头"})
	late := change(env, start, cst("2026-09-27 10:00"), relay.UpdatePushback, model.Request{Unit: "jyj", Reason: "x"})
	var after relay.TaskView
	env.RegisterDelayedCallback(func() { after = queryTask(t, env) }, cst("2026-09-28 10:00").Sub(start))
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-09-29 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-12-31", start))
	mustOK(t, "push back", pb)
	mustOK(t, "keep", keep)
	mustOK(t, "second unit's push back", pb2)
	mustOK(t, "decide by reassigning", move)
	mustRefuse(t, "push back while one waits", other, "正待县政府办公室决定")
	mustRefuse(t, "second push back by the same unit", again, "已退回过")
	mustRefuse(t, "push back after the window", late, "已超过退回时限")
	if waiting.Light != relay.Yellow || waiting.Pushback == nil || waiting.Pushback.State != relay.PushbackPending || waiting.Pushback.Suggest != "jyj" {
		t.Errorf("waiting: light %s pushback %+v", waiting.Light, waiting.Pushback)
	}
	if after.Light != relay.Green || after.LeadUnit != "jyj" || after.Pushback.State != relay.PushbackReassigned || after.Pushback.Unit != "rsj" {
		t.Errorf("after: light %s lead %s pushback %+v", after.Light, after.LeadUnit, after.Pushback)
	}
	wantNotices(t, rec, []string{
		"pushback>office[lead]@09-17 10:00", "pushback_decision>czj[co]@09-18 10:00",
		"pushback>office[lead]@09-20 10:00",
		"dispatch>jyj[lead]@09-21 09:00", "withdrawn>rsj[co]@09-21 09:00", "pushback_decision>rsj[co]@09-21 09:00",
	})
}

func TestChangesRefusedChangeNothing(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	rsj := &relay.UnitRef{ID: "rsj", Name: "县人力资源和社会保障局"}
	cases := []struct {
		name, update string
		req          model.Request
		want         string
	}{
		{"unit reassigns", relay.UpdateReassign, model.Request{By: "rsj", Lead: rsj, Reason: "x"}, "无权调整分工"},
		{"reassign without reason", relay.UpdateReassign, model.Request{By: relay.Office, Lead: &relay.UnitRef{ID: "jyj", Name: "教"}}, "调整理由"},
		{"reassign to the same", relay.UpdateReassign, model.Request{By: relay.Office, Lead: rsj, Reason: "x"}, "与现在相同"},
		{"lead also supporting", relay.UpdateReassign, model.Request{By: relay.Office, SetCo: true, Co: []relay.UnitRef{*rsj}, Reason: "x"}, "既是牵头单位又是配合单位"},
		{"amend nothing", relay.UpdateAmend, model.Request{By: relay.Office, Reason: "x"}, "未指明调整内容"},
		{"amend bad date", relay.UpdateAmend, model.Request{By: relay.Office, Deadline: "年底", Reason: "x"}, "无法识别"},
		{"withdraw without reason", relay.UpdateWithdraw, model.Request{By: relay.Inspection}, "撤销理由"},
		{"outsider pushes back", relay.UpdatePushback, model.Request{Unit: "jyj", Reason: "x"}, "无权退回"},
		{"decide nothing", relay.UpdateDecidePushback, model.Request{By: relay.Office, Keep: true, Reason: "x"}, "没有待决定"},
		{"other leader instructs", relay.UpdateInstruct, model.Request{By: "ld-other", Text: "x"}, "无权批示"},
		{"chase an outsider", relay.UpdateChase, model.Request{By: relay.Inspection, Unit: "jyj", ReplyBy: "2026-10-01", ChaseID: "c1"}, "不是任务"},
	}
	outs := make([]*outcome, len(cases))
	for i, c := range cases {
		outs[i] = change(env, start, start.Add(time.Duration(i+1)*time.Hour), c.update, c.req)
	}
	var after relay.TaskView
	env.RegisterDelayedCallback(func() { after = queryTask(t, env) }, 24*time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 25*time.Hour)
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-12-31", start))
	for i, c := range cases {
		mustRefuse(t, c.name, outs[i], c.want)
	}
	if after.State != relay.StateDispatched || after.LeadUnit != "rsj" || len(after.Timeline) != 1 || after.Pushback != nil {
		t.Errorf("refusals changed the task: %+v", after)
	}
	if len(rec.items) != 0 {
		t.Errorf("refusals sent notices: %v", rec.sentTo())
	}
}

func TestInstructionAndChaseAnsweredByProgress(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	ins := change(env, start, cst("2026-09-17 10:00"), relay.UpdateInstruct, model.Request{By: "ld-chang", ByName: "李某", Text: "加快进度"})
	head := change(env, start, cst("2026-09-17 11:00"), relay.UpdateInstruct, model.Request{By: "ld-xz", ByName: "王县长", ByRole: relay.RoleCountyHead, Text: "月底前见成效"})
	ch := change(env, start, cst("2026-09-18 10:00"), relay.UpdateChase, model.Request{By: relay.Inspection, Unit: "rsj", ReplyBy: "2026-09-25", ChaseID: "chase-1", Reason: "请报进展"})
	var chased relay.TaskView
	env.RegisterDelayedCallback(func() { chased = queryTask(t, env) }, cst("2026-09-18 11:00").Sub(start))
	prog := at(env, start, cst("2026-09-20 10:00"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 30, Note: "按批示推进"})
	var after relay.TaskView
	env.RegisterDelayedCallback(func() { after = queryTask(t, env) }, cst("2026-09-21 10:00").Sub(start))
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-09-22 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-12-31", start))
	mustOK(t, "deputy's instruction", ins)
	mustOK(t, "county head's instruction", head)
	mustOK(t, "chase", ch)
	mustOK(t, "progress", prog)
	if len(after.Instructions) != 2 || after.Instructions[0].By != "李某" || after.Instructions[1].Text != "月底前见成效" {
		t.Errorf("instructions: %+v", after.Instructions)
	}
	if len(chased.Chases) != 1 || chased.Chases[0].Answered || !after.Chases[0].Answered {
		t.Errorf("chase before %+v after %+v", chased.Chases, after.Chases)
	}
	// The chase's one notice per unit is the Chase workflow's: none from the task.
	wantNotices(t, rec, []string{
		"instruction>rsj[lead]@09-17 10:00", "instruction>czj[co]@09-17 10:00",
		"instruction>rsj[lead]@09-17 11:00", "instruction>czj[co]@09-17 11:00",
	})
}

// A reassignment's entry keeps the assignment it replaced, typed, and a report for a
// day before it groups the task under the lead and deputy of that day.
func TestReassignKeepsTheAssignmentBefore(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	jyj := &relay.UnitRef{ID: "jyj", Name: "县教育体育局"}
	zhao := &relay.UnitRef{ID: "ld-zhao", Name: "赵某"}
	re := change(env, start, cst("2026-09-18 10:00"), relay.UpdateReassign, model.Request{By: relay.Office, Lead: jyj, Deputy: zhao, Reason: "职能划转"})
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env); env.CancelWorkflow() }, cst("2026-09-19 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-10-10", start))
	mustOK(t, "reassign", re)
	var e *relay.Event
	for i := range v.Timeline {
		if v.Timeline[i].Action == relay.ActReassigned {
			e = &v.Timeline[i]
		}
	}
	if e == nil || e.Change == nil || e.Change.Before == nil {
		t.Fatalf("the reassignment's entry keeps no assignment before it: %+v", e)
	}
	b := e.Change.Before
	if b.Lead != (relay.UnitRef{ID: "rsj", Name: "县人力资源和社会保障局"}) || b.Deputy != (relay.UnitRef{ID: "ld-chang", Name: "李某"}) ||
		len(b.Co) != 1 || b.Co[0].ID != "czj" {
		t.Errorf("before: %+v", *b)
	}
	sum := relay.TaskSummary{TaskView: v, DispatchedAt: start}
	task := report.Task{TaskSummary: sum, Timeline: v.Timeline}
	for _, c := range []struct {
		at           time.Time
		lead, deputy string
		name         string
	}{
		{cst("2026-09-17 10:00"), "rsj", "ld-chang", "县人力资源和社会保障局"},
		{cst("2026-09-18 12:00"), "jyj", "ld-zhao", "县教育体育局"},
	} {
		r, err := report.Compute(report.Input{Request: report.Request{Month: "2026-09", AsOfTime: c.at, Now: c.at.AddDate(1, 0, 0)}, Tasks: []report.Task{task}})
		if err != nil {
			t.Fatal(err)
		}
		row := r.Rows[0]
		if row.Unit != c.lead || row.Deputy != c.deputy || row.UnitName != c.name || len(r.Units) != 1 || r.Units[0].ID != c.lead || r.Units[0].Name != c.name ||
			len(r.Deputies) != 1 || r.Deputies[0].ID != c.deputy {
			t.Errorf("report as of %s: row %s %s (%s), units %+v, deputies %+v", c.at.Format(time.DateTime), row.Unit, row.Deputy, row.UnitName, r.Units, r.Deputies)
		}
	}
}

// Every update goes through the one request and its one text check: a change's
// reason over the cap is refused by the engine as an action's note is, and nothing
// is recorded.
func TestChangeReasonCappedByTheEngine(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	long := strings.Repeat("字", relay.MaxNoteRunes+1)
	wd := change(env, start, cst("2026-09-18 10:00"), relay.UpdateWithdraw, model.Request{By: relay.Office, Reason: long})
	am := change(env, start, cst("2026-09-18 11:00"), relay.UpdateAmend, model.Request{By: relay.Office, Reason: "会议调整", Requirements: long})
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env); env.CancelWorkflow() }, cst("2026-09-19 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, changeInput("2026-10-10", start))
	mustRefuse(t, "withdraw", wd, "撤销理由过长")
	mustRefuse(t, "amend", am, "具体要求过长")
	if v.State == relay.StateWithdrawn || len(v.Timeline) != 1 || len(rec.sentTo()) != 0 {
		t.Errorf("a refused change changed the task: %s, %d entries, notices %v", v.State, len(v.Timeline), rec.sentTo())
	}
}
