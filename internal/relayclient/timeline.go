package relayclient

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"taskrelay/internal/relay"
)

// earlierTimeline reads a task's first n timeline entries, which its current run no
// longer carries, from the inputs of its previous runs: each run starts with the
// entries handed to it (numbered from its carry's TimelineFrom), and every entry a run
// records is handed to the next (workflows.Task), so walking back from the latest run
// finds them all. The namespace's retention (ten years, engine.Retention) keeps those
// runs as long as the task itself.
func (c *Client) earlierTimeline(ctx context.Context, taskID string, n int) ([]relay.Event, error) {
	out := make([]relay.Event, n)
	found := make([]bool, n)
	missing := n
	for runID := ""; missing > 0; {
		in, prev, err := c.runInput(ctx, relay.TaskWorkflowID(taskID), runID)
		if err != nil {
			return nil, fmt.Errorf("读取任务 %s 的早先办理记录: %w", taskID, err)
		}
		if in.Carry != nil {
			for i, e := range in.Carry.Timeline {
				if k := in.Carry.TimelineFrom + i; k < n && !found[k] {
					out[k], found[k] = e, true
					missing--
				}
			}
		}
		if prev == "" {
			break
		}
		runID = prev
	}
	if missing > 0 {
		return nil, fmt.Errorf("任务 %s 的前 %d 条办理记录中有 %d 条在早先运行的历史中找不到", taskID, n, missing)
	}
	return out, nil
}

// runInput is the input a task workflow's run (empty: the latest) started with, and
// the run it continued from (empty for the first).
func (c *Client) runInput(ctx context.Context, workflowID, runID string) (relay.TaskInput, string, error) {
	var in relay.TaskInput
	it := c.T.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return in, "", fmt.Errorf("运行 %s 没有历史", runID)
	}
	ev, err := it.Next()
	if err != nil {
		return in, "", err
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil {
		return in, "", fmt.Errorf("运行 %s 的首个事件不是启动事件", runID)
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return in, "", fmt.Errorf("运行 %s 的输入无法解析: %w", runID, err)
	}
	return in, attrs.GetContinuedExecutionRunId(), nil
}
