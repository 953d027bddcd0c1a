package relayclient

import (
	"context"
	"errors"
	"fmt"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

// engine answers every update and query with err, as the engine would across the
// wire, and describes every workflow with status (0: unknown to it).
type engine struct {
	client.Client
	err    error
	status enumspb.WorkflowExecutionStatus
	state  relay.State // what a query of the task answers, when err is nil
}

func (e *engine) UpdateWorkflow(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return nil, e.err
}

func (e *engine) QueryWorkflow(context.Context, string, string, string, ...interface{}) (converter.EncodedValue, error) {
	if e.status != enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED && e.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		p, _ := converter.GetDefaultDataConverter().ToPayloads(relay.TaskView{State: e.state})
		return newValue(p), nil
	}
	return nil, e.err
}

func (e *engine) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if e.status == enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{
		WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: e.status}}, nil
}

// overWire is err as a client receives a validator's error: through the failure
// converter, as the engine carries it.
func overWire(err error) error {
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(refusal.Wire(err)))
}

// Each kind of refusal the engine gives is matched with errors.Is on what the client
// returns, for an action and a read, and reads as one Chinese sentence.
func TestRefusalKinds(t *testing.T) {
	for _, c := range []struct {
		name   string
		engine engine
		kind   error
		want   string
	}{
		{"unknown task", engine{err: serviceerror.NewNotFound("workflow not found for ID: task-x")}, refusal.ErrNotFound, "找不到任务 x"},
		{"task run ended", engine{err: serviceerror.NewNotFound("workflow execution already completed"),
			status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, state: relay.StateClosed}, refusal.ErrClosed, "任务 x 已办结，不能再操作"},
		{"withdrawn, run ended", engine{err: serviceerror.NewNotFound("workflow execution already completed"),
			status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, state: relay.StateWithdrawn}, refusal.ErrWithdrawn, "任务 x 已撤销，不能再操作"},
		{"validator: closed", engine{err: overWire(refusal.New(refusal.ErrClosed, "任务已办结，不能再操作"))}, refusal.ErrClosed, "任务已办结，不能再操作"},
		{"validator: not the unit's", engine{err: overWire(refusal.New(refusal.ErrForbidden, "单位 u 不是任务 x 的牵头或配合单位，无权操作"))}, refusal.ErrForbidden, "单位 u 不是任务 x 的牵头或配合单位，无权操作"},
		{"validator: invalid percent", engine{err: overWire(refusal.Invalid("percent", "进度 140% 无效，应在 0 到 100 之间"))}, refusal.ErrInvalid, "进度 140% 无效，应在 0 到 100 之间"},
		{"validator: conflict", engine{err: overWire(refusal.New(refusal.ErrConflict, "已有延期申请待批复"))}, refusal.ErrConflict, "已有延期申请待批复"},
		{"validator: kind unstated", engine{err: overWire(errors.New("请填写进展情况"))}, refusal.ErrRefused, "请填写进展情况"},
		{"engine down", engine{err: serviceerror.NewUnavailable("connection refused")}, refusal.ErrUnavailable, ""},
		{"no worker answering", engine{err: fmt.Errorf("update: %w", context.DeadlineExceeded)}, refusal.ErrUnavailable, ""},
		{"engine's deadline", engine{err: serviceerror.NewDeadlineExceeded("query timed out")}, refusal.ErrUnavailable, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := &Client{T: &c.engine}
			_, err := cl.Act(context.Background(), "x", relay.UpdateProgress, task.Request{Unit: "u"})
			if !errors.Is(err, c.kind) {
				t.Fatalf("act: %v (%T), want kind %v", err, err, c.kind)
			}
			var r *refusal.Error
			if !errors.As(err, &r) {
				t.Fatalf("act: %T is not a refusal", err)
			}
			if c.want != "" && err.Error() != c.want {
				t.Errorf("act: %q, want %q", err.Error(), c.want)
			}
			if c.engine.status == enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
				if _, err := cl.Task(context.Background(), "x"); !errors.Is(err, c.kind) && c.kind != refusal.ErrClosed {
					t.Errorf("read: %v, want kind %v", err, c.kind)
				}
			}
		})
	}
}

// value is a query's answer.
type value struct{ p *commonpb.Payloads }

func newValue(p *commonpb.Payloads) value { return value{p} }
func (v value) HasValue() bool            { return v.p != nil }
func (v value) Get(ptr interface{}) error {
	return converter.GetDefaultDataConverter().FromPayloads(v.p, ptr)
}
