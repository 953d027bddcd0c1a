package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/config"
)

// Settings of the scheduled copies, read from the environment.
const (
	EnvDir   = "TASKRELAY_BACKUP_DIR"
	EnvEvery = "TASKRELAY_BACKUP_EVERY"
	EnvKeep  = "TASKRELAY_BACKUP_KEEP"
)

// Schedule is when and where the worker makes its own copies.
type Schedule struct {
	Dir   string
	Every time.Duration
	Keep  int
}

// Enabled: a folder is set.
func (s Schedule) Enabled() bool { return s.Dir != "" }

// ScheduleFromEnv reads TASKRELAY_BACKUP_DIR (empty: no scheduled copies),
// TASKRELAY_BACKUP_EVERY (a duration, default 24h, at least 1m) and
// TASKRELAY_BACKUP_KEEP (how many copies are kept, default 7).
func ScheduleFromEnv() (Schedule, error) {
	s := Schedule{Dir: os.Getenv(EnvDir), Every: 24 * time.Hour, Keep: 7}
	var errs []string
	if v := strings.TrimSpace(os.Getenv(EnvEvery)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			errs = append(errs, fmt.Sprintf("%s=%q: 须为至少 1m 的时长，如 24h、6h", EnvEvery, v))
		}
		s.Every = d
	}
	if v := strings.TrimSpace(os.Getenv(EnvKeep)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Sprintf("%s=%q: 须为 1-1000 的份数", EnvKeep, v))
		}
		s.Keep = n
	}
	if len(errs) > 0 {
		return Schedule{}, fmt.Errorf("%s", strings.Join(errs, "；"))
	}
	return s, nil
}

// Prefix and suffix of the scheduled copies' names: taskrelay-backup-20261207T031500Z.tar.gz.
const (
	schedPrefix = "taskrelay-backup-"
	schedSuffix = ".tar.gz"
)

// Once makes one scheduled copy into s.Dir and removes the oldest past s.Keep.
func (s Schedule) Once(ctx context.Context, o Options) (string, error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return "", fmt.Errorf("%s=%s: %w", EnvDir, s.Dir, err)
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
		BlobURL: cfg.BlobURL, Directory: cfg.Directory, Calendar: os.Getenv("TASKRELAY_CALENDAR")}
	if s, err := ScheduleFromEnv(); err == nil && s.Enabled() {
		o.Skip = append(o.Skip, s.Dir)
	}
	return o
}
