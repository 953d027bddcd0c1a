package task

import (
	"maps"
	"slices"
	"time"

	"taskrelay/internal/relay"
)

// Digest adds what the summary needs of events (the last progress note, the approved
// extensions, the rejected completions) to the digest of the entries before them
// (nil: none). deadline is the item's own, moved by each grant.
func Digest(earlier *relay.TimelineDigest, events []relay.Event, deadline string) relay.TimelineDigest {
	var d relay.TimelineDigest
	if earlier != nil {
		d = *earlier
		d.Grants, d.Rejections = slices.Clone(d.Grants), slices.Clone(d.Rejections)
	}
	if n := len(d.Grants); n > 0 {
		deadline = d.Grants[n-1].To
	}
	for i := range events {
		e := &events[i]
		switch e.Action {
		case relay.ActProgress:
			at := e.At
			d.LastProgressAt, d.LastProgressNote = &at, e.Note
		case relay.ActExtensionApproved:
			g := relay.Grant{At: e.At, By: e.By, From: e.From, To: e.Until}
			if g.To == "" { // recorded before the typed fields
				g.From, g.To = deadline, legacyApprovedUntil(e.Note)
			}
			d.Grants = append(d.Grants, g)
			deadline = g.To
		case relay.ActCompletionRejected:
			d.Rejections = append(d.Rejections, relay.Rejection{At: e.At, Note: e.Note})
		}
	}
	return d
}

// FromCarry is the state a task run was handed on continuing as new (or holds at any
// moment): it (the item with the assignment in force), when the task was dispatched,
// and the carry. What the carry keeps only as a digest of the entries it no longer
// holds (grants, rejections, the last progress) is read from that digest; the
// deadline's moves by amendment are known from the entries it still holds.
func FromCarry(it relay.Item, dispatchedAt time.Time, c relay.TaskCarry) State {
	s := State{
		Lead: it.Lead, Co: slices.Clone(it.Co), Deputy: it.Deputy,
		Deadline: c.Deadline, Standing: it.Standing, Requirements: c.Requirements,
		Status: c.State, Progress: c.Progress, Extension: c.Extension,
		Pushback: c.Pushback, PushedBack: slices.Clone(c.PushedBack), Chases: slices.Clone(c.Chases),
		Acked: slices.Clone(c.Acked), DispatchedAt: dispatchedAt, Received: maps.Clone(c.Received),
		SubmittedAt: c.SubmittedAt, ClosedAt: c.ClosedAt, WithdrawnAt: c.WithdrawnAt,
		Instructions: len(c.Instructions),
	}
	if c.HeadReview != nil {
		s.HeadReview = c.HeadReview.Unit
	}
	d := Digest(c.Earlier, c.Timeline, it.Deadline)
	s.LastProgressAt, s.LastProgressNote = d.LastProgressAt, d.LastProgressNote
	s.Grants, s.Rejections = d.Grants, d.Rejections
	s.Moves = movesOf(c.Earlier, c.Timeline, it.Deadline)
	for _, e := range c.Timeline {
		if unitActs[e.Action] && s.IsUnit(e.By) && !s.HasAcked(e.By) {
			s.Acked = append(s.Acked, e.By)
		}
	}
	return s
}

// movesOf is the deadline history the digest and the entries give.
func movesOf(earlier *relay.TimelineDigest, events []relay.Event, deadline string) []Move {
	var ms []Move
	if earlier != nil {
		for _, g := range earlier.Grants {
			ms = append(ms, Move{At: g.At, From: g.From, To: g.To})
			deadline = g.To
		}
	}
	for _, e := range events {
		switch {
		case e.Action == relay.ActExtensionApproved:
			to, from := e.Until, e.From
			if to == "" {
				from, to = deadline, legacyApprovedUntil(e.Note)
			}
			if to != "" {
				ms = append(ms, Move{At: e.At, From: from, To: to})
				deadline = to
			}
		case e.Action == relay.ActAmended && e.Change != nil && e.Change.Deadline != "":
			ms = append(ms, Move{At: e.At, From: e.Change.FromDeadline, To: e.Change.Deadline})
			deadline = e.Change.Deadline
		}
	}
	return ms
}

// FromSummary is the state a task's summary (its memo) shows, for a task whose
// timeline is not read (settled before the day asked about).
func FromSummary(sum relay.TaskSummary) State {
	s := State{
		Lead: sum.LeadUnit, Co: slices.Clone(sum.CoUnits), Deputy: sum.Deputy,
		Deadline: sum.Deadline, Standing: sum.Standing,
		Status: sum.State, Progress: sum.Progress, Extension: sum.Extension, Pushback: sum.Pushback,
		Chases: slices.Clone(sum.Chases), DispatchedAt: sum.DispatchedAt, Received: maps.Clone(sum.Received),
		SubmittedAt: sum.SubmittedAt, ClosedAt: sum.ClosedAt, WithdrawnAt: sum.WithdrawnAt,
		LastProgressAt: sum.LastProgressAt, LastProgressNote: sum.LastProgressNote,
		Grants: slices.Clone(sum.Grants), Rejections: slices.Clone(sum.RejectedCompletions),
		Instructions: len(sum.Instructions),
	}
	for _, g := range sum.Grants {
		if g.From != "" {
			s.Moves = append(s.Moves, Move{At: g.At, From: g.From, To: g.To})
		}
	}
	return s
}

// Start is the state a report replays a task's timeline from: the summary's task as
// it was dispatched, its deadline the one the first move of the timeline replaced,
// its assignment the one the first reassignment replaced (Dispatched).
func Start(sum relay.TaskSummary, timeline []relay.Event) State {
	deadline := sum.Deadline
	if len(sum.Grants) > 0 && sum.Grants[0].From != "" {
		deadline = sum.Grants[0].From
	}
	if ms := movesOf(nil, timeline, ""); len(ms) > 0 && ms[0].From != "" {
		deadline = ms[0].From
	}
	a := Dispatched(sum, timeline)
	return State{
		Lead: a.Lead.ID, Co: refIDs(a.Co), Deputy: a.Deputy.ID,
		Deadline: deadline, Standing: sum.Standing,
		Status: relay.StateDispatched, DispatchedAt: sum.DispatchedAt,
	}
}

// Dispatched is the assignment a task was dispatched with: the one its first
// reassignment replaced, or the summary's when none did. A first reassignment
// recorded before entries kept what they replaced (relay.Change.Before) gives the
// assignment it left: the earliest the timeline knows.
func Dispatched(sum relay.TaskSummary, timeline []relay.Event) relay.Assignment {
	for _, e := range timeline {
		ch := e.Change
		if e.Action != relay.ActReassigned || ch == nil {
			continue
		}
		if ch.Before != nil {
			return *ch.Before
		}
		if ch.Lead == "" {
			break
		}
		a := relay.Assignment{Lead: relay.UnitRef{ID: ch.Lead}, Deputy: relay.UnitRef{ID: ch.Deputy}}
		for _, c := range ch.Co {
			a.Co = append(a.Co, relay.UnitRef{ID: c})
		}
		return a
	}
	a := relay.Assignment{Lead: relay.UnitRef{ID: sum.LeadUnit, Name: sum.LeadAddressed()},
		Deputy: relay.UnitRef{ID: sum.Deputy, Name: sum.DeputyName}}
	names := sum.CoAddressed()
	for i, c := range sum.CoUnits {
		r := relay.UnitRef{ID: c}
		if i < len(names) {
			r.Name = names[i]
		}
		a.Co = append(a.Co, r)
	}
	return a
}

func refIDs(rs []relay.UnitRef) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// Present completes a summary read from a memo for showing at now: the overdue days,
// which a memo does not keep (they change every day, the memo only when the task
// does), and no light once closed or withdrawn (memos written before that rule).
func Present(sum *relay.TaskSummary, now time.Time) {
	s := FromSummary(*sum)
	sum.OverdueDays = OverdueDays(s, now)
	if !s.Open() {
		sum.Light = ""
	}
}
