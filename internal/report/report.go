// Package report computes the monthly figures of the inspection office (督查室) from the
// tasks' states and renders the two monthly reports: the 通报 for the county
// government's executive meeting and the report to the county committee (向县委报告),
// as Markdown and printable HTML, plus the .xlsx ledger (台账). Everything here is a pure
// function of its Input; gathering the input and archiving the files is done by the
// activities (package activities) and Archive.
package report

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// MonthLayout is how months are written: flags, JSON, archive folders.
const MonthLayout = "2006-01"

// Request names the month to report on and the day the state is taken at.
type Request struct {
	Month string `json:"month"`           // YYYY-MM; empty: the month before the scheduled time
	AsOf  string `json:"as_of,omitempty"` // YYYY-MM-DD; empty: the month's last day
	// Filled by Resolve.
	AsOfTime time.Time `json:"as_of_time,omitempty"` // the instant the state is taken at
	Now      time.Time `json:"now,omitempty"`        // when the report was asked for
}

// ParseMonth reads YYYY-MM and returns the first instant of the month, county time.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.ParseInLocation(MonthLayout, s, relay.TimeZone)
	if err != nil || t.Format(MonthLayout) != s {
		return time.Time{}, fmt.Errorf("月份 %q 无法识别，应为 YYYY-MM", s)
	}
	return t, nil
}

// Resolve fills a request in: the month defaults to the one before nominal (the
// Schedule's nominal time, so a backfilled run reports on the month it stands for), the
// day to the month's last day; the state is never taken later than now.
func Resolve(in Request, nominal, now time.Time) (Request, error) {
	out := in
	if out.Month == "" {
		n := nominal.In(relay.TimeZone)
		out.Month = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, relay.TimeZone).AddDate(0, -1, 0).Format(MonthLayout)
	}
	start, err := ParseMonth(out.Month)
	if err != nil {
		return in, err
	}
	if !start.Before(now) {
		return in, fmt.Errorf("月份 %s 尚未开始，不能生成报告", out.Month)
	}
	if out.AsOf == "" {
		out.AsOf = start.AddDate(0, 1, -1).Format(relay.DateLayout)
	}
	day, err := relay.ParseDate(out.AsOf)
	if err != nil {
		return in, fmt.Errorf("截至日期 %s 无效：%v", out.AsOf, err)
	}
	if day.Before(start) {
		return in, fmt.Errorf("截至日期 %s 早于 %s 月初", out.AsOf, out.Month)
	}
	out.AsOfTime = day.AddDate(0, 0, 1) // the end of that day
	if now.Before(out.AsOfTime) {
		out.AsOfTime = now
		out.AsOf = now.In(relay.TimeZone).Format(relay.DateLayout)
	}
	out.Now = now
	return out, nil
}

// Input is everything a report is computed from.
type Input struct {
	Request  Request         `json:"request"`
	County   string          `json:"county,omitempty"` // e.g. 示例县; empty when unknown
	Meetings []relay.Meeting `json:"meetings"`
	Tasks    []Task          `json:"tasks"`
	Notices  []Notice        `json:"notices"`
	Options  Options         `json:"options"`
	// Documents: 发文机关, 字号 prefix and fonts of the .docx reports.
	Documents gongwen.Settings `json:"documents"`
	// Contacts are the units' 联络员 by unit id (from the directory), in the 台账.
	Contacts map[string]relay.Contact `json:"contacts,omitempty"`
}

// Task is a task's summary (the memo kept by its workflow) and, when its state on a
// past day is needed, its timeline.
type Task struct {
	relay.TaskSummary
	Timeline []relay.Event `json:"timeline,omitempty"`
}

// Notice is one notice the engine issued: its kind, when, and how many items it lists.
type Notice struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	To       string    `json:"to"`
	IssuedAt time.Time `json:"issued_at"`
	Items    int       `json:"items"`
}

// Options tune the reports.
type Options struct {
	// NameAfterDays: an item overdue this many days is listed by name (点名通报, the red
	// escalation tier: the deputy's tier plus the report tier, 7 + 14 by default).
	NameAfterDays int `json:"name_after_days"`
	// YellowDays: how early an item counts as near its deadline (黄灯) on a past day.
	YellowDays int `json:"yellow_days"`
	// Score is the units' scoring rule (考评, TASKRELAY_SCORE_RULE); nil: the default.
	Score *relay.ScoreRule `json:"score,omitempty"`
}

// ScoreRule is the scoring rule in force: the configured one or the default.
func (o Options) ScoreRule() relay.ScoreRule {
	if o.Score != nil {
		return *o.Score
	}
	return relay.DefaultScoreRule()
}

// DefaultOptions names items as the engine's red tier does and warns 7 days ahead.
func DefaultOptions() Options {
	return Options{NameAfterDays: relay.DefaultEscalateDeputyDays + relay.DefaultReportListDays, YellowDays: 7}
}

// Figures are the month's numbers, as `starter report --json` prints them.
type Figures struct {
	Month    string      `json:"month"`
	AsOf     string      `json:"as_of"`
	Totals   Totals      `json:"totals"`
	ByUnit   []UnitRow   `json:"by_unit"`
	ByDeputy []DeputyRow `json:"by_deputy"`
	Red      []RedRow    `json:"red"`
	Notices  NoticeCount `json:"notices"` // this month
	// Instructions (领导批示) and chases (催办单) up to the report's instant.
	Instructions []InstructionRow `json:"instructions"`
	Chases       []ChaseRow       `json:"chases"`
	// ScoreRule is the rule the units' scores (by_unit[].score) were computed with.
	ScoreRule ScoreRuleOut `json:"score_rule"`
	// Unsigned are the units that have not signed for tasks past their time to sign
	// (签收时限), as of the report's instant.
	Unsigned []UnsignedRow `json:"unsigned"`
}

// Totals count tasks by where they stand as of the report's day.
type Totals struct {
	Tasks          int `json:"tasks"`
	ClosedOnTime   int `json:"closed_on_time"`
	ClosedLate     int `json:"closed_late"`
	OpenNotDue     int `json:"open_not_due"`
	OpenOverdue    int `json:"open_overdue"`
	CompletionRate Pct `json:"completion_rate"`
	// Withdrawn tasks (撤销) are counted here only: not in Tasks nor in the rate.
	Withdrawn int `json:"withdrawn"`
}

// Closed is every closed task, on time or late.
func (t Totals) Closed() int { return t.ClosedOnTime + t.ClosedLate }

// Open is every task not closed.
func (t Totals) Open() int { return t.OpenNotDue + t.OpenOverdue }

func (t *Totals) add(s *state) {
	if s.withdrawn {
		t.Withdrawn++
		return
	}
	t.Tasks++
	switch {
	case s.closed && s.onTime:
		t.ClosedOnTime++
	case s.closed:
		t.ClosedLate++
	case s.overdue:
		t.OpenOverdue++
	default:
		t.OpenNotDue++
	}
	t.CompletionRate = pct(t.Closed(), t.Tasks)
}

// UnitRow is a lead unit's tasks (by directory id).
type UnitRow struct {
	Unit    string `json:"unit"`
	Tasks   int    `json:"tasks"`
	Closed  int    `json:"closed"`
	Overdue int    `json:"overdue"`
	// Score and ScoreYTD: the unit's score (考评) for the month and the year to date.
	Score    float64 `json:"score"`
	ScoreYTD float64 `json:"score_ytd"`
}

// DeputyRow is the tasks of a deputy in charge (by directory id).
type DeputyRow struct {
	Deputy  string `json:"deputy"`
	Tasks   int    `json:"tasks"`
	Closed  int    `json:"closed"`
	Overdue int    `json:"overdue"`
}

// RedRow is a task open past its deadline.
type RedRow struct {
	Task     string `json:"task"`
	Unit     string `json:"unit"`
	Deadline string `json:"deadline"`
}

// NoticeCount is the reform figure: notices issued against one per item per unit.
type NoticeCount struct {
	Issued       int `json:"issued"`
	OnePerItem   int `json:"one_per_item"`
	ReductionPct Pct `json:"reduction_pct"`
}

func (n *NoticeCount) add(x Notice) {
	n.Issued++
	n.OnePerItem += max(1, x.Items)
	n.ReductionPct = 0
	if n.OnePerItem > 0 {
		n.ReductionPct = Pct(round1(100 * float64(n.OnePerItem-n.Issued) / float64(n.OnePerItem)))
	}
}

// notCounted are notices that answer a unit's own request or a report; the reform
// figure counts what the engine sends out to get work done: dispatch, reminders,
// overdue notices and escalations (and any such kind added later).
var notCounted = map[string]bool{
	relay.NoticeExtensionRequest: true, relay.NoticeExtensionDecision: true,
	relay.NoticeReturned: true, relay.NoticeClosed: true, relay.NoticeReportReady: true,
	relay.NoticeReportIssued: true,
}

// Counted reports whether a notice kind enters the reform figure.
func Counted(kind string) bool { return !notCounted[kind] }

// Pct is a percentage with one decimal, written so in JSON (22.2, 10.0).
type Pct float64

// MarshalJSON writes one decimal.
func (p Pct) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(p), 'f', 1, 64)), nil
}

func pct(part, whole int) Pct {
	if whole == 0 {
		return 0
	}
	return Pct(round1(100 * float64(part) / float64(whole)))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// ErrNoMonth is returned for an unresolved request.
var ErrNoMonth = errors.New("report: request not resolved (no month or as-of time)")

// Result is what a monthly inspection returns: the figures and the archived files.
type Result struct {
	Request Request  `json:"request"`
	Figures Figures  `json:"figures"`
	Files   []string `json:"files"`
	Notice  string   `json:"notice"` // id of the "reports ready" notice
	// Signoff is the sign-off's state and timeline (runs since the sign-off existed).
	Signoff *relay.ReportSignoff `json:"signoff,omitempty"`
}

// IssuedText is the notice that sends the issued 通报 (or the report to the committee).
func IssuedText(f Figures, docNo string, committee bool) (subject, body string) {
	what := "督查通报"
	if committee {
		what = "关于任务清单落实情况的报告"
	}
	subject = fmt.Sprintf("%s%s（%s）", cnMonth(f.Month), what, docNo)
	body = fmt.Sprintf("%s%s已审核签发，文号%s。截至%s，共有确定事项%d件，已办结%d件，逾期未办结%d件，办结率%s。",
		cnMonth(f.Month), what, docNo, cnDay(f.AsOf), f.Totals.Tasks, f.Totals.Closed(), f.Totals.OpenOverdue, rate(f.Totals.CompletionRate))
	return subject, body
}

// ReadyText is the notice telling the inspection office the reports are archived.
func ReadyText(f Figures, files []string) (subject, body string) {
	subject = fmt.Sprintf("%s督查通报和向县委报告已生成", cnMonth(f.Month))
	body = fmt.Sprintf("截至%s，共有确定事项%d件，已办结%d件（按时%d件，逾期%d件），正在办理%d件（未到时限%d件，逾期未办结%d件），办结率%s。本月发出交办、提醒、督办类通知%d件，较“一事项一单位一通知”减少%s。",
		cnDay(f.AsOf), f.Totals.Tasks, f.Totals.Closed(), f.Totals.ClosedOnTime, f.Totals.ClosedLate,
		f.Totals.Open(), f.Totals.OpenNotDue, f.Totals.OpenOverdue, rate(f.Totals.CompletionRate),
		f.Notices.Issued, rate(f.Notices.ReductionPct))
	if len(files) > 0 {
		body += "报告已归档：" + filepath.Dir(files[0])
	}
	return subject, body
}
