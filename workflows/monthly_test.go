package workflows

import (
	"context"
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
)

// monthlyRun runs MonthlyInspection with mocked report activities and keeps what they
// were asked and what was delivered.
type monthlyRun struct {
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	report   []report.Request
	notices  []relay.Notice
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
	env.SetTestTimeout(30 * time.Second)
	m.timeouts = recordTimeouts(env)
	return m
}

// TestMonthlyInspectionScheduled: a Schedule's run (empty request) reports on the month
// before its nominal time, also when it runs late as a backfill, then tells the
// inspection office once.
func TestMonthlyInspectionScheduled(t *testing.T) {
	m := newMonthlyRun(t, cst("2026-12-03 15:00"))
	if err := m.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(scheduledStart.ValueSet(cst("2026-10-01 09:00")))); err != nil {
		t.Fatal(err)
	}
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
	if len(m.notices) != 1 {
		t.Fatalf("notices: %+v", m.notices)
	}
	n := m.notices[0]
	if n.Kind != relay.NoticeReportReady || n.To != relay.Inspection || n.ID != "report:2026-09:2026-09-30" ||
		!strings.Contains(n.Subject, "2026年9月") || !strings.Contains(n.Body, "办结率22.2%") || !strings.Contains(n.Body, "data/reports/2026-09") {
		t.Errorf("notice: %+v", n)
	}
	if res.Figures.Month != "2026-09" || res.Figures.Totals.Tasks != 9 || len(res.Files) != 1 || res.Notice != n.ID {
		t.Errorf("result: %+v", res)
	}
	m.timeouts.check(t, "Report", "Deliver")
}

// TestMonthlyInspectionOnDemand: `starter report --month --as-of` names both.
func TestMonthlyInspectionOnDemand(t *testing.T) {
	m := newMonthlyRun(t, cst("2026-12-03 15:00"))
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
	at(env, start, cst("2026-09-28 10:00"), relay.UpdateExtend, relay.ActionRequest{Unit: "rsj", Until: "2026-11-30", Note: "等待省级文件"})
	at(env, start, cst("2026-09-30 10:00"), relay.UpdateDecideExtension, relay.ActionRequest{By: "ld-chang", Approve: true})
	at(env, start, cst("2026-11-20 10:00"), relay.UpdateExtend, relay.ActionRequest{Unit: "rsj", Until: "2026-12-31", Note: "资金未到位"})
	at(env, start, cst("2026-11-21 10:00"), relay.UpdateDecideExtension, relay.ActionRequest{By: relay.Inspection, Approve: true, Note: "同意"})
	at(env, start, cst("2026-12-10 10:00"), relay.UpdateComplete, relay.ActionRequest{Unit: "rsj", Note: "完成"})
	at(env, start, cst("2026-12-11 10:00"), relay.UpdateVerify, relay.ActionRequest{By: relay.Inspection, Note: "缺佐证材料"})
	at(env, start, cst("2026-12-12 10:00"), relay.UpdateComplete, relay.ActionRequest{Unit: "rsj", Note: "已补充"})
	at(env, start, cst("2026-12-13 10:00"), relay.UpdateVerify, relay.ActionRequest{By: relay.Inspection, Approve: true})
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
	at(env, start, cst("2026-09-28 10:00"), relay.UpdateExtend, relay.ActionRequest{Unit: "rsj", Until: "2026-11-30", Note: "等待省级文件"})
	at(env, start, cst("2026-09-30 10:00"), relay.UpdateDecideExtension, relay.ActionRequest{By: "ld-chang", Approve: true, Note: "请于2026-10-20前补充材料"})
	at(env, start, cst("2026-11-20 10:00"), relay.UpdateExtend, relay.ActionRequest{Unit: "rsj", Until: "2026-12-31", Note: "资金未到位"})
	at(env, start, cst("2026-11-21 10:00"), relay.UpdateDecideExtension, relay.ActionRequest{By: relay.Inspection, Approve: true})
	var timeline []relay.Event
	env.RegisterDelayedCallback(func() { timeline = queryTask(t, env).Timeline }, cst("2026-11-22 10:00").Sub(start))
	at(env, start, cst("2026-12-10 10:00"), relay.UpdateComplete, relay.ActionRequest{Unit: "rsj", Note: "完成"})
	at(env, start, cst("2026-12-13 10:00"), relay.UpdateVerify, relay.ActionRequest{By: relay.Inspection, Approve: true})
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
