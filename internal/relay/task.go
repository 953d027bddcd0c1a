package relay

import "time"

// State is where a task stands.
type State string

const (
	StateDispatched   State = "dispatched"
	StateAcknowledged State = "acknowledged"
	StateInProgress   State = "in_progress"
	// StateHeadReview: a completion an officer (经办人) submitted, waiting for the unit
	// head's sign-off (单位负责人审核) before it reaches the inspection office.
	StateHeadReview          State = "head_review"
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
	// The entry's facts as typed fields, so no reader parses them back out of Note:
	// Percent on progress; Until on an extension request (the date asked for) and on
	// an approved extension (the new deadline), From on an approved extension (the
	// deadline it replaced). Dates are YYYY-MM-DD. Entries recorded before these
	// fields existed lack them.
	Percent *int   `json:"percent,omitempty"`
	From    string `json:"from,omitempty"`
	Until   string `json:"until,omitempty"`
	// Attachments are the files this entry brought (佐证材料), part of its hash.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Change is the facts of a change to the task (reassign, amend, push back,
	// withdraw, instruction, chase), typed; nil for other entries.
	Change *Change `json:"change,omitempty"`
	// DocNo is the 发文字号 of the official document (督办单, 交办单) this entry
	// records the numbering of (ActDocNumbered).
	DocNo string `json:"doc_no,omitempty"`
	// Unit is the unit a 交办单 numbered on dispatch was addressed to (ActDocNumbered);
	// the note, which the hash seals, names it too.
	Unit string `json:"unit,omitempty"`
	// Operator is the operator who took this action for By from the command line,
	// signing with an operator key (empty: the console or the engine); see ActorLabel.
	Operator string `json:"operator,omitempty"`
	// Hash chains this entry to the one before it, back to the committee's original
	// item text (see ChainEvent).
	Hash string `json:"hash,omitempty"`
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
	ID           string   `json:"id"`
	No           int      `json:"no"`
	Meeting      string   `json:"meeting"`
	Title        string   `json:"title"`
	Requirements string   `json:"requirements,omitempty"`
	LeadUnit     string   `json:"lead_unit"`
	LeadUnitName string   `json:"lead_unit_name"`
	CoUnits      []string `json:"co_units"`
	CoUnitNames  []string `json:"co_unit_names"`
	Deputy       string   `json:"deputy"`
	DeputyName   string   `json:"deputy_name"`
	Deadline     string   `json:"deadline"`
	// OverdueDays counts the days the task is overdue, from the later of the deadline
	// and the day its lead unit received it (0 when not overdue).
	OverdueDays int        `json:"overdue_days"`
	State       State      `json:"state"`
	Progress    int        `json:"progress"`
	Light       Light      `json:"light"`
	Extension   *Extension `json:"extension,omitempty"`
	Timeline    []Event    `json:"timeline,omitempty"`
	// Attachments lists every file of the timeline, oldest first; Assignee is the
	// unit officer the unit head made responsible (责任人), by username.
	Attachments []AttachmentView `json:"attachments"`
	Assignee    string           `json:"assignee"`
	// Assignees is each unit's 责任人 (unit id -> username), so a supporting unit's
	// officer finds the tasks given to him or her too.
	Assignees map[string]string `json:"assignees,omitempty"`
	// TimelineFrom is the number of the first entry in Timeline: the entries before it
	// were recorded in the task's previous runs, where relayclient.Client.Task reads
	// them (0: the timeline is complete).
	TimelineFrom int `json:"timeline_from,omitempty"`

	// Follow-up (see relay/followup.go).
	Feedback         string      `json:"feedback,omitempty"`          // FeedbackMonthly or empty
	FeedbackDay      int         `json:"feedback_day,omitempty"`      // monthly: report by this day
	FeedbackReminded string      `json:"feedback_reminded,omitempty"` // last month (YYYY-MM) the lead unit was reminded
	Milestones       []Milestone `json:"milestones,omitempty"`
	BehindMilestone  *Milestone  `json:"behind_milestone,omitempty"`  // the passed node not reached (light yellow)
	OverdueSince     *time.Time  `json:"overdue_since,omitempty"`     // the deadline passing, while red
	EscalationTier   string      `json:"escalation_tier,omitempty"`   // TierBlue, TierYellow, TierRed
	EscalatedAt      *time.Time  `json:"escalated_at,omitempty"`      // when that tier was reached
	ListedForReport  bool        `json:"listed_for_report,omitempty"` // red: to be named in the monthly report
	// Reads are the units that opened the dispatch notice in the console, and when.
	Reads []Read `json:"reads,omitempty"`
	// Changes (see relay/changes.go).
	WithdrawnAt  *time.Time    `json:"withdrawn_at,omitempty"`
	Pushback     *Pushback     `json:"pushback,omitempty"`
	Instructions []Instruction `json:"instructions,omitempty"`
	Chases       []Chase       `json:"chases,omitempty"`
	// Unsigned are the units that have not signed for the task (签收时限).
	Unsigned []Unsigned `json:"unsigned,omitempty"`

	// Standing: a standing task, without a deadline (Item.Standing).
	Standing bool `json:"standing"`
	// LeadUnitWritten and CoUnitsWritten are the list's wording of the units where it
	// differs from the directory's names (see Written); CoUnitsWritten is parallel to
	// CoUnits, "" where equal, nil when none differs.
	LeadUnitWritten string   `json:"lead_unit_written,omitempty"`
	CoUnitsWritten  []string `json:"co_units_written,omitempty"`
}

// LeadAddressed and CoAddressed are the units' names with the list's wording where it
// differs (AddressedAs), for the pages, the notices and the 台账.
func (t TaskView) LeadAddressed() string { return AddressedAs(t.LeadUnitName, t.LeadUnitWritten) }

// CoAddressed: see LeadAddressed; parallel to CoUnits.
func (t TaskView) CoAddressed() []string {
	if t.CoUnitNames == nil {
		return nil
	}
	out := make([]string, len(t.CoUnitNames))
	for i, n := range t.CoUnitNames {
		out[i] = n
		if i < len(t.CoUnitsWritten) {
			out[i] = AddressedAs(n, t.CoUnitsWritten[i])
		}
	}
	return out
}

// ItemView is the part of a task's view its item decides (the committee's text, the
// assignment with its names, the deadline, the follow-up cadence): the one place the
// memo a task starts with, the task's own view and a proposed list's view build it.
func ItemView(taskID, meetingID string, it Item, leadName string, coNames []string, deputyName string) TaskView {
	v := TaskView{
		ID: taskID, No: it.No, Meeting: meetingID, Title: it.Title, Requirements: it.Requirements,
		LeadUnit: it.Lead, LeadUnitName: leadName, CoUnits: nonNil(it.Co), CoUnitNames: nonNil(coNames),
		Deputy: it.Deputy, DeputyName: deputyName, Deadline: it.Deadline,
		Feedback: it.Feedback, Milestones: it.Milestones,
	}
	v.SetFromItem(it)
	return v
}

// SetFromItem copies into the view what it takes from the item as the list gave it
// (standing, the committee's wording); LeadUnitName and CoUnitNames must be set.
func (t *TaskView) SetFromItem(it Item) {
	t.Standing = it.Standing
	t.LeadUnitWritten, t.CoUnitsWritten = Written(it, t.LeadUnitName, t.CoUnitNames)
}

// ReadAt is when unit first opened the task's dispatch notice (nil: unread).
func (t *TaskView) ReadAt(unit string) *time.Time {
	for i := range t.Reads {
		if t.Reads[i].Unit == unit {
			return &t.Reads[i].At
		}
	}
	return nil
}

// Unread lists the task's units (lead first) that have not opened its notice.
func (t *TaskView) Unread() []string {
	var out []string
	for _, u := range append([]string{t.LeadUnit}, t.CoUnits...) {
		if t.ReadAt(u) == nil {
			out = append(out, u)
		}
	}
	return out
}

// AssignedTo reports whether user is the 责任人 of the task for unit.
func (t *TaskView) AssignedTo(unit, user string) bool {
	if p, ok := t.Assignees[unit]; ok {
		return p == user
	}
	return unit == t.LeadUnit && t.Assignee == user
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
	DispatchedAt     time.Time  `json:"dispatched_at"`
	SubmittedAt      *time.Time `json:"submitted_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	LastProgressAt   *time.Time `json:"last_progress_at,omitempty"`
	LastProgressNote string     `json:"last_progress_note,omitempty"`
	// Received is when each unit a reassignment added received the task (the others
	// received it at DispatchedAt).
	Received          map[string]time.Time `json:"received,omitempty"`
	ExtensionsGranted int                  `json:"extensions_granted"`
	Rejections        int                  `json:"rejections"`
	// Grants and RejectedCompletions date the two counts above, so the monthly report
	// can tell what happened in a month and what the deadline was on a past day.
	Grants              []Grant     `json:"grants,omitempty"`
	RejectedCompletions []Rejection `json:"rejected_completions,omitempty"`
}

// Grant is one approved extension: the deadline moved from From to To at At.
type Grant struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	From string    `json:"from"`
	To   string    `json:"to"`
}

// Rejection is one completion the inspection office sent back, with its reason.
type Rejection struct {
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

// MemoSummary is the memo key holding a task's TaskSummary.
const MemoSummary = "summary"

// ValidDate reports whether s is a date in DateLayout.
func ValidDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}
