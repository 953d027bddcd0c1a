package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
)

// fu is only used to name the follow-up's activity methods.
var fu *activities.FollowUp

// remindWindow bounds how many units are reminded in parallel.
const remindWindow = 8

// FollowUp is the daily follow-up run its Schedule starts (进展催报): once a monthly
// task's feedback day is over, every lead unit that has not reported progress on some
// of its `feedback: monthly` tasks this month gets one reminder listing all of them
// (one per unit per month, however often it runs: the tasks record the reminder, and
// the notice id is the unit's and the month's). Deadlines, milestones and the
// escalation tiers are each task's own business (workflow Task).
func FollowUp(ctx workflow.Context, in relay.FollowUpInput) (relay.FollowUpResult, error) {
	at := workflow.Now(ctx)
	if in.AsOf != "" {
		t, err := time.Parse(time.RFC3339, in.AsOf)
		if err != nil {
			return relay.FollowUpResult{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("as_of %q 无法识别，应为 RFC 3339 时间", in.AsOf), "BadInput", err)
		}
		at = t
	}
	actx := activityOptions(ctx, 5*time.Minute)
	var due relay.FeedbackDue
	if err := workflow.ExecuteActivity(actx, fu.FeedbackDueUnits, at).Get(ctx, &due); err != nil {
		return relay.FollowUpResult{}, err
	}
	res := relay.FollowUpResult{Cycle: due.Cycle, Reminded: []string{}, NoticeIDs: []string{}}
	remindCtx := workflow.WithHeartbeatTimeout(actx, time.Minute) // RemindUnit heartbeats per task
	for i := 0; i < len(due.Units); i += remindWindow {
		batch := due.Units[i:min(i+remindWindow, len(due.Units))]
		futures := make([]workflow.Future, len(batch))
		for j, u := range batch {
			futures[j] = workflow.ExecuteActivity(remindCtx, fu.RemindUnit, relay.RemindRequest{At: at, Unit: u.Unit})
		}
		for j, f := range futures {
			var r relay.RemindResult
			if err := f.Get(ctx, &r); err != nil {
				// Retries are unlimited: this is a sink refusing the notice for good.
				res.Failed = append(res.Failed, fmt.Sprintf("%s: %v", batch[j].Unit, err))
				continue
			}
			if r.NoticeID != "" {
				res.Reminded = append(res.Reminded, batch[j].Unit)
				res.NoticeIDs = append(res.NoticeIDs, r.NoticeID)
			}
		}
	}
	return res, nil
}
