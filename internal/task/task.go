// Package task is the model of one task: the state its timeline leaves it in
// (Apply), and the readings taken from that state at an instant (Light,
// OverdueDays, DeadlineOn, the score's overdue span, the tallies). It is pure: no
// input or output, no clock (every instant is passed in), the same answer for the
// same events. The Task workflow, the memo, the board, the monthly report for any
// day and the scores read a task through it, so they cannot disagree.
package task

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/relay"
)

// State is a task as its events leave it.
type State struct {
	// The assignment in force (a reassignment moves it).
	Lead   string   `json:"lead"`
	Co     []string `json:"co,omitempty"`
	Deputy string   `json:"deputy"`
	// Deadline is the deadline in force (YYYY-MM-DD), "" for a standing task.
	Deadline     string      `json:"deadline"`
	Standing     bool        `json:"standing,omitempty"`
	Requirements string      `json:"requirements,omitempty"` // amended ("" : the committee's)
	Status       relay.State `json:"status"`
	Progress     int         `json:"progress"`
	// Extension is the extension request waiting for a decision.
	Extension *relay.Extension `json:"extension,omitempty"`
	// HeadReview is the unit whose completion waits for its head's sign-off.
	HeadReview string          `json:"head_review,omitempty"`
	Pushback   *relay.Pushback `json:"pushback,omitempty"`
	PushedBack []string        `json:"pushed_back,omitempty"`
	Chases     []relay.Chase   `json:"chases,omitempty"`
	// Acked are the units that have signed for the task (by an ack or any act of theirs).
	Acked []string `json:"acked,omitempty"`
	// DispatchedAt is when the task reached its first units; Received when each unit
	// a reassignment added received it.
	DispatchedAt time.Time            `json:"dispatched_at"`
	Received     map[string]time.Time `json:"received,omitempty"`
	SubmittedAt  *time.Time           `json:"submitted_at,omitempty"`
	ClosedAt     *time.Time           `json:"closed_at,omitempty"`
	WithdrawnAt  *time.Time           `json:"withdrawn_at,omitempty"`
	// The last progress report.
	LastProgressAt   *time.Time `json:"last_progress_at,omitempty"`
	LastProgressNote string     `json:"last_progress_note,omitempty"`
	// Moves are the deadline's changes, oldest first: approved extensions and
	// amendments (the deadline history); Grants the approved extensions alone.
	Moves      []Move            `json:"moves,omitempty"`
	Grants     []relay.Grant     `json:"grants,omitempty"`
	Rejections []relay.Rejection `json:"rejections,omitempty"`
	// Instructions count the leaders' instructions (领导批示).
	Instructions int `json:"instructions,omitempty"`
}

// Move is one change of the deadline: from From to To at At.
type Move struct {
	At   time.Time `json:"at"`
	From string    `json:"from"`
	To   string    `json:"to"`
}

// New is a task as dispatched: the item's assignment and deadline, nothing done yet.
func New(it relay.Item, dispatchedAt time.Time) State {
	return State{
		Lead: it.Lead, Co: slices.Clone(it.Co), Deputy: it.Deputy,
		Deadline: it.Deadline, Standing: it.Standing,
		Status: relay.StateDispatched, DispatchedAt: dispatchedAt,
	}
}

// Open reports whether the task still asks something of its units.
func (s State) Open() bool {
	return s.Status != relay.StateClosed && s.Status != relay.StateWithdrawn
}

// IsUnit reports whether unit is the task's lead or one of its supporting units.
func (s State) IsUnit(unit string) bool {
	return unit != "" && (unit == s.Lead || slices.Contains(s.Co, unit))
}

// HasAcked reports whether unit has signed for the task.
func (s State) HasAcked(unit string) bool { return slices.Contains(s.Acked, unit) }

// ReceivedAt is when unit received the task: at dispatch, or when a reassignment
// added it.
func (s State) ReceivedAt(unit string) time.Time {
	if at, ok := s.Received[unit]; ok {
		return at
	}
	return s.DispatchedAt
}

// unitActs are the entries by which a unit acts on the task, and so signs for it.
var unitActs = map[string]bool{
	relay.ActAcknowledged: true, relay.ActProgress: true, relay.ActExtensionRequested: true,
	relay.ActCompletionSubmitted: true, relay.ActHeadReviewPending: true,
}

// Apply is the state after e. Entries that change nothing the model keeps (reminders,
// notices, numbers) leave it as it was. s is not modified.
func Apply(s State, e relay.Event) State {
	if unitActs[e.Action] && s.IsUnit(e.By) && !s.HasAcked(e.By) {
		s.Acked = append(slices.Clone(s.Acked), e.By)
	}
	at := e.At
	switch e.Action {
	case relay.ActAcknowledged:
		if s.Status == relay.StateDispatched {
			s.Status = relay.StateAcknowledged
		}
	case relay.ActProgress:
		if s.Status == relay.StateDispatched || s.Status == relay.StateAcknowledged {
			s.Status = relay.StateInProgress
		}
		if e.Percent != nil {
			s.Progress = *e.Percent
		} else if p, ok := legacyPercent(e.Note); ok {
			s.Progress = p
		}
		s.LastProgressAt, s.LastProgressNote = &at, e.Note
		s.Chases = answer(s.Chases, e.By)
	case relay.ActExtensionRequested:
		if s.Status == relay.StateDispatched {
			s.Status = relay.StateAcknowledged
		}
		s.Extension = &relay.Extension{Unit: e.By, Until: e.Until, Reason: extensionReason(e), RequestedAt: e.At}
	case relay.ActExtensionApproved:
		g := relay.Grant{At: e.At, By: e.By, From: e.From, To: e.Until}
		if g.To == "" { // recorded before the typed fields
			g.From, g.To = s.Deadline, legacyApprovedUntil(e.Note)
		}
		s.Extension = nil
		s.Grants = append(slices.Clone(s.Grants), g)
		if g.To != "" {
			s = s.move(e.At, g.To)
		}
	case relay.ActExtensionDenied:
		s.Extension = nil
	case relay.ActHeadReviewPending:
		s.Status, s.HeadReview = relay.StateHeadReview, e.By
	case relay.ActHeadReturned, relay.ActHeadApproved:
		// Approved, the completion follows as its own entry.
		s.Status, s.HeadReview = relay.StateInProgress, ""
	case relay.ActCompletionSubmitted:
		s.Status, s.SubmittedAt, s.HeadReview = relay.StateCompletionSubmitted, &at, ""
	case relay.ActCompletionRejected:
		s.Status, s.SubmittedAt = relay.StateInProgress, nil
		s.Rejections = append(slices.Clone(s.Rejections), relay.Rejection{At: e.At, Note: e.Note})
	case relay.ActCompletionAccepted:
		s.Status, s.ClosedAt, s.Progress = relay.StateClosed, &at, 100
	case relay.ActWithdrawn:
		s.Status, s.WithdrawnAt, s.Extension = relay.StateWithdrawn, &at, nil
		if p := s.Pushback; p != nil && p.State == relay.PushbackPending {
			q := *p
			q.State = relay.PushbackKept
			s.Pushback = &q
		}
	case relay.ActReassigned:
		s = s.reassign(e)
	case relay.ActAmended:
		if ch := e.Change; ch != nil {
			if ch.Deadline != "" {
				s = s.move(e.At, ch.Deadline)
			}
			if ch.Requirements != "" {
				s.Requirements = ch.Requirements
			}
		}
	case relay.ActPushedBack:
		if ch := e.Change; ch != nil {
			s.Pushback = &relay.Pushback{Unit: ch.Unit, Reason: ch.Reason, State: relay.PushbackPending, Suggest: ch.Suggest, At: e.At}
			s.PushedBack = append(slices.Clone(s.PushedBack), ch.Unit)
		}
	case relay.ActPushbackKept, relay.ActPushbackAccepted:
		if p := s.Pushback; p != nil {
			q := *p
			q.State = relay.PushbackKept
			if e.Action == relay.ActPushbackAccepted {
				q.State = relay.PushbackReassigned
			}
			if e.Change != nil {
				q.Note = e.Change.Reason
			}
			s.Pushback = &q
		}
	case relay.ActInstruction:
		s.Instructions++
	case relay.ActChased:
		if ch := e.Change; ch != nil && !slices.ContainsFunc(s.Chases, func(c relay.Chase) bool { return c.ID == ch.ChaseID }) {
			s.Chases = append(slices.Clone(s.Chases), relay.Chase{ID: ch.ChaseID, Unit: ch.Unit, At: e.At, ReplyBy: ch.ReplyBy})
		}
	}
	return s
}

// ApplyAll applies events in order.
func ApplyAll(s State, events []relay.Event) State {
	for i := range events {
		s = Apply(s, events[i])
	}
	return s
}

// At is the state as it stood at an instant: the events up to it applied to start.
func At(start State, events []relay.Event, at time.Time) State {
	for i := range events {
		if events[i].At.After(at) {
			break
		}
		start = Apply(start, events[i])
	}
	return start
}

// move sets a new deadline and keeps the change in the history.
func (s State) move(at time.Time, to string) State {
	s.Moves = append(slices.Clone(s.Moves), Move{At: at, From: s.Deadline, To: to})
	s.Deadline = to
	return s
}

func (s State) reassign(e relay.Event) State {
	ch := e.Change
	if ch == nil {
		return s
	}
	if ch.Lead != "" {
		s.Lead = ch.Lead
	}
	s.Co, s.Deputy = slices.Clone(ch.Co), ch.Deputy
	if len(ch.Added) > 0 {
		r := make(map[string]time.Time, len(s.Received)+len(ch.Added))
		for k, v := range s.Received {
			r[k] = v
		}
		for _, u := range ch.Added {
			r[u] = e.At
		}
		s.Received = r
	}
	if x := s.Extension; x != nil && !s.IsUnit(x.Unit) {
		s.Extension = nil // the unit that asked no longer carries the task
	}
	return s
}

func answer(cs []relay.Chase, unit string) []relay.Chase {
	if !slices.ContainsFunc(cs, func(c relay.Chase) bool { return c.Unit == unit && !c.Answered }) {
		return cs
	}
	out := slices.Clone(cs)
	for i := range out {
		if out[i].Unit == unit {
			out[i].Answered = true
		}
	}
	return out
}

// extensionReason is the reason of a request: its note after the engine's own
// "申请延期至 D：" prefix.
func extensionReason(e relay.Event) string {
	if _, r, ok := strings.Cut(e.Note, "："); ok && strings.HasPrefix(e.Note, "申请延期至 ") {
		return r
	}
	return e.Note
}

// legacyPercent reads the percentage of a progress entry recorded before Event had a
// Percent field: its note then began "进度 60%：".
func legacyPercent(note string) (int, bool) {
	rest, ok := strings.CutPrefix(note, "进度 ")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "%")
	if !ok {
		return 0, false
	}
	p, err := strconv.Atoi(num)
	return p, err == nil
}

// legacyApprovedUntil reads the new deadline of an approval recorded before Event had
// typed fields. Such notes begin with the engine's own wording, "同意延期：完成时限由
// A 调整为 B。", and only that prefix is read: the deciding leader's comment after it
// may mention other dates. Empty when the note is not in that form.
func legacyApprovedUntil(note string) string {
	rest, ok := strings.CutPrefix(note, "同意延期：完成时限由 ")
	if !ok {
		return ""
	}
	_, until, ok := strings.Cut(rest, " 调整为 ")
	if !ok || len(until) < len(relay.DateLayout) || !relay.ValidDate(until[:len(relay.DateLayout)]) {
		return ""
	}
	return until[:len(relay.DateLayout)]
}
