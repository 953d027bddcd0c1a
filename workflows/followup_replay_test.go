package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

// TestReplayFollowUpHistories replays the follow-up runs recorded from the real server
// (e2e TestFollowUpOnTheRealServer with TASKRELAY_RECORD=1). They live in their own
// folder: the recorded tasks and meetings are replayed by TestReplayRecordedHistories.
func TestReplayFollowUpHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/followup/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("want recorded follow-up histories in testdata/followup")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(FollowUp, workflow.RegisterOptions{Name: relay.FollowUpWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
