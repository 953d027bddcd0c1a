package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"taskrelay/internal/config"
)

// Schedule is when and where the worker makes its own copies.
type Schedule struct {
	Dir   string
	Every time.Duration
	Keep  int
}

// Enabled: a folder is set.
func (s Schedule) Enabled() bool { return s.Dir != "" }

// ScheduleFrom is the schedule the configuration sets (TASKRELAY_BACKUP_DIR,
// TASKRELAY_BACKUP_EVERY, TASKRELAY_BACKUP_KEEP, read and checked by config.FromEnv).
func ScheduleFrom(cfg config.Config) Schedule {
	return Schedule{Dir: cfg.BackupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep}
}

// Prefix and suffix of the scheduled copies' names: taskrelay-backup-20261207T031500Z.tar.gz.
const (
	schedPrefix = "taskrelay-backup-"
	schedSuffix = ".tar.gz"
)

// Once makes one scheduled copy into s.Dir and removes the oldest past s.Keep.
func (s Schedule) Once(ctx context.Context, o Options) (string, error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return "", fmt.Errorf("TASKRELAY_BACKUP_DIR=%s: %w", s.Dir, err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	name := filepath.Join(s.Dir, schedPrefix+now().UTC().Format("20060102T150405Z")+schedSuffix)
	o.Skip = append(o.Skip, s.Dir)
	if _, err := WriteFile(ctx, o, name); err != nil {
		return "", err
	}
	return name, s.prune()
}

func (s Schedule) prune() error {
	all, err := filepath.Glob(filepath.Join(s.Dir, schedPrefix+"*"+schedSuffix))
	if err != nil {
		return err
	}
	sort.Strings(all) // the names sort by time
	for len(all) > s.Keep {
		if err := os.Remove(all[0]); err != nil {
			return err
		}
		os.Remove(all[0] + ".sha256")
		all = all[1:]
	}
	return nil
}

// Run makes a copy every s.Every until ctx ends; each failure is reported and the
// next copy still tried.
func (s Schedule) Run(ctx context.Context, o Options, report func(path string, err error)) {
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			path, err := s.Once(ctx, o)
			report(path, err)
		}
	}
}

// OptionsFrom are what a backup of this host's data folder holds, from the settings
// the worker reads (the folder of scheduled copies left out).
func OptionsFrom(cfg config.Config) Options {
	o := Options{DataDir: cfg.DataDir, EngineDB: cfg.EngineDB, ClusterAddress: cfg.TemporalAddress,
		BlobURL: cfg.BlobURL, Directory: cfg.Directory, Calendar: cfg.CalendarFile}
	if s := ScheduleFrom(cfg); s.Enabled() {
		o.Skip = append(o.Skip, s.Dir)
	}
	return o
}
