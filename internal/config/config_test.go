package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	for _, k := range []string{"TEMPORAL_ADDRESS", "TASKRELAY_DATA", "TASKRELAY_REMINDER_DAYS", "TASKRELAY_ENGINE_ADDR", "TASKRELAY_ENGINE_DB", "TASKRELAY_STICKY_CACHE", "TASKRELAY_POLLERS"} {
		t.Setenv(k, "")
	}
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientAddress() != "127.0.0.1:7233" || c.DataDir != "data" || c.EngineDB != "" || c.StickyCache != DefaultStickyCache || c.Pollers != DefaultPollers || !reflect.DeepEqual(c.Task.ReminderDays, []int{7, 1}) {
		t.Errorf("defaults: %+v", c)
	}
}

func TestReminderOffsetsAreConfiguration(t *testing.T) {
	t.Setenv("TASKRELAY_REMINDER_DAYS", "14, 7d,1,0")
	t.Setenv("TASKRELAY_REMINDER_HOUR", "8")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Task.ReminderDays, []int{14, 7, 1, 0}) || c.Task.ReminderHour != 8 {
		t.Errorf("got %+v", c.Task)
	}
}

func TestBadValuesAreAllNamed(t *testing.T) {
	t.Setenv("TASKRELAY_REMINDER_DAYS", "7,soon")
	t.Setenv("TASKRELAY_REMINDER_HOUR", "25")
	t.Setenv("TASKRELAY_WEBHOOK_URL", "ftp://x")
	t.Setenv("TASKRELAY_ENGINE_DB", "mysql://u@h/db")
	t.Setenv("TASKRELAY_STICKY_CACHE", "0")
	t.Setenv("TASKRELAY_POLLERS", "1") // the SDK panics on one
	_, err := FromEnv()
	if err == nil {
		t.Fatal("want error")
	}
	for _, name := range []string{"TASKRELAY_REMINDER_DAYS", "TASKRELAY_REMINDER_HOUR", "TASKRELAY_WEBHOOK_URL", "TASKRELAY_ENGINE_DB", "TASKRELAY_STICKY_CACHE", "TASKRELAY_POLLERS"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestFollowUpSettings(t *testing.T) {
	for _, k := range []string{"TASKRELAY_FEEDBACK_DAY", "TASKRELAY_ESCALATE_DEPUTY_DAYS", "TASKRELAY_REPORT_LIST_DAYS"} {
		t.Setenv(k, "")
	}
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Task.FeedbackDay != 25 || c.Task.EscalateDeputyDays != 7 || c.Task.ReportListDays != 14 {
		t.Errorf("defaults: %+v", c.Task)
	}
	t.Setenv("TASKRELAY_FEEDBACK_DAY", "20")
	t.Setenv("TASKRELAY_ESCALATE_DEPUTY_DAYS", "5")
	t.Setenv("TASKRELAY_REPORT_LIST_DAYS", "10")
	if c, err = FromEnv(); err != nil || c.Task.FeedbackDay != 20 || c.Task.EscalateDeputyDays != 5 || c.Task.ReportListDays != 10 {
		t.Errorf("set: %+v %v", c.Task, err)
	}
	t.Setenv("TASKRELAY_FEEDBACK_DAY", "31")
	t.Setenv("TASKRELAY_ESCALATE_DEPUTY_DAYS", "-1")
	t.Setenv("TASKRELAY_REPORT_LIST_DAYS", "两周")
	_, err = FromEnv()
	for _, name := range []string{"TASKRELAY_FEEDBACK_DAY", "TASKRELAY_ESCALATE_DEPUTY_DAYS", "TASKRELAY_REPORT_LIST_DAYS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestDocumentSettings(t *testing.T) {
	t.Setenv("TASKRELAY_DOC_ISSUER", "漾濞县人民政府督查室")
	t.Setenv("TASKRELAY_DOC_PREFIX", "漾政督办")
	t.Setenv("TASKRELAY_DOC_BODY_FONTS", "仿宋_GB2312, 仿宋 ,")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	d := c.Documents
	if d.Issuer != "漾濞县人民政府督查室" || d.Prefix != "漾政督办" || !reflect.DeepEqual(d.BodyFonts, []string{"仿宋_GB2312", "仿宋"}) ||
		d.CommitteeIssuer != "县人民政府" || len(d.TitleFonts) == 0 {
		t.Errorf("got %+v", d)
	}
	t.Setenv("TASKRELAY_DOC_PREFIX", "县府〔督办〕")
	t.Setenv("TASKRELAY_DOC_TITLE_FONTS", " , ")
	_, err = FromEnv()
	for _, name := range []string{"TASKRELAY_DOC_PREFIX", "TASKRELAY_DOC_TITLE_FONTS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestEvidenceSettings(t *testing.T) {
	t.Setenv("TASKRELAY_ATTACH_MAX_MB", "")
	t.Setenv("TASKRELAY_REQUIRE_EVIDENCE", "")
	c, err := FromEnv()
	if err != nil || c.AttachMaxMB != 20 || c.RequireEvidence {
		t.Fatalf("defaults: %d %v %v", c.AttachMaxMB, c.RequireEvidence, err)
	}
	t.Setenv("TASKRELAY_ATTACH_MAX_MB", "5")
	t.Setenv("TASKRELAY_REQUIRE_EVIDENCE", "1")
	if c, err = FromEnv(); err != nil || c.AttachMaxMB != 5 || !c.RequireEvidence {
		t.Fatalf("set: %d %v %v", c.AttachMaxMB, c.RequireEvidence, err)
	}
	t.Setenv("TASKRELAY_ATTACH_MAX_MB", "0")
	t.Setenv("TASKRELAY_REQUIRE_EVIDENCE", "yes")
	_, err = FromEnv()
	if err == nil || !strings.Contains(err.Error(), "TASKRELAY_ATTACH_MAX_MB") || !strings.Contains(err.Error(), "TASKRELAY_REQUIRE_EVIDENCE") {
		t.Fatalf("bad values: %v", err)
	}
}

// TEMPORAL_TLS_* are read by Temporal's names; a certificate without its key is refused.
func TestTLSFromEnv(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "temporal:7233")
	t.Setenv("TEMPORAL_TLS_CERT", "/certs/worker.pem")
	t.Setenv("TEMPORAL_TLS_KEY", "/certs/worker-key.pem")
	t.Setenv("TEMPORAL_TLS_CA", "/certs/ca.pem")
	t.Setenv("TEMPORAL_TLS_SERVER_NAME", "temporal")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := TLSFiles{Cert: "/certs/worker.pem", Key: "/certs/worker-key.pem", CA: "/certs/ca.pem", ServerName: "temporal"}
	if c.TLS != want || !c.TLS.Enabled() {
		t.Errorf("TLS %+v, want %+v", c.TLS, want)
	}
	t.Setenv("TEMPORAL_TLS_KEY", "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "TEMPORAL_TLS_KEY") {
		t.Errorf("certificate without key: %v", err)
	}
	// TLS to the embedded engine (no TEMPORAL_ADDRESS) is refused by name.
	t.Setenv("TEMPORAL_TLS_KEY", "/certs/worker-key.pem")
	t.Setenv("TEMPORAL_ADDRESS", "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "TEMPORAL_ADDRESS") {
		t.Errorf("TLS without a cluster address: %v", err)
	}
	for _, k := range []string{"TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA", "TEMPORAL_TLS_SERVER_NAME"} {
		t.Setenv(k, "")
	}
	if c, err := FromEnv(); err != nil || c.TLS.Enabled() {
		t.Errorf("no TLS variables: %+v %v", c.TLS, err)
	}
}

// A client of the embedded engine dials with the client certificate in <data>/tls;
// a client of TEMPORAL_ADDRESS with TEMPORAL_TLS_* (none: plain).
func TestDialTLS(t *testing.T) {
	c := Config{DataDir: "/srv/relay"}
	want := TLSFiles{Cert: "/srv/relay/tls/client.pem", Key: "/srv/relay/tls/client-key.pem",
		CA: "/srv/relay/tls/ca.pem", ServerName: "localhost"}
	if got := c.DialTLS(); got != want {
		t.Errorf("embedded: %+v, want %+v", got, want)
	}
	c.TemporalAddress = "temporal:7233"
	if got := c.DialTLS(); got.Enabled() {
		t.Errorf("cluster without TEMPORAL_TLS_*: %+v, want none", got)
	}
	c.TLS = TLSFiles{Cert: "/certs/console.pem", Key: "/certs/console-key.pem"}
	if got := c.DialTLS(); got != c.TLS {
		t.Errorf("cluster: %+v, want %+v", got, c.TLS)
	}
	// A county served among several keeps its data in a subfolder; the engine's
	// certificates stay in the worker's data folder.
	k := Config{DataDir: "/srv/relay", Counties: []County{{Namespace: "county-a"}, {Namespace: "county-b"}}}.ForCounty(County{Namespace: "county-b"})
	if got := k.DialTLS(); k.DataDir != "/srv/relay/county-b" || got != want {
		t.Errorf("county data %s, TLS %+v, want %+v", k.DataDir, got, want)
	}
	env := strings.Join(want.Env(), " ")
	if env != "TEMPORAL_TLS_CERT=/srv/relay/tls/client.pem TEMPORAL_TLS_KEY=/srv/relay/tls/client-key.pem TEMPORAL_TLS_CA=/srv/relay/tls/ca.pem TEMPORAL_TLS_SERVER_NAME=localhost" {
		t.Errorf("env: %s", env)
	}
}
