package activities

import (
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// A standing task is reminded for its monthly progress like a continuing one; a task
// with a deadline and no monthly cadence is not.
func TestStandingTaskRemindedMonthly(t *testing.T) {
	d := time.Date(2026, 9, 16, 10, 0, 0, 0, relay.TimeZone)
	standing := relay.TaskSummary{TaskView: relay.TaskView{ID: "m:1", Meeting: "m", No: 1, LeadUnit: "rsj", State: relay.StateInProgress, Standing: true}, DispatchedAt: d}
	dated := relay.TaskSummary{TaskView: relay.TaskView{ID: "m:2", Meeting: "m", No: 2, LeadUnit: "czj", State: relay.StateInProgress, Deadline: "2027-03-31"}, DispatchedAt: d}
	_, byUnit := PendingFeedback([]relay.TaskSummary{standing, dated}, time.Date(2026, 11, 11, 10, 0, 0, 0, relay.TimeZone), 10)
	if len(byUnit["rsj"]) != 1 || len(byUnit["czj"]) != 0 {
		t.Fatalf("pending feedback %+v: want the standing task's unit only", byUnit)
	}
}
