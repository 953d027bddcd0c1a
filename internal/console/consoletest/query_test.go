package consoletest

import (
	"context"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// TestQueriesAsTheEngineReadsThem: the filters the console writes with relay.Eq and
// its kin select what the engine's visibility store would: a keyword list by any of
// its values, Or inside And, a deadline by its end, a standing task by no deadline.
func TestQueriesAsTheEngineReadsThem(t *testing.T) {
	f := New()
	task := func(no int, lead string, co []string, state relay.State, light relay.Light, deadline string) {
		var s relay.TaskSummary
		s.ID, s.Meeting, s.No, s.LeadUnit, s.CoUnits, s.State, s.Light, s.Deadline = relay.TaskID("m", no), "m", no, lead, co, state, light, deadline
		s.Standing = deadline == ""
		f.PutTask(s)
	}
	task(1, "rsj", []string{"czj"}, relay.StateDispatched, relay.Green, "2026-12-31")
	task(2, "czj", nil, relay.StateInProgress, relay.Red, "2026-11-30")
	task(3, "gaj", []string{"rsj"}, relay.StateClosed, relay.Yellow, "2026-12-15")
	task(4, "rsj", nil, relay.StateInProgress, relay.Green, "")
	open := relay.Ne(relay.SAState, relay.StateClosed)
	for _, c := range []struct {
		query string
		want  []int
	}{
		{"", []int{1, 2, 3, 4}},
		{relay.Eq(relay.SAUnits, "rsj"), []int{1, 3, 4}},
		{relay.Eq(relay.SALeadUnit, "rsj"), []int{1, 4}},
		{relay.And(relay.Eq(relay.SAUnits, "rsj"), open), []int{1, 4}},
		{relay.And(open, relay.Or(relay.In(relay.SALight, relay.Red, relay.Yellow), relay.Eq(relay.SAState, relay.StateDispatched))), []int{1, 2}},
		{relay.Gt(relay.SADeadline, time.Date(2026, 12, 1, 0, 1, 0, 0, relay.TimeZone).Format(time.RFC3339)), []int{1, 3}},
		{relay.Lt(relay.SADeadline, time.Date(2026, 12, 1, 0, 1, 0, 0, relay.TimeZone).Format(time.RFC3339)), []int{2}},
		{relay.Eq(relay.SAMeeting, "it's"), nil},
	} {
		got, err := f.Tasks(context.Background(), c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		var nos []int
		for _, s := range got {
			nos = append(nos, s.No)
		}
		if len(nos) != len(c.want) {
			t.Errorf("%s: tasks %v, want %v", c.query, nos, c.want)
			continue
		}
		for i := range nos {
			if nos[i] != c.want[i] {
				t.Errorf("%s: tasks %v, want %v", c.query, nos, c.want)
				break
			}
		}
	}
	// A filter the engine would not take is an error, not an empty list.
	for _, bad := range []string{"RelayNoSuch = 'x'", "RelayState = ", "(RelayState = 'x'", "RelayLight LIKE 'r%'"} {
		if _, err := f.Tasks(context.Background(), bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	// Pages follow each other without a gap or a repeat.
	var seen []int
	var token []byte
	for {
		page, next, err := f.TasksPage(context.Background(), "", 3, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page {
			seen = append(seen, s.No)
		}
		if len(next) == 0 {
			break
		}
		token = next
	}
	if len(seen) != 4 || seen[0] != 1 || seen[3] != 4 {
		t.Fatalf("pages gave %v", seen)
	}
}
