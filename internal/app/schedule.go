package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"gocloud.dev/blob"

	"taskrelay/activities"
	"taskrelay/examples"
	"taskrelay/internal/actor"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
)

// startReports registers the monthly inspection's activities on the worker and makes
// sure its monthly Schedule exists.
func startReports(ctx context.Context, w worker.Worker, c client.Client, cfg config.Config, shared *blob.Bucket, log *zap.Logger) error {
	opts := report.DefaultOptions()
	opts.YellowDays = cfg.Task.YellowDays
	opts.NameAfterDays = cfg.Task.EscalateDeputyDays + cfg.Task.ReportListDays
	if rule := cfg.Score; rule != (relay.ScoreRule{}) {
		opts.Score = &rule
	}
	d, err := directory.LoadOr(cfg.Directory, examples.DirectoryFile, examples.Directory)
	if err != nil {
		return err
	}
	units := make([]activities.Unit, len(d.Units))
	for i, u := range d.Units {
		units[i] = activities.Unit{ID: u.ID, Name: u.Name}
	}
	w.RegisterActivity(&activities.Reports{
		API: &relayclient.Client{T: c}, Archive: report.NewArchive(shared), Notices: notify.NewRecords(shared),
		County: countyName(cfg), Options: opts, Documents: cfg.Documents, Units: units,
		Contacts: d.Contacts(),
		Keys:     func() ([]actor.PublicKey, error) { return actor.ReadKeys(cfg.TrustedKeys()) },
	})
	created, err := EnsureReportSchedule(ctx, c, cfg)
	if err != nil {
		return err
	}
	log.Info("monthly report schedule", zap.String("id", relay.MonthlyScheduleID), zap.String("spec", cfg.ReportSchedule),
		zap.String("tz", cfg.ReportTimeZone), zap.Bool("created", created))
	return nil
}

// countyName is the county's display name from the namespaces file, else the
// directory's county (示例县 for the sample), for the report's salutation; empty when
// the directory cannot be read (the report then says 县委).
func countyName(cfg config.Config) string {
	if cfg.CountyName != "" {
		return cfg.CountyName
	}
	if d := loadDirectory(cfg); d != nil {
		return d.County
	}
	return ""
}

// loadDirectory is the county's directory, nil when it cannot be read (the worker's
// start reports why: its routes need it).
func loadDirectory(cfg config.Config) *directory.Directory {
	d, err := directory.LoadOr(cfg.Directory, examples.DirectoryFile, examples.Directory)
	if err != nil {
		return nil
	}
	return d
}

// ReportSchedule is the Schedule of the monthly inspection: by default 09:00 on the 1st
// of every month, county time, reporting on the month before. A run missed while the
// engine was down is caught up when it comes back (within a month), and runs that
// overlap (a trigger during a backfill) are queued, never dropped.
func ReportSchedule(cfg config.Config) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID: relay.MonthlyScheduleID,
		Spec: client.ScheduleSpec{
			CronExpressions: []string{cfg.ReportSchedule},
			TimeZoneName:    cfg.ReportTimeZone,
		},
		Action: &client.ScheduleWorkflowAction{
			ID:        relay.MonthlyWorkflowID,
			Workflow:  relay.MonthlyWorkflowName,
			Args:      []interface{}{report.Request{}},
			TaskQueue: relay.TaskQueue,
		},
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
		CatchupWindow: 31 * 24 * time.Hour,
		Note:          "taskrelay: 每月督查通报和向县委报告（" + cfg.ReportSchedule + " " + cfg.ReportTimeZone + "）",
	}
}

// EnsureReportSchedule creates the monthly Schedule unless it exists (or is turned off);
// created reports whether this call made it. An existing Schedule is left as it is:
// paused, or changed in the Temporal UI, it stays so across restarts.
func EnsureReportSchedule(ctx context.Context, c client.Client, cfg config.Config) (created bool, err error) {
	if cfg.ReportSchedule == "off" {
		return false, nil
	}
	return ensureSchedule(ctx, c, ReportSchedule(cfg))
}

// ensureSchedule creates a Schedule unless one with its id exists, which it leaves as
// it is; created reports whether this call made it.
func ensureSchedule(ctx context.Context, c client.Client, opts client.ScheduleOptions) (created bool, err error) {
	_, err = c.ScheduleClient().Create(ctx, opts)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create schedule %s: %w", opts.ID, err)
	}
	return true, nil
}
