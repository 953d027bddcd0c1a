package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// TestScores: each unit's score for November and the year, worked out by hand, every
// point traced to its task and event.
func TestScores(t *testing.T) {
	d := at("2026-09-16 10:00")
	// rsj: open, due 31 October: overdue all of November (30 days, −15) and the year.
	a := task(m12, 1, "逾期事项", "rsj", "2026-10-31", d, relay.StateInProgress)
	// rsj: due 30 September, completion submitted 10 October 10:00 (9 whole days late,
	// −4.5 in the year, nothing in November), closed 12 October.
	b := task(m12, 2, "逾期办结", "rsj", "2026-09-30", d, relay.StateClosed)
	b.SubmittedAt, b.ClosedAt = ptr(at("2026-10-10 10:00")), ptr(at("2026-10-12 09:00"))
	// czj: a completion sent back on 10 November (−2), then submitted 15 November and
	// closed the 16th, 46 days before its deadline (+1).
	c := task(m12, 3, "提前办结", "czj", "2026-12-31", d, relay.StateClosed)
	c.RejectedCompletions = []relay.Rejection{{At: at("2026-11-10 15:00"), Note: "缺佐证材料"}}
	c.SubmittedAt, c.ClosedAt = ptr(at("2026-11-15 10:00")), ptr(at("2026-11-16 10:00"))
	// lcj: dispatched 20 November, never signed for: unsigned on the 23rd (−1); the
	// chase of czj on it, unanswered past 25 November (−3 for czj), and an answered one.
	e := task(m14, 1, "未签收", "lcj", "2027-03-31", at("2026-11-20 09:00"), relay.StateDispatched)
	e.Chases = []relay.Chase{
		{ID: "c1", Unit: "czj", At: at("2026-11-21 09:00"), ReplyBy: "2026-11-25"},
		{ID: "c2", Unit: "lcj", At: at("2026-11-21 09:00"), ReplyBy: "2026-11-25", Answered: true},
	}
	// xcb: its task records czj (a supporting unit) as not signed by 24 November 17:30
	// (the engine's time to sign, working days): −1 for czj; xcb signed.
	f := task(m14, 2, "配合单位未签收", "xcb", "2027-03-31", at("2026-11-20 09:00"), relay.StateAcknowledged)
	f.Unsigned = []relay.Unsigned{{Unit: "czj", UnitName: "县财政局", Due: at("2026-11-24 17:30")}}
	in := Input{Request: mustResolve(t, "2026-11"), Meetings: []relay.Meeting{m12, m14}, Tasks: []Task{a, b, c, e, f}}
	r := compute(t, in)

	var got []string
	for _, us := range r.Scores {
		line := fmt.Sprintf("%d %s %v/%v:", us.Rank, us.Unit, us.Score, us.ScoreYTD)
		for _, ev := range us.Events {
			line += fmt.Sprintf(" %s %s %v", ev.Task, ev.Event, ev.Points)
		}
		got = append(got, line)
	}
	want := []string{
		"1 xcb 100/100:",
		"2 lcj 99/99: cwh-2026-14:1 unsigned_dispatch -1",
		"3 czj 95/95: cwh-2026-12:3 completion_rejected -2 cwh-2026-12:3 early_completion 1 cwh-2026-14:2 unsigned_dispatch -1 cwh-2026-14:1 unanswered_chase -3",
		"4 rsj 85/80.5: cwh-2026-12:1 overdue -15",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scores:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, us := range r.Scores {
		if us.Unit == "rsj" && (len(us.EventsYTD) != 2 || us.EventsYTD[0].Days != 9 || us.EventsYTD[1].Days != 30) {
			t.Errorf("rsj's year: %+v", us.EventsYTD)
		}
	}
	// report --json: by_unit[].score is a number, score_rule says the rule.
	b2, _ := json.Marshal(r.Figures)
	var raw struct {
		ByUnit []map[string]any `json:"by_unit"`
		Rule   map[string]any   `json:"score_rule"`
	}
	if err := json.Unmarshal(b2, &raw); err != nil {
		t.Fatal(err)
	}
	for _, u := range raw.ByUnit {
		if _, ok := u["score"].(float64); !ok {
			t.Errorf("by_unit score is not a number: %v", u)
		}
	}
	if raw.Rule["base"] != 100.0 || !strings.Contains(raw.Rule["text"].(string), "每逾期1天扣0.5分") {
		t.Errorf("score_rule: %v", raw.Rule)
	}
	// The 通报 ranks them.
	md := r.Executive().Markdown()
	for _, s := range []string{"单位考评排名", "| 2 | 县林业和草原局 | 99 | 99 |", "逾期未办结1件（30天）−15", "办结被退回1次−2；提前办结1次+1；交办逾期未签收1次−1；催办逾期未回复1次−3"} {
		if !strings.Contains(md, s) {
			t.Errorf("通报 lacks %q", s)
		}
	}
}

// TestScoreRuleConfigured: a configured rule changes the points; bad rules name every problem.
func TestScoreRuleConfigured(t *testing.T) {
	rule, err := relay.ParseScoreRule("base=90, overdue_per_day=1")
	if err != nil || rule.Base != 90 || rule.OverduePerDay != 1 || rule.Returned != 2 {
		t.Fatalf("%+v %v", rule, err)
	}
	a := task(m12, 1, "逾期事项", "rsj", "2026-10-31", at("2026-09-16 10:00"), relay.StateInProgress)
	in := Input{Request: mustResolve(t, "2026-11"), Tasks: []Task{a}, Options: DefaultOptions()}
	in.Options.Score = &rule
	if r := compute(t, in); r.ByUnit[0].Score != 60 || r.Figures.ScoreRule.Base != 90 {
		t.Errorf("score %v rule %+v", r.ByUnit[0].Score, r.Figures.ScoreRule)
	}
	_, err = relay.ParseScoreRule("base=x,foo=1,ack_days=1.5,returned")
	for _, want := range []string{"base", "foo", "ack_days", "returned"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func mustResolve(t *testing.T, month string) Request {
	t.Helper()
	req, err := Resolve(Request{Month: month}, at("2026-12-02 09:00"), at("2026-12-02 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	return req
}
