package relay

import (
	"fmt"
	"time"

	"taskrelay/internal/actor"
)

// Sign-off before issue (审核签发): the monthly inspection produces the 通报 as a
// draft (拟稿); the inspection office's head reviews it (审核: approves, or returns it
// with a note and the draft is regenerated), the government office's head signs it off
// (签发); only then is it issued: numbered, sent to every unit and to the committee,
// archived. The signers are accounts whose Signoff duty names the step (see
// accounts.SignoffReview / SignoffSign); the command line acts as the operator.
const (
	// UpdateReportDraft waits until the run's draft is archived and returns it
	// (report.Result): `starter report` and the console's 生成报告 read it at once.
	UpdateReportDraft = "report-draft"
	// UpdateReportSignoff takes one step (SignoffRequest) and returns the new state.
	UpdateReportSignoff = "report-signoff"
	// QueryReportSignoff returns the run's ReportSignoff.
	QueryReportSignoff = "report-signoff"
	// NoticeReportIssued sends the issued 通报 to a unit, and the report to the
	// county committee.
	NoticeReportIssued = "report_issued"
	// ToCommittee is the county committee as a notice's recipient.
	ToCommittee = "committee"
	// CommitteeName is the committee's name on notices.
	CommitteeName = "中共县委"
	// MaxSignoffNote bounds a sign-off note (characters).
	MaxSignoffNote = 500
)

// ReportState is where a month's report is in the sign-off.
type ReportState string

// Report states, as `starter reports --json` shows them.
const (
	ReportDraft    ReportState = "draft"    // 拟稿: waiting for the review
	ReportReviewed ReportState = "reviewed" // 已审核: waiting for the sign-off
	ReportIssued   ReportState = "issued"   // 已签发印发
)

// Sign-off steps: what a SignoffEntry records.
const (
	StepDraft  = "draft"  // the draft was (re)generated
	StepReview = "review" // 审核
	StepSign   = "sign"   // 签发
	StepIssue  = "issue"  // numbered, sent and archived
)

var (
	reportStateLabels = map[ReportState]string{ReportDraft: "拟稿待审核", ReportReviewed: "已审核待签发", ReportIssued: "已签发印发"}
	stepLabels        = map[string]string{StepDraft: "拟稿", StepReview: "审核", StepSign: "签发", StepIssue: "印发"}
)

// ReportStateLabel is a report state in Chinese.
func ReportStateLabel(s ReportState) string { return label(reportStateLabels, s) }

// StepLabel is a sign-off step in Chinese.
func StepLabel(step string) string { return label(stepLabels, step) }

// SignoffRequest is one step of the sign-off: the review or the sign-off, approving
// or returning with a note, by someone (a console username, or the operator).
type SignoffRequest struct {
	Step    string `json:"step"` // StepReview or StepSign
	Approve bool   `json:"approve"`
	Note    string `json:"note,omitempty"`
	By      string `json:"by"`
	ByName  string `json:"by_name,omitempty"`
	// Assertion proves who takes the step (package actor).
	Assertion *actor.Assertion `json:"assertion,omitempty"`
}

// Identity is who a sign-off step says acts.
func (r SignoffRequest) Identity() actor.Identity { return actor.Identity{By: r.By} }

// SignoffEntry is one step on a report's sign-off timeline.
type SignoffEntry struct {
	Step    string    `json:"step"`
	Approve bool      `json:"approve"`
	Note    string    `json:"note,omitempty"`
	By      string    `json:"by,omitempty"`
	ByName  string    `json:"by_name,omitempty"`
	At      time.Time `json:"at"`
	DocNo   string    `json:"doc_no,omitempty"` // issue: the 通报's number
}

// ReportSignoff is a month's report in the sign-off: its state, its numbers once
// issued, its timeline, and the run holding it (where the steps are sent).
type ReportSignoff struct {
	Month          string         `json:"month"`
	State          ReportState    `json:"state"`
	DocNo          string         `json:"doc_no,omitempty"`           // the 通报's 发文字号
	CommitteeDocNo string         `json:"committee_doc_no,omitempty"` // the report to the committee's
	WorkflowID     string         `json:"workflow_id"`
	RunID          string         `json:"run_id"`
	Timeline       []SignoffEntry `json:"timeline"`
}

// CheckSignoff says whether a step may be taken in state s: nil, or the reason in
// Chinese. A step out of order, a step on an issued report, a return without a note
// are refused and change nothing.
func CheckSignoff(month string, s ReportState, r SignoffRequest) error {
	switch r.Step {
	case StepReview, StepSign:
	default:
		return fmt.Errorf("未知的签发步骤 %q，应为审核或签发", r.Step)
	}
	if len([]rune(r.Note)) > MaxSignoffNote {
		return fmt.Errorf("%s 月度报告：意见过长（最多 %d 字）", month, MaxSignoffNote)
	}
	if !r.Approve && r.Note == "" {
		return fmt.Errorf("%s 月度报告：退回须写明意见", month)
	}
	switch {
	case s == ReportIssued:
		return fmt.Errorf("%s 月度报告已签发印发，不能再%s", month, StepLabel(r.Step))
	case s == "":
		return fmt.Errorf("%s 月度报告尚在拟稿，请稍后再%s", month, StepLabel(r.Step))
	case r.Step == StepReview && s != ReportDraft:
		return fmt.Errorf("%s 月度报告已审核，等待签发，不能再审核", month)
	case r.Step == StepSign && s != ReportReviewed:
		return fmt.Errorf("%s 月度报告尚未审核，不能签发", month)
	}
	return nil
}
