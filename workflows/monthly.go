package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// ra is only used to name the report activities; the worker registers the real value.
var ra *activities.Reports

// scheduledStart is the search attribute a Temporal Schedule sets on the runs it starts:
// their nominal time (also for a backfilled run, which stands for a past month).
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// MonthlyInspection computes a month's figures, produces the 通报 for the executive
// meeting and the report to the county committee (Markdown, HTML, ledger), archives
// them and tells the inspection office they are ready. The Schedule starts it with an
// empty request (the month before the nominal time); `starter report` names the month.
func MonthlyInspection(ctx workflow.Context, in report.Request) (report.Result, error) {
	now := workflow.Now(ctx)
	nominal := now
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart); ok && !t.IsZero() {
		nominal = t
	}
	req, err := report.Resolve(in, nominal, now)
	if err != nil {
		return report.Result{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadReportRequest", nil)
	}
	res := report.Result{Request: req}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute, // 10,000 tasks' timelines on a past day
		HeartbeatTimeout:    2 * time.Minute,  // Report heartbeats as it gathers
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{"BadReportRequest"},
		},
	})
	// Runs started before version 1 made the report in two activities that had to
	// share a disk; from version 1 one activity gathers, computes and writes.
	if workflow.GetVersion(ctx, "report-one-activity", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if err := workflow.ExecuteActivity(actx, ra.ReportSnapshot, req).Get(ctx, &res.Figures); err != nil {
			return res, err
		}
		if err := workflow.ExecuteActivity(actx, ra.ReportRender, req.Month).Get(ctx, &res.Files); err != nil {
			return res, err
		}
	} else {
		var done activities.Reported
		if err := workflow.ExecuteActivity(actx, ra.Report, req).Get(ctx, &done); err != nil {
			return res, err
		}
		res.Figures, res.Files = done.Figures, done.Files
	}
	subject, body := report.ReadyText(res.Figures, res.Files)
	res.Notice = "report:" + req.Month + ":" + req.AsOf
	n := relay.Notice{
		ID: res.Notice, Kind: relay.NoticeReportReady,
		ToKind: relay.ToInspection, To: relay.Inspection, ToName: "县政府督查室",
		Subject: subject, Body: body, IssuedAt: workflow.Now(ctx),
	}
	// Retries are unlimited: an error is a sink's permanent refusal; the reports are
	// archived all the same.
	_ = workflow.ExecuteActivity(activityOptions(ctx, time.Minute), a.Deliver, n).Get(ctx, nil)
	return res, nil
}
