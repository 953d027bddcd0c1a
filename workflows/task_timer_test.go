package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"

	model "taskrelay/internal/task"
)

// timers counts the timers a task starts and cancels, by virtual time.
type timers struct {
	started, canceled []time.Time
}

func countTimers(env *testsuite.TestWorkflowEnvironment) *timers {
	tm := &timers{}
	env.SetOnTimerScheduledListener(func(string, time.Duration) { tm.started = append(tm.started, env.Now()) })
	env.SetOnTimerCanceledListener(func(string) { tm.canceled = append(tm.canceled, env.Now()) })
	return tm
}

func (tm *timers) between(from, to time.Time) (started, canceled int) {
	for _, at := range tm.started {
		if !at.Before(from) && at.Before(to) {
			started++
		}
	}
	for _, at := range tm.canceled {
		if !at.Before(from) && at.Before(to) {
			canceled++
		}
	}
	return started, canceled
}

// A task keeps one timer for its next wake: five progress reports that leave the wake
// where it was start no timer and cancel none; an approved extension, which moves
// it, cancels the pending timer and starts one. Before currentChange every report
// started a timer and none was cancelled (they stayed pending in the engine).
func TestTaskKeepsOneTimerForItsNextWake(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version workflow.Version
		// timers started and cancelled by the five reports
		started, canceled int
	}{
		{"one timer", 1, 0, 0},
		{"before the change", workflow.DefaultVersion, 5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := cst("2026-09-16 10:00")
			env, _ := taskEnv(t, start)
			if tc.version == workflow.DefaultVersion {
				env.OnGetVersion(currentChange, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			tm := countTimers(env)
			var reports []*outcome
			for d := 1; d <= 5; d++ {
				reports = append(reports, at(env, start, start.AddDate(0, 0, d), relay.UpdateProgress,
					model.Request{Unit: "rsj", Percent: 10 * d, Note: "推进中"}))
			}
			ext := at(env, start, cst("2026-09-28 10:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-11-30", Note: "需等待省级政策"})
			dec := at(env, start, cst("2026-09-30 10:00"), relay.UpdateDecideExtension, model.Request{By: "ld-chang", Approve: true, Note: "同意"})
			at(env, start, cst("2026-12-05 10:00"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "完成"})
			at(env, start, cst("2026-12-06 10:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})

			env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			for i, r := range append(reports, ext, dec) {
				if r.err != nil || !r.done {
					t.Fatalf("update %d: done %v, %v", i, r.done, r.err)
				}
			}
			if s, _ := tm.between(start, start.Add(time.Minute)); s != 1 {
				t.Errorf("at the start: %d timers started, want 1", s)
			}
			s, c := tm.between(start.Add(time.Minute), start.AddDate(0, 0, 6))
			if s != tc.started || c != tc.canceled {
				t.Errorf("five progress reports: %d timers started, %d cancelled; want %d, %d", s, c, tc.started, tc.canceled)
			}
			if tc.version == workflow.DefaultVersion {
				return
			}
			// The extension's request makes the task yellow at once (no new wake); its
			// approval moves the deadline and so the next wake.
			s, c = tm.between(cst("2026-09-30 10:00"), cst("2026-09-30 10:01"))
			if s != 1 || c != 1 {
				t.Errorf("approved extension: %d timers started, %d cancelled; want 1, 1", s, c)
			}
		})
	}
}
