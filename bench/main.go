// Command bench measures taskrelay on the embedded engine, in one run and side by
// side: the relay of an N-item list against N empty workflows on the same engine,
// unit actions under 20 concurrent clients, and the worker's peak memory.
//
//	go run ./bench [--engine sqlite|postgres] [--sizes 100,1000,10000] [--caches 500,2000,10000] [--json] [--profile DIR]
//	go run ./bench --counties 10 [--per-county 1000] [--engine …] [--json]   (a province: see province.go)
//
// The engine runs in this process, on SQLite in a temporary folder or (--engine
// postgres) on a throwaway PostgreSQL cluster started from Debian's postgresql
// package with fsync on, as a production server runs; the
// worker, exactly the one `go run ./worker` runs (app.Start), runs in a child process
// so that its memory is its own; it also polls a second task queue for the empty
// workflows of the baseline.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"taskrelay/activities"
	"taskrelay/examples"
	"taskrelay/internal/app"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/engine"
	"taskrelay/internal/notify"
	"taskrelay/internal/pgtemp"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/task"
	"taskrelay/internal/tasklist"
)

const (
	childEnv       = "TASKRELAY_BENCH_WORKER"
	childProfEnv   = "TASKRELAY_BENCH_CPUPROFILE"
	baselineQueue  = "bench-baseline"
	emptyWorkflow  = "BenchEmpty"
	actionClients  = 20
	actionTasks    = 1000
	memoryOpenGoal = 10000
)

// Output is what --json prints.
type Output struct {
	Engine  string     `json:"engine"`
	Relay   []RelayRow `json:"relay"`
	Actions Actions    `json:"actions"`
	Report  []Report   `json:"report"`
	RSSMB   float64    `json:"worker_peak_rss_mb"`
	// Worker is the worker child's own account at the end (cache, replays, heap).
	Worker WorkerStats `json:"worker"`
	// Eviction: the unit actions again with the sticky cache at each --caches size.
	Eviction []Eviction `json:"eviction"`
}

type RelayRow struct {
	Engine    string  `json:"engine"`
	N         int     `json:"n"`
	RelayS    float64 `json:"relay_s"`
	BaselineS float64 `json:"baseline_s"`
	Ratio     float64 `json:"ratio"`
	// ReadyS runs until every task's first workflow task is done too: the same work
	// as the baseline's, so ReadyRatio compares like with like.
	ReadyS     float64 `json:"ready_s"`
	ReadyRatio float64 `json:"ready_ratio"`
}

type Actions struct {
	PerS  float64 `json:"per_s"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	// Tasks acted on (at random), Open tasks in the engine, Count actions done.
	Tasks int `json:"tasks"`
	Open  int `json:"open"`
	Count int `json:"count"`
	// TimedOut: actions whose RPC deadline passed (counted in the percentiles).
	TimedOut int `json:"timed_out"`
	WorkerSide
}

type Report struct {
	Tasks   int     `json:"tasks"`
	Seconds float64 `json:"seconds"`
}

func main() {
	if os.Getenv(childEnv) == "1" {
		if err := runWorker(); err != nil {
			fmt.Fprintln(os.Stderr, "bench worker:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	engine     string
	sizes      []int
	json       bool
	profile    string
	actionsFor time.Duration
	baseConc   int
	caches     []int
	noBaseline bool
	counties   int // > 0: the province run instead (runProvince)
	perCounty  int
}

func parseFlags() (options, error) {
	var o options
	sizes := flag.String("sizes", "100,1000,10000", "list sizes to relay, comma separated")
	flag.StringVar(&o.engine, "engine", "sqlite", "the embedded engine's store: sqlite or postgres (a throwaway cluster)")
	flag.BoolVar(&o.json, "json", false, "print the figures as JSON")
	flag.StringVar(&o.profile, "profile", "", "write CPU profiles of the engine process and of the worker into this folder")
	flag.DurationVar(&o.actionsFor, "actions-for", 15*time.Second, "how long the 20 clients report progress")
	flag.IntVar(&o.baseConc, "baseline-concurrency", 64, "concurrent clients starting the baseline's empty workflows")
	caches := flag.String("caches", "500,2000,10000", "sticky cache sizes to measure the unit actions with, one worker each, comma separated (empty: none)")
	flag.IntVar(&o.counties, "counties", 0, "a province instead: this many counties (namespaces) on one engine and one worker process")
	flag.IntVar(&o.perCounty, "per-county", 1000, "with --counties: the list size each county relays, all at once")
	flag.BoolVar(&o.noBaseline, "no-baseline", false, "skip the baselines (no ratios): memory, unit actions and eviction cost only, sooner")
	flag.Parse()
	if o.counties < 0 || o.counties > 100 || o.perCounty <= 0 || o.perCounty > tasklist.MaxItems {
		return o, fmt.Errorf("--counties %d --per-county %d: want 0-100 counties of 1..%d items", o.counties, o.perCounty, tasklist.MaxItems)
	}
	for _, s := range strings.Split(*caches, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			return o, fmt.Errorf("--caches: %q is not a cache size (10 or more)", s)
		}
		o.caches = append(o.caches, n)
	}
	if o.engine != "sqlite" && o.engine != "postgres" {
		return o, fmt.Errorf("--engine: %q，应为 sqlite 或 postgres", o.engine)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 || n > tasklist.MaxItems {
			return o, fmt.Errorf("--sizes: %q is not a list size (1..%d)", s, tasklist.MaxItems)
		}
		o.sizes = append(o.sizes, n)
	}
	return o, nil
}

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "taskrelay-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ui := newUI(!o.json)

	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(o.profile, "engine.pprof"))
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	ui.phase("启动引擎（" + o.engine + "）")
	engCfg := config.Config{DataDir: filepath.Join(tmp, "engine"), Namespace: "default"}
	engOpts := engine.Options{DataDir: engCfg.DataDir, Addr: "127.0.0.1:0", Namespace: "default"}
	if o.counties > 0 {
		engOpts.Namespaces = countyNames(o.counties)
		// The engine's own warnings, to see what holds a province's relay up.
		engOpts.Logger = zap.Must(zap.NewDevelopment(zap.IncreaseLevel(zap.WarnLevel)))
	}
	if o.engine == "postgres" {
		pg, err := pgtemp.Start(pgtemp.Options{Durable: true})
		if err != nil {
			return fmt.Errorf("--engine postgres: %w", err)
		}
		defer pg.Stop()
		engOpts.DB = pg.URL("taskrelay")
	}
	eng, err := engine.Start(engOpts)
	if err != nil {
		return err
	}
	defer eng.Stop()
	engCfg.EngineAddr = eng.Addr()
	if o.counties > 0 {
		return runProvince(ctx, o, engCfg, tmp, ui)
	}
	// The child dials the engine as a worker on another host would: its address and
	// the engine's client certificate.
	tlsEnv := engCfg.DialTLS().Env()
	child, err := startWorker(eng.Addr(), filepath.Join(tmp, "worker"), o.profile, tlsEnv...)
	if err != nil {
		return err
	}
	defer func() { child.stop() }()

	ac, err := relayclient.Dial(context.Background(), engCfg, nil, 0)
	if err != nil {
		return err
	}
	defer ac.Close()
	c := ac.T
	dir, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		return err
	}

	out := Output{Engine: o.engine, Report: []Report{}}
	var actionPlan *relay.Plan
	open := 0
	for round, n := range o.sizes {
		if err := settle(ctx, c, "default"); err != nil {
			return err
		}
		var base time.Duration
		if !o.noBaseline {
			ui.phase(fmt.Sprintf("基准：%d 个空工作流", n))
			if base, err = baseline(ctx, c, round, n, o.baseConc, ui); err != nil {
				return err
			}
		}
		plan, err := makePlan(dir, fmt.Sprintf("bench-%d-%d", round, n), n)
		if err != nil {
			return err
		}
		if err := settle(ctx, c, "default"); err != nil {
			return err
		}
		ui.phase(fmt.Sprintf("流转：%d 项任务清单", n))
		took, settled, err := relayList(ctx, ac, "default", plan, ui)
		if err != nil {
			return err
		}
		open += n
		if n >= actionTasks && (actionPlan == nil || n > len(actionPlan.Items)) {
			actionPlan = plan // act on the largest list's tasks
		}
		row := RelayRow{Engine: o.engine, N: n, RelayS: round3(took.Seconds()), BaselineS: round3(base.Seconds()), ReadyS: round3(settled.Seconds())}
		if base > 0 { // --no-baseline: no ratios
			row.Ratio, row.ReadyRatio = round3(took.Seconds()/base.Seconds()), round3(settled.Seconds()/base.Seconds())
		}
		out.Relay = append(out.Relay, row)
		ui.done(fmt.Sprintf("N=%d：流转 %.2f 秒（至全部任务首次执行完毕 %.2f 秒），基准 %.2f 秒，比值 %.2f", n, row.RelayS, settled.Seconds(), row.BaselineS, row.Ratio))
		if ui.on {
			if s, err := historyStats(ctx, c, relay.MeetingWorkflowID(plan.Meeting.ID)); err == nil {
				ui.done(fmt.Sprintf("  会议流程历史：%s", s))
			}
		}
		if err := settle(ctx, c, "default"); err != nil {
			return err
		}
		ui.phase(fmt.Sprintf("月报：%d 项任务", open))
		r, err := monthlyReport(ctx, ac, tmp)
		if err != nil {
			return err
		}
		out.Report = append(out.Report, r)
		ui.done(fmt.Sprintf("月报（通报与向县委报告，Markdown、HTML 与台账）：%d 项任务，%.2f 秒", r.Tasks, r.Seconds))
	}

	if actionPlan == nil {
		plan, err := makePlan(dir, "bench-actions", actionTasks)
		if err != nil {
			return err
		}
		ui.phase("准备 1000 项在办任务")
		if _, _, err := relayList(ctx, ac, "default", plan, ui); err != nil {
			return err
		}
		open += actionTasks
		actionPlan = plan
	}
	if err := settle(ctx, c, "default"); err != nil {
		return err
	}
	ui.phase(fmt.Sprintf("单位操作：%d 个客户端，随机操作 %d 项任务（共 %d 项在办）", actionClients, len(actionPlan.Items), open))
	s0, err := child.stats()
	if err != nil {
		return err
	}
	out.Actions, err = actions(ctx, among(ac, actionPlan.Items, actionPlan.Meeting.ID), len(actionPlan.Items), o.actionsFor, ui)
	if err != nil {
		return err
	}
	if out.Worker, err = child.stats(); err != nil {
		return err
	}
	out.Actions.Open = open
	out.Actions.WorkerSide = workerSide(s0, out.Worker, out.Actions.Count)
	ui.done("单位操作：" + out.Actions.describe())

	out.RSSMB = round3(out.Worker.PeakMB)
	ui.done(fmt.Sprintf("工作进程峰值内存：%.1f MB（%d 项在办任务；现 %.1f MB，堆 %.1f MB，栈 %.1f MB，%d 个 goroutine，缓存 %d）", out.RSSMB, open,
		out.Worker.RSSMB, out.Worker.HeapMB, out.Worker.StackMB, out.Worker.Goroutines, out.Worker.Cache))
	if open < memoryOpenGoal {
		ui.done(fmt.Sprintf("  注意：在办任务少于 %d 项，内存数字不代表 10000 项的情形", memoryOpenGoal))
	}
	if o.profile != "" {
		if err := child.heapProfile(); err != nil {
			return err
		}
	}
	restart := func(cache int) (*workerProc, error) {
		child.stop()
		child, err = startWorker(eng.Addr(), filepath.Join(tmp, "worker"), "", append(tlsEnv, "TASKRELAY_STICKY_CACHE="+strconv.Itoa(cache))...)
		return child, err
	}
	if out.Eviction, err = evictionCost(ctx, ac, restart, actionPlan.Items, actionPlan.Meeting.ID, o.caches, o.actionsFor, ui); err != nil {
		return err
	}

	if o.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printTable(out, open)
	return nil
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// --- the worker, in a child process ---

type workerProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex // one question at a time on stdin/out
	out   *bufio.Reader
}

// startWorker starts the worker child; env adds to (and overrides) the bench's own.
func startWorker(addr, data, profile string, env ...string) (*workerProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"=1", "TEMPORAL_ADDRESS="+addr, "TEMPORAL_NAMESPACE=default",
		"TASKRELAY_DATA="+data, "TASKRELAY_LOG_LEVEL=error", "TASKRELAY_DIRECTORY=", "TASKRELAY_WEBHOOK_URL=")
	if profile != "" {
		cmd.Env = append(cmd.Env, childProfEnv+"="+filepath.Join(profile, "worker.pprof"), childHeapEnv+"="+filepath.Join(profile, "worker-heap.pprof"))
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("worker did not start: %q %v", line, err)
	}
	return &workerProc{cmd: cmd, stdin: stdin, out: out}, nil
}

func (w *workerProc) stop() {
	_ = w.stdin.Close() // the child stops when its stdin closes
	done := make(chan struct{})
	go func() { _ = w.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
	}
}

func runWorker() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if p := os.Getenv(childProfEnv); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	counts := &sdkCounts{cache: cfg.StickyCache}
	n, err := app.Start(context.Background(), cfg, zap.NewNop(), func(o *client.Options) { o.MetricsHandler = counts })
	if err != nil {
		return err
	}
	defer n.Stop()
	bw := worker.New(n.Client, baselineQueue, worker.Options{})
	bw.RegisterWorkflowWithOptions(func(workflow.Context) error { return nil }, workflow.RegisterOptions{Name: emptyWorkflow})
	if err := bw.Start(); err != nil {
		return err
	}
	defer bw.Stop()
	fmt.Println("ready")
	return serveControl(os.Stdin, os.Stdout, counts)
}

// --- the measures ---

// baseline starts n empty workflows from conc concurrent clients, as fast as the
// engine accepts them, and waits until every one has completed: the engine's own
// speed for a start and a workflow task, the floor of any relay.
func baseline(ctx context.Context, c client.Client, round, n, conc int, ui *ui) (time.Duration, error) {
	var done atomic.Int64
	stopBar := ui.bar(n, func() int { return int(done.Load()) })
	defer stopBar()
	runs := make([]client.WorkflowRun, n)
	t0 := time.Now()
	err := parallel(n, conc, func(i int) (err error) {
		id := fmt.Sprintf("bench-empty-%d-%d", round, i)
		err = retryTimedOut(func() (err error) {
			runs[i], err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: baselineQueue}, emptyWorkflow)
			var started *serviceerror.WorkflowExecutionAlreadyStarted
			if errors.As(err, &started) { // a start that timed out had gone through
				runs[i], err = c.GetWorkflow(ctx, id, ""), nil
			}
			return err
		})
		return err
	})
	if err == nil {
		err = parallel(n, conc, func(i int) error {
			defer done.Add(1)
			return retryTimedOut(func() error { return runs[i].Get(ctx, nil) })
		})
	}
	if err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	return time.Since(t0), nil
}

// parallel runs f(0..n-1) on conc goroutines and returns the first error.
func parallel(n, conc int, f func(i int) error) error {
	jobs := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return first
}

// makePlan writes an n-item list the way an office would (every item a lead unit and
// two supporting units, by name) and validates it as `starter submit` does.
func makePlan(dir *directory.Directory, id string, n int) (*relay.Plan, error) {
	var leads []directory.Unit
	for _, u := range dir.Units {
		if _, ok := dir.DeputyOf(u.ID); ok {
			leads = append(leads, u)
		}
	}
	if len(leads) == 0 || len(dir.Units) < 3 {
		return nil, errors.New("the sample directory has too few units")
	}
	today := time.Now().In(relay.TimeZone)
	type item struct {
		No           int      `json:"no"`
		Title        string   `json:"title"`
		Requirements string   `json:"requirements"`
		Lead         string   `json:"lead"`
		Co           []string `json:"co"`
		Deadline     string   `json:"deadline"`
	}
	list := struct {
		Meeting relay.Meeting `json:"meeting"`
		Items   []item        `json:"items"`
	}{Meeting: relay.Meeting{ID: id, Name: "县委常委会性能测试会议（" + id + "）", Date: today.Format(relay.DateLayout)}}
	for i := 1; i <= n; i++ {
		lead := leads[i%len(leads)]
		var co []string
		for k := 1; len(co) < 2; k++ {
			u := dir.Units[(i*7+k*3)%len(dir.Units)]
			if u.ID != lead.ID && (len(co) == 0 || co[0] != u.Name) {
				co = append(co, u.Name)
			}
		}
		list.Items = append(list.Items, item{
			No: i, Title: fmt.Sprintf("第%d项：推进县域重点改革任务落地见效", i),
			Requirements: "按照县委常委会会议要求细化工作方案，明确时间节点和责任人，按月报送进展，年底前全面完成。",
			Lead:         lead.Name, Co: co,
			Deadline: today.AddDate(0, 3, i%60).Format(relay.DateLayout),
		})
	}
	data, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	return tasklist.Parse(id+".json", data, dir, tasklist.MeetingFlags{})
}

// relayList submits and adopts a list and waits until every task is started and
// every dispatch notice written; then checks that the engine holds exactly n tasks.
func relayList(ctx context.Context, ac *relayclient.Client, ns string, plan *relay.Plan, ui *ui) (took, settled time.Duration, err error) {
	id := plan.Meeting.ID
	n := len(plan.Items)
	q := relay.And(relay.Eq(relay.SAWorkflowType, relay.TaskWorkflowName), relay.Eq(relay.SAMeeting, id))
	var seen atomic.Int64
	stopPoll := make(chan struct{})
	if ui.on {
		go func() {
			for {
				select {
				case <-stopPoll:
					return
				case <-time.After(2 * time.Second):
				}
				if r, err := ac.T.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q}); err == nil {
					seen.Store(r.GetCount())
				}
			}
		}()
	}
	stopBar := ui.bar(n, func() int { return int(seen.Load()) })
	t0 := time.Now()
	err = submitAdopt(ctx, ac, plan)
	var m relay.MeetingView
	if err == nil {
		m, err = waitDispatched(ctx, ac, id)
	}
	took = time.Since(t0)
	if err == nil {
		var at time.Time
		if at, err = settledAt(ctx, ac.T, ns); err != nil {
			err = fmt.Errorf("settle: %w", err)
		}
		settled = at.Sub(t0)
	}
	close(stopPoll)
	stopBar()
	if err != nil {
		return 0, 0, fmt.Errorf("relay %s: %w", id, err)
	}
	units := map[string]bool{}
	for _, it := range plan.Items {
		units[it.Lead] = true
		for _, c := range it.Co {
			units[c] = true
		}
	}
	if len(m.Items) != n || len(m.Notices) != len(units) || len(m.FailedNotices) > 0 {
		return 0, 0, fmt.Errorf("relay %s: %d items, %d notices for %d units, %d failed", id, len(m.Items), len(m.Notices), len(units), len(m.FailedNotices))
	}
	for i := 0; ; i++ {
		r, err := ac.T.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		if err == nil && r.GetCount() == int64(n) {
			break
		}
		if i == 300 {
			return 0, 0, fmt.Errorf("relay %s: the engine lists %d tasks, want %d (%v)", id, r.GetCount(), n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return took, settled, nil
}

// target picks the task a unit action goes to: its county's client, its id and item.
type target func(rng *rand.Rand) (*relayclient.Client, string, relay.Item)

// among picks a random task among one meeting's items.
func among(ac *relayclient.Client, items []relay.Item, meetingID string) target {
	return func(rng *rand.Rand) (*relayclient.Client, string, relay.Item) {
		it := items[rng.IntN(len(items))]
		return ac, relay.TaskID(meetingID, it.No), it
	}
}

// actions has 20 clients report progress on random tasks (pick) for a while.
func actions(ctx context.Context, pick target, tasks int, d time.Duration, ui *ui) (Actions, error) {
	var (
		mu       sync.Mutex
		lat      []time.Duration
		first    error
		count    atomic.Int64
		timeouts atomic.Int64
		wg       sync.WaitGroup
	)
	t0 := time.Now()
	stopBar := ui.bar(int(d/time.Second), func() int { return int(time.Since(t0) / time.Second) })
	for w := 0; w < actionClients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for k := 0; time.Since(t0) < d; k++ {
				ac, id, it := pick(rng)
				s := time.Now()
				_, err := ac.Act(ctx, id, relay.UpdateProgress,
					task.Request{Unit: it.Lead, Percent: k % 100, Note: fmt.Sprintf("性能测试进展 %d", k)})
				e := time.Since(s)
				mu.Lock()
				if timedOut(err) {
					timeouts.Add(1) // counted, with its latency: the machine was too loaded
				} else if err != nil && first == nil {
					first = fmt.Errorf("progress on %s: %w", id, err)
				}
				lat = append(lat, e)
				mu.Unlock()
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	stopBar()
	if first != nil {
		return Actions{}, first
	}
	if len(lat) == 0 {
		return Actions{}, errors.New("unit actions: none done")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return round3(float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond))
	}
	return Actions{PerS: round3(float64(count.Load()) / elapsed.Seconds()), P50MS: pct(0.50), P99MS: pct(0.99),
		Tasks: tasks, Count: len(lat), TimedOut: int(timeouts.Load())}, nil
}

// monthlyReport produces the month's two reports in every format the way the monthly
// workflow's Report activity does: gather every task's summary from the engine, snapshot,
// compute, and write 通报 and 向县委报告 as Markdown and HTML plus the ledger.
func monthlyReport(ctx context.Context, ac *relayclient.Client, tmp string) (Report, error) {
	now := time.Now()
	req, err := report.Resolve(report.Request{Month: now.In(relay.TimeZone).Format(report.MonthLayout)}, now, now)
	if err != nil {
		return Report{}, err
	}
	// The worker's shared store (its default, under its data folder): the notices it
	// recorded, and the archive the report goes into.
	shared, err := blobstore.Open(ctx, "", filepath.Join(tmp, "worker"))
	if err != nil {
		return Report{}, err
	}
	defer shared.Close()
	r := &activities.Reports{API: ac, Archive: report.NewArchive(shared), Notices: notify.NewRecords(shared),
		County: "示例县", Options: report.DefaultOptions()}
	t0 := time.Now()
	done, err := r.Report(ctx, req)
	if err != nil {
		return Report{}, fmt.Errorf("monthly report: %w", err)
	}
	figs, files := done.Figures, done.Files
	took := time.Since(t0)
	if len(files) < 5 {
		return Report{}, fmt.Errorf("monthly report: %d files written, want both reports in Markdown and HTML and the ledger", len(files))
	}
	return Report{Tasks: figs.Totals.Tasks, Seconds: round3(took.Seconds())}, nil
}

// settle waits until the worker has caught up: no workflow or activity task waits in
// taskrelay's task queue (a relay returns once its tasks are started; their first
// workflow tasks run after), so that one measure does not pay for the last one.
func settle(ctx context.Context, c client.Client, ns string) error {
	_, err := settledAt(ctx, c, ns)
	return err
}

// settledAt is settle returning when the backlog was first seen empty for good.
func settledAt(ctx context.Context, c client.Client, ns string) (time.Time, error) {
	quietFor := 0
	var since time.Time
	for i := 0; i < 3000; i++ {
		backlog := int64(0)
		for _, typ := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
			var r *workflowservice.DescribeTaskQueueResponse
			err := retryTimedOut(func() (err error) {
				r, err = c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
					Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: relay.TaskQueue}, TaskQueueType: typ, ReportStats: true,
				})
				return err
			})
			if err != nil {
				return since, fmt.Errorf("task queue backlog: %w", err)
			}
			backlog += r.GetStats().GetApproximateBacklogCount()
		}
		if backlog == 0 {
			if quietFor == 0 {
				since = time.Now()
			}
			if quietFor++; quietFor == 3 {
				return since, nil
			}
		} else {
			quietFor = 0
		}
		time.Sleep(200 * time.Millisecond)
	}
	return since, errors.New("the worker did not catch up within 10 minutes")
}

// historyStats describes a workflow's history: events and payload bytes.
func historyStats(ctx context.Context, c client.Client, id string) (string, error) {
	it := c.GetWorkflowHistory(ctx, id, "", false, 0)
	events, size := 0, 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return "", err
		}
		events++
		size += e.Size()
	}
	return fmt.Sprintf("%d 个事件，%.1f KB", events, float64(size)/1024), nil
}

// --- output ---

type ui struct {
	on bool
	mu sync.Mutex
}

func newUI(on bool) *ui { return &ui{on: on} }

func (u *ui) phase(s string) {
	if u.on {
		fmt.Fprintf(os.Stderr, "\r\033[K%s …\n", s)
	}
}

func (u *ui) done(s string) {
	if u.on {
		fmt.Fprintf(os.Stderr, "\r\033[K  %s\n", s)
	}
}

// bar draws a progress bar on stderr until the returned stop is called; only on a
// terminal (redirected to a file, the phases' lines are enough).
func (u *ui) bar(total int, done func() int) func() {
	if !u.on || total <= 0 || !isTerminal(os.Stderr) {
		return func() {}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	t0 := time.Now()
	go func() {
		defer close(finished)
		for {
			d := min(done(), total)
			const w = 40
			fill := w * d / total
			fmt.Fprintf(os.Stderr, "\r\033[K  [%s%s] %3d%%  %d/%d  %.1fs", strings.Repeat("█", fill), strings.Repeat("░", w-fill),
				100*d/total, d, total, time.Since(t0).Seconds())
			select {
			case <-stop:
				fmt.Fprint(os.Stderr, "\r\033[K")
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	return func() { close(stop); <-finished }
}

func printTable(out Output, open int) {
	store := map[string]string{"sqlite": "SQLite 文件", "postgres": "PostgreSQL"}[out.Engine]
	fmt.Printf("\ntaskrelay 性能测试（内嵌引擎，%s；工作进程独立运行）\n\n", store)
	fmt.Println("流转：提交到全部任务启动、交办单写出；基准：同一引擎上启动并完成同样多个空工作流。")
	fmt.Println("全部就绪：流转至每个新任务的首个工作流任务也已执行（与基准同样的工作量）。")
	fmt.Printf("%8s %10s %10s %8s %12s %10s\n", "项数", "流转(秒)", "基准(秒)", "比值", "全部就绪(秒)", "就绪比值")
	for _, r := range out.Relay {
		fmt.Printf("%8d %12.2f %12.2f %10.2f %16.2f %14.2f\n", r.N, r.RelayS, r.BaselineS, r.Ratio, r.ReadyS, r.ReadyRatio)
	}
	fmt.Printf("\n单位操作（%d 个客户端，随机操作 %d 项任务，共 %d 项在办）：%s\n",
		actionClients, out.Actions.Tasks, out.Actions.Open, out.Actions.describe())
	for _, r := range out.Report {
		fmt.Printf("月报（两份报告，全部格式）：%d 项任务，%.2f 秒\n", r.Tasks, r.Seconds)
	}
	fmt.Printf("工作进程峰值内存：%.1f MB（%d 项在办任务，缓存 %d 个工作流）\n", out.RSSMB, open, out.Worker.Cache)
	printEviction(out.Eviction)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
