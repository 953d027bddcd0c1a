package task

import (
	"time"

	"taskrelay/internal/relay"
)

// Rule is what the light reads besides the state: how many days before the deadline
// it turns yellow.
type Rule struct {
	YellowDays int
}

// DeadlineEnd is the instant the deadline in force passes; false for a standing task
// (or a deadline that cannot be read, which validation never lets through).
func (s State) DeadlineEnd() (time.Time, bool) {
	if s.Standing || s.Deadline == "" {
		return time.Time{}, false
	}
	end, err := relay.DeadlineEnd(s.Deadline)
	return end, err == nil
}

// SubmittedInTime reports a completion submitted before the deadline passed (a
// standing task's completion always is).
func (s State) SubmittedInTime() bool {
	if s.SubmittedAt == nil {
		return false
	}
	end, ok := s.DeadlineEnd()
	return !ok || s.SubmittedAt.Before(end)
}

// Overdue reports an open task past its deadline at at, unless the completion it
// waits on was submitted in time. A standing task never is.
func Overdue(s State, at time.Time) bool {
	end, ok := s.DeadlineEnd()
	if !ok || !s.Open() || at.Before(end) {
		return false
	}
	return !(s.Status == relay.StateCompletionSubmitted && s.SubmittedInTime())
}

// OverdueFrom is the instant overdue days count from: the later of the deadline
// passing and the lead unit receiving the task, so that a unit never answers for days
// before it had the task. Zero for a standing task.
func OverdueFrom(s State) time.Time {
	end, ok := s.DeadlineEnd()
	if !ok {
		return time.Time{}
	}
	if r := s.ReceivedAt(s.Lead); r.After(end) {
		return r
	}
	return end
}

// OverdueDays are the whole days the task has been overdue at at (0 when it is not).
func OverdueDays(s State, at time.Time) int {
	if !Overdue(s, at) {
		return 0
	}
	return days(at.Sub(OverdueFrom(s)))
}

func days(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(d.Hours() / 24)
}

// PushbackPending reports a push back waiting for the office.
func (s State) PushbackPending() bool {
	return s.Pushback != nil && s.Pushback.State == relay.PushbackPending
}

// Light is the task's light at at: none once closed or withdrawn; red when overdue;
// yellow with an extension or a push back pending, a milestone missed (behind), or
// the deadline within r.YellowDays; green otherwise. A standing task has no deadline
// light: only what is pending or behind turns it yellow.
func Light(s State, at time.Time, r Rule, behind bool) relay.Light {
	if !s.Open() {
		return ""
	}
	if Overdue(s, at) {
		return relay.Red
	}
	if s.Extension != nil || behind || s.PushbackPending() {
		return relay.Yellow
	}
	if end, ok := s.DeadlineEnd(); ok && !at.Before(YellowFrom(end, r)) {
		return relay.Yellow
	}
	return relay.Green
}

// YellowFrom is the start of the day r.YellowDays before the deadline day (end is the
// deadline's end): from then on the deadline is near.
func YellowFrom(end time.Time, r Rule) time.Time {
	return end.AddDate(0, 0, -r.YellowDays-1)
}

// OnTime reports a closed task whose completion was submitted in time.
func OnTime(s State) bool {
	return s.Status == relay.StateClosed && s.SubmittedInTime()
}

// DeadlineOn is the deadline that was in force at at (the deadline history: before a
// later move, its From).
func DeadlineOn(s State, at time.Time) string {
	for _, m := range s.Moves {
		if m.At.After(at) {
			return m.From
		}
	}
	return s.Deadline
}

// OverdueSpan is what the score counts against the lead unit for a task in state s
// (its state at at) over the period from..at: the whole days overdue in the period,
// from OverdueFrom to the unit's completion (or at, or the withdrawal), and the
// instant they end.
func OverdueSpan(s State, from, at time.Time) (end time.Time, n int) {
	start := OverdueFrom(s)
	if start.IsZero() {
		return at, 0
	}
	finish := at
	if s.SubmittedAt != nil && (s.Status == relay.StateClosed || s.Status == relay.StateCompletionSubmitted) {
		finish = *s.SubmittedAt
	}
	if s.Status == relay.StateWithdrawn && s.WithdrawnAt != nil && s.WithdrawnAt.Before(finish) {
		finish = *s.WithdrawnAt
	}
	lo, hi := start, finish
	if from.After(lo) {
		lo = from
	}
	if at.Before(hi) {
		hi = at
	}
	return hi, days(hi.Sub(lo))
}

// EarlyDone reports a task closed with its completion submitted at least earlyDays
// before the deadline passed (a standing task earns no such bonus).
func EarlyDone(s State, earlyDays int) bool {
	end, ok := s.DeadlineEnd()
	return ok && s.Status == relay.StateClosed && s.SubmittedAt != nil &&
		!s.SubmittedAt.After(end.AddDate(0, 0, -earlyDays))
}

// PastAtReceipt lists the items whose deadline had already passed when their units
// received them at receivedAt (a list adopted late): their overdue days count from
// receipt (OverdueFrom), and the adoption says so for each.
func PastAtReceipt(items []relay.Item, receivedAt time.Time) []relay.Item {
	var out []relay.Item
	for _, it := range items {
		if end, ok := New(it, receivedAt).DeadlineEnd(); ok && !receivedAt.Before(end) {
			out = append(out, it)
		}
	}
	return out
}
