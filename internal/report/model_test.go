package report

import (
	"strings"
	"testing"

	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// A list adopted after its deadline passed: the lead unit answers only for the days
// since it received the task, in the row's overdue days and in the score.
func TestOverdueCountsFromReceipt(t *testing.T) {
	// Deadline 31 October, dispatched 20 November 09:00: on 30 November 24:00 it is
	// 10 whole days overdue (not 30), −5 at 0.5 a day.
	a := task(m14, 1, "补录事项", "rsj", "2026-10-31", at("2026-11-20 09:00"), relay.StateInProgress)
	r := compute(t, Input{Request: mustResolve(t, "2026-11"), Meetings: []relay.Meeting{m14}, Tasks: []Task{a}})
	if len(r.Overdue) != 1 || r.Overdue[0].OverdueDays != 10 {
		t.Fatalf("overdue rows %+v, want one of 10 days", r.Overdue)
	}
	var got *UnitScore
	for i := range r.Scores {
		if r.Scores[i].Unit == "rsj" {
			got = &r.Scores[i]
		}
	}
	if got == nil || len(got.Events) != 1 || got.Events[0].Days != 10 {
		t.Fatalf("rsj score %+v, want 10 overdue days", got)
	}
}

// A standing task is never overdue nor red, and is listed apart (长期事项).
func TestStandingListedApart(t *testing.T) {
	a := task(m12, 1, "长期坚持的事项", "rsj", "", at("2026-09-16 10:00"), relay.StateInProgress)
	a.Standing = true
	b := task(m12, 2, "有时限的事项", "czj", "2026-10-31", at("2026-09-16 10:00"), relay.StateInProgress)
	r := compute(t, Input{Request: mustResolve(t, "2026-11"), Meetings: []relay.Meeting{m12}, Tasks: []Task{a, b}})
	if len(r.Standing) != 1 || r.Standing[0].Title != "长期坚持的事项" || !r.Standing[0].Standing {
		t.Fatalf("standing rows %+v", r.Standing)
	}
	if len(r.Overdue) != 1 || r.Overdue[0].Title != "有时限的事项" {
		t.Fatalf("overdue rows %+v: only the dated task", r.Overdue)
	}
	for _, us := range r.Scores {
		if us.Unit == "rsj" && len(us.EventsYTD) != 0 {
			t.Fatalf("a standing task cost points: %+v", us.EventsYTD)
		}
	}
	if !strings.Contains(r.Executive().Markdown(), "长期事项") {
		t.Fatal("the 通报 has no 长期事项 section")
	}
}

// A completion waiting for the unit head on the report's day: not yet submitted, so
// the task is overdue once its deadline passed (the board says the same).
func TestHeadReviewOnAPastDay(t *testing.T) {
	d := at("2026-09-16 10:00")
	a := task(m12, 1, "负责人审核中", "rsj", "2026-11-20", d, relay.StateCompletionSubmitted)
	a.SubmittedAt = ptr(at("2026-12-01 10:00"))
	a.Timeline = []relay.Event{
		{At: d, By: "system", Action: relay.ActDispatched},
		{At: at("2026-11-18 09:00"), By: "rsj", Action: relay.ActHeadReviewPending},
		{At: at("2026-12-01 10:00"), By: "rsj", Action: relay.ActHeadApproved},
		{At: at("2026-12-01 10:00"), By: "rsj", Action: relay.ActCompletionSubmitted},
	}
	r := compute(t, Input{Request: mustResolve(t, "2026-11"), Meetings: []relay.Meeting{m12}, Tasks: []Task{a}})
	if len(r.Rows) != 1 || r.Rows[0].State != relay.StateHeadReview || r.Rows[0].Light != relay.Red || r.Rows[0].OverdueDays != 10 {
		t.Fatalf("row %+v, want head_review, red, 10 days", r.Rows)
	}
}

// The report's totals, the status line and the board count by the same buckets: on
// the same tasks they agree (closed and withdrawn apart, red = open overdue).
func TestTotalsAgreeWithTally(t *testing.T) {
	in := fixture()
	w := task(m15, 9, "已撤销事项", "czj", "2026-10-31", at("2026-09-16 10:00"), relay.StateWithdrawn)
	w.WithdrawnAt = ptr(at("2026-10-01 09:00"))
	in.Tasks = append(in.Tasks, w)
	// Live: the report as of now, the tasks' memos as the board and status read them.
	now := at("2026-12-02 09:00")
	req, err := Resolve(Request{Month: "2026-12"}, now, now)
	if err != nil {
		t.Fatal(err)
	}
	in.Request = req
	r := compute(t, in)
	var tally model.Tally
	for _, row := range r.Rows {
		tally.Add(row.State, row.Light)
	}
	if tally.Closed != r.Totals.Closed() || tally.Withdrawn != r.Totals.Withdrawn || tally.Red != r.Totals.OpenOverdue ||
		tally.Yellow+tally.Green != r.Totals.OpenNotDue || tally.Withdrawn != 1 {
		t.Fatalf("tally %+v, totals %+v", tally, r.Totals)
	}
	if !strings.Contains(r.Executive().Markdown(), "另已撤销1件") {
		t.Error("the 通报 does not count the withdrawn task apart")
	}
	for _, row := range r.Rows {
		if (row.State == relay.StateClosed || row.State == relay.StateWithdrawn) && row.Light != "" {
			t.Errorf("%s %s has light %q", row.ID, row.State, row.Light)
		}
	}
}
