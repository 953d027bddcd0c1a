package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

// TestReplayRecordedHistories replays histories recorded from real runs (see
// e2e, TASKRELAY_RECORD=1) against the current code: a change that would break
// workflows already in flight fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("want recorded histories in testdata, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(MeetingRelay, workflow.RegisterOptions{Name: relay.MeetingWorkflowName})
			r.RegisterWorkflowWithOptions(Task, workflow.RegisterOptions{Name: relay.TaskWorkflowName})
			r.RegisterWorkflowWithOptions(MeetingPlanPart, workflow.RegisterOptions{Name: relay.PartWorkflowName})
			r.RegisterWorkflowWithOptions(MonthlyInspection, workflow.RegisterOptions{Name: relay.MonthlyWorkflowName})
			r.RegisterWorkflowWithOptions(Chase, workflow.RegisterOptions{Name: relay.ChaseWorkflowName})
			r.RegisterWorkflowWithOptions(Digest, workflow.RegisterOptions{Name: relay.DigestWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
