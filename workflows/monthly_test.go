package workflows

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
	model "taskrelay/internal/task"
)

// monthlyRun runs MonthlyInspection with mocked report activities and keeps what they
// were asked and what was delivered.
type monthlyRun struct {
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	report   []report.Request
	notices  []relay.Notice
	records  []relay.ReportSignoff
	issued   []activities.IssueRequest
	timeouts *activityTimeouts
}

func newMonthlyRun(t *testing.T, start time.Time) *monthlyRun {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflowWithOptions(MonthlyInspection, workflow.RegisterOptions{Name: relay.MonthlyWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	env.RegisterActivity(&activities.Reports{})
	m := &monthlyRun{env: env}
	env.OnActivity(ra.Report, mock.Anything, mock.Anything).Return(func(_ context.Context, req report.Request) (activities.Reported, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.report = append(m.report, req)
		return activities.Reported{
			Figures: report.Figures{Month: req.Month, AsOf: req.AsOf, Totals: report.Totals{Tasks: 9, ClosedOnTime: 1, ClosedLate: 1, OpenNotDue: 5, OpenOverdue: 2, CompletionRate: 22.2}},
			Files:   []string{"data/reports/" + req.Month + "/tongbao-" + req.Month + ".md"},
		}, nil
	})
	env.OnActivity(a.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, n relay.Notice) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.notices = append(m.notices, n)
		return nil
	})
	env.OnActivity(ra.ReportSignoffRecord, mock.Anything, mock.Anything).Return(func(_ context.Context, so relay.ReportSignoff) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.records = append(m.records, so)
		return nil
	})
	env.OnActivity(ra.ReportIssue, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.IssueRequest) (activities.Issued, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.issued = append(m.issued, req)
		return activities.Issued{DocNo: "县府督办〔2026〕3号", CommitteeDocNo: "县政报〔2026〕1号",
			Files: []string{"data/reports/" + req.Month + "/tongbao-" + req.Month + ".docx"},
			Units: []activities.Unit{{ID: "rsj", Name: "县人社局"}, {ID: "jyj", Name: "县教育体育局"}}}, nil
	})
	env.SetTestTimeout(30 * time.Second)
	m.timeouts = recordTimeouts(env)
	return m
}

// signoff sends one sign-off step after d of virtual time and keeps its outcome.
func (m *monthlyRun) signoff(d time.Duration, r relay.SignoffRequest) *signoffOutcome {
	o := &signoffOutcome{}
	m.env.RegisterDelayedCallback(func() {
		m.env.UpdateWorkflow(relay.UpdateReportSignoff, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.err, o.done = err, true },
			OnAccept: func() {},
			OnComplete: func(v interface{}, err error) {
				o.done, o.err = true, err
				if so, ok := v.(relay.ReportSignoff); ok {
					o.so = so
				}
			},
		}, r)
	}, d)
	return o
}

type signoffOutcome struct {
	done bool
	err  error
	so   relay.ReportSignoff
}

// approveAll reviews and signs the draft off, an hour and two after the start.
func (m *monthlyRun) approveAll() {
	m.signoff(time.Hour, relay.SignoffRequest{Step: relay.StepReview, Approve: true, By: "dcs-head"})
	m.signoff(2*time.Hour, relay.SignoffRequest{Step: relay.StepSign, Approve: true, By: "office-head"})
}

// TestMonthlyInspectionScheduled: a Schedule's run (empty request) reports on the month
// before its nominal time, also when it runs late as a backfill, then tells the
// inspection office once.
func TestMonthlyInspectionScheduled(t *testing.T) {
	m := newMonthlyRun(t, cst("2026-12-03 15:00"))
	if err := m.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(scheduledStart.ValueSet(cst("2026-10-01 09:00")))); err != nil {
		t.Fatal(err)
	}
	m.approveAll()
	m.env.ExecuteWorkflow(relay.MonthlyWorkflowName, report.Request{})
	if err := m.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res report.Result
	if err := m.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if len(m.report) != 1 || m.report[0].Month != "2026-09" || m.report[0].AsOf != "2026-09-30" ||
		!m.report[0].AsOfTime.Equal(cst("2026-10-01 00:00")) {
		t.Fatalf("report asked for %+v", m.report)
	}
	if len(m.notices) != 4 { // report_ready, then the issued 通报 to two units and the committee
		t.Fatalf("notices: %+v", m.notices)
	}
	n := m.notices[0]
	if n.Kind != relay.NoticeReportReady || n.To != relay.Inspection || n.ID != "report:2026-09:2026-09-30" ||
		!strings.Contains(n.Subject, "2026年9月") || !strings.Contains(n.Body, "办结率22.2%") || !strings.Contains(n.Body, "data/reports/2026-09") {
		t.Errorf("notice: %+v", n)
	}
	if res.Figures.Month != "2026-09" || res.Figures.Totals.Tasks != 9 || len(res.Files) != 1 || res.Notice != n.ID ||
		res.Signoff == nil || res.Signoff.State != relay.ReportIssued {
		t.Errorf("result: %+v", res)
	}
	m.timeouts.check(t, "Report", "Deliver")
}

// TestMonthlyInspectionOnDemand: `starter report --month --as-of` names both.
func TestMonthlyInspectionOnDemand(t *testing.T) {
	m := newMonthlyRun(t, cst("2026-12-03 15:00"))
	m.approveAll()
	m.env.ExecuteWorkflow(relay.MonthlyWorkflowName, report.Request{Month: "2026-11", AsOf: "2026-11-20"})
	if err := m.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(m.report) != 1 || m.report[0].Month != "2026-11" || !m.report[0].AsOfTime.Equal(cst("2026-11-21 00:00")) ||
		!m.report[0].Now.Equal(cst("2026-12-03 15:00")) {
		t.Fatalf("report asked for %+v", m.report)
	}
}

// TestMonthlyInspectionRefusesBadMonth: a bad request fails at once, naming the
// problem, and produces nothing.
func TestMonthlyInspectionRefusesBadMonth(t *testing.T) {
	for _, req := range []report.Request{{Month: "2027-01"}, {Month: "2026-11", AsOf: "2026-10-01"}, {Month: "11/2026"}} {
		m := newMonthlyRun(t, cst("2026-12-03 15:00"))
		m.env.ExecuteWorkflow(relay.MonthlyWorkflowName, req)
		err := m.env.GetWorkflowError()
		if err == nil || !(strings.Contains(err.Error(), "尚未开始") || strings.Contains(err.Error(), "早于") || strings.Contains(err.Error(), "YYYY-MM")) {
			t.Errorf("%+v: %v", req, err)
		}
		if len(m.report)+len(m.notices) != 0 {
			t.Errorf("%+v: activities ran", req)
		}
	}
}

// TestSummaryDatesGrantsAndRejections: the memo dates every approved extension (with
// the deadline before and after) and every rejected completion, which the monthly
// report needs for a past day.
func TestSummaryDatesGrantsAndRejections(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	memo := lastMemo(env)
	at(env, start, cst("2026-09-28 10:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-11-30", Note: "等待省级文件"})
	at(env, start, cst("2026-09-30 10:00"), relay.UpdateDecideExtension, model.Request{By: "ld-chang", Approve: true})
	at(env, start, cst("2026-11-20 10:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-12-31", Note: "资金未到位"})
	at(env, start, cst("2026-11-21 10:00"), relay.UpdateDecideExtension, model.Request{By: relay.Inspection, Approve: true, Note: "同意"})
	at(env, start, cst("2026-12-10 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
	at(env, start, cst("2026-12-11 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Note: "缺佐证材料"})
	at(env, start, cst("2026-12-12 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "已补充"})
	at(env, start, cst("2026-12-13 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	last := memo()
	checkGrants(t, last.Grants, []relay.Grant{
		{At: cst("2026-09-30 10:00"), By: "ld-chang", From: "2026-10-10", To: "2026-11-30"},
		{At: cst("2026-11-21 10:00"), By: relay.Inspection, From: "2026-11-30", To: "2026-12-31"},
	})
	if last.ExtensionsGranted != 2 || last.Rejections != 1 || len(last.RejectedCompletions) != 1 ||
		!last.RejectedCompletions[0].At.Equal(cst("2026-12-11 10:00")) || last.RejectedCompletions[0].Note != "缺佐证材料" {
		t.Errorf("summary: %+v", last)
	}
	if last.State != relay.StateClosed || last.Deadline != "2026-12-31" {
		t.Errorf("final: %s %s", last.State, last.Deadline)
	}
}

// lastMemo keeps the summary the task last wrote to its memo.
func lastMemo(env *testsuite.TestWorkflowEnvironment) func() relay.TaskSummary {
	var (
		mu   sync.Mutex
		last relay.TaskSummary
	)
	env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		if s, ok := args.Get(0).(map[string]interface{})[relay.MemoSummary].(relay.TaskSummary); ok {
			mu.Lock()
			last = s
			mu.Unlock()
		}
	}).Return(nil)
	return func() relay.TaskSummary {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

func checkGrants(t *testing.T, got, want []relay.Grant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("grants: %+v, want %+v", got, want)
	}
	for i, g := range want {
		if x := got[i]; !x.At.Equal(g.At) || x.By != g.By || x.From != g.From || x.To != g.To {
			t.Errorf("grant %d: %+v, want %+v", i, x, g)
		}
	}
}

// TestApprovalNoteDateLeavesDeadlineHistory: a leader's comment on an approval that
// mentions a date is not the new deadline. The grants keep the deadline history the
// engine applied, the timeline entry carries it as typed fields, and the monthly
// report does not count the task overdue on a day its deadline had not passed.
func TestApprovalNoteDateLeavesDeadlineHistory(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	memo := lastMemo(env)
	at(env, start, cst("2026-09-28 10:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-11-30", Note: "等待省级文件"})
	at(env, start, cst("2026-09-30 10:00"), relay.UpdateDecideExtension, model.Request{By: "ld-chang", Approve: true, Note: "请于2026-10-20前补充材料"})
	at(env, start, cst("2026-11-20 10:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-12-31", Note: "资金未到位"})
	at(env, start, cst("2026-11-21 10:00"), relay.UpdateDecideExtension, model.Request{By: relay.Inspection, Approve: true})
	var timeline []relay.Event
	env.RegisterDelayedCallback(func() { timeline = queryTask(t, env).Timeline }, cst("2026-11-22 10:00").Sub(start))
	at(env, start, cst("2026-12-10 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
	at(env, start, cst("2026-12-13 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	last := memo()
	checkGrants(t, last.Grants, []relay.Grant{
		{At: cst("2026-09-30 10:00"), By: "ld-chang", From: "2026-10-10", To: "2026-11-30"},
		{At: cst("2026-11-21 10:00"), By: relay.Inspection, From: "2026-11-30", To: "2026-12-31"},
	})

	var approved []string
	for _, e := range timeline {
		switch e.Action {
		case relay.ActExtensionApproved:
			approved = append(approved, e.From+">"+e.Until)
		case relay.ActExtensionRequested:
			if e.Until == "" {
				t.Errorf("request without until: %+v", e)
			}
		}
	}
	if strings.Join(approved, " ") != "2026-10-10>2026-11-30 2026-11-30>2026-12-31" {
		t.Errorf("approved entries: %v", approved)
	}

	// On 10 November the deadline in force was 30 November: not overdue.
	req, err := report.Resolve(report.Request{Month: "2026-11", AsOf: "2026-11-10"}, time.Time{}, cst("2026-12-20 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Compute(report.Input{Request: req, Tasks: []report.Task{{TaskSummary: last}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.OpenOverdue != 0 || len(r.Rows) != 1 || r.Rows[0].Deadline != "2026-11-30" {
		t.Errorf("report on 10 November: totals %+v rows %+v", r.Totals, r.Rows)
	}
}

// TestSummaryReadsOldApprovals: approvals recorded before Event had typed fields are
// read from the engine's own wording only, not from a date in the leader's comment.
func TestSummaryReadsOldApprovals(t *testing.T) {
	tk := &task{in: sampleTaskInput("2026-10-10")}
	tk.c = relay.TaskCarry{Deadline: "2026-12-31", Timeline: []relay.Event{
		{At: cst("2026-09-30 10:00"), By: "ld-chang", Action: relay.ActExtensionApproved, Note: "同意延期：完成时限由 2026-10-10 调整为 2026-11-30。意见：请于2026-10-20前补充材料"},
		{At: cst("2026-11-21 10:00"), By: relay.Inspection, Action: relay.ActExtensionApproved, Note: "同意延期：完成时限由 2026-11-30 调整为 2026-12-31。"},
	}}
	checkGrants(t, tk.summary().Grants, []relay.Grant{
		{At: cst("2026-09-30 10:00"), By: "ld-chang", From: "2026-10-10", To: "2026-11-30"},
		{At: cst("2026-11-21 10:00"), By: relay.Inspection, From: "2026-11-30", To: "2026-12-31"},
	})
}

// TestMonthlyInspectionSignoff: the report waits as a draft; steps out of order and a
// return without a note are refused and change nothing; a return regenerates the
// draft; only after the review and the sign-off is it numbered and sent to every unit
// (report_issued) and the committee; each step is kept with who, when and the note.
func TestMonthlyInspectionSignoff(t *testing.T) {
	start := cst("2026-12-03 15:00")
	m := newMonthlyRun(t, start)
	var draft report.Result
	m.env.RegisterDelayedCallback(func() {
		m.env.UpdateWorkflow(relay.UpdateReportDraft, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("draft rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(v interface{}, err error) {
				if err != nil {
					t.Errorf("draft: %v", err)
				}
				draft, _ = v.(report.Result)
			},
		})
	}, time.Minute)
	var beforeSign relay.ReportSignoff
	m.env.RegisterDelayedCallback(func() {
		v, err := m.env.QueryWorkflow(relay.QueryReportSignoff)
		if err == nil {
			err = v.Get(&beforeSign)
		}
		if err != nil {
			t.Error(err)
		}
	}, 5*time.Hour+30*time.Minute)
	signFirst := m.signoff(time.Hour, relay.SignoffRequest{Step: relay.StepSign, Approve: true, By: "office-head"})
	noNote := m.signoff(2*time.Hour, relay.SignoffRequest{Step: relay.StepReview, By: "dcs-head"})
	returned := m.signoff(3*time.Hour, relay.SignoffRequest{Step: relay.StepReview, Note: "第二部分数据需核实", By: "dcs-head", ByName: "督查室主任"})
	reviewed := m.signoff(4*time.Hour, relay.SignoffRequest{Step: relay.StepReview, Approve: true, By: "dcs-head"})
	again := m.signoff(5*time.Hour, relay.SignoffRequest{Step: relay.StepReview, Approve: true, By: "dcs-head"})
	signed := m.signoff(6*time.Hour, relay.SignoffRequest{Step: relay.StepSign, Approve: true, By: "office-head", ByName: "办公室主任"})
	m.env.ExecuteWorkflow(relay.MonthlyWorkflowName, report.Request{Month: "2026-11"})
	if err := m.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if draft.Figures.Month != "2026-11" || len(draft.Files) != 1 {
		t.Errorf("draft: %+v", draft)
	}
	for name, o := range map[string]*signoffOutcome{"sign first": signFirst, "no note": noNote, "review twice": again} {
		if !o.done || o.err == nil {
			t.Errorf("%s: not refused (%+v)", name, o)
		}
	}
	if !strings.Contains(signFirst.err.Error(), "尚未审核") || !strings.Contains(noNote.err.Error(), "意见") || !strings.Contains(again.err.Error(), "已审核") {
		t.Errorf("reasons: %v / %v / %v", signFirst.err, noNote.err, again.err)
	}
	if returned.err != nil || returned.so.State != relay.ReportDraft || reviewed.err != nil || reviewed.so.State != relay.ReportReviewed {
		t.Errorf("returned %+v, reviewed %+v", returned, reviewed)
	}
	if beforeSign.State != relay.ReportReviewed || beforeSign.DocNo != "" {
		t.Errorf("before the sign-off: %+v", beforeSign)
	}
	if len(m.report) != 2 || !m.report[1].Now.Equal(start.Add(3*time.Hour)) {
		t.Errorf("report made %d times (want the draft and its regeneration): %+v", len(m.report), m.report)
	}
	if len(m.issued) != 1 || !m.issued[0].IssuedAt.Equal(start.Add(6*time.Hour)) {
		t.Errorf("issued: %+v", m.issued)
	}
	so := signed.so
	if signed.err != nil || so.State != relay.ReportIssued || so.DocNo != "县府督办〔2026〕3号" || so.CommitteeDocNo != "县政报〔2026〕1号" {
		t.Fatalf("signed: %+v", signed)
	}
	var steps []string
	for _, e := range so.Timeline {
		steps = append(steps, fmt.Sprintf("%s:%v:%s:%s", e.Step, e.Approve, e.By, e.At.In(relay.TimeZone).Format("15:04")))
	}
	want := "draft:true::15:00 review:false:dcs-head:18:00 draft:true::18:00 review:true:dcs-head:19:00 sign:true:office-head:21:00 issue:true::21:00"
	if strings.Join(steps, " ") != want {
		t.Errorf("timeline:\n %s\nwant\n %s", strings.Join(steps, " "), want)
	}
	if so.Timeline[1].Note != "第二部分数据需核实" || so.Timeline[1].ByName != "督查室主任" || so.Timeline[5].DocNo != so.DocNo {
		t.Errorf("timeline entries: %+v", so.Timeline)
	}
	// Recorded after the draft, after each step taken (not after a refusal).
	var states []string
	for _, r := range m.records {
		states = append(states, string(r.State))
	}
	if strings.Join(states, " ") != "draft draft reviewed issued" {
		t.Errorf("records: %v", states)
	}
	var issued []string
	for _, n := range m.notices {
		if n.Kind == relay.NoticeReportIssued {
			issued = append(issued, n.ToKind+":"+n.To+":"+n.DocNo)
		}
	}
	sort.Strings(issued) // delivered in parallel
	if strings.Join(issued, " ") != "committee:committee:县政报〔2026〕1号 unit:jyj:县府督办〔2026〕3号 unit:rsj:县府督办〔2026〕3号" {
		t.Errorf("issued notices: %v", issued)
	}
}
