package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"taskrelay/internal/app"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestFollowUpOnTheRealServer: the daily follow-up Schedule is created once however
// often the worker restarts, it runs the follow-up, and a follow-up run sends each lead
// unit one reminder listing all its monthly tasks not reported on, once per month.
func TestFollowUpOnTheRealServer(t *testing.T) {
	c := newCounty(t)
	c.start()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	h := c.node.Client.ScheduleClient().GetHandle(ctx, relay.FollowUpScheduleID)
	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("describe the follow-up schedule: %v", err)
	}
	cal := d.Schedule.Spec.Calendars
	if len(cal) != 1 || len(cal[0].Hour) != 1 || cal[0].Hour[0].Start != 9 || d.Schedule.Spec.TimeZoneName != app.FollowUpTimeZone {
		t.Errorf("spec %+v", d.Schedule.Spec)
	}
	created := d.Info.CreatedAt
	for i := 0; i < 2; i++ {
		c.stop()
		c.start()
	}
	eventually(t, "one follow-up schedule", func() bool { return c.schedules(ctx, relay.FollowUpScheduleID) == 1 })
	h = c.node.Client.ScheduleClient().GetHandle(ctx, relay.FollowUpScheduleID)
	if d, err = h.Describe(ctx); err != nil || !d.Info.CreatedAt.Equal(created) {
		t.Fatalf("after two restarts: %v, created %v then %v", err, created, d.Info.CreatedAt)
	}

	// The Schedule's action is the follow-up: triggered now, a run completes.
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the triggered follow-up run", func() bool {
		return len(c.workflows("WorkflowType = '"+relay.FollowUpWorkflowName+"' AND ExecutionStatus = 'Completed'")) == 1
	})

	// The sample list: items 5 and 7 are led by zfb, item 9 by lcj, all monthly.
	c.ok("submit", sample, "--adopt")
	c.ok("complete", "cwh-2026-12:9", "--unit", "lcj", "--note", "示范基地建成") // waiting for verification: not reminded
	ac := c.api()
	eventually(t, "task summaries", func() bool {
		sums, err := ac.Tasks(ctx, "RelayMeeting = 'cwh-2026-12'")
		return err == nil && len(sums) == 10 && sums[8].State == relay.StateCompletionSubmitted && sums[4].Feedback == relay.FeedbackMonthly
	})

	// As of the 26th of next month nobody has reported in that month.
	now := time.Now().In(relay.TimeZone)
	asOf := time.Date(now.Year(), now.Month()+1, 26, 10, 0, 0, 0, relay.TimeZone)
	cycle := relay.Cycle(asOf)
	res, err := c.api().RunFollowUp(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cycle != cycle || strings.Join(res.Reminded, ",") != "zfb" || strings.Join(res.NoticeIDs, ",") != relay.FeedbackNoticeID("zfb", cycle) {
		t.Fatalf("run: %+v", res)
	}
	outbox := notify.NewOutbox(filepath.Join(c.data, "outbox"))
	reminders := func() []relay.Notice {
		ns, err := outbox.List(func(n relay.Notice) bool { return n.Kind == relay.NoticeFeedback })
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}
	got := reminders()
	if len(got) != 1 || got[0].To != "zfb" || len(got[0].Items) != 2 || got[0].Items[0].No != 5 || got[0].Items[1].No != 7 {
		t.Fatalf("reminders in the outbox: %+v", got)
	}
	if _, err := os.Stat(strings.TrimSuffix(outbox.Path(got[0].ID), ".json") + ".md"); err != nil {
		t.Errorf("readable reminder: %v", err)
	}

	// The reminder is on both tasks' timelines, and a second run the same month sends nothing.
	eventually(t, "the reminder recorded on the tasks", func() bool {
		sums, err := ac.Tasks(ctx, "RelayLeadUnit = 'zfb'")
		if err != nil {
			return false
		}
		n := 0
		for _, s := range sums {
			if s.FeedbackReminded == cycle {
				n++
			}
		}
		return n == 2
	})
	var five relay.TaskView
	c.jsonOf(&five, "task", "cwh-2026-12:5", "--json")
	if five.FeedbackReminded != cycle || five.Timeline[len(five.Timeline)-1].Action != "feedback_reminded" {
		t.Errorf("task 5: reminded %q, last event %+v", five.FeedbackReminded, five.Timeline[len(five.Timeline)-1])
	}
	// The second run through the command line, as an operator would run it.
	var again relay.FollowUpResult
	c.jsonOf(&again, "followup", "--as-of", asOf.AddDate(0, 0, 1).Format(relay.DateLayout), "--json")
	if again.Cycle != cycle || len(again.Reminded) != 0 || len(reminders()) != 1 {
		t.Errorf("second run the same month: %+v, %d reminders", again, len(reminders()))
	}

	// Tasks that started tiered: item 10 was overdue at adoption (blue tier), item 4
	// is behind its node of 2026-11-20 (yellow light) when run after that day.
	var ten, four relay.TaskView
	c.jsonOf(&ten, "task", "cwh-2026-12:10", "--json")
	c.jsonOf(&four, "task", "cwh-2026-12:4", "--json")
	if now.Format(relay.DateLayout) > "2026-11-15" && (ten.EscalationTier != relay.TierBlue || ten.OverdueSince == nil) {
		t.Errorf("task 10: tier %q overdue since %v", ten.EscalationTier, ten.OverdueSince)
	}
	if now.Format(relay.DateLayout) > "2026-11-20" && now.Format(relay.DateLayout) < "2027-04-30" && (four.Light != relay.Yellow || four.BehindMilestone == nil) {
		t.Errorf("task 4: light %s behind %+v", four.Light, four.BehindMilestone)
	}

	if os.Getenv("TASKRELAY_RECORD") == "1" {
		if err := os.MkdirAll(filepath.Join(repoRoot(t), "workflows", "testdata", "followup"), 0o755); err != nil {
			t.Fatal(err)
		}
		var runs []string
		for _, id := range c.workflows("WorkflowType = '" + relay.FollowUpWorkflowName + "'") {
			if strings.HasPrefix(id, "followup-asof-") {
				runs = append(runs, id)
			}
		}
		if len(runs) != 2 {
			t.Fatalf("follow-up runs: %v", runs)
		}
		c.record(firstRun(t, c, runs), "followup/followup-reminded")
	}
	c.record(relay.TaskWorkflowID("cwh-2026-12:5"), "task-followup-reminded")
	c.record(relay.TaskWorkflowID("cwh-2026-12:10"), "task-followup-overdue")
	c.record(relay.TaskWorkflowID("cwh-2026-12:4"), "task-followup-milestone")
}

// firstRun picks the earlier of the two follow-up runs (the one that reminded).
func firstRun(t *testing.T, c *county, ids []string) string {
	var first string
	var at time.Time
	for _, id := range ids {
		resp, err := c.node.Client.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			t.Fatal(err)
		}
		st := resp.GetWorkflowExecutionInfo().GetStartTime().AsTime()
		if first == "" || st.Before(at) {
			first, at = id, st
		}
	}
	return first
}
