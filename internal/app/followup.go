package app

import (
	"context"
	"time"
	_ "time/tzdata" // the embedded engine resolves the Schedule's Asia/Shanghai without a system tz database

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"taskrelay/activities"
	"taskrelay/internal/config"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
)

// FollowUpTimeZone is the county's zone for the follow-up Schedule.
const FollowUpTimeZone = "Asia/Shanghai"

// startFollowUp registers the follow-up's activities on the worker and makes sure its
// daily Schedule exists.
func startFollowUp(ctx context.Context, w worker.Worker, c client.Client, cfg config.Config, n activities.Notifier, log *zap.Logger) error {
	w.RegisterActivity(&activities.FollowUp{Notifier: n, Store: &relayclient.Client{T: c}, FeedbackDay: cfg.Task.FeedbackDay})
	created, err := EnsureFollowUpSchedule(ctx, c, cfg)
	if err != nil {
		return err
	}
	log.Info("follow-up schedule", zap.String("id", relay.FollowUpScheduleID), zap.Bool("created", created))
	return nil
}

// FollowUpSchedule is the Schedule of the daily follow-up run: every day at the
// reminder hour, county time. A run that finds nothing due does nothing, so running
// daily lets a worker that was down on the due day catch up the next morning.
func FollowUpSchedule(cfg config.Config) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID: relay.FollowUpScheduleID,
		Spec: client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{
				Hour:    []client.ScheduleRange{{Start: cfg.Task.ReminderHour}},
				Comment: "每日进展催报",
			}},
			TimeZoneName: FollowUpTimeZone,
		},
		Action: &client.ScheduleWorkflowAction{
			ID:        "followup",
			Workflow:  relay.FollowUpWorkflowName,
			Args:      []interface{}{relay.FollowUpInput{}},
			TaskQueue: relay.TaskQueue,
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		// Missed days beyond this are not run in a burst: one run catches them up.
		CatchupWindow: 26 * time.Hour,
		Note:          "taskrelay: 按月反馈任务的进展催报（每单位每月一次）",
	}
}

// EnsureFollowUpSchedule creates the follow-up Schedule unless it exists; created
// reports whether this call made it. An existing Schedule is left as it is (paused,
// or changed in the Temporal UI).
func EnsureFollowUpSchedule(ctx context.Context, c client.Client, cfg config.Config) (created bool, err error) {
	return ensureSchedule(ctx, c, FollowUpSchedule(cfg))
}
