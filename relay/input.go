package relay

import "time"

// TaskConfig is how the engine watches deadlines. It is fixed into each task when the
// task starts, so a running task's timers never change under it.
type TaskConfig struct {
	// ReminderDays: remind the lead unit this many days before the deadline day
	// (0 = on the deadline day itself), at ReminderHour county time.
	ReminderDays []int `json:"reminder_days"`
	ReminderHour int   `json:"reminder_hour"`
	// YellowDays: the light turns yellow this many days before the deadline passes.
	YellowDays int `json:"yellow_days"`
}

// DefaultTaskConfig reminds 7 and 1 days before and warns 7 days ahead; the notice
// on the day the deadline passes is always sent.
func DefaultTaskConfig() TaskConfig {
	return TaskConfig{ReminderDays: []int{7, 1}, ReminderHour: 9, YellowDays: 7}
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
}

// ActionRequest is the argument of every task update.
type ActionRequest struct {
	Unit    string `json:"unit,omitempty"`    // acting unit (unit actions)
	By      string `json:"by,omitempty"`      // deciding leader id or "inspection" (decisions)
	User    string `json:"user,omitempty"`    // the person, when known
	Percent int    `json:"percent,omitempty"` // progress
	Note    string `json:"note,omitempty"`
	Until   string `json:"until,omitempty"`   // extension: new deadline
	Approve bool   `json:"approve,omitempty"` // decide-extension, verify
}

// AdoptRequest is the executive meeting's adoption, with optional changes of deputy.
type AdoptRequest struct {
	Deputies map[int]string `json:"deputies,omitempty"` // item no -> leader id
	By       string         `json:"by,omitempty"`
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
}

// DispatchNotice is the one consolidated notice (交办单) a unit receives for a meeting.
type DispatchNotice struct {
	Unit     string      `json:"unit"`
	UnitName string      `json:"unit_name"`
	NoticeID string      `json:"notice_id"`
	Items    []NoticeRef `json:"items"`
}

// NoticeRef is one item of a dispatch notice and the unit's role in it.
type NoticeRef struct {
	No   int    `json:"no"`
	Role string `json:"role"`
}

// MeetingInput starts a meeting's relay.
type MeetingInput struct {
	Plan Plan `json:"plan"`
}
