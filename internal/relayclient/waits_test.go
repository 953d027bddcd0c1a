package relayclient

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

// silent is an engine up with no worker polling: it holds every query and update
// until the caller gives up, as the engine does.
type silent struct{ client.Client }

func (silent) UpdateWorkflow(ctx context.Context, _ client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (silent) QueryWorkflow(ctx context.Context, _, _, _ string, _ ...interface{}) (converter.EncodedValue, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// silentRun is a report's run that never ends.
type silentRun struct{ client.WorkflowRun }

func (silentRun) GetID() string    { return relay.ReportWorkflowID("2026-12", "") }
func (silentRun) GetRunID() string { return "r" }
func (silentRun) Get(ctx context.Context, _ interface{}) error {
	<-ctx.Done()
	return ctx.Err()
}

// A call only the worker can answer gives up after CallTimeout with ErrUnavailable,
// not after the caller's whole context (the starter's is ten minutes).
func TestCallTimeoutBoundsWorkerCalls(t *testing.T) {
	c := &Client{T: silent{}, CallTimeout: 200 * time.Millisecond}
	for name, call := range map[string]func(context.Context) error{
		"query task":    func(ctx context.Context) error { _, err := c.Task(ctx, "m:1"); return err },
		"query meeting": func(ctx context.Context) error { _, err := c.Meeting(ctx, "m"); return err },
		"act": func(ctx context.Context) error {
			_, err := c.Act(ctx, "m:1", relay.UpdateAck, task.Request{Unit: "u"})
			return err
		},
		"adopt":         func(ctx context.Context) error { _, err := c.Adopt(ctx, "m", relay.AdoptRequest{}); return err },
		"wait dispatch": func(ctx context.Context) error { _, err := c.WaitDispatched(ctx, "m"); return err },
		"report draft":  func(ctx context.Context) error { _, err := c.ReportDraft(ctx, silentRun{}); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t0 := time.Now()
		err := call(ctx)
		took := time.Since(t0)
		cancel()
		if !errors.Is(err, refusal.ErrUnavailable) {
			t.Errorf("%s: %v (%T), want ErrUnavailable", name, err, err)
		}
		if took > 30*time.Second {
			t.Errorf("%s: returned after %v, the caller's context rather than CallTimeout", name, took)
		}
	}
}

// dispatching is an engine whose meeting is adopted and whose dispatch finishes after
// `after` meeting queries (never, when 0); one of its tasks is listed.
type dispatching struct {
	client.Client
	after   int32
	queries atomic.Int32
}

func (e *dispatching) QueryWorkflow(_ context.Context, id, _, _ string, _ ...interface{}) (converter.EncodedValue, error) {
	var v any
	if strings.HasPrefix(id, relay.MeetingWorkflowID("")) {
		m := relay.MeetingView{Meeting: relay.Meeting{ID: "m"}, State: relay.MeetingAdopted,
			Items: []relay.Item{{No: 1, Title: "一"}, {No: 2, Title: "二"}, {No: 3, Title: "三"}}}
		if n := e.queries.Add(1); e.after > 0 && n > e.after {
			now := time.Now()
			m.DispatchedAt = &now
		}
		v = m
	} else {
		v = relay.TaskView{ID: id, State: relay.StateDispatched, Light: relay.Green}
	}
	p, _ := converter.GetDefaultDataConverter().ToPayloads(v)
	return newValue(p), nil
}

func (e *dispatching) CountWorkflow(context.Context, *workflowservice.CountWorkflowExecutionsRequest) (*workflowservice.CountWorkflowExecutionsResponse, error) {
	return &workflowservice.CountWorkflowExecutionsResponse{Count: 1}, nil
}

// An adopted meeting still dispatching (a worker just restarted) is not shown as its
// proposed list: Status waits up to CatchUp, then answers *Dispatching with how far
// it got, which is ErrUnavailable; dispatched meanwhile, it answers the tasks.
func TestStatusWhileDispatching(t *testing.T) {
	ctx := context.Background()
	c := &Client{T: &dispatching{}, CatchUp: 300 * time.Millisecond}
	_, tasks, err := c.Status(ctx, "m")
	var d *Dispatching
	if !errors.As(err, &d) || d.Started != 1 || d.Total != 3 || d.Meeting != "m" || !errors.Is(err, refusal.ErrUnavailable) {
		t.Fatalf("still dispatching: %v %+v, tasks %+v", err, d, tasks)
	}

	c = &Client{T: &dispatching{after: 2}, CatchUp: 10 * time.Second}
	_, tasks, err = c.Status(ctx, "m")
	if err != nil || len(tasks) != 3 {
		t.Fatalf("dispatched while waiting: %v %+v", err, tasks)
	}
	for _, tk := range tasks {
		if tk.State != relay.StateDispatched {
			t.Errorf("task %+v", tk)
		}
	}
}
