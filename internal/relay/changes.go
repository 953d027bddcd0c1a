package relay

import (
	"time"

	"taskrelay/internal/actor"
)

// Changes to an adopted task (督查督办 beyond the plan): reassign (转办/调整), amend
// (调整事项), push back (退回交办), withdraw (中止/撤销), leaders' instructions (领导批示)
// and chasing (催办). Each is an update of the task workflow taking a task.Request;
// each leaves one timeline entry whose facts are in Event.Change.

// Update names of the changes.
const (
	UpdateReassign       = "reassign"
	UpdateAmend          = "amend"
	UpdateWithdraw       = "withdraw"
	UpdatePushback       = "pushback"
	UpdateDecidePushback = "decide-pushback"
	UpdateInstruct       = "instruct"
	UpdateChase          = "chase"
)

// StateWithdrawn is a task the committee withdrew: no reminders, counted apart.
const StateWithdrawn State = "withdrawn"

// Office is the actor name of the government office (县政府办公室), and the recipient
// kind of notices to it.
const (
	Office   = "office"
	ToOffice = "office"
)

// RoleCountyHead is the role of the county head (县长), the directory's head.
const RoleCountyHead = "county_head"

// Notice kinds of the changes.
const (
	NoticeWithdrawn        = "withdrawn"         // 撤销通知: the task withdrawn, or the unit taken off it
	NoticeAmended          = "amended"           // 调整通知: deadline or requirements changed
	NoticePushback         = "pushback"          // 退回申请: a unit's push back, to the office
	NoticePushbackDecision = "pushback_decision" // 退回答复: the office's decision, to the unit
	NoticeInstruction      = "instruction"       // 领导批示
	NoticeChase            = "chase"             // 催办单: one per unit
	NoticeAckReminder      = "ack_reminder"      // 签收提醒
	NoticeDigest           = "digest"            // 汇总通知: the engine's notices to one recipient over a window
)

// Timeline actions of the changes.
const (
	ActReassigned       = "reassigned"
	ActAmended          = "amended"
	ActWithdrawn        = "withdrawn"
	ActPushedBack       = "pushed_back"
	ActPushbackKept     = "pushback_kept"
	ActPushbackAccepted = "pushback_accepted"
	ActInstruction      = "instruction"
	ActChased           = "chased"
	ActAckReminded      = "ack_reminded" // a unit reminded to sign for the task (签收时限)
)

// UnitRef is a unit the client resolved from the directory: its id and name, so the
// engine never needs the directory file.
type UnitRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Change holds the facts of a change's timeline entry, typed.
type Change struct {
	Reason string `json:"reason,omitempty"`
	// reassign: the assignment after the change, and who was added and removed
	Lead    string   `json:"lead,omitempty"`
	Co      []string `json:"co,omitempty"`
	Deputy  string   `json:"deputy,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Before is the assignment the reassignment replaced, so a past day reads the
	// lead and deputy of that day; entries recorded before it existed lack it.
	Before *Assignment `json:"before,omitempty"`
	// amend: the deadline before and after, the new requirements
	FromDeadline string `json:"from_deadline,omitempty"`
	Deadline     string `json:"deadline,omitempty"`
	Requirements string `json:"requirements,omitempty"`
	// pushback
	Unit    string `json:"unit,omitempty"`
	Suggest string `json:"suggest,omitempty"`
	// instruct
	Text string `json:"text,omitempty"`
	// chase
	ReplyBy string `json:"reply_by,omitempty"`
	ChaseID string `json:"chase_id,omitempty"`
}

// Assignment is who carries a task: its lead unit, supporting units and deputy in
// charge, with their names.
type Assignment struct {
	Lead   UnitRef   `json:"lead"`
	Co     []UnitRef `json:"co,omitempty"`
	Deputy UnitRef   `json:"deputy"`
}

// Pushback is a unit's push back on a task and where it stands.
type Pushback struct {
	Unit    string    `json:"unit"`
	Reason  string    `json:"reason"`
	State   string    `json:"state"` // PushbackPending, PushbackKept, PushbackReassigned
	Suggest string    `json:"suggest,omitempty"`
	At      time.Time `json:"at"`
	Note    string    `json:"note,omitempty"` // the office's decision note
}

// Push back states.
const (
	PushbackPending    = "pending"
	PushbackKept       = "kept"
	PushbackReassigned = "reassigned"
)

// Instruction is a leader's written instruction on a task (领导批示).
type Instruction struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Text string    `json:"text"`
}

// Chase is one 催办单 as a task keeps it: the unit chased, the reply date, and
// whether the unit has reported on the task since.
type Chase struct {
	ID       string    `json:"id"`
	Unit     string    `json:"unit"`
	At       time.Time `json:"at"`
	ReplyBy  string    `json:"reply_by"`
	Answered bool      `json:"answered"`
}

// DefaultPushbackDays is how many days after receiving a task a unit may push it back
// (TASKRELAY_PUSHBACK_DAYS).
const DefaultPushbackDays = 5

// ChaseWorkflowName is the workflow of one 催办单: the inspection office chases a unit
// on several tasks at once. It records the chase on each task, then sends the one
// notice (kind NoticeChase) to the unit.
const ChaseWorkflowName = "Chase"

// ChaseWorkflowID is the business key of one chase: the same chase id started twice
// runs, and sends, once.
func ChaseWorkflowID(chaseID string) string { return "chase:" + chaseID }

// ChaseInput is one 催办单: the unit (resolved by the client), its tasks, the
// reply-by date and the inspection office's note.
type ChaseInput struct {
	ID       string   `json:"id"`
	Unit     string   `json:"unit"`
	UnitName string   `json:"unit_name"`
	Tasks    []string `json:"tasks"`
	ReplyBy  string   `json:"reply_by"`
	Note     string   `json:"note"`
	User     string   `json:"user,omitempty"`
	// Assertions are the office's signed assertions for recording the chase on each
	// task (task id -> assertion; package actor), made by the client that sends it.
	Assertions map[string]*actor.Assertion `json:"assertions,omitempty"`
}

// ChaseRecord is what recording a chase on its tasks found: the tasks that took it,
// and those that refused it meanwhile (closed or withdrawn since the client checked),
// each with the engine's reason.
type ChaseRecord struct {
	Tasks   []TaskView `json:"tasks"`
	Refused []string   `json:"refused,omitempty"`
}

// ChaseResult is the chase as sent: its notice and the tasks it lists.
type ChaseResult struct {
	ID       string     `json:"id"`
	NoticeID string     `json:"notice_id"`
	Unit     string     `json:"unit"`
	UnitName string     `json:"unit_name"`
	ReplyBy  string     `json:"reply_by"`
	Tasks    []TaskView `json:"tasks"`
	Refused  []string   `json:"refused,omitempty"`
}
