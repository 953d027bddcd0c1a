package main

// The worker child's own figures (sticky cache hits and misses, replays, memory), read
// by the bench through the child's stdin/stdout, and the eviction cost: the same unit
// actions with the sticky cache sized 500, 2,000 and 10,000, side by side in one run.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/task"
)

const childHeapEnv = "TASKRELAY_BENCH_HEAPPROFILE"

// WorkerStats is what the worker child reports about itself.
type WorkerStats struct {
	// Cache is the sticky cache's size (TASKRELAY_STICKY_CACHE).
	Cache int `json:"cache"`
	// CacheHits and CacheMisses count workflow tasks that found their workflow in the
	// sticky cache or not; a miss replays the workflow from its whole history.
	CacheHits   int64 `json:"cache_hits"`
	CacheMisses int64 `json:"cache_misses"`
	// Evictions: workflows pushed out of a full cache.
	Evictions int64 `json:"evictions"`
	// WorkflowTasks and WorkflowTaskMS: workflow tasks run and their total run time.
	WorkflowTasks  int64   `json:"workflow_tasks"`
	WorkflowTaskMS float64 `json:"workflow_task_ms"`
	// ReplayMS is the total time spent replaying histories.
	ReplayMS float64 `json:"replay_ms"`
	// Waited and WaitMS: workflow tasks that recorded how long they waited in the task
	// queue for the worker (schedule to start), and the total wait.
	Waited int64   `json:"waited"`
	WaitMS float64 `json:"wait_ms"`
	RSSMB  float64 `json:"rss_mb"`
	PeakMB float64 `json:"peak_rss_mb"`
	HeapMB float64 `json:"heap_mb"`
	// StackMB and Goroutines: every cached workflow keeps its coroutines' goroutines.
	StackMB    float64 `json:"stack_mb"`
	Goroutines int     `json:"goroutines"`
	// CPUS is the child's processor time (user and system), GCCPUS the garbage
	// collector's share of it as the Go runtime estimates it, and MemLimitMB the soft
	// memory limit it ran under (config.Config.MemoryLimit, or GOMEMLIMIT).
	CPUS       float64 `json:"cpu_s"`
	GCCPUS     float64 `json:"gc_cpu_s"`
	MemLimitMB float64 `json:"mem_limit_mb"`
}

func (s WorkerStats) minus(o WorkerStats) WorkerStats {
	s.CacheHits -= o.CacheHits
	s.CacheMisses -= o.CacheMisses
	s.Evictions -= o.Evictions
	s.WorkflowTasks -= o.WorkflowTasks
	s.WorkflowTaskMS -= o.WorkflowTaskMS
	s.ReplayMS -= o.ReplayMS
	s.Waited -= o.Waited
	s.WaitMS -= o.WaitMS
	s.CPUS -= o.CPUS
	s.GCCPUS -= o.GCCPUS
	return s
}

// sdkCounts is an SDK metrics handler that keeps the few figures the bench prints,
// whatever their tags.
type sdkCounts struct {
	cache                         int
	hits, misses, evictions, wfts atomic.Int64
	wftNS, replayNS               atomic.Int64
	waited, waitNS                atomic.Int64
}

func (h *sdkCounts) WithTags(map[string]string) client.MetricsHandler { return h }

func (h *sdkCounts) Counter(name string) client.MetricsCounter {
	switch name {
	case "temporal_sticky_cache_hit":
		return counter(func(d int64) { h.hits.Add(d) })
	case "temporal_sticky_cache_miss":
		return counter(func(d int64) { h.misses.Add(d) })
	case "temporal_sticky_cache_total_forced_eviction":
		return counter(func(d int64) { h.evictions.Add(d) })
	}
	return client.MetricsNopHandler.Counter(name)
}

func (h *sdkCounts) Gauge(name string) client.MetricsGauge {
	return client.MetricsNopHandler.Gauge(name)
}

func (h *sdkCounts) Timer(name string) client.MetricsTimer {
	switch name {
	case "temporal_workflow_task_execution_latency":
		return timer(func(d time.Duration) { h.wfts.Add(1); h.wftNS.Add(int64(d)) })
	case "temporal_workflow_task_schedule_to_start_latency":
		return timer(func(d time.Duration) { h.waited.Add(1); h.waitNS.Add(int64(d)) })
	case "temporal_workflow_task_replay_latency":
		return timer(func(d time.Duration) { h.replayNS.Add(int64(d)) })
	}
	return client.MetricsNopHandler.Timer(name)
}

type counter func(int64)

func (c counter) Inc(d int64) { c(d) }

type timer func(time.Duration)

func (t timer) Record(d time.Duration) { t(d) }

func (h *sdkCounts) stats() WorkerStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss, peak, _ := procMemMB(os.Getpid())
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	gc := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(gc)
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		limit = 0 // none
	}
	return WorkerStats{Cache: h.cache,
		CacheHits: h.hits.Load(), CacheMisses: h.misses.Load(), Evictions: h.evictions.Load(),
		WorkflowTasks: h.wfts.Load(), WorkflowTaskMS: float64(h.wftNS.Load()) / 1e6, ReplayMS: float64(h.replayNS.Load()) / 1e6,
		Waited: h.waited.Load(), WaitMS: float64(h.waitNS.Load()) / 1e6,
		RSSMB: rss, PeakMB: peak, HeapMB: float64(m.HeapInuse) / (1 << 20),
		StackMB: float64(m.StackInuse) / (1 << 20), Goroutines: runtime.NumGoroutine(),
		CPUS:       time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds(),
		GCCPUS:     gc[0].Value.Float64(),
		MemLimitMB: float64(limit) / (1 << 20),
	}
}

// serveControl answers the bench on the child's stdin until it closes: "stats" prints
// WorkerStats as one JSON line, "heap" writes a heap profile where childHeapEnv says.
func serveControl(in io.Reader, out io.Writer, h *sdkCounts) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch sc.Text() {
		case "stats":
			b, err := json.Marshal(h.stats())
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(out, "%s\n", b); err != nil {
				return err
			}
		case "heap":
			err := writeHeap(os.Getenv(childHeapEnv))
			fmt.Fprintf(out, "%q\n", fmt.Sprint(err))
		}
	}
	return sc.Err()
}

func writeHeap(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}

// procMemMB reads a process's resident memory and its high-water mark (VmRSS, VmHWM).
func procMemMB(pid int) (rss, peak float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("worker memory: %w", err)
	}
	found := 0
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || (f[0] != "VmRSS:" && f[0] != "VmHWM:") {
			continue
		}
		kb, err := strconv.Atoi(f[1])
		if err != nil {
			return 0, 0, fmt.Errorf("worker memory: %s %w", f[0], err)
		}
		if f[0] == "VmRSS:" {
			rss = float64(kb) / 1024
		} else {
			peak = float64(kb) / 1024
		}
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("worker memory: no VmRSS/VmHWM in /proc/%d/status", pid)
	}
	return rss, peak, nil
}

// stats asks the child for its figures.
func (w *workerProc) stats() (WorkerStats, error) {
	var s WorkerStats
	line, err := w.ask("stats")
	if err == nil {
		err = json.Unmarshal([]byte(line), &s)
	}
	if err != nil {
		return s, fmt.Errorf("worker stats: %w", err)
	}
	return s, nil
}

// heapProfile has the child write its heap profile (after a GC).
func (w *workerProc) heapProfile() error {
	line, err := w.ask("heap")
	if err != nil {
		return err
	}
	if msg, _ := strconv.Unquote(strings.TrimSpace(line)); msg != "<nil>" {
		return fmt.Errorf("worker heap profile: %s", msg)
	}
	return nil
}

func (w *workerProc) ask(cmd string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := fmt.Fprintln(w.stdin, cmd); err != nil {
		return "", err
	}
	return w.out.ReadString('\n')
}

// Eviction is the unit actions' figures with the worker's sticky cache of one size.
type Eviction struct {
	Cache int `json:"cache"`
	// Warmed: tasks brought into the cache before measuring (as many as it holds),
	// by an update its validator refuses (it writes no history).
	Warmed int `json:"warmed"`
	Actions
	RSSMB float64 `json:"worker_peak_rss_mb"`
}

// WorkerSide is where a unit action's time goes in the worker, over a measure: every
// update runs one workflow task, which either finds its task in the sticky cache or
// replays it from its whole history first.
type WorkerSide struct {
	// ReplaysPerAction: workflow tasks that were not cache hits (each replays a whole
	// history), per action; HitRate: the others' share.
	ReplaysPerAction float64 `json:"replays_per_action"`
	HitRate          float64 `json:"cache_hit_rate"`
	// WorkflowTaskMS: a workflow task's mean run time in the worker; WaitMS: its mean
	// wait in the task queue before a poller took it (the rest of an action's latency
	// is the engine's: RPCs and persistence).
	WorkflowTaskMS float64 `json:"workflow_task_ms"`
	WaitMS         float64 `json:"wait_ms"`
}

// workerSide reads a measure's WorkerSide from the child's figures before and after.
func workerSide(before, after WorkerStats, actions int) WorkerSide {
	d := after.minus(before)
	var w WorkerSide
	if d.WorkflowTasks > 0 {
		w.HitRate = round3(float64(d.CacheHits) / float64(d.WorkflowTasks))
		w.WorkflowTaskMS = round3(d.WorkflowTaskMS / float64(d.WorkflowTasks))
	}
	if actions > 0 {
		w.ReplaysPerAction = round3(float64(max(0, d.WorkflowTasks-d.CacheHits)) / float64(actions))
	}
	if d.Waited > 0 {
		w.WaitMS = round3(d.WaitMS / float64(d.Waited))
	}
	return w
}

// evictionCost runs the unit actions once per cache size, each time in a new worker
// child whose cache first holds as many of the tasks as it can (so that the measure
// is the steady state of random actions over every task, not a cold start).
func evictionCost(ctx context.Context, ac *relayclient.Client, restart func(cache int) (*workerProc, error),
	items []relay.Item, meetingID string, caches []int, d time.Duration, ui *ui) ([]Eviction, error) {
	var out []Eviction
	for _, size := range caches {
		ui.phase(fmt.Sprintf("缓存 %d：预热后单位操作 %s", size, d))
		w, err := restart(size)
		if err != nil {
			return out, err
		}
		warm := min(size, len(items))
		t0 := time.Now()
		if err := warmCache(ctx, ac, items[:warm], meetingID); err != nil {
			return out, err
		}
		ui.done(fmt.Sprintf("预热 %d 项任务：%.1f 秒", warm, time.Since(t0).Seconds()))
		if err := settle(ctx, ac.T, "default"); err != nil {
			return out, err
		}
		s0, err := w.stats()
		if err != nil {
			return out, err
		}
		a, err := actions(ctx, among(ac, items, meetingID), len(items), d, ui)
		if err != nil {
			return out, err
		}
		s1, err := w.stats()
		if err != nil {
			return out, err
		}
		a.WorkerSide = workerSide(s0, s1, a.Count)
		e := Eviction{Cache: size, Warmed: warm, Actions: a, RSSMB: round3(s1.PeakMB)}
		out = append(out, e)
		ui.done(fmt.Sprintf("缓存 %d：%s，工作进程峰值内存 %.1f MB", e.Cache, a.describe(), e.RSSMB))
	}
	return out, nil
}

// warmCache sends every task an update its validator refuses (no unit): the worker
// runs a workflow task for it, replaying the task into its cache, and nothing is written.
func warmCache(ctx context.Context, ac *relayclient.Client, items []relay.Item, meetingID string) error {
	var mu sync.Mutex
	var other error
	_ = parallel(len(items), actionClients, func(i int) error {
		_, err := ac.Act(ctx, relay.TaskID(meetingID, items[i].No), relay.UpdateProgress, task.Request{})
		if errors.Is(err, refusal.ErrRefused) { // the validator's "no unit named"
			return nil
		}
		mu.Lock()
		if other == nil {
			other = fmt.Errorf("warm-up on %s: want a refusal, got %v", relay.TaskID(meetingID, items[i].No), err)
		}
		mu.Unlock()
		return nil
	})
	return other
}

func printEviction(rows []Eviction) {
	if len(rows) == 0 {
		return
	}
	fmt.Println("\n缓存大小的代价（每种大小一个新工作进程，先预热到缓存装满，再同样随机操作）：")
	fmt.Printf("%8s %10s %10s %10s %10s %14s %14s %14s %14s\n", "缓存", "次/秒", "p50(毫秒)", "p99(毫秒)", "命中率", "每次操作重放",
		"工作流任务(毫秒)", "排队(毫秒)", "峰值内存(MB)")
	for _, e := range rows {
		fmt.Printf("%10d %12.1f %12.0f %12.0f %11.0f%% %16.2f %18.1f %14.1f %16.1f\n", e.Cache, e.PerS, e.P50MS, e.P99MS, 100*e.HitRate,
			e.ReplaysPerAction, e.WorkflowTaskMS, e.WaitMS, e.RSSMB)
	}
}

func (a Actions) describe() string {
	return fmt.Sprintf("%.1f 次/秒（%d 次超时），p50 %.0f 毫秒，p99 %.0f 毫秒；缓存命中率 %.0f%%，每次操作重放 %.2f 次，工作流任务平均 %.1f 毫秒，排队平均 %.1f 毫秒",
		a.PerS, a.TimedOut, a.P50MS, a.P99MS, 100*a.HitRate, a.ReplaysPerAction, a.WorkflowTaskMS, a.WaitMS)
}

// waitDispatched is relayclient's WaitDispatched, asked again when one of its queries
// timed out: on a machine loaded by other work a query can outlast its RPC deadline
// while the relay goes on (runs were lost so); the clock keeps running meanwhile.
func waitDispatched(ctx context.Context, ac *relayclient.Client, id string) (m relay.MeetingView, err error) {
	err = retryTimedOut(func() (err error) {
		m, err = ac.WaitDispatched(ctx, id)
		return err
	})
	return m, err
}

// timedOut: an RPC's deadline passed (the bench's own context has none).
func timedOut(err error) bool {
	var dl *serviceerror.DeadlineExceeded
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &dl) ||
		status.Code(err) == codes.DeadlineExceeded || errors.Is(err, refusal.ErrUnavailable))
}

// retryTimedOut calls f again, up to 20 times, while its RPC times out.
func retryTimedOut(f func() error) error {
	for tries := 1; ; tries++ {
		if err := f(); tries == 20 || !timedOut(err) {
			return err
		}
	}
}

// submitAdopt submits and adopts a list, asking again when an RPC outlasts its deadline
// on a loaded machine: a second Submit finds the meeting (created false), a second Adopt
// may be refused because the first went through, which the meeting's state tells.
func submitAdopt(ctx context.Context, ac *relayclient.Client, plan *relay.Plan) error {
	id := plan.Meeting.ID
	tries := 0
	err := retryTimedOut(func() error {
		tries++
		created, err := ac.Submit(ctx, *plan)
		if err == nil && !created && tries == 1 {
			return fmt.Errorf("meeting %s existed already", id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	tries = 0
	err = retryTimedOut(func() error {
		tries++
		_, err := ac.Adopt(ctx, id, relay.AdoptRequest{By: "bench"})
		if err != nil && !timedOut(err) && tries > 1 {
			if m, qerr := ac.Meeting(ctx, id); qerr == nil && m.AdoptedAt != nil {
				return nil
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("adopt: %w", err)
	}
	return nil
}
