package relayclient

import (
	"context"
	"fmt"

	"taskrelay/internal/relay"

	"taskrelay/internal/task"
)

// Instructable lists the open tasks an instruction by req goes to: every one for the
// county head or the inspection office writing on its own, a deputy's own for a
// deputy.
func Instructable(tasks []relay.TaskView, req task.Request) []string {
	var ids []string
	for _, t := range tasks {
		open := t.State != relay.StateClosed && t.State != relay.StateWithdrawn && t.State != "proposed"
		mine := req.By == relay.Inspection || req.ByRole == relay.RoleCountyHead || t.Deputy == req.By
		if open && mine {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// InstructMeeting writes one instruction on every task of a meeting Instructable
// picks (none is a refusal). With a requestID each task's update id is derived from
// it, so a form sent twice instructs each task once.
func (c *Client) InstructMeeting(ctx context.Context, meetingID, requestID string, req task.Request) ([]relay.TaskView, error) {
	_, tasks, err := c.Status(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	ids := Instructable(tasks, req)
	if len(ids) == 0 {
		return nil, fmt.Errorf("会议 %s 没有%s可批示的在办任务", meetingID, req.ByName)
	}
	var views []relay.TaskView
	for _, id := range ids {
		var v relay.TaskView
		if requestID != "" {
			v, err = c.ActOnce(ctx, id, relay.UpdateInstruct, requestID+":"+id, req)
		} else {
			v, err = c.Act(ctx, id, relay.UpdateInstruct, req)
		}
		if err != nil {
			return views, fmt.Errorf("任务 %s: %w", id, err)
		}
		views = append(views, v)
	}
	return views, nil
}
