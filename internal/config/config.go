// Package config reads taskrelay's settings from the environment, with the defaults
// that make the embedded engine work on a fresh machine.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones without a system tz database

	"taskrelay/internal/accounts"
	"taskrelay/internal/actor"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/mtls"
	"taskrelay/internal/relay"
	"taskrelay/internal/workcal"
)

// DefaultStickyCache keeps the worker's memory bounded whatever the number of open
// tasks (the SDK's own default, 10,000, held 615–703 MB at 11,100 open tasks).
const DefaultStickyCache = 2000

// DefaultCallTimeout is Config.CallTimeout unless TASKRELAY_CALL_TIMEOUT says
// otherwise: a worker that is up answers a query or an update in well under a second,
// and even right after a restart (replaying the workflow first) in a few seconds.
const DefaultCallTimeout = 20 * time.Second

// DefaultPollers is Config.Pollers unless TASKRELAY_POLLERS says otherwise.
const DefaultPollers = 8

// MemoryLimit is a worker's soft memory limit on a cluster when GOMEMLIMIT is unset:
// 80 MiB and 60 KiB a cached workflow (measured at 10,000 open tasks and a full cache
// of 2,000: 136 MB of heap in use and 33 MB of goroutine stacks), so that near it the
// garbage collector works harder instead of letting the heap grow to twice what is
// live. The embedded engine shares a process with its worker and is not bounded by it.
func (c Config) MemoryLimit() int64 { return 80<<20 + int64(c.StickyCache)*60<<10 }

// Config is every setting of the worker and the command line.
type Config struct {
	// TemporalAddress is a Temporal cluster's frontend; empty means embed an engine.
	TemporalAddress string
	// Namespace is the county's (TEMPORAL_NAMESPACE); with Counties, the one picked
	// among them (the first when TEMPORAL_NAMESPACE is unset: NamespaceSet false).
	Namespace    string
	NamespaceSet bool
	// Counties are the namespaces one worker serves (TEMPORAL_NAMESPACES or
	// TASKRELAY_NAMESPACES_FILE); empty: the one Namespace. See ForCounty.
	Counties []County
	// CountyName is the county's display name, when the namespaces file gives one
	// (empty: the directory's county).
	CountyName string
	// TLS are the files of a mutual-TLS connection to a cluster, by Temporal's own
	// names: TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME.
	// All empty: plain connection.
	TLS TLSFiles
	// EngineAddr is where the embedded engine listens.
	EngineAddr string
	// EngineDB, when set, is a postgres://user:pass@host:port/db URL where the
	// embedded engine persists instead of SQLite in DataDir.
	EngineDB string
	// DataDir holds the embedded engine's database and the outbox.
	DataDir string
	// EngineDataDir, when set, is where the embedded engine keeps its database and
	// certificates instead of DataDir (a county's DataDir is a subfolder, ForCounty).
	EngineDataDir string
	// Directory is the county directory file; empty means the embedded sample.
	Directory  string
	WebhookURL string
	// PublicURL is the console as people reach it (TASKRELAY_PUBLIC_URL): messages
	// link to it ("在控制台查看").
	PublicURL string
	// SMTPURL is the mail server for the e-mail channel (TASKRELAY_SMTP_URL).
	SMTPURL string
	// SecretsFile holds the secrets the directory names (TASKRELAY_SECRETS_FILE).
	SecretsFile string
	Task        relay.TaskConfig
	LogLevel    string
	// StickyCache is how many workflows the worker keeps in memory between their
	// events; past it the least recently used is evicted and replayed from its history
	// on its next event: memory bounded, at the price of replays.
	StickyCache int
	// Pollers is how many requests the worker keeps waiting on the engine for
	// workflow tasks, and as many for activity tasks (the SDK's default is 2 each): at
	// 20 people acting at once on 10,000 open tasks, two held each action 263 ms on
	// average in the task queue.
	Pollers int
	// ReportSchedule is when the monthly inspection runs (cron: minute hour day month
	// weekday, in ReportTimeZone); "off" creates no Schedule. It applies when the
	// Schedule is created; later changes are made on the Schedule (Temporal UI).
	ReportSchedule string
	ReportTimeZone string
	// Documents are the official documents' settings (发文机关, 字号 prefix, fonts):
	// TASKRELAY_DOC_ISSUER, TASKRELAY_DOC_PREFIX, TASKRELAY_DOC_COMMITTEE_ISSUER,
	// TASKRELAY_DOC_COMMITTEE_PREFIX, TASKRELAY_DOC_TITLE_FONTS, TASKRELAY_DOC_BODY_FONTS
	// (font lists comma-separated, most wanted first).
	Documents gongwen.Settings
	// Evidence (佐证材料): the blob store's URL (empty: file:// under DataDir, see
	// package blobstore), the largest file in MiB, and whether a completion must
	// carry a file.
	BlobURL         string
	AttachMaxMB     int
	RequireEvidence bool
	// BlobPrefix is the county's folder in a store several counties share ("<ns>/",
	// set by ForCounty): see blobstore.OpenCounty.
	BlobPrefix string
	// DeliveryStale (TASKRELAY_DELIVERY_STALE, default 2m): how long a worker's
	// waiting delivery goes without the worker renewing its lease in the shared
	// store before another worker takes it over (the first worker killed or gone).
	DeliveryStale time.Duration
	// CallTimeout (TASKRELAY_CALL_TIMEOUT, default DefaultCallTimeout) is how long the
	// starter waits for the worker to answer one query or update before it tells the
	// clerk the worker is not answering, instead of waiting on its whole command.
	CallTimeout time.Duration
	// BackupDir, BackupEvery, BackupKeep are the worker's scheduled copies of the data
	// folder (package backup): TASKRELAY_BACKUP_DIR (empty: none), TASKRELAY_BACKUP_EVERY
	// (a duration of at least 1m, default 24h), TASKRELAY_BACKUP_KEEP (1-1000, default 7).
	BackupDir   string
	BackupEvery time.Duration
	BackupKeep  int
	// CalendarFile (TASKRELAY_CALENDAR) is the working calendar read into Task.Calendar.
	CalendarFile string
	// Console is the console's own settings (package console).
	Console Console
	// Login is the console's 等保 2.0 login policy: TASKRELAY_LOCK_AFTER (failed
	// logins in a row that lock an account, 1-100, default 5), TASKRELAY_LOCK_MINUTES
	// (1-1440, 15), TASKRELAY_PASSWORD_DAYS (0-3650, 90; 0: never expires),
	// TASKRELAY_IDLE_MINUTES (1-1440, 30).
	Login accounts.Policy
	// TrustedKeysFile (TASKRELAY_TRUSTED_KEYS) is the trusted-keys file when it is not
	// the data folder's (see TrustedKeys).
	TrustedKeysFile string
	// Operator (TASKRELAY_OPERATOR, or the starter's --operator) names the operator key
	// the starter signs with: a name or a key file; empty: the only one there is.
	Operator string
	// Score is the units' scoring rule (考评, TASKRELAY_SCORE_RULE:
	// "base=100,overdue_per_day=0.5,returned=2,chase=3,unsigned=1,ack_days=3,early=1,early_days=7";
	// names left out keep these defaults).
	Score relay.ScoreRule
}

// Console is what only the console reads.
type Console struct {
	// Addr is where it listens (TASKRELAY_HTTP_ADDR, default DefaultHTTPAddr; "off" in
	// the worker: no console).
	Addr string
	// SessionKey signs its cookies (TASKRELAY_SESSION_KEY; empty: a key kept in the data
	// folder).
	SessionKey string
	// SecureCookies (TASKRELAY_COOKIE_SECURE=1): cookies only over HTTPS, behind a
	// proxy that terminates it.
	SecureCookies bool
	// ReportsData is the worker's data folder when the console runs apart
	// (TASKRELAY_REPORTS_DATA).
	ReportsData string
	// TLSCert and TLSKey (TASKRELAY_TLS_CERT, TASKRELAY_TLS_KEY): PEM files; both set,
	// the console serves HTTPS only.
	TLSCert, TLSKey string
}

// DefaultHTTPAddr is the console's address unless TASKRELAY_HTTP_ADDR says otherwise.
const DefaultHTTPAddr = "127.0.0.1:8080"

// TrustedKeys is the trusted-keys file: TrustedKeysFile, else the one in the data folder.
func (c Config) TrustedKeys() string {
	if c.TrustedKeysFile != "" {
		return c.TrustedKeysFile
	}
	return actor.TrustedFile(c.DataDir)
}

// TLSFiles name a client's certificate, key, the CA it trusts and the server name it
// expects.
type TLSFiles struct{ Cert, Key, CA, ServerName string }

// Enabled: any of them is set.
func (t TLSFiles) Enabled() bool { return t != TLSFiles{} }

// Env are the TEMPORAL_TLS_* settings naming these files, for a child process that
// dials the same engine through TEMPORAL_ADDRESS.
func (t TLSFiles) Env() []string {
	return []string{"TEMPORAL_TLS_CERT=" + t.Cert, "TEMPORAL_TLS_KEY=" + t.Key,
		"TEMPORAL_TLS_CA=" + t.CA, "TEMPORAL_TLS_SERVER_NAME=" + t.ServerName}
}

// DialTLS are the files a client dials the engine with: TEMPORAL_TLS_* for the engine
// at TEMPORAL_ADDRESS, else the embedded engine's client certificate in <data>/tls
// (made by the worker's first start).
func (c Config) DialTLS() TLSFiles {
	if c.TemporalAddress != "" {
		return c.TLS
	}
	s := mtls.Embedded(c.EngineData())
	return TLSFiles{Cert: s.Clients[mtls.EmbeddedClient], Key: s.ClientKeys[mtls.EmbeddedClient],
		CA: s.CA, ServerName: mtls.EmbeddedServerName}
}

// EngineData is the embedded engine's data folder: EngineDataDir, else DataDir.
func (c Config) EngineData() string {
	if c.EngineDataDir != "" {
		return c.EngineDataDir
	}
	return c.DataDir
}

// OutboxDir is where notices are written as files.
func (c Config) OutboxDir() string { return filepath.Join(c.DataDir, "outbox") }

// ClientAddress is where clients reach the engine: the cluster, or the embedded one.
func (c Config) ClientAddress() string {
	if c.TemporalAddress != "" {
		return c.TemporalAddress
	}
	return c.EngineAddr
}

// FromEnv reads the environment. Every bad value is reported at once, by name.
func FromEnv() (Config, error) {
	c := Config{
		TemporalAddress: os.Getenv("TEMPORAL_ADDRESS"),
		Namespace:       envOr("TEMPORAL_NAMESPACE", "default"),
		NamespaceSet:    os.Getenv("TEMPORAL_NAMESPACE") != "",
		TLS: TLSFiles{Cert: os.Getenv("TEMPORAL_TLS_CERT"), Key: os.Getenv("TEMPORAL_TLS_KEY"),
			CA: os.Getenv("TEMPORAL_TLS_CA"), ServerName: os.Getenv("TEMPORAL_TLS_SERVER_NAME")},
		EngineAddr:      envOr("TASKRELAY_ENGINE_ADDR", "127.0.0.1:7233"),
		EngineDB:        os.Getenv("TASKRELAY_ENGINE_DB"),
		DataDir:         envOr("TASKRELAY_DATA", "data"),
		Directory:       os.Getenv("TASKRELAY_DIRECTORY"),
		WebhookURL:      os.Getenv("TASKRELAY_WEBHOOK_URL"),
		PublicURL:       strings.TrimRight(os.Getenv("TASKRELAY_PUBLIC_URL"), "/"),
		SMTPURL:         os.Getenv("TASKRELAY_SMTP_URL"),
		SecretsFile:     os.Getenv("TASKRELAY_SECRETS_FILE"),
		Task:            relay.DefaultTaskConfig(),
		LogLevel:        envOr("TASKRELAY_LOG_LEVEL", "info"),
		StickyCache:     DefaultStickyCache,
		Pollers:         DefaultPollers,
		ReportSchedule:  strings.Join(strings.Fields(envOr("TASKRELAY_REPORT_SCHEDULE", "0 9 1 * *")), " "),
		ReportTimeZone:  envOr("TASKRELAY_REPORT_TZ", "Asia/Shanghai"),
		Documents:       gongwen.DefaultSettings(),
		BlobURL:         os.Getenv("TASKRELAY_BLOB_URL"),
		AttachMaxMB:     relay.DefaultAttachMaxMB,
		RequireEvidence: os.Getenv("TASKRELAY_REQUIRE_EVIDENCE") == "1",
		DeliveryStale:   2 * time.Minute,
		CallTimeout:     DefaultCallTimeout,
		Console: Console{Addr: envOr("TASKRELAY_HTTP_ADDR", DefaultHTTPAddr), SessionKey: os.Getenv("TASKRELAY_SESSION_KEY"),
			SecureCookies: os.Getenv("TASKRELAY_COOKIE_SECURE") == "1", ReportsData: os.Getenv("TASKRELAY_REPORTS_DATA"),
			TLSCert: os.Getenv("TASKRELAY_TLS_CERT"), TLSKey: os.Getenv("TASKRELAY_TLS_KEY")},
		Login:           accounts.DefaultPolicy(),
		BackupDir:       os.Getenv("TASKRELAY_BACKUP_DIR"),
		BackupEvery:     24 * time.Hour,
		BackupKeep:      7,
		CalendarFile:    os.Getenv("TASKRELAY_CALENDAR"),
		TrustedKeysFile: os.Getenv(actor.TrustedKeysEnv),
		Operator:        os.Getenv(actor.OperatorEnv),
	}
	var errs []error
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		errs = append(errs, errors.New("TEMPORAL_TLS_CERT 与 TEMPORAL_TLS_KEY 须同时设置"))
	}
	if c.TLS.Enabled() && c.TemporalAddress == "" {
		// The embedded engine's clients use its own certificates (DialTLS): files named
		// here would silently not be used.
		errs = append(errs, fmt.Errorf("TEMPORAL_TLS_* 只用于连接 TEMPORAL_ADDRESS 所指的引擎，须同时设置 TEMPORAL_ADDRESS；内置引擎的客户端自动使用 %s 中的证书", mtls.Embedded(c.DataDir).Dir))
	}
	errs = append(errs, documentsFromEnv(&c.Documents)...)
	errs = append(errs, countiesFromEnv(&c)...)
	if v := os.Getenv("TASKRELAY_REMINDER_DAYS"); v != "" {
		days, err := parseDays(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TASKRELAY_REMINDER_DAYS=%q: %w", v, err))
		}
		c.Task.ReminderDays = days
	}
	if v := os.Getenv("TASKRELAY_REMINDER_HOUR"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 0 || h > 23 {
			errs = append(errs, fmt.Errorf("TASKRELAY_REMINDER_HOUR=%q: want an hour 0-23", v))
		}
		c.Task.ReminderHour = h
	}
	if v := os.Getenv("TASKRELAY_YELLOW_DAYS"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 0 || d > 365 {
			errs = append(errs, fmt.Errorf("TASKRELAY_YELLOW_DAYS=%q: want days 0-365", v))
		}
		c.Task.YellowDays = d
	}
	lockAfter, lockMinutes := c.Login.LockAfter, int(c.Login.LockFor/time.Minute)
	passwordDays, idleMinutes := int(c.Login.MaxAge/(24*time.Hour)), int(c.Login.Idle/time.Minute)
	for _, v := range []struct {
		name     string
		min, max int
		dst      *int
		want     string
	}{
		{"TASKRELAY_FEEDBACK_DAY", 1, 28, &c.Task.FeedbackDay, "a day of the month 1-28"},
		{"TASKRELAY_ESCALATE_DEPUTY_DAYS", 0, 365, &c.Task.EscalateDeputyDays, "days 0-365"},
		{"TASKRELAY_REPORT_LIST_DAYS", 0, 365, &c.Task.ReportListDays, "days 0-365"},
		{"TASKRELAY_ATTACH_MAX_MB", 1, 1024, &c.AttachMaxMB, "MiB 1-1024"},
		{"TASKRELAY_STICKY_CACHE", 10, 1000000, &c.StickyCache, "a number of workflows 10-1000000"},
		{"TASKRELAY_POLLERS", 2, 256, &c.Pollers, "a number of pollers 2-256"},
		{"TASKRELAY_PUSHBACK_DAYS", 1, 365, &c.Task.PushbackDays, "days 1-365"},
		{"TASKRELAY_ACK_DAYS", 0, 30, &c.Task.AckDays, "working days 0-30 (0: no reminders)"},
		{"TASKRELAY_LOCK_AFTER", 1, 100, &lockAfter, "failed logins 1-100"},
		{"TASKRELAY_LOCK_MINUTES", 1, 1440, &lockMinutes, "minutes 1-1440"},
		{"TASKRELAY_PASSWORD_DAYS", 0, 3650, &passwordDays, "days 0-3650 (0: never expires)"},
		{"TASKRELAY_IDLE_MINUTES", 1, 1440, &idleMinutes, "minutes 1-1440"},
		{"TASKRELAY_BACKUP_KEEP", 1, 1000, &c.BackupKeep, "copies 1-1000"},
	} {
		if s := os.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < v.min || n > v.max {
				errs = append(errs, fmt.Errorf("%s=%q: want %s", v.name, s, v.want))
				continue
			}
			*v.dst = n
		}
	}
	c.Login = accounts.Policy{LockAfter: lockAfter, LockFor: time.Duration(lockMinutes) * time.Minute,
		MaxAge: time.Duration(passwordDays) * 24 * time.Hour, Idle: time.Duration(idleMinutes) * time.Minute}
	if c.Task.AckDays == 0 {
		c.Task.AckDays = -1 // TASKRELAY_ACK_DAYS=0: no acknowledgment reminders
	}
	if v := os.Getenv("TASKRELAY_DIGEST_WINDOW"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if v == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 || d > 24*time.Hour {
			errs = append(errs, fmt.Errorf("TASKRELAY_DIGEST_WINDOW=%q: want a duration such as 10m, up to 24h, or 0 (each notice at once)", v))
		} else {
			c.Task.DigestWindow = d
		}
	}
	if v := os.Getenv("TASKRELAY_DELIVERY_STALE"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < time.Second || d > 24*time.Hour {
			errs = append(errs, fmt.Errorf("TASKRELAY_DELIVERY_STALE=%q: want a duration from 1s to 24h, such as 2m", v))
		} else {
			c.DeliveryStale = d
		}
	}
	if v := os.Getenv("TASKRELAY_CALL_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < time.Second || d > time.Hour {
			errs = append(errs, fmt.Errorf("TASKRELAY_CALL_TIMEOUT=%q: want a duration from 1s to 1h, such as 20s", v))
		} else {
			c.CallTimeout = d
		}
	}
	if v := os.Getenv("TASKRELAY_BACKUP_EVERY"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < time.Minute {
			errs = append(errs, fmt.Errorf("TASKRELAY_BACKUP_EVERY=%q: want a duration of at least 1m, such as 24h or 6h", v))
		} else {
			c.BackupEvery = d
		}
	}
	if v := c.CalendarFile; v != "" {
		cal, err := workcal.Load(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TASKRELAY_CALENDAR: %w", err))
		}
		c.Task.Calendar = cal
	}
	if c.ReportSchedule != "off" && len(strings.Fields(c.ReportSchedule)) != 5 {
		errs = append(errs, fmt.Errorf("TASKRELAY_REPORT_SCHEDULE=%q: want a cron spec of 5 fields (minute hour day month weekday), e.g. \"0 9 1 * *\", or off", c.ReportSchedule))
	}
	if _, err := time.LoadLocation(c.ReportTimeZone); err != nil {
		errs = append(errs, fmt.Errorf("TASKRELAY_REPORT_TZ=%q: not a time zone", c.ReportTimeZone))
	}
	if c.WebhookURL != "" && !strings.HasPrefix(c.WebhookURL, "http://") && !strings.HasPrefix(c.WebhookURL, "https://") {
		errs = append(errs, fmt.Errorf("TASKRELAY_WEBHOOK_URL=%q: want an http(s) URL", c.WebhookURL))
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("TASKRELAY_PUBLIC_URL=%q: want an http(s) URL", c.PublicURL))
	}
	if c.EngineDB != "" && !strings.HasPrefix(c.EngineDB, "postgres://") && !strings.HasPrefix(c.EngineDB, "postgresql://") {
		errs = append(errs, errors.New("TASKRELAY_ENGINE_DB: want a postgres://user:pass@host:port/db URL"))
	}
	rule, err := relay.ParseScoreRule(os.Getenv("TASKRELAY_SCORE_RULE"))
	if err != nil {
		errs = append(errs, fmt.Errorf("TASKRELAY_SCORE_RULE: %w", err))
	}
	c.Score = rule
	for _, name := range []string{"TASKRELAY_REQUIRE_EVIDENCE", "TASKRELAY_COOKIE_SECURE"} {
		if v := os.Getenv(name); v != "" && v != "0" && v != "1" {
			errs = append(errs, fmt.Errorf("%s=%q: want 1 or 0", name, v))
		}
	}
	if (c.Console.TLSCert == "") != (c.Console.TLSKey == "") {
		errs = append(errs, errors.New("TASKRELAY_TLS_CERT 与 TASKRELAY_TLS_KEY 须同时设置"))
	}
	return c, errors.Join(errs...)
}

// SpoolDir is where notices wait to be delivered on their channels.
func (c Config) SpoolDir() string { return filepath.Join(c.DataDir, "deliveries") }

// documentsFromEnv reads the official documents' settings over the defaults.
func documentsFromEnv(d *gongwen.Settings) []error {
	var errs []error
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{"TASKRELAY_DOC_ISSUER", &d.Issuer}, {"TASKRELAY_DOC_PREFIX", &d.Prefix},
		{"TASKRELAY_DOC_COMMITTEE_ISSUER", &d.CommitteeIssuer}, {"TASKRELAY_DOC_COMMITTEE_PREFIX", &d.CommitteePrefix},
	} {
		if s, ok := os.LookupEnv(v.name); ok {
			s = strings.TrimSpace(s)
			if s == "" || strings.ContainsAny(s, "\r\n〔〕") {
				errs = append(errs, fmt.Errorf("%s=%q: want one line of text without 〔〕", v.name, s))
				continue
			}
			*v.dst = s
		}
	}
	for _, v := range []struct {
		name string
		dst  *[]string
	}{{"TASKRELAY_DOC_TITLE_FONTS", &d.TitleFonts}, {"TASKRELAY_DOC_BODY_FONTS", &d.BodyFonts}} {
		if s := os.Getenv(v.name); s != "" {
			var fonts []string
			for _, f := range strings.Split(s, ",") {
				if f = strings.TrimSpace(f); f != "" {
					fonts = append(fonts, f)
				}
			}
			if len(fonts) == 0 {
				errs = append(errs, fmt.Errorf("%s=%q: want font names separated by commas", v.name, s))
				continue
			}
			*v.dst = fonts
		}
	}
	return errs
}

// parseDays reads "7,1,0": reminder offsets in days before the deadline day.
func parseDays(s string) ([]int, error) {
	var days []int
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "d"))
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || d > 365 {
			return nil, fmt.Errorf("%q is not a number of days 0-365", f)
		}
		if !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	return days, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
