package workflows

import (
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
	"taskrelay/internal/report"
	model "taskrelay/internal/task"
)

// modelSeeds is how many random event sequences the property test plays: a few in
// every `go test`, as many as asked in a longer run
// (go test -run TestModelAgreesEverywhere ./workflows/ -model.seeds=500).
var modelSeeds = flag.Int("model.seeds", 6, "random task histories TestModelAgreesEverywhere plays")

// reading is what the workflow, its memo and the report each say of a task at an
// instant.
type reading struct {
	State       relay.State
	Progress    int
	Deadline    string
	Light       relay.Light
	OverdueDays int
	// who carried the task then: the lead unit and the deputy in charge
	Lead, Deputy string
}

func (r reading) String() string {
	return fmt.Sprintf("%s %d%% %q %q %dd lead %s deputy %s", r.State, r.Progress, r.Deadline, r.Light, r.OverdueDays, r.Lead, r.Deputy)
}

type checkpoint struct {
	at   time.Time
	what string
	wf   reading
}

// TestModelAgreesEverywhere plays random histories of one task (every action: acks,
// progress, extensions and their decisions, completions through the unit head or not,
// verification, push backs and their decisions, reassignments, amendments, withdrawal,
// instructions, chases, and a continue-as-new half-way) and checks at every step that
// the workflow's state, its memo as readers see it, and the monthly report's state of
// the task for that instant (computed afterwards from the memo and the whole timeline,
// so for a past day) agree, the lead unit and deputy in charge of that day included.
func TestModelAgreesEverywhere(t *testing.T) {
	for seed := int64(1); seed <= int64(*modelSeeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { playRandomTask(t, seed) })
	}
}

func playRandomTask(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	start := cst("2026-09-16 10:00")
	in := sampleTaskInput(start.AddDate(0, 0, rng.Intn(80)-20).Format(relay.DateLayout))
	if rng.Intn(5) == 0 {
		in.Item.Deadline, in.Item.Standing = "", true
	}
	in.DispatchedAt = start
	var (
		points   []checkpoint
		memo     = relay.TaskMemo(in)[relay.MemoSummary].(relay.TaskSummary) // as the meeting starts it
		timeline []relay.Event
	)
	steps := 14 + rng.Intn(14)
	half := steps / 2
	chaseNo := 0
	// run plays steps [from, to) in a fresh environment from input, starting at begin;
	// with cont, it asks the run to continue as new after its last step and returns
	// the next input.
	run := func(input relay.TaskInput, begin time.Time, from, to int, cont bool) (relay.TaskInput, time.Time) {
		env, _ := taskEnv(t, begin)
		memoOf := lastMemo(env)
		when := begin
		var last relay.TaskView
		for i := from; i < to; i++ {
			when = when.AddDate(0, 0, 1+rng.Intn(6))
			name, req, change := randomAction(rng, &chaseNo, when)
			if change != nil {
				env.RegisterDelayedCallback(func() {
					env.UpdateWorkflow(name, "", (&outcome{}).callbacks(), *change)
				}, when.Sub(begin))
			} else {
				env.RegisterDelayedCallback(func() {
					env.UpdateWorkflow(name, "", (&outcome{}).callbacks(), req)
				}, when.Sub(begin))
			}
			check := when.Add(time.Minute)
			what := fmt.Sprintf("step %d %s", i, name)
			env.RegisterDelayedCallback(func() {
				v := queryTask(t, env)
				last = v
				wf := reading{v.State, v.Progress, v.Deadline, v.Light, v.OverdueDays, v.LeadUnit, v.Deputy}
				m := memoOf()
				if m.ID == "" {
					m = memo // not written by this run yet: the one it started with
				}
				model.Present(&m, check)
				if mr := (reading{m.State, m.Progress, m.Deadline, m.Light, m.OverdueDays, m.LeadUnit, m.Deputy}); mr != wf {
					t.Errorf("seed %d %s at %s: workflow %s, memo %s", seed, what, check.Format(time.DateTime), wf, mr)
				}
				points = append(points, checkpoint{at: check, what: what, wf: wf})
				memo, timeline = m, v.Timeline
			}, check.Sub(begin))
		}
		end := when.Add(time.Hour)
		if cont {
			env.RegisterDelayedCallback(func() {
				env.SetContinueAsNewSuggested(true)
				env.UpdateWorkflow(relay.UpdateRead, "", (&outcome{}).callbacks(), model.Request{Unit: last.LeadUnit})
			}, end.Sub(begin))
		} else {
			env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, end.Sub(begin))
		}
		env.ExecuteWorkflow(relay.TaskWorkflowName, input)
		var can *workflow.ContinueAsNewError
		err := env.GetWorkflowError()
		if errors.As(err, &can) {
			var next relay.TaskInput
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
				t.Fatal(err)
			}
			return next, env.Now()
		}
		if err == nil && env.IsWorkflowCompleted() {
			// Closed or withdrawn: the run ended at once, the last check with it.
			var v relay.TaskView
			if err := env.GetWorkflowResult(&v); err != nil {
				t.Fatal(err)
			}
			now := env.Now()
			wf := reading{v.State, v.Progress, v.Deadline, v.Light, 0, v.LeadUnit, v.Deputy}
			m := memoOf()
			model.Present(&m, now)
			if mr := (reading{m.State, m.Progress, m.Deadline, m.Light, m.OverdueDays, m.LeadUnit, m.Deputy}); mr != wf {
				t.Errorf("seed %d at the end: workflow %s, memo %s", seed, wf, mr)
			}
			if v.State != relay.StateClosed && v.State != relay.StateWithdrawn {
				t.Errorf("seed %d: the run ended with the task %s", seed, v.State)
			}
			points = append(points, checkpoint{at: now, what: "end", wf: wf})
			memo = m
			timeline = append(timeline[:0:0], timeline...)
			if full, ok := finalTimeline(t, env); ok {
				timeline = full
			}
		} else if cont {
			t.Fatalf("seed %d: no continue-as-new: %v", seed, err)
		}
		return relay.TaskInput{}, time.Time{}
	}
	next, at2 := run(in, start, 0, half, true)
	if next.Carry != nil {
		run(next, at2, half, steps, false)
	}

	// The report, for each past instant, from the memo and the whole timeline.
	task := report.Task{TaskSummary: memo, Timeline: timeline}
	for _, p := range points {
		req := report.Request{Month: p.at.In(relay.TimeZone).Format(report.MonthLayout), AsOfTime: p.at, Now: p.at.AddDate(1, 0, 0)}
		r, err := report.Compute(report.Input{Request: req, Tasks: []report.Task{task}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 1 {
			t.Fatalf("seed %d %s: %d report rows", seed, p.what, len(r.Rows))
		}
		row := r.Rows[0]
		if rr := (reading{row.State, row.Progress, row.Deadline, row.Light, row.OverdueDays, row.Unit, row.Deputy}); rr != p.wf {
			t.Errorf("seed %d %s at %s: workflow %s, report for that day %s", seed, p.what, p.at.Format(time.DateTime), p.wf, rr)
		}
	}
}

// finalTimeline is the whole timeline of a run that has ended (its last query
// missed the entry that ended it): the closing entries are read from the memo's
// states instead when the query cannot answer.
func finalTimeline(t *testing.T, env *testsuite.TestWorkflowEnvironment) ([]relay.Event, bool) {
	v, err := env.QueryWorkflow(relay.QueryTask)
	if err != nil {
		return nil, false
	}
	var tv relay.TaskView
	if err := v.Get(&tv); err != nil {
		t.Fatal(err)
	}
	return tv.Timeline, true
}

var (
	units    = []relay.UnitRef{{ID: "rsj", Name: "县人力资源和社会保障局"}, {ID: "czj", Name: "县财政局"}, {ID: "jyj", Name: "县教育体育局"}}
	deputies = []relay.UnitRef{{ID: "ld-chang", Name: "李某"}, {ID: "ld-zhao", Name: "赵某"}}
)

// randomAction is one action of any kind, by any party; many are refused (not the
// unit's, not now), which must change nothing either.
func randomAction(rng *rand.Rand, chaseNo *int, when time.Time) (string, model.Request, *model.Request) {
	unit := units[rng.Intn(len(units))].ID
	date := func() string { return when.AddDate(0, 0, rng.Intn(90)-10).Format(relay.DateLayout) }
	switch rng.Intn(16) {
	case 0, 1:
		return relay.UpdateAck, model.Request{Unit: unit}, nil
	case 2, 3:
		return relay.UpdateProgress, model.Request{Unit: unit, Percent: rng.Intn(101), Note: "推进"}, nil
	case 4:
		return relay.UpdateExtend, model.Request{Unit: unit, Until: date(), Note: "需要时间"}, nil
	case 5:
		by := []string{relay.Inspection, "ld-chang", "ld-zhao"}[rng.Intn(3)]
		return relay.UpdateDecideExtension, model.Request{By: by, Approve: rng.Intn(2) == 0, Note: "意见"}, nil
	case 6:
		return relay.UpdateComplete, model.Request{Unit: unit, Note: "已完成", HeadReview: rng.Intn(2) == 0}, nil
	case 7:
		return relay.UpdateHeadReview, model.Request{Unit: unit, Head: true, Approve: rng.Intn(3) > 0, Note: "审核"}, nil
	case 8:
		return relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: rng.Intn(3) == 0, Note: "审核意见"}, nil
	case 9:
		return relay.UpdatePushback, model.Request{}, &model.Request{Unit: unit, Reason: "不属于本单位职责"}
	case 10:
		req := &model.Request{By: relay.Office, Reason: "研究决定", Keep: rng.Intn(2) == 0}
		if !req.Keep {
			u := units[rng.Intn(len(units))]
			req.Lead = &u
		}
		return relay.UpdateDecidePushback, model.Request{}, req
	case 11:
		u, d := units[rng.Intn(len(units))], deputies[rng.Intn(len(deputies))]
		return relay.UpdateReassign, model.Request{}, &model.Request{By: relay.Office, Lead: &u, Deputy: &d, Reason: "职能调整"}
	case 12:
		return relay.UpdateAmend, model.Request{}, &model.Request{By: relay.Office, Deadline: date(), Reason: "会议调整"}
	case 13:
		if rng.Intn(3) == 0 {
			return relay.UpdateWithdraw, model.Request{}, &model.Request{By: relay.Office, Reason: "不再实施"}
		}
		return relay.UpdateInstruct, model.Request{}, &model.Request{By: relay.Inspection, Text: "抓紧落实"}
	case 14:
		*chaseNo++
		return relay.UpdateChase, model.Request{}, &model.Request{By: relay.Inspection, Unit: unit,
			ReplyBy: when.AddDate(0, 0, 3).Format(relay.DateLayout), ChaseID: fmt.Sprint("chase-", *chaseNo), Reason: "请报送进展"}
	default:
		return relay.UpdateInstruct, model.Request{}, &model.Request{By: relay.Inspection, Text: "批示"}
	}
}
