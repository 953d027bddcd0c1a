package relay

import (
	"time"

	"taskrelay/internal/actor"
)

// TaskConfig is how the engine watches deadlines. It is fixed into each task when the
// task starts, so a running task's timers never change under it.
type TaskConfig struct {
	// ReminderDays: remind the lead unit this many days before the deadline day
	// (0 = on the deadline day itself), at ReminderHour county time.
	ReminderDays []int `json:"reminder_days"`
	ReminderHour int   `json:"reminder_hour"`
	// YellowDays: the light turns yellow this many days before the deadline passes.
	YellowDays int `json:"yellow_days"`
	// FeedbackDay: a `feedback: monthly` task's lead unit reports progress by this day
	// of every month (1-28); a unit that has not is reminded once for the month.
	FeedbackDay int `json:"feedback_day,omitempty"`
	// Escalation tiers (蓝/黄/红 督办单): the overdue notice goes to the lead unit
	// (blue); still open EscalateDeputyDays later, a notice goes to the deputy in
	// charge (yellow); still open ReportListDays after that, the task is listed by
	// name in the monthly report (red).
	EscalateDeputyDays int `json:"escalate_deputy_days,omitempty"`
	ReportListDays     int `json:"report_list_days,omitempty"`
	// PushbackDays: a unit may push a task back this many days after receiving it
	// (0: DefaultPushbackDays).
	PushbackDays int `json:"pushback_days,omitempty"`
	// AckDays: a unit that has not signed for a task this many working days after
	// receiving it is reminded (0: DefaultAckDays; negative: no reminders); working
	// days by Calendar (nil: Monday to Friday).
	AckDays  int       `json:"ack_days,omitempty"`
	Calendar *Calendar `json:"calendar,omitempty"`
	// DigestWindow: the engine's reminders and escalations to a recipient are
	// collected this long and sent as one digest (0: each at once; see digest.go).
	DigestWindow time.Duration `json:"digest_window,omitempty"`
}

// Follow-up defaults: report by the 25th; the deputy 7 days after the overdue notice,
// the monthly report 14 days after the deputy.
const (
	DefaultFeedbackDay        = 25
	DefaultEscalateDeputyDays = 7
	DefaultReportListDays     = 14
)

// DefaultTaskConfig reminds 7 and 1 days before and warns 7 days ahead; the notice
// on the day the deadline passes is always sent.
func DefaultTaskConfig() TaskConfig {
	return TaskConfig{ReminderDays: []int{7, 1}, ReminderHour: 9, YellowDays: 7,
		FeedbackDay: DefaultFeedbackDay, EscalateDeputyDays: DefaultEscalateDeputyDays, ReportListDays: DefaultReportListDays,
		PushbackDays: DefaultPushbackDays, AckDays: DefaultAckDays, DigestWindow: DefaultDigestWindow}
}

// WithFollowUpDefaults fills the follow-up settings of a config written before they
// existed (a task carried over by continue-as-new): FeedbackDay is never 0 once set.
func (c TaskConfig) WithFollowUpDefaults() TaskConfig {
	if c.FeedbackDay == 0 {
		c.FeedbackDay = DefaultFeedbackDay
		c.EscalateDeputyDays = DefaultEscalateDeputyDays
		c.ReportListDays = DefaultReportListDays
	}
	return c
}

// TaskInput starts one task workflow.
type TaskInput struct {
	TaskID       string     `json:"task_id"`
	Meeting      Meeting    `json:"meeting"`
	Item         Item       `json:"item"`
	LeadName     string     `json:"lead_name"`
	CoNames      []string   `json:"co_names"`
	DeputyName   string     `json:"deputy_name"`
	Config       TaskConfig `json:"config"`
	DispatchedAt time.Time  `json:"dispatched_at"`
	// DispatchDocNos are the 发文字号 of the 交办单 that dispatched the task, by unit
	// (lead and co units), numbered before the task starts; the task records each on
	// its timeline (doc_numbered). Empty when numbering is off, and for tasks
	// dispatched before the meeting numbered its notices first.
	DispatchDocNos map[string]string `json:"dispatch_doc_nos,omitempty"`
	// Keys are the public keys whose signed assertions the task accepts (package
	// actor), from the worker's trusted-keys file when it started the task, replaced
	// by UpdateSetKeys. Empty for tasks started before signed actors: they accept
	// unsigned actions until keys are pushed to them.
	Keys []actor.PublicKey `json:"keys,omitempty"`
	// Carry is the state handed over by continue-as-new; nil on the first run.
	Carry *TaskCarry `json:"carry,omitempty"`
}

// TaskCarry is everything a task knows, carried across continue-as-new.
type TaskCarry struct {
	State       State           `json:"state"`
	Progress    int             `json:"progress"`
	Deadline    string          `json:"deadline"`
	Light       Light           `json:"light"`
	Extension   *Extension      `json:"extension,omitempty"`
	Timeline    []Event         `json:"timeline"`
	Fired       map[string]bool `json:"fired"`
	Seq         int             `json:"seq"`
	SubmittedAt *time.Time      `json:"submitted_at,omitempty"`
	ClosedAt    *time.Time      `json:"closed_at,omitempty"`
	Pending     []Notice        `json:"pending,omitempty"`
	Reads       []Read          `json:"reads,omitempty"`
	// Follow-up: the escalation tier reached and when, whether the task is listed
	// for the monthly report, the milestone it is behind, the last month (YYYY-MM)
	// its lead unit was reminded to report.
	Tier             string     `json:"tier,omitempty"`
	TierAt           *time.Time `json:"tier_at,omitempty"`
	Listed           bool       `json:"listed,omitempty"`
	Behind           *Milestone `json:"behind,omitempty"`
	FeedbackReminded string     `json:"feedback_reminded,omitempty"`
	// Evidence and people (task_evidence.go): the officer responsible, and the
	// completion waiting for the unit head (its unit and note).
	Assignees  map[string]string `json:"assignees,omitempty"` // unit -> username
	HeadReview *HeadReview       `json:"head_review,omitempty"`
	// AssigneesShown: the task lists every unit's 责任人 (TaskView.Assignees); set by
	// the first assignment made after that change (GetVersion assignees-by-unit).
	AssigneesShown bool `json:"assignees_shown,omitempty"`
	// Changes (relay/changes.go): requirements as amended (empty: the committee's),
	// when the task was withdrawn, the units' push backs, instructions and chases,
	// and when each unit added by a reassignment received the task.
	Requirements string               `json:"requirements,omitempty"`
	WithdrawnAt  *time.Time           `json:"withdrawn_at,omitempty"`
	Pushback     *Pushback            `json:"pushback,omitempty"`
	PushedBack   []string             `json:"pushed_back,omitempty"` // units that have pushed back once
	Instructions []Instruction        `json:"instructions,omitempty"`
	Chases       []Chase              `json:"chases,omitempty"`
	Received     map[string]time.Time `json:"received,omitempty"`
	// Acknowledgment deadline (签收时限): since when this task tracks who has signed
	// for it (nil: it does not; tasks started before it, or reminders off), and the
	// units that have.
	AckSince *time.Time `json:"ack_since,omitempty"`
	Acked    []string   `json:"acked,omitempty"`
	// A bounded timeline: Timeline holds the entries from number TimelineFrom on (0 =
	// all); TimelineHead is the hash of the last entry not carried (the chain goes on
	// from it), and Earlier is what the summary needs of those entries. The earlier
	// entries are in the inputs of the task's previous runs (relayclient reads them).
	TimelineFrom int             `json:"timeline_from,omitempty"`
	TimelineHead string          `json:"timeline_head,omitempty"`
	Earlier      *TimelineDigest `json:"earlier,omitempty"`
	// Used are the assertions this task took (actor.Assertion.Fingerprint) and when
	// each expires: the same assertion is refused again, also after continue-as-new.
	Used map[string]time.Time `json:"used,omitempty"`
}

// HeadReview is a completion waiting for the unit head's sign-off.
type HeadReview struct {
	Unit        string       `json:"unit"`
	User        string       `json:"user,omitempty"`
	Note        string       `json:"note"`
	Attachments []Attachment `json:"attachments,omitempty"`
	At          time.Time    `json:"at"`
}

// TimelineDigest is what a task's summary counts of timeline entries it no longer
// carries: the last progress note, the approved extensions, the rejected completions.
type TimelineDigest struct {
	LastProgressAt   *time.Time  `json:"last_progress_at,omitempty"`
	LastProgressNote string      `json:"last_progress_note,omitempty"`
	Grants           []Grant     `json:"grants,omitempty"`
	Rejections       []Rejection `json:"rejections,omitempty"`
}

// AdoptRequest is the executive meeting's adoption, with optional changes of deputy.
type AdoptRequest struct {
	Deputies map[int]string `json:"deputies,omitempty"` // item no -> leader id
	By       string         `json:"by,omitempty"`
	// Assertion proves who adopts (package actor).
	Assertion *actor.Assertion `json:"assertion,omitempty"`
}

// MeetingView is a meeting's relay as the command line and the console show it.
type MeetingView struct {
	Meeting      Meeting          `json:"meeting"`
	State        string           `json:"state"`
	Items        []Item           `json:"items"`
	Units        []Unit           `json:"units"`
	Leaders      []Leader         `json:"leaders"`
	SourceFile   string           `json:"source_file,omitempty"`
	SubmittedAt  time.Time        `json:"submitted_at"`
	AdoptedAt    *time.Time       `json:"adopted_at,omitempty"`
	AdoptedBy    string           `json:"adopted_by,omitempty"`
	DispatchedAt *time.Time       `json:"dispatched_at,omitempty"`
	Notices      []DispatchNotice `json:"notices,omitempty"`
	// FailedNotices are deliveries a sink refused for good (never retried ones).
	FailedNotices []string `json:"failed_notices,omitempty"`
	// A list kept in parts (see PlanPart): the engine's view then holds no items
	// and no notice refs (api.Client.Meeting fills both from the parts), only their
	// count, the parts, and the deputies the adoption changed.
	ItemCount int            `json:"item_count,omitempty"`
	Parts     []PlanPart     `json:"parts,omitempty"`
	Deputies  map[int]string `json:"deputies,omitempty"`
}

// DispatchNotice is the one consolidated notice (交办单) a unit receives for a meeting.
type DispatchNotice struct {
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	NoticeID string `json:"notice_id"`
	// DocNo is the notice's 发文字号 (交办单), when numbered before delivery.
	DocNo string      `json:"doc_no,omitempty"`
	Items []NoticeRef `json:"items"`
}

// NoticeRef is one item of a dispatch notice and the unit's role in it.
type NoticeRef struct {
	No   int    `json:"no"`
	Role string `json:"role"`
}

// MeetingInput starts a meeting's relay.
type MeetingInput struct {
	Plan Plan `json:"plan"`
	// Parts hold the items of a big list; Plan.Items is then empty.
	Parts []PlanPart `json:"parts,omitempty"`
	// Keys are the public keys whose assertions the meeting accepts for its adoption
	// (package actor): the submitting client's trusted keys. Empty: any adoption, as
	// before signed actors.
	Keys []actor.PublicKey `json:"keys,omitempty"`
}
