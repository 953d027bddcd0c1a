package relay

import "time"

// State is where a task stands.
type State string

const (
	StateDispatched          State = "dispatched"
	StateAcknowledged        State = "acknowledged"
	StateInProgress          State = "in_progress"
	StateCompletionSubmitted State = "completion_submitted"
	StateClosed              State = "closed"
)

// Light is the traffic light the inspection office sorts by.
type Light string

const (
	Green  Light = "green"
	Yellow Light = "yellow" // deadline within the warning window, or an extension pending
	Red    Light = "red"    // overdue
)

// Meeting states.
const (
	MeetingProposed = "proposed"
	MeetingAdopted  = "adopted"
)

// Roles a unit has in an item.
const (
	RoleLead = "lead"
	RoleCo   = "co"
)

// Inspection is the actor name of the government inspection office (县政府督查室).
const Inspection = "inspection"

// Event is one line of a task's timeline: who did what, when.
type Event struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	Note   string    `json:"note"`
	User   string    `json:"user,omitempty"` // the person, when known (console accounts)
}

// Extension is a unit's request to move a deadline.
type Extension struct {
	Unit        string    `json:"unit"`
	Until       string    `json:"until"`
	Reason      string    `json:"reason"`
	RequestedAt time.Time `json:"requested_at"`
}

// TaskView is a task as the command line and the console show it.
type TaskView struct {
	ID           string     `json:"id"`
	No           int        `json:"no"`
	Meeting      string     `json:"meeting"`
	Title        string     `json:"title"`
	Requirements string     `json:"requirements,omitempty"`
	LeadUnit     string     `json:"lead_unit"`
	LeadUnitName string     `json:"lead_unit_name"`
	CoUnits      []string   `json:"co_units"`
	CoUnitNames  []string   `json:"co_unit_names"`
	Deputy       string     `json:"deputy"`
	DeputyName   string     `json:"deputy_name"`
	Deadline     string     `json:"deadline"`
	State        State      `json:"state"`
	Progress     int        `json:"progress"`
	Light        Light      `json:"light"`
	Extension    *Extension `json:"extension,omitempty"`
	Timeline     []Event    `json:"timeline,omitempty"`
}

// IsUnitOf reports whether unit is the task's lead or one of its supporting units.
func (t *TaskView) IsUnitOf(unit string) bool {
	if unit == t.LeadUnit {
		return true
	}
	for _, c := range t.CoUnits {
		if c == unit {
			return true
		}
	}
	return false
}

// TaskSummary is a task as list views and reports need it, kept by the task workflow
// in its memo (key "summary") so that thousands of tasks can be listed from the
// visibility store without querying each one.
type TaskSummary struct {
	TaskView
	DispatchedAt      time.Time  `json:"dispatched_at"`
	SubmittedAt       *time.Time `json:"submitted_at,omitempty"`
	ClosedAt          *time.Time `json:"closed_at,omitempty"`
	LastProgressAt    *time.Time `json:"last_progress_at,omitempty"`
	LastProgressNote  string     `json:"last_progress_note,omitempty"`
	ExtensionsGranted int        `json:"extensions_granted"`
	Rejections        int        `json:"rejections"`
}

// MemoSummary is the memo key holding a task's TaskSummary.
const MemoSummary = "summary"
