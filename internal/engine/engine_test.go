package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"taskrelay/internal/pgtemp"
	"taskrelay/internal/relay"
)

// start brings an engine up and checks a client can use its namespace.
func start(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dialTLS(ctx, e)
	if err != nil {
		e.Stop()
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		e.Stop()
		t.Fatal(err)
	}
	return e
}

func TestInMemoryEngine(t *testing.T) {
	e := start(t, Options{Addr: "127.0.0.1:0"})
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestEngineKeepsItsPortsAndDatabaseAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	e := start(t, Options{DataDir: dir, Addr: "127.0.0.1:0"})
	addr := e.Addr()
	first, err := os.ReadFile(filepath.Join(dir, "engine-ports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	e = start(t, Options{DataDir: dir, Addr: addr})
	defer e.Stop()
	again, err := os.ReadFile(filepath.Join(dir, "engine-ports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(again) {
		t.Errorf("internal ports moved across a restart:\n%s\n%s", first, again)
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db.new")); err == nil {
		t.Error("the temporary schema file was left behind")
	}
}

func TestEngineRefusesABusyPort(t *testing.T) {
	e := start(t, Options{Addr: "127.0.0.1:0"})
	defer e.Stop()
	if _, err := Start(Options{Addr: e.Addr()}); err == nil {
		t.Fatal("a second engine started on a busy port")
	}
}

// TestEngineOnPostgres: the engine creates both databases and their schemas with the
// server's schema tool, registers the namespace with taskrelay's search attributes,
// and a workflow's search attribute is queryable from the PostgreSQL visibility store;
// a restart keeps the data.
func TestEngineOnPostgres(t *testing.T) {
	pg := pgtemp.ForTest(t)
	db := pg.URL("taskrelay")
	dir := filepath.Join(t.TempDir(), "data") // made by the engine
	e := start(t, Options{DataDir: dir, DB: db, Addr: "127.0.0.1:0"})
	store, vis, err := SchemaVersions(db)
	if err != nil {
		t.Fatal(err)
	}
	wantStore, wantVis := WantSchemaVersions()
	if store != wantStore || vis != wantVis {
		t.Errorf("schema versions %s/%s, want %s/%s", store, vis, wantStore, wantVis)
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err == nil {
		t.Error("a SQLite database was made although PostgreSQL was asked for")
	}
	checkSearchAttributes(t, e)
	id := runTagged(t, e, "pg-1")
	addr := e.Addr()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	e = start(t, Options{DataDir: dir, DB: db, Addr: addr})
	defer e.Stop()
	c := dialT(t, e)
	defer c.Close()
	if _, err := c.DescribeWorkflowExecution(context.Background(), id, ""); err != nil {
		t.Fatalf("workflow lost across a restart: %v", err)
	}
}

// TestEngineUpgradesAnOldPostgresSchema: a database left at the first schema version
// is brought to the server's version on start.
func TestEngineUpgradesAnOldPostgresSchema(t *testing.T) {
	pg := pgtemp.ForTest(t)
	db := pg.URL("old")
	store, visibility, err := postgresStores(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(store, "postgresql/v12/temporal", "1.0"); err != nil {
		t.Fatal(err)
	}
	if err := migrate(visibility, "postgresql/v12/visibility", "1.0"); err != nil {
		t.Fatal(err)
	}
	if s, v, err := SchemaVersions(db); err != nil || s != "1.0" || v != "1.0" {
		t.Fatalf("old schema: %s/%s %v", s, v, err)
	}
	e := start(t, Options{DB: db, Addr: "127.0.0.1:0"})
	defer e.Stop()
	s, v, err := SchemaVersions(db)
	wantStore, wantVis := WantSchemaVersions()
	if err != nil || s != wantStore || v != wantVis {
		t.Errorf("after start: %s/%s %v, want %s/%s", s, v, err, wantStore, wantVis)
	}
}

func TestPostgresURLsAreChecked(t *testing.T) {
	for _, bad := range []string{"mysql://u@h/db", "postgres://u@h:5432", "postgres://u@h:5432/", "postgres:///db"} {
		if _, err := Start(Options{DB: bad, Addr: "127.0.0.1:0"}); err == nil || !strings.Contains(err.Error(), "TASKRELAY_ENGINE_DB") {
			t.Errorf("%s: got %v, want an error naming TASKRELAY_ENGINE_DB", bad, err)
		}
	}
	s, v, err := postgresStores("postgres://u:p%40ss@db.example:6543/temporal?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	if s.DatabaseName != "temporal" || v.DatabaseName != "temporal_visibility" || s.ConnectAddr != "db.example:6543" ||
		s.User != "u" || s.Password != "p@ss" || v.ConnectAttributes["sslmode"] != "require" {
		t.Errorf("parsed %+v / %+v", s, v)
	}
}

func dialT(t *testing.T, e *Engine) client.Client {
	t.Helper()
	c, err := dialTLS(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dialTLS dials as taskrelay's processes do: with the engine's client certificate.
func dialTLS(ctx context.Context, e *Engine) (client.Client, error) {
	tlsCfg, err := e.ClientTLS()
	if err != nil {
		return nil, err
	}
	return client.DialContext(ctx, client.Options{HostPort: e.Addr(), Namespace: e.namespace,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg}})
}

// checkSearchAttributes: every taskrelay search attribute is registered.
func checkSearchAttributes(t *testing.T, e *Engine) {
	t.Helper()
	c := dialT(t, e)
	defer c.Close()
	resp, err := c.OperatorService().ListSearchAttributes(context.Background(),
		&operatorservice.ListSearchAttributesRequest{Namespace: e.namespace})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range relay.SearchAttributeKeys() {
		if got, ok := resp.GetCustomAttributes()[k.GetName()]; !ok || got != k.GetValueType() {
			t.Errorf("search attribute %s: registered %v (%v), want %v", k.GetName(), ok, got, k.GetValueType())
		}
	}
}

// runTagged runs a workflow carrying taskrelay's meeting search attribute to
// completion and finds it through a visibility query on that attribute.
func runTagged(t *testing.T, e *Engine, meeting string) string {
	t.Helper()
	c := dialT(t, e)
	defer c.Close()
	w := worker.New(c, "engine-test", worker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error { return nil }, workflow.RegisterOptions{Name: "noop"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id := "engine-test-" + meeting
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: "engine-test",
		TypedSearchAttributes: temporal.NewSearchAttributes(relay.SAMeeting.ValueSet(meeting)),
	}, "noop")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	query := fmt.Sprintf("%s = '%s'", relay.SAMeeting.GetName(), meeting)
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: e.namespace, Query: query})
		if err != nil {
			t.Fatalf("list %q: %v", query, err)
		}
		if len(resp.Executions) == 1 && resp.Executions[0].Execution.WorkflowId == id {
			return id
		}
		if ctx.Err() != nil {
			t.Fatalf("list %q: %d executions, want %s", query, len(resp.Executions), id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEngineCreatesEveryNamespace: a province's engine registers each county's
// namespace with taskrelay's search attributes, keeps them apart, and creates a county
// added later on the next start.
func TestEngineCreatesEveryNamespace(t *testing.T) {
	dir := t.TempDir()
	e := start(t, Options{DataDir: dir, Addr: "127.0.0.1:0", Namespaces: []string{"yangbi", "dali"}})
	in := func(e *Engine, ns string) *Engine { c := *e; c.namespace = ns; return &c }
	for _, ns := range []string{"yangbi", "dali"} {
		checkSearchAttributes(t, in(e, ns))
	}
	id := runTagged(t, in(e, "yangbi"), "ns-1")
	c := dialT(t, in(e, "dali"))
	if _, err := c.DescribeWorkflowExecution(context.Background(), id, ""); err == nil {
		t.Errorf("a workflow of yangbi is visible in dali")
	}
	c.Close()
	addr := e.Addr()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	e = start(t, Options{DataDir: dir, Addr: addr, Namespaces: []string{"yangbi", "dali", "weishan"}})
	defer e.Stop()
	checkSearchAttributes(t, in(e, "weishan"))
	c = dialT(t, in(e, "yangbi"))
	defer c.Close()
	if _, err := c.DescribeWorkflowExecution(context.Background(), id, ""); err != nil {
		t.Errorf("yangbi's workflow lost when a county was added: %v", err)
	}
}

// TestCleanStopLogsNoErrors: a stop asked for (Ctrl+C on the worker) is not a fault:
// the server's services, shutting down in turn, log errors about each other (a
// matching host gone, a poll cut off); none of them may reach the log once Stop begins.
func TestCleanStopLogsNoErrors(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	e := start(t, Options{Addr: "127.0.0.1:0", Logger: zap.New(core)})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dialTLS(ctx, e)
	if err != nil {
		e.Stop()
		t.Fatal(err)
	}
	// A worker polling, as the real one does, so that the stop cuts polls off.
	w := worker.New(c, "clean-stop", worker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error { return nil }, workflow.RegisterOptions{Name: "Noop"})
	if err := w.Start(); err != nil {
		e.Stop()
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	w.Stop()
	c.Close()
	before := logs.FilterLevelExact(zap.ErrorLevel).Len()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if errs := logs.FilterLevelExact(zap.ErrorLevel).All()[before:]; len(errs) > 0 {
		t.Fatalf("the stop logged %d errors, the first: %s %v", len(errs), errs[0].Message, errs[0].Context)
	}
}

// TestStartLogsNoWarnings: a start on a fresh data folder logs nothing at WARN or above
// (the worker's first screen is read by a newcomer; a warning there reads as trouble).
func TestStartLogsNoWarnings(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	e := start(t, Options{Addr: "127.0.0.1:0", Logger: zap.New(core)})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dialTLS(ctx, e)
	if err != nil {
		e.Stop()
		t.Fatal(err)
	}
	c.Close()
	all := logs.All()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		t.Errorf("the start logged %s: %s %v", l.Level, l.Message, l.Context)
	}
}

// TestStartQuietsOnlyItsOwnUnavailable: while the engine starts, a warning or an error
// carrying the frontend's Unavailable (wrapped, as the SDK's dial wraps it) is the start
// itself and is not passed on; any other error is, and so is an Unavailable once the
// start is over. (TestStartLogsNoWarnings sees these entries only when the server's
// services dial before the frontend is healthy, which depends on the machine's load.)
func TestStartQuietsOnlyItsOwnUnavailable(t *testing.T) {
	obs, logs := observer.New(zap.InfoLevel)
	starting, stopping := new(atomic.Bool), new(atomic.Bool)
	starting.Store(true)
	log := zap.New(quietCore{Core: obs, starting: starting, stopping: stopping}).With(zap.String("service", "worker"))
	notHealthy := fmt.Errorf("failed reaching server: %w", serviceerror.NewUnavailable("Frontend is not healthy yet"))

	log.Error("service failures", zap.Error(serviceerror.NewUnavailable("Frontend is not healthy yet")))
	log.Warn("error creating sdk client", zap.Error(notHealthy))
	log.Error("other", zap.Error(errors.New("disk full")))
	log.Info("started")
	starting.Store(false)
	log.Error("after the start", zap.Error(notHealthy))

	var got []string
	for _, e := range logs.All() {
		got = append(got, e.Message)
	}
	if want := "other,started,after the start"; strings.Join(got, ",") != want {
		t.Errorf("passed on %q, want %q", strings.Join(got, ","), want)
	}
}

// TestStartReturnsServing: Start returns once the frontend answers healthy, so the first
// call after it is served, not refused as not healthy yet.
func TestStartReturnsServing(t *testing.T) {
	e, err := Start(Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	cfg, err := e.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(e.Addr(), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := workflowservice.NewWorkflowServiceClient(conn).GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err != nil {
		t.Fatalf("the first call after Start: %v", err)
	}
}
