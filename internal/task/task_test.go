package task

import (
	"testing"
	"time"

	"taskrelay/internal/relay"
)

func day(s string, hour int) time.Time {
	d, err := relay.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d.Add(time.Duration(hour) * time.Hour)
}

func pct(p int) *int { return &p }

var item = relay.Item{No: 1, Title: "t", Lead: "u1", Co: []string{"u2"}, Deputy: "d1", Deadline: "2027-03-31"}

func TestApplyEveryAction(t *testing.T) {
	s := New(item, day("2027-01-04", 9))
	steps := []struct {
		e     relay.Event
		check func(State) bool
	}{
		{relay.Event{At: day("2027-01-05", 9), By: "u1", Action: relay.ActAcknowledged}, func(s State) bool {
			return s.Status == relay.StateAcknowledged && s.HasAcked("u1") && !s.HasAcked("u2")
		}},
		{relay.Event{At: day("2027-01-06", 9), By: "u2", Action: relay.ActProgress, Percent: pct(30), Note: "进度 30%：x"}, func(s State) bool {
			return s.Status == relay.StateInProgress && s.Progress == 30 && s.HasAcked("u2") && s.LastProgressNote == "进度 30%：x"
		}},
		{relay.Event{At: day("2027-01-07", 9), By: "u1", Action: relay.ActExtensionRequested, Until: "2027-04-30", Note: "申请延期至 2027-04-30：忙"}, func(s State) bool {
			return s.Extension != nil && s.Extension.Until == "2027-04-30" && s.Extension.Reason == "忙"
		}},
		{relay.Event{At: day("2027-01-08", 9), By: "d1", Action: relay.ActExtensionApproved, From: "2027-03-31", Until: "2027-04-30"}, func(s State) bool {
			return s.Extension == nil && s.Deadline == "2027-04-30" && len(s.Grants) == 1 &&
				DeadlineOn(s, day("2027-01-07", 0)) == "2027-03-31" && DeadlineOn(s, day("2027-01-09", 0)) == "2027-04-30"
		}},
		{relay.Event{At: day("2027-01-09", 9), By: "office", Action: relay.ActAmended, Change: &relay.Change{FromDeadline: "2027-04-30", Deadline: "2027-05-31", Requirements: "新"}}, func(s State) bool {
			return s.Deadline == "2027-05-31" && s.Requirements == "新" && DeadlineOn(s, day("2027-01-08", 12)) == "2027-04-30"
		}},
		{relay.Event{At: day("2027-01-10", 9), By: "u2", Action: relay.ActPushedBack, Change: &relay.Change{Unit: "u2", Reason: "不是我"}}, func(s State) bool {
			return s.PushbackPending() && Light(s, day("2027-01-10", 10), Rule{YellowDays: 7}, false) == relay.Yellow
		}},
		{relay.Event{At: day("2027-01-11", 9), By: "office", Action: relay.ActPushbackAccepted, Change: &relay.Change{Reason: "同意", Unit: "u2"}}, func(s State) bool {
			return s.Pushback.State == relay.PushbackReassigned
		}},
		{relay.Event{At: day("2027-01-11", 9), By: "office", Action: relay.ActReassigned, Change: &relay.Change{Lead: "u3", Co: []string{"u1"}, Deputy: "d2", Added: []string{"u3"}, Removed: []string{"u2"}}}, func(s State) bool {
			return s.Lead == "u3" && s.Deputy == "d2" && s.IsUnit("u1") && !s.IsUnit("u2") && s.ReceivedAt("u3").Equal(day("2027-01-11", 9))
		}},
		{relay.Event{At: day("2027-01-12", 9), By: "inspection", Action: relay.ActChased, Change: &relay.Change{Unit: "u3", ReplyBy: "2027-01-15", ChaseID: "c1"}}, func(s State) bool {
			return len(s.Chases) == 1 && !s.Chases[0].Answered
		}},
		{relay.Event{At: day("2027-01-12", 9), By: "inspection", Action: relay.ActChased, Change: &relay.Change{Unit: "u3", ReplyBy: "2027-01-15", ChaseID: "c1"}}, func(s State) bool {
			return len(s.Chases) == 1 // the same chase again
		}},
		{relay.Event{At: day("2027-01-13", 9), By: "d2", Action: relay.ActInstruction, Change: &relay.Change{Text: "抓紧"}}, func(s State) bool {
			return s.Instructions == 1
		}},
		{relay.Event{At: day("2027-01-14", 9), By: "u3", Action: relay.ActProgress, Note: "进度 60%：y"}, func(s State) bool {
			return s.Progress == 60 && s.Chases[0].Answered // a legacy note's percent
		}},
		{relay.Event{At: day("2027-01-15", 9), By: "u3", Action: relay.ActHeadReviewPending}, func(s State) bool {
			return s.Status == relay.StateHeadReview && s.HeadReview == "u3"
		}},
		{relay.Event{At: day("2027-01-15", 10), By: "u3", Action: relay.ActHeadReturned}, func(s State) bool {
			return s.Status == relay.StateInProgress && s.HeadReview == ""
		}},
		{relay.Event{At: day("2027-01-16", 9), By: "u3", Action: relay.ActHeadReviewPending}, nil},
		{relay.Event{At: day("2027-01-16", 10), By: "u3", Action: relay.ActHeadApproved}, nil},
		{relay.Event{At: day("2027-01-16", 10), By: "u3", Action: relay.ActCompletionSubmitted}, func(s State) bool {
			return s.Status == relay.StateCompletionSubmitted && s.SubmittedAt != nil && s.HeadReview == ""
		}},
		{relay.Event{At: day("2027-01-17", 9), By: "inspection", Action: relay.ActCompletionRejected, Note: "不全"}, func(s State) bool {
			return s.Status == relay.StateInProgress && s.SubmittedAt == nil && len(s.Rejections) == 1
		}},
		{relay.Event{At: day("2027-01-18", 9), By: "u3", Action: relay.ActCompletionSubmitted}, nil},
		{relay.Event{At: day("2027-01-19", 9), By: "inspection", Action: relay.ActCompletionAccepted}, func(s State) bool {
			return s.Status == relay.StateClosed && s.Progress == 100 && OnTime(s) &&
				Light(s, day("2027-01-19", 10), Rule{YellowDays: 7}, false) == ""
		}},
	}
	var events []relay.Event
	for i, st := range steps {
		s = Apply(s, st.e)
		events = append(events, st.e)
		if st.check != nil && !st.check(s) {
			t.Fatalf("step %d (%s): state %+v", i, st.e.Action, s)
		}
		// The same events replayed up to that instant give the same state.
		if got := At(New(item, day("2027-01-04", 9)), events, st.e.At); got.Status != s.Status || got.Deadline != s.Deadline {
			t.Fatalf("step %d: At gives %s/%s, Apply %s/%s", i, got.Status, got.Deadline, s.Status, s.Deadline)
		}
	}
}

func TestApplyLeavesItsInputAlone(t *testing.T) {
	s := New(item, day("2027-01-04", 9))
	s = Apply(s, relay.Event{At: day("2027-01-05", 9), By: "u1", Action: relay.ActChased, Change: &relay.Change{Unit: "u1", ChaseID: "c1", ReplyBy: "2027-01-09"}})
	before := s
	_ = Apply(s, relay.Event{At: day("2027-01-06", 9), By: "u1", Action: relay.ActProgress, Percent: pct(10)})
	if before.Chases[0].Answered || len(before.Acked) != 0 {
		t.Fatalf("Apply modified the state it was given: %+v", before)
	}
}

// A deadline past when the unit received the task counts from the day it received it.
func TestOverdueDaysFromReceipt(t *testing.T) {
	it := item
	it.Deadline = "2027-03-01"
	late := New(it, day("2027-03-10", 9)) // adopted late
	at := day("2027-03-15", 9)
	if got := OverdueDays(late, at); got != 5 {
		t.Fatalf("overdue days from receipt: %d, want 5", got)
	}
	if _, n := OverdueSpan(late, day("2027-03-01", 0), at); n != 5 {
		t.Fatalf("score's overdue days: %d, want 5", n)
	}
	onTime := New(it, day("2027-01-10", 9))
	if got := OverdueDays(onTime, at); got != 13 {
		t.Fatalf("overdue days from the deadline: %d, want 13", got)
	}
	// A lead unit added by a reassignment counts from when it was added.
	re := Apply(onTime, relay.Event{At: day("2027-03-12", 9), By: "office", Action: relay.ActReassigned,
		Change: &relay.Change{Lead: "u9", Deputy: "d1", Added: []string{"u9"}}})
	if got := OverdueDays(re, at); got != 3 {
		t.Fatalf("overdue days of the new lead unit: %d, want 3", got)
	}
	if Light(late, at, Rule{YellowDays: 7}, false) != relay.Red {
		t.Fatal("a late task is still red")
	}
}

func TestStandingNeverOverdue(t *testing.T) {
	it := item
	it.Deadline, it.Standing = "", true
	s := New(it, day("2027-01-04", 9))
	far := day("2030-01-01", 9)
	if Overdue(s, far) || OverdueDays(s, far) != 0 {
		t.Fatal("a standing task is overdue")
	}
	if l := Light(s, far, Rule{YellowDays: 7}, false); l != relay.Green {
		t.Fatalf("standing light %q, want green", l)
	}
	if _, n := OverdueSpan(s, day("2029-01-01", 0), far); n != 0 {
		t.Fatalf("standing score days %d", n)
	}
	s = Apply(s, relay.Event{At: far, By: "u1", Action: relay.ActCompletionSubmitted})
	s = Apply(s, relay.Event{At: far, By: "inspection", Action: relay.ActCompletionAccepted})
	if !OnTime(s) || EarlyDone(s, 7) {
		t.Fatal("a standing task's completion is on time and earns no early bonus")
	}
}

func TestLightsAndTally(t *testing.T) {
	r := Rule{YellowDays: 7}
	s := New(item, day("2027-01-04", 9))
	if Light(s, day("2027-03-20", 9), r, false) != relay.Green || Light(s, day("2027-03-24", 0), r, false) != relay.Yellow ||
		Light(s, day("2027-04-01", 0), r, false) != relay.Red || Light(s, day("2027-01-05", 0), r, true) != relay.Yellow {
		t.Fatal("lights")
	}
	sub := Apply(s, relay.Event{At: day("2027-03-30", 9), By: "u1", Action: relay.ActCompletionSubmitted})
	if Overdue(sub, day("2027-04-05", 0)) {
		t.Fatal("a completion submitted in time is not overdue")
	}
	w := Apply(s, relay.Event{At: day("2027-04-05", 0), By: "office", Action: relay.ActWithdrawn, Change: &relay.Change{}})
	if Light(w, day("2027-04-06", 0), r, false) != "" {
		t.Fatal("a withdrawn task has a light")
	}
	var tl Tally
	tl.Add(relay.StateClosed, relay.Green) // a summary from before closed tasks lost their light
	tl.Add(relay.StateWithdrawn, relay.Green)
	tl.Add(relay.StateInProgress, relay.Red)
	tl.Add(relay.StateDispatched, relay.Green)
	if want := "共 4 项：红灯 1，黄灯 0，绿灯 1；已办结 1、已撤销 1"; tl.Line() != want {
		t.Fatalf("tally %q, want %q", tl.Line(), want)
	}
}

func TestFromCarryMatchesReplay(t *testing.T) {
	start := New(item, day("2027-01-04", 9))
	events := []relay.Event{
		{At: day("2027-01-05", 9), By: "u1", Action: relay.ActAcknowledged},
		{At: day("2027-01-06", 9), By: "u1", Action: relay.ActExtensionRequested, Until: "2027-04-30"},
		{At: day("2027-01-07", 9), By: "d1", Action: relay.ActExtensionApproved, From: "2027-03-31", Until: "2027-04-30"},
		{At: day("2027-01-08", 9), By: "u1", Action: relay.ActProgress, Percent: pct(50)},
	}
	want := ApplyAll(start, events)
	c := relay.TaskCarry{State: want.Status, Progress: 50, Deadline: "2027-04-30",
		Earlier:  &relay.TimelineDigest{Grants: []relay.Grant{{At: day("2027-01-07", 9), By: "d1", From: "2027-03-31", To: "2027-04-30"}}},
		Timeline: events[3:], Acked: []string{"u1"}}
	got := FromCarry(item, day("2027-01-04", 9), c)
	if got.Deadline != want.Deadline || got.Progress != want.Progress || got.Status != want.Status ||
		len(got.Moves) != 1 || DeadlineOn(got, day("2027-01-06", 0)) != "2027-03-31" || *got.LastProgressAt != *want.LastProgressAt {
		t.Fatalf("from carry %+v\nreplayed %+v", got, want)
	}
}

func TestPresentSummary(t *testing.T) {
	it := item
	it.Deadline = "2027-03-01"
	sum := relay.TaskSummary{TaskView: relay.TaskView{LeadUnit: "u1", Deadline: "2027-03-01", State: relay.StateInProgress, Light: relay.Red},
		DispatchedAt: day("2027-03-10", 9)}
	Present(&sum, day("2027-03-15", 9))
	if sum.OverdueDays != 5 || sum.Light != relay.Red {
		t.Fatalf("present: %d days, light %q", sum.OverdueDays, sum.Light)
	}
	sum.State, sum.Light = relay.StateWithdrawn, relay.Green
	Present(&sum, day("2027-03-15", 9))
	if sum.OverdueDays != 0 || sum.Light != "" {
		t.Fatalf("withdrawn: %d days, light %q", sum.OverdueDays, sum.Light)
	}
}

func TestPastAtReceipt(t *testing.T) {
	a, b, c := item, item, item
	a.No, a.Deadline = 1, "2027-03-01"
	b.No, b.Deadline = 2, "2027-03-10"
	c.No, c.Deadline, c.Standing = 3, "", true
	got := PastAtReceipt([]relay.Item{a, b, c}, day("2027-03-10", 9))
	if len(got) != 1 || got[0].No != 1 {
		t.Fatalf("past at receipt: %+v, want item 1 only", got)
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]int{"40": 40, "40%": 40, " 40％ ": 40, "４０": 40, "0": 0, "100%": 100} {
		if got, err := ParsePercent(in); err != nil || got != want {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "101", "-1", "四十", "40%%%x", "4 0"} {
		if _, err := ParsePercent(bad); err == nil {
			t.Errorf("ParsePercent(%q) accepted", bad)
		}
	}
}

// A report replays from the assignment the first reassignment replaced; an entry
// recorded before entries kept it gives the assignment it left, the earliest known.
func TestStartFromTheAssignmentBeforeReassignment(t *testing.T) {
	sum := relay.TaskSummary{TaskView: relay.TaskView{LeadUnit: "u3", Deputy: "d3", Deadline: "2027-03-31"}, DispatchedAt: day("2027-01-04", 9)}
	first := relay.Event{At: day("2027-01-10", 9), By: relay.Office, Action: relay.ActReassigned,
		Change: &relay.Change{Lead: "u2", Deputy: "d2", Added: []string{"u2"}, Removed: []string{"u1"},
			Before: &relay.Assignment{Lead: relay.UnitRef{ID: "u1", Name: "一局"}, Co: []relay.UnitRef{{ID: "u4"}}, Deputy: relay.UnitRef{ID: "d1"}}}}
	second := relay.Event{At: day("2027-02-10", 9), By: relay.Office, Action: relay.ActReassigned,
		Change: &relay.Change{Lead: "u3", Deputy: "d3", Added: []string{"u3"}, Removed: []string{"u2"}}}
	timeline := []relay.Event{first, second}
	for _, c := range []struct {
		at           time.Time
		lead, deputy string
	}{
		{day("2027-01-05", 9), "u1", "d1"}, {day("2027-01-20", 9), "u2", "d2"}, {day("2027-02-20", 9), "u3", "d3"},
	} {
		s := At(Start(sum, timeline), timeline, c.at)
		if s.Lead != c.lead || s.Deputy != c.deputy {
			t.Errorf("%s: lead %s deputy %s, want %s %s", c.at, s.Lead, s.Deputy, c.lead, c.deputy)
		}
	}
	if s := Start(sum, timeline); len(s.Co) != 1 || s.Co[0] != "u4" {
		t.Errorf("supporting units at dispatch: %v", s.Co)
	}
	// Recorded before Change.Before: the first entry's own assignment is the earliest known.
	old := first
	old.Change = &relay.Change{Lead: "u2", Deputy: "d2"}
	if s := At(Start(sum, []relay.Event{old, second}), []relay.Event{old, second}, day("2027-01-05", 9)); s.Lead != "u2" || s.Deputy != "d2" {
		t.Errorf("old entry: lead %s deputy %s, want u2 d2", s.Lead, s.Deputy)
	}
	// No reassignment: the summary's assignment.
	if s := Start(sum, nil); s.Lead != "u3" || s.Deputy != "d3" {
		t.Errorf("no reassignment: lead %s deputy %s", s.Lead, s.Deputy)
	}
}
