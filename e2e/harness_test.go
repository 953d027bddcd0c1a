// Package e2e drives taskrelay end to end: a real Temporal server inside the test
// process (the same embedded engine the worker runs), the real worker, and the real
// starter binary, run as a person would run it.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"taskrelay/internal/actor"
	"taskrelay/internal/app"
	"taskrelay/internal/config"
	"taskrelay/internal/engine"
	"taskrelay/internal/pgtemp"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
)

var starterBin string

// EngineEnv selects the embedded engine's store for the whole suite:
// TASKRELAY_E2E_ENGINE=postgres runs every test on a throwaway PostgreSQL cluster
// (CI runs the suite once per store); empty or sqlite is the default SQLite.
const EngineEnv = "TASKRELAY_E2E_ENGINE"

// pg is the suite's PostgreSQL cluster, nil on SQLite; each county gets its own
// databases, copied from a template that holds the schema.
var (
	pg    *pgtemp.Cluster
	pgSeq atomic.Int64
)

const pgTemplate = "taskrelay_template"

func TestMain(m *testing.M) {
	switch e := os.Getenv(EngineEnv); e {
	case "", "sqlite":
	case "postgres":
		var err error
		if pg, err = pgtemp.Start(pgtemp.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, "e2e on PostgreSQL:", err)
			os.Exit(1)
		}
		if err := engine.PreparePostgres(pg.URL(pgTemplate)); err != nil {
			pg.Stop()
			fmt.Fprintln(os.Stderr, "e2e on PostgreSQL:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "%s=%q: want sqlite or postgres\n", EngineEnv, e)
		os.Exit(1)
	}
	code := run(m)
	if pg != nil {
		if err := pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "taskrelay-e2e")
	if err != nil {
		panic(err)
	}
	starterBin = filepath.Join(dir, "starter")
	build := exec.Command("go", "build", "-o", starterBin, "taskrelay/starter")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build starter:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	return m.Run()
}

// engineDB is a fresh PostgreSQL database URL for one county's engine, or "" on SQLite.
func engineDB(t *testing.T) string {
	t.Helper()
	if pg == nil {
		return ""
	}
	name := fmt.Sprintf("county_%d", pgSeq.Add(1))
	for _, suffix := range []string{"", "_visibility"} {
		if err := pg.CreateDatabase(name+suffix, pgTemplate+suffix); err != nil {
			t.Fatal(err)
		}
		// The schema tool keys a database's version by its name.
		if err := pg.Exec(name+suffix, fmt.Sprintf("UPDATE schema_version SET db_name = '%s'", name+suffix)); err != nil {
			t.Fatal(err)
		}
	}
	return pg.URL(name)
}

// county is one engine's data folder and address, kept across restarts.
type county struct {
	t    *testing.T
	data string
	db   string // the engine's PostgreSQL database, "" for SQLite in data
	addr string
	node *app.App
	// env is added to the starter's environment (e.g. the blob store's settings).
	env []string
	// operator signs the starter's actions (its key file: operatorKey) and api's.
	operator    *actor.Signer
	operatorKey string
	// digest is the engine's digest window (TASKRELAY_DIGEST_WINDOW); 0, the default
	// here, delivers each notice at once, as the tests of other behaviour expect.
	digest time.Duration
	// counties, when set, are the namespaces one worker serves (TEMPORAL_NAMESPACES).
	counties []config.County
}

func newCounty(t *testing.T) *county {
	t.Helper()
	c := &county{t: t, data: t.TempDir(), db: engineDB(t), addr: freeAddr(t)}
	c.keys()
	return c
}

// keys makes the county's signing keys before anything starts, so every task trusts
// them: the console's (as the console makes it on its first start) and the operator
// "e2e" the starter signs with (as `starter operator add e2e` makes it).
func (c *county) keys() {
	c.t.Helper()
	trusted := actor.TrustedFile(c.data)
	if _, err := actor.EnsureConsole(c.data, trusted); err != nil {
		c.t.Fatal(err)
	}
	op, path, err := actor.AddOperator(c.data, trusted, "e2e")
	if err != nil {
		c.t.Fatal(err)
	}
	c.operator, c.operatorKey = op, path
}

// api is a client of the county's engine that signs as its operator.
func (c *county) api() *relayclient.Client {
	return &relayclient.Client{T: c.node.Client, Signer: c.operator}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (c *county) config() config.Config {
	cfg, err := config.FromEnv()
	if err != nil {
		c.t.Fatal(err)
	}
	cfg.TemporalAddress = ""
	cfg.DataDir = c.data
	cfg.EngineDB = c.db
	cfg.EngineAddr = c.addr
	cfg.Namespace = "default"
	cfg.Task.DigestWindow = c.digest
	if c.counties != nil {
		cfg.Counties, cfg.Namespace = c.counties, c.counties[0].Namespace
	}
	return cfg
}

func (c *county) start() {
	c.t.Helper()
	n, err := app.Start(context.Background(), c.config(), zap.NewNop())
	if err != nil {
		c.t.Fatalf("start node: %v", err)
	}
	c.node = n
	c.t.Cleanup(c.stop)
}

func (c *county) stop() {
	if c.node != nil {
		c.node.Stop()
		c.node = nil
	}
}

// engineEnv is how a child process reaches a county's engine: by its address, as a
// console on another host would, with the client certificate and CA the engine made
// in its data folder.
func engineEnv(addr, data string) []string {
	env := []string{"TEMPORAL_ADDRESS=" + addr, "TEMPORAL_NAMESPACE=default"}
	return append(env, config.Config{DataDir: data}.DialTLS().Env()...)
}

// result of one starter command.
type result struct {
	out, err string
	code     int
}

// command is the starter as the county's operator runs it: where the worker runs, with
// its data folder (the blob store of reports and evidence by default) and the operator's
// key, unless a test names others through c.env.
func (c *county) command(args ...string) *exec.Cmd {
	cmd := exec.Command(starterBin, args...)
	cmd.Env = append(append(os.Environ(), engineEnv(c.addr, c.data)...), "TASKRELAY_DIRECTORY=", "TASKRELAY_DATA="+c.data)
	if c.operatorKey != "" {
		cmd.Env = append(cmd.Env, actor.OperatorEnv+"="+c.operatorKey, actor.TrustedKeysEnv+"="+actor.TrustedFile(c.data))
	}
	cmd.Env = append(cmd.Env, c.env...)
	cmd.Dir = repoRoot(c.t)
	return cmd
}

func (c *county) starter(args ...string) result {
	c.t.Helper()
	cmd := c.command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run starter: %v", err)
	}
	return result{out.String(), errb.String(), code}
}

// ok runs a command that must succeed.
func (c *county) ok(args ...string) string {
	c.t.Helper()
	r := c.starter(args...)
	if r.code != 0 {
		c.t.Fatalf("starter %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// refused runs a command that must be refused with one line on stderr.
func (c *county) refused(want string, args ...string) {
	c.t.Helper()
	r := c.starter(args...)
	if r.code == 0 {
		c.t.Fatalf("starter %s: want refusal, got success: %s", strings.Join(args, " "), r.out)
	}
	if lines := strings.Count(strings.TrimSpace(r.err), "\n") + 1; lines != 1 {
		c.t.Errorf("starter %s: want one line on stderr, got %d: %s", strings.Join(args, " "), lines, r.err)
	}
	if !strings.Contains(r.err, want) {
		c.t.Errorf("starter %s: stderr %q does not contain %q", strings.Join(args, " "), r.err, want)
	}
}

func (c *county) jsonOf(v any, args ...string) {
	c.t.Helper()
	out := c.ok(args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("starter %s: bad JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// workflows lists every workflow execution in the namespace, open or closed.
func (c *county) workflows(query string) []string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ids []string
	var token []byte
	for {
		resp, err := c.node.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: "default", Query: query, NextPageToken: token, PageSize: 1000})
		if err != nil {
			c.t.Fatalf("list workflows %q: %v", query, err)
		}
		for _, e := range resp.Executions {
			ids = append(ids, e.Execution.WorkflowId)
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return ids
		}
	}
}

// eventually retries a check of the (eventually consistent) visibility store.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// record writes a workflow's history as JSON into workflows/testdata for replay
// tests, when TASKRELAY_RECORD=1.
func (c *county) record(workflowID, name string) {
	c.t.Helper()
	if os.Getenv("TASKRELAY_RECORD") != "1" {
		return
	}
	ctx := context.Background()
	it := c.node.Client.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			c.t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		c.t.Fatal(err)
	}
	path := filepath.Join(repoRoot(c.t), "workflows", "testdata", name+".json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.t.Logf("recorded %s (%d events) to %s", workflowID, len(h.Events), path)
}

func taskState(t *testing.T, tasks []relay.TaskView, no int) relay.TaskView {
	for _, x := range tasks {
		if x.No == no {
			return x
		}
	}
	t.Fatalf("no task %d", no)
	return relay.TaskView{}
}

// schedules counts the Schedules with the given id in the namespace.
func (c *county) schedules(ctx context.Context, id string) int {
	c.t.Helper()
	it, err := c.node.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	n := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			c.t.Fatal(err)
		}
		if e.ID == id {
			n++
		}
	}
	return n
}
