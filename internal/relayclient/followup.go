package relayclient

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"taskrelay/internal/relay"
)

// RunFollowUp runs one follow-up now, as of asOf (zero: now), and waits for its
// result: what the Schedule does every day, for a backfill or a test.
func (c *Client) RunFollowUp(ctx context.Context, asOf time.Time) (relay.FollowUpResult, error) {
	in := relay.FollowUpInput{}
	id := "followup-now-" + time.Now().UTC().Format("20060102T150405.000000000")
	if !asOf.IsZero() {
		in.AsOf = asOf.Format(time.RFC3339)
		id = "followup-asof-" + asOf.UTC().Format("20060102T150405") + "-" + time.Now().UTC().Format("150405.000000000")
	}
	var res relay.FollowUpResult
	run, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: relay.TaskQueue}, relay.FollowUpWorkflowName, in)
	if err != nil {
		return res, fmt.Errorf("start follow-up: %w", err)
	}
	if err := run.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("follow-up %s: %w", id, err)
	}
	return res, nil
}
