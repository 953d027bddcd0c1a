package relayclient

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"taskrelay/internal/refusal"
)

// refused is the engine's answer err about subject id as a refusal of its kind
// (package refusal): an update validator's typed refusal, a workflow the engine does
// not know (ErrNotFound), or an engine that did not answer in time (ErrUnavailable).
// Any other error is returned as it is.
func refused(err error, s refusal.Subject, id string) error {
	if err == nil {
		return nil
	}
	var r *refusal.Error
	if errors.As(err, &r) {
		return r
	}
	if r, ok := refusal.FromWire(err); ok {
		return r.About(s, id)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &refusal.Error{Kind: refusal.ErrNotFound, Subject: s, ID: id, Err: err}
	}
	if unavailable(err) {
		return &refusal.Error{Kind: refusal.ErrUnavailable, Subject: s, ID: id, Err: err}
	}
	return err
}

// unavailable: the engine, or the worker a query or update waits for, did not
// answer before the caller's deadline, or could not be reached.
func unavailable(err error) bool {
	var un *serviceerror.Unavailable
	var de *serviceerror.DeadlineExceeded
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &un) || errors.As(err, &de) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return true
	}
	return false
}

// ended reports whether err, the engine's answer to an update on workflowID, says
// that the workflow's run has finished (the engine answers NotFound for an update on
// a finished run): asked of the engine by the run's status, not read from the text.
func (c *Client) ended(ctx context.Context, workflowID string, err error) bool {
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		return false
	}
	d, derr := c.T.DescribeWorkflowExecution(ctx, workflowID, "")
	return derr == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}
