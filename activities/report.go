package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"taskrelay/internal/actor"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// TaskReader is what the monthly inspection reads from the engine (relayclient.Client
// provides it): the tasks' summaries, a meeting, tasks with their timelines, and a
// document number.
type TaskReader interface {
	Tasks(ctx context.Context, query string) ([]relay.TaskSummary, error)
	Meeting(ctx context.Context, meetingID string) (relay.MeetingView, error)
	TaskViews(ctx context.Context, ids []string) ([]relay.TaskView, error)
	DocNumber(ctx context.Context, prefix string, year int, requestID string) (int, error)
}

// Reports are the monthly inspection's activities: gather the tasks' states, compute
// the figures and write both reports into the archive. Idempotent: a retry gathers and
// writes the same month's files again, replacing them whole.
type Reports struct {
	API TaskReader
	// Archive is the reports' archive (reports/YYYY-MM/ in the shared blob store);
	// Notices the records of the notices the engine issued, which the reform figure
	// counts (notices/ in the same store): whichever worker runs the report, it reads
	// and writes the same.
	Archive *report.Archive
	Notices *notify.Records
	County  string
	Options report.Options
	// Documents lay the .docx reports out (发文机关, 字号 prefix, fonts).
	Documents gongwen.Settings
	// Contacts are the units' 联络员 (by unit id), listed in the 台账.
	Contacts map[string]relay.Contact
	// Units are every unit of the directory: the issued 通报 goes to each.
	Units []Unit
	// Keys reads the trusted keys the sign-off is checked against; nil: none.
	Keys func() ([]actor.PublicKey, error)
}

// Unit is a recipient of the issued 通报.
type Unit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Reported is what Report did: the month's figures and the files it wrote.
type Reported struct {
	Figures report.Figures `json:"figures"`
	Files   []string       `json:"files"`
	// Keys are the keys the report's sign-off must be signed with (the worker's
	// trusted-keys file; package actor).
	Keys []actor.PublicKey `json:"keys,omitempty"`
}

// Report gathers the month's data, computes the figures and writes both reports and
// the ledger, in one activity: gathering on one worker and rendering on another would
// need the data carried between them (past the engine's 2 MB payload limit at 10,000
// tasks) or a disk both can read. The archived snapshot is for people to check the
// figures against, not for a later activity.
func (r *Reports) Report(ctx context.Context, req report.Request) (Reported, error) {
	// An issued month's reports are on record as signed: a new run must not replace them.
	if so, err := r.Archive.ReadSignoff(ctx, req.Month); err == nil && so != nil && so.State == relay.ReportIssued {
		msg := fmt.Sprintf("%s 月度报告已签发印发（文号 %s），不再重新生成", req.Month, so.DocNo)
		return Reported{}, temporal.NewNonRetryableApplicationError(msg, "BadReportRequest", nil)
	}
	rep, err := r.snapshot(ctx, req)
	if err != nil {
		return Reported{}, err
	}
	files, err := r.Archive.Write(ctx, rep)
	if err != nil {
		return Reported{}, err
	}
	var keys []actor.PublicKey
	if r.Keys != nil {
		if keys, err = r.Keys(); err != nil {
			return Reported{}, err
		}
	}
	return Reported{Figures: rep.Figures, Files: files, Keys: keys}, nil
}

// ReportSnapshot and ReportRender are the report's two halves as monthly runs started
// before Report existed call them (kept for those runs; ReportRender reads the snapshot
// ReportSnapshot archived).
func (r *Reports) ReportSnapshot(ctx context.Context, req report.Request) (report.Figures, error) {
	rep, err := r.snapshot(ctx, req)
	if err != nil {
		return report.Figures{}, err
	}
	return rep.Figures, nil
}

// ReportRender: see ReportSnapshot.
func (r *Reports) ReportRender(ctx context.Context, month string) ([]string, error) {
	in, err := r.Archive.ReadSnapshot(ctx, month)
	if err != nil {
		return nil, err
	}
	rep, err := compute(in)
	if err != nil {
		return nil, err
	}
	return r.Archive.Write(ctx, rep)
}

// snapshot gathers the month's data, archives it and computes the report.
func (r *Reports) snapshot(ctx context.Context, req report.Request) (*report.Report, error) {
	in, err := r.Gather(ctx, req)
	if err != nil {
		return nil, err
	}
	heartbeat(ctx, "gathered")
	if _, err := r.Archive.WriteSnapshot(ctx, in); err != nil {
		return nil, err
	}
	rep, err := compute(in)
	heartbeat(ctx, "computed")
	return rep, err
}

func compute(in *report.Input) (*report.Report, error) {
	rep, err := report.Compute(*in)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadReportRequest", err)
	}
	return rep, nil
}

// heartbeat tells the engine a long report is alive (and does nothing when the
// report is made outside an activity, as the benchmark does).
func heartbeat(ctx context.Context, details any) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, details)
	}
}

// Gather reads every task's summary from the visibility store, and the timeline of each
// task whose state on the report's day may differ from its summary now (a task still
// open, or closed after that day). A report as of now needs no timeline at all.
func (r *Reports) Gather(ctx context.Context, req report.Request) (*report.Input, error) {
	sums, err := r.API.Tasks(ctx, "")
	if err != nil {
		return nil, err
	}
	in := &report.Input{Request: req, County: r.County, Options: r.Options, Documents: r.Documents, Contacts: r.Contacts,
		Tasks: make([]report.Task, len(sums))}
	for i, s := range sums {
		in.Tasks[i].TaskSummary = s
	}
	if req.AsOfTime.Before(req.Now) { // a past day; as of now the summaries are the state
		if err := r.timelines(ctx, in.Tasks, req.AsOfTime); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for _, t := range sums {
		if seen[t.Meeting] {
			continue
		}
		seen[t.Meeting] = true
		m := relay.Meeting{ID: t.Meeting, Name: t.Meeting}
		if v, err := r.API.Meeting(ctx, t.Meeting); err == nil {
			m = v.Meeting
		}
		in.Meetings = append(in.Meetings, m)
	}
	notices, err := r.Notices.List(ctx, func(n relay.Notice) bool { return report.Counted(n.Kind) })
	if err != nil {
		return nil, fmt.Errorf("读取已发通知: %w", err)
	}
	in.Notices = make([]report.Notice, 0, len(notices))
	for _, n := range notices {
		in.Notices = append(in.Notices, report.Notice{ID: n.ID, Kind: n.Kind, To: n.To, IssuedAt: n.IssuedAt, Items: len(n.Items)})
	}
	return in, nil
}

func (r *Reports) timelines(ctx context.Context, tasks []report.Task, at time.Time) error {
	var need []*report.Task
	for i := range tasks {
		t := &tasks[i]
		if t.State == relay.StateClosed && t.ClosedAt != nil && !t.ClosedAt.After(at) ||
			t.State == relay.StateWithdrawn && t.WithdrawnAt != nil && !t.WithdrawnAt.After(at) {
			continue // settled before that day: the summary is its state
		}
		need = append(need, t)
	}
	// In chunks, with a heartbeat after each, so a long read is not taken for a lost worker.
	const chunk = 500
	for lo := 0; lo < len(need); lo += chunk {
		part := need[lo:min(lo+chunk, len(need))]
		ids := make([]string, len(part))
		for i, t := range part {
			ids[i] = t.ID
		}
		views, err := r.API.TaskViews(ctx, ids)
		if err != nil {
			return fmt.Errorf("读取任务的过程记录: %w", err)
		}
		for i, t := range part {
			t.Timeline = views[i].Timeline
			if t.Timeline == nil {
				t.Timeline = []relay.Event{}
			}
		}
		heartbeat(ctx, lo+len(part))
	}
	return nil
}

// IssueRequest asks for a signed-off month's reports to be issued at IssuedAt.
type IssueRequest struct {
	Month    string    `json:"month"`
	IssuedAt time.Time `json:"issued_at"`
}

// Issued is what ReportIssue did: the numbers allocated, the files rewritten with
// them, and the units the 通报 goes to.
type Issued struct {
	DocNo          string   `json:"doc_no"`
	CommitteeDocNo string   `json:"committee_doc_no"`
	Files          []string `json:"files"`
	Units          []Unit   `json:"units"`
}

// ReportIssue numbers a signed-off month's 通报 and report to the committee (each from
// its prefix's counter, keyed by the month, so a retry gets the same numbers) and
// rewrites the archived reports from the draft's own snapshot with the numbers on them:
// what is issued is exactly what was signed.
func (r *Reports) ReportIssue(ctx context.Context, req IssueRequest) (Issued, error) {
	in, err := r.Archive.ReadSnapshot(ctx, req.Month)
	if err != nil {
		return Issued{}, err
	}
	rep, err := compute(in)
	if err != nil {
		return Issued{}, err
	}
	rep.GeneratedAt = req.IssuedAt // 成文日期: the day it was signed off
	s := rep.DocSettings()
	year := relay.DocYear(req.IssuedAt)
	number := func(prefix, doc string) (string, error) {
		seq, err := r.API.DocNumber(ctx, prefix, year, "report:"+req.Month+":"+doc)
		if err != nil {
			return "", fmt.Errorf("取 %s 月度报告的发文字号: %w", req.Month, err)
		}
		return gongwen.Number(prefix, year, seq), nil
	}
	if rep.DocNo, err = number(s.Prefix, "tongbao"); err != nil {
		return Issued{}, err
	}
	if rep.CommitteeDocNo, err = number(s.CommitteePrefix, "baogao"); err != nil {
		return Issued{}, err
	}
	files, err := r.Archive.Write(ctx, rep)
	if err != nil {
		return Issued{}, err
	}
	units := r.Units
	if units == nil {
		units = []Unit{}
	}
	return Issued{DocNo: rep.DocNo, CommitteeDocNo: rep.CommitteeDocNo, Files: files, Units: units}, nil
}

// ReportSignoffRecord keeps a month's sign-off state and timeline in its archive
// folder, where `starter reports` and the console read it.
func (r *Reports) ReportSignoffRecord(ctx context.Context, so relay.ReportSignoff) error {
	return r.Archive.WriteSignoff(ctx, so)
}
