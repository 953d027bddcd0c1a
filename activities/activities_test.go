package activities

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"taskrelay/internal/relay"
)

// refusing is an engine whose every workflow start fails with err.
type refusing struct {
	client.Client
	err error
}

func (r refusing) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, interface{}, ...interface{}) (client.WorkflowRun, error) {
	return nil, r.err
}

// TestStartTasksPermanentRefusal: a start the engine refuses for good (or a deadline
// that cannot be read) is a non-retryable error, so the relay does not retry it for a
// day; an engine that is away is retried.
func TestStartTasksPermanentRefusal(t *testing.T) {
	in := relay.TaskInput{TaskID: "m:1", Meeting: relay.Meeting{ID: "m"}, Item: relay.Item{No: 1, Lead: "rsj", Deadline: "2026-12-31"}}
	bad := in
	bad.Item.Deadline = "年底"
	for _, c := range []struct {
		name      string
		err       error
		in        relay.TaskInput
		permanent bool
	}{
		{"invalid", serviceerror.NewInvalidArgument("memo exceeds size limit"), in, true},
		{"deadline", nil, bad, true},
		{"unavailable", serviceerror.NewUnavailable("connection refused"), in, false},
	} {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		acts := &Activities{Engine: refusing{err: c.err}}
		env.RegisterActivity(acts)
		_, err := env.ExecuteActivity(acts.StartTasks, []relay.TaskInput{c.in})
		var app *temporal.ApplicationError
		if err == nil || !errors.As(err, &app) {
			t.Fatalf("%s: %v, want an application error", c.name, err)
		}
		if app.NonRetryable() != c.permanent {
			t.Errorf("%s: non-retryable %v, want %v (%v)", c.name, app.NonRetryable(), c.permanent, err)
		}
	}
}
