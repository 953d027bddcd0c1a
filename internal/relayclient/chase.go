package relayclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"taskrelay/internal/actor"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

// Chase sends one 催办单 (the inspection office chasing in.Unit, resolved by the caller
// from the directory): on in.Tasks, or when none are named on every open task of the
// unit. Everything is checked before anything is sent, and a refusal (a task not of
// the unit, closed or withdrawn, a bad reply-by date, an empty note) changes nothing.
// The chase runs as a workflow keyed by in.ID: the same id again (a form submitted
// twice, a command retried) sends nothing more and returns the chase as it was sent.
// Without an id, one is derived from the unit, tasks, date, note and today's date.
func (c *Client) Chase(ctx context.Context, in relay.ChaseInput) (relay.ChaseResult, error) {
	var res relay.ChaseResult
	if err := checkChase(in, time.Now()); err != nil {
		return res, err
	}
	tasks, err := c.chaseTasks(ctx, in)
	if err != nil {
		return res, err
	}
	in.Tasks = tasks
	if in.ID == "" {
		in.ID = chaseID(in, time.Now())
	}
	id := relay.ChaseWorkflowID(in.ID)
	// The chase is recorded on each task by the engine, with the office's
	// assertion for that task signed here (the update id is the chase's).
	if c.Signer != nil {
		in.Assertions = map[string]*actor.Assertion{}
		for _, t := range in.Tasks {
			in.Assertions[t] = c.sign(nil, chaseRequest(in).Identity(), relay.TaskWorkflowID(t), relay.UpdateChase, id, "")
		}
	}
	run, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                relay.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, relay.ChaseWorkflowName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &already):
		run = c.T.GetWorkflow(ctx, id, "") // sent before: its result
	case err != nil:
		return res, fmt.Errorf("催办 %s: %w", in.UnitName, err)
	}
	if err := run.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("催办 %s: %w", in.UnitName, Reason(err))
	}
	return res, nil
}

// checkChase refuses a chase that lacks what the 催办单 needs.
func checkChase(in relay.ChaseInput, now time.Time) error {
	if in.Unit == "" {
		return errors.New("未指明催办单位")
	}
	day, err := relay.ParseDate(in.ReplyBy)
	if err != nil {
		return fmt.Errorf("回复期限：%v", err)
	}
	today := now.In(relay.TimeZone).Format(relay.DateLayout)
	if day.Format(relay.DateLayout) < today {
		return fmt.Errorf("回复期限 %s 早于今天（%s）", in.ReplyBy, today)
	}
	if strings.TrimSpace(in.Note) == "" {
		return errors.New("请填写催办事由")
	}
	return (task.Request{Note: in.Note, User: in.User}).CheckText(relay.UpdateChase)
}

// chaseTasks are the tasks a chase lists, each read from the engine and checked: the
// named ones (each must be the unit's and open), or every open task of the unit.
func (c *Client) chaseTasks(ctx context.Context, in relay.ChaseInput) ([]string, error) {
	ids := dedupe(in.Tasks)
	all := len(ids) == 0
	if all {
		sums, err := c.Tasks(ctx, relay.And(relay.Eq(relay.SAUnits, in.Unit),
			relay.Ne(relay.SAState, relay.StateClosed), relay.Ne(relay.SAState, relay.StateWithdrawn)))
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			ids = append(ids, s.ID)
		}
	}
	views, err := c.TaskViews(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range views {
		open := v.State != relay.StateClosed && v.State != relay.StateWithdrawn
		mine := v.LeadUnit == in.Unit || slices.Contains(v.CoUnits, in.Unit)
		switch {
		case all && open && mine: // the visibility store may lag an action: checked again
			out = append(out, v.ID)
		case all:
		case !mine:
			return nil, fmt.Errorf("任务 %s 不是%s牵头或配合的任务，不能催办", v.ID, in.UnitName)
		case v.State == relay.StateWithdrawn:
			return nil, fmt.Errorf("任务 %s 已撤销，不能催办", v.ID)
		case !open:
			return nil, fmt.Errorf("任务 %s 已办结，不能催办", v.ID)
		default:
			out = append(out, v.ID)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s没有在办任务，无需催办", in.UnitName)
	}
	return out, nil
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// chaseID derives a chase's id from what it says and the county's date: the same
// command repeated the same day is the same chase.
func chaseID(in relay.ChaseInput, now time.Time) string {
	h := sha256.New()
	for _, s := range append([]string{now.In(relay.TimeZone).Format(relay.DateLayout), in.Unit, in.ReplyBy, in.Note}, in.Tasks...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return in.Unit + "-" + hex.EncodeToString(h.Sum(nil)[:8])
}

// chaseRequest is the change a chase makes on each of its tasks.
func chaseRequest(in relay.ChaseInput) task.Request {
	return task.Request{By: relay.Inspection, User: in.User, Reason: in.Note, Unit: in.Unit, ReplyBy: in.ReplyBy, ChaseID: in.ID}
}

// RecordChase records a chase on each of its tasks (the task's chase update, keyed by
// the chase id, so a repeat records nothing twice). A task that refuses it (closed or
// withdrawn since the chase was checked) is left out with the engine's reason; any
// other error is returned, for the caller to retry.
func (c *Client) RecordChase(ctx context.Context, in relay.ChaseInput) (relay.ChaseRecord, error) {
	var rec relay.ChaseRecord
	req := chaseRequest(in)
	for _, id := range in.Tasks {
		req.Assertion = in.Assertions[id]
		var v relay.TaskView
		err := c.update(ctx, client.UpdateWorkflowOptions{
			UpdateID: relay.ChaseWorkflowID(in.ID), WorkflowID: relay.TaskWorkflowID(id),
			UpdateName: relay.UpdateChase, Args: []interface{}{req},
		}, &v)
		switch err := refused(err, refusal.Task, id); {
		case err == nil:
			rec.Tasks = append(rec.Tasks, v)
		case c.ended(ctx, relay.TaskWorkflowID(id), err):
			rec.Refused = append(rec.Refused, fmt.Sprintf("任务 %s 已办结或已撤销", id))
		case errors.Is(err, refusal.ErrRefused):
			rec.Refused = append(rec.Refused, fmt.Sprintf("任务 %s：%v", id, err))
		default:
			return rec, fmt.Errorf("任务 %s 记录催办: %w", id, err)
		}
	}
	return rec, nil
}
