package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// ra is only used to name the report activities; the worker registers the real value.
var ra *activities.Reports

// scheduledStart is the search attribute a Temporal Schedule sets on the runs it starts:
// their nominal time (also for a backfilled run, which stands for a past month).
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// inspection is one run of the monthly inspection: its report, and from version
// "report-signoff" 1 the sign-off the report waits for before it is issued.
type inspection struct {
	req     report.Request
	res     report.Result
	actx    workflow.Context // the report activities' options
	sctx    workflow.Context // the sign-off's: short, no heartbeats
	drafted bool
	so      relay.ReportSignoff
	mu      workflow.Mutex // one sign-off step at a time (steps run activities)
	// keys: the keys a sign-off step must be signed with (task_actor.go); none: any.
	keys []actor.PublicKey
}

// MonthlyInspection computes a month's figures and produces the 通报 for the executive
// meeting and the report to the county committee (Markdown, HTML, .docx, ledger) as a
// draft (拟稿), archives it and tells the inspection office it is ready. The draft then
// waits for the inspection office head's review (审核) and the government office
// head's sign-off (签发), sent as relay.UpdateReportSignoff; a return regenerates the
// draft. Once signed off the reports are numbered, sent to every unit and to the
// committee, and archived, and the run ends. The Schedule starts it with an empty
// request (the month before the nominal time); `starter report` names the month.
func MonthlyInspection(ctx workflow.Context, in report.Request) (report.Result, error) {
	m := &inspection{mu: workflow.NewMutex(ctx)}
	// Registered first, so a request sent with the start finds them; they change
	// nothing in the history of a run that never receives one.
	if err := m.handlers(ctx); err != nil {
		return report.Result{}, err
	}
	now := workflow.Now(ctx)
	nominal := now
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart); ok && !t.IsZero() {
		nominal = t
	}
	req, err := report.Resolve(in, nominal, now)
	if err != nil {
		return report.Result{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadReportRequest", nil)
	}
	m.req, m.res = req, report.Result{Request: req}
	m.actx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute, // 10,000 tasks' timelines on a past day
		HeartbeatTimeout:    2 * time.Minute,  // Report heartbeats as it gathers
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{"BadReportRequest"},
		},
	})
	m.sctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 10,
			NonRetryableErrorTypes: []string{"BadReportRequest"},
		},
	})
	// Runs started before version 1 made the report in two activities that had to
	// share a disk; from version 1 one activity gathers, computes and writes.
	if workflow.GetVersion(ctx, "report-one-activity", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if err := workflow.ExecuteActivity(m.actx, ra.ReportSnapshot, req).Get(ctx, &m.res.Figures); err != nil {
			return m.res, err
		}
		if err := workflow.ExecuteActivity(m.actx, ra.ReportRender, req.Month).Get(ctx, &m.res.Files); err != nil {
			return m.res, err
		}
	} else if err := m.report(ctx); err != nil {
		return m.res, err
	}
	// Runs started before version 1 issued the reports at once, unsigned.
	signoff := workflow.GetVersion(ctx, "report-signoff", workflow.DefaultVersion, 1) != workflow.DefaultVersion
	if signoff {
		info := workflow.GetInfo(ctx)
		m.so = relay.ReportSignoff{Month: req.Month, State: relay.ReportDraft,
			WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID}
		m.so.Timeline = append(m.so.Timeline, relay.SignoffEntry{Step: relay.StepDraft, Approve: true, At: workflow.Now(ctx)})
		if err := m.record(ctx); err != nil {
			return m.res, err
		}
	}
	m.drafted = true
	subject, body := report.ReadyText(m.res.Figures, m.res.Files)
	m.res.Notice = "report:" + req.Month + ":" + req.AsOf
	n := relay.Notice{
		ID: m.res.Notice, Kind: relay.NoticeReportReady,
		ToKind: relay.ToInspection, To: relay.Inspection, ToName: "县政府督查室",
		Subject: subject, Body: body, IssuedAt: workflow.Now(ctx),
	}
	// Retries are unlimited: an error is a sink's permanent refusal; the reports are
	// archived all the same.
	_ = workflow.ExecuteActivity(activityOptions(ctx, time.Minute), a.Deliver, n).Get(ctx, nil)
	if !signoff {
		return m.res, nil
	}
	if err := workflow.Await(ctx, func() bool {
		return m.so.State == relay.ReportIssued && workflow.AllHandlersFinished(ctx)
	}); err != nil {
		return m.res, err
	}
	m.res.Signoff = &m.so
	return m.res, nil
}

func (m *inspection) handlers(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, relay.UpdateReportDraft, func(ctx workflow.Context) (report.Result, error) {
		err := workflow.Await(ctx, func() bool { return m.drafted })
		return m.res, err
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, relay.QueryReportSignoff, func() (relay.ReportSignoff, error) {
		return m.so, nil
	}); err != nil {
		return err
	}
	if err := setKeysHandler(ctx, &m.keys, func() any { return m.so }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, relay.UpdateReportSignoff, m.step,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r relay.SignoffRequest) error {
			if err := checkActor(ctx, m.keys, nil, relay.UpdateReportSignoff, r.Assertion, r.Identity()); err != nil {
				return err
			}
			return relay.CheckSignoff(m.req.Month, m.so.State, r)
		}})
}

// report gathers, computes and archives the month's reports (the draft).
func (m *inspection) report(ctx workflow.Context) error {
	var done activities.Reported
	if err := workflow.ExecuteActivity(m.actx, ra.Report, m.req).Get(ctx, &done); err != nil {
		return err
	}
	m.res.Figures, m.res.Files, m.keys = done.Figures, done.Files, done.Keys
	return nil
}

// record keeps the sign-off state in the archive, where the console and `starter
// reports` read it.
func (m *inspection) record(ctx workflow.Context) error {
	return workflow.ExecuteActivity(m.sctx, ra.ReportSignoffRecord, m.so).Get(ctx, nil)
}

// step takes one sign-off step. The validator refused steps out of order; checked
// again under the lock, for two steps accepted together.
func (m *inspection) step(ctx workflow.Context, r relay.SignoffRequest) (relay.ReportSignoff, error) {
	if err := m.mu.Lock(ctx); err != nil {
		return m.so, err
	}
	defer m.mu.Unlock()
	if err := relay.CheckSignoff(m.req.Month, m.so.State, r); err != nil {
		return m.so, temporal.NewNonRetryableApplicationError(err.Error(), "SignoffRefused", nil)
	}
	now := workflow.Now(ctx)
	m.so.Timeline = append(m.so.Timeline, relay.SignoffEntry{Step: r.Step, Approve: r.Approve, Note: r.Note, By: r.By, ByName: r.ByName, At: now})
	switch {
	case !r.Approve: // returned: the draft is made again, from the state now
		m.so.State = relay.ReportDraft
		m.req.Now = now
		if err := m.report(ctx); err != nil {
			_ = m.record(ctx)
			return m.so, err
		}
		m.so.Timeline = append(m.so.Timeline, relay.SignoffEntry{Step: relay.StepDraft, Approve: true, At: workflow.Now(ctx)})
	case r.Step == relay.StepReview:
		m.so.State = relay.ReportReviewed
	default:
		if err := m.issue(ctx, now); err != nil {
			_ = m.record(ctx)
			return m.so, err
		}
	}
	return m.so, m.record(ctx)
}

// issue numbers the signed-off reports, rewrites them with their numbers and sends the
// 通报 to every unit and the report to the committee.
func (m *inspection) issue(ctx workflow.Context, now time.Time) error {
	var is activities.Issued
	if err := workflow.ExecuteActivity(m.sctx, ra.ReportIssue, activities.IssueRequest{Month: m.req.Month, IssuedAt: now}).Get(ctx, &is); err != nil {
		return err
	}
	m.res.Files = is.Files
	m.so.DocNo, m.so.CommitteeDocNo = is.DocNo, is.CommitteeDocNo
	id := "report-issued:" + m.req.Month + ":"
	subject, body := report.IssuedText(m.res.Figures, is.DocNo, false)
	notices := make([]relay.Notice, 0, len(is.Units)+1)
	for _, u := range is.Units {
		notices = append(notices, relay.Notice{ID: id + u.ID, Kind: relay.NoticeReportIssued, ToKind: relay.ToUnit, To: u.ID, ToName: u.Name,
			Subject: subject, Body: body, IssuedAt: now, DocNo: is.DocNo})
	}
	subject, body = report.IssuedText(m.res.Figures, is.CommitteeDocNo, true)
	notices = append(notices, relay.Notice{ID: id + relay.ToCommittee, Kind: relay.NoticeReportIssued, ToKind: relay.ToCommittee, To: relay.ToCommittee,
		ToName: relay.CommitteeName, Subject: subject, Body: body, IssuedAt: now, DocNo: is.CommitteeDocNo})
	dctx := activityOptions(ctx, time.Minute)
	futures := make([]workflow.Future, len(notices))
	for i, n := range notices {
		futures[i] = workflow.ExecuteActivity(dctx, a.Deliver, n)
	}
	for _, f := range futures {
		_ = f.Get(ctx, nil) // a sink's permanent refusal; the notice is in the outbox
	}
	m.so.State = relay.ReportIssued
	m.so.Timeline = append(m.so.Timeline, relay.SignoffEntry{Step: relay.StepIssue, Approve: true, At: workflow.Now(ctx), DocNo: is.DocNo})
	return nil
}
