package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"taskrelay/examples"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/task"
)

// builtBinary is a command of this module built once, for tests that run it as a
// process of its own (to kill it, or to run several).
type builtBinary struct {
	pkg  string
	once sync.Once
	path string
	err  error
}

var workerCmd, consoledCmd = &builtBinary{pkg: "taskrelay/worker"}, &builtBinary{pkg: "taskrelay/consoled"}

// build builds the command next to the starter binary, the first time it is asked.
func (b *builtBinary) build(t *testing.T) string {
	t.Helper()
	b.once.Do(func() {
		b.path = filepath.Join(filepath.Dir(starterBin), filepath.Base(b.pkg))
		if out, err := exec.Command("go", "build", "-o", b.path, b.pkg).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build %s: %v\n%s", b.pkg, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// bigList writes an n-item list: each item with a lead and two supporting units,
// deadlines far enough ahead that only dispatch notices are sent.
func bigList(t *testing.T, dir, meetingID string, n int) (path string, units map[string]bool) {
	t.Helper()
	d, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range d.Units {
		if _, ok := d.DeputyOf(u.ID); ok {
			ids = append(ids, u.ID)
		}
	}
	units = map[string]bool{}
	var b strings.Builder
	fmt.Fprintf(&b, "meeting: {id: %s, name: 县委常委会压力测试会议, date: 2026-09-15}\nitems:\n", meetingID)
	for i := 1; i <= n; i++ {
		lead, co1, co2 := ids[i%len(ids)], ids[(i+1)%len(ids)], ids[(i+2)%len(ids)]
		units[lead], units[co1], units[co2] = true, true, true
		fmt.Fprintf(&b, "  - {no: %d, title: 压力测试事项%d, lead: %s, co: [%s, %s], deadline: 2027-12-31}\n", i, i, lead, co1, co2)
	}
	path = filepath.Join(dir, meetingID+".yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, units
}

// receiver is a webhook endpoint that counts deliveries by Idempotency-Key and can be
// told to fail.
type receiver struct {
	mu      sync.Mutex
	byKey   map[string]int
	bodies  map[string]string
	failing bool
	refused int
	srv     *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{byKey: map[string]int{}, bodies: map[string]string{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		key := req.Header.Get("Idempotency-Key")
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.failing {
			r.refused++
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		if prev, ok := r.bodies[key]; ok && prev != string(body) {
			t.Errorf("key %s delivered with two different bodies", key)
		}
		r.byKey[key]++
		r.bodies[key] = string(body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setFailing(f bool) {
	r.mu.Lock()
	r.failing = f
	r.mu.Unlock()
}

// keys returns the distinct keys received with a prefix, and how many deliveries
// repeated a key already received (the at-least-once retries a receiver dedups).
func (r *receiver) keys(prefix string) (distinct []string, repeats int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, n := range r.byKey {
		if strings.HasPrefix(k, prefix) {
			distinct = append(distinct, k)
			repeats += n - 1
		}
	}
	sort.Strings(distinct)
	return distinct, repeats
}

// workerProc is the real worker command with its embedded engine, as a process.
type workerProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	data string
	db   string // TASKRELAY_ENGINE_DB, "" for SQLite in data
	addr string
	hook string
	log  *os.File
	// env is added to (and overrides) the worker's environment.
	env []string
}

func (w *workerProc) start() {
	w.t.Helper()
	cmd := exec.Command(workerCmd.build(w.t))
	cmd.Env = append(os.Environ(), "TASKRELAY_DATA="+w.data, "TASKRELAY_ENGINE_DB="+w.db, "TASKRELAY_ENGINE_ADDR="+w.addr,
		"TEMPORAL_ADDRESS=", "TASKRELAY_LOG_LEVEL=warn", "TASKRELAY_WEBHOOK_URL="+w.hook,
		"TASKRELAY_HTTP_ADDR=127.0.0.1:0")
	cmd.Env = append(cmd.Env, w.env...)
	cmd.Stdout, cmd.Stderr = w.log, w.log
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.cmd = cmd
	w.t.Cleanup(func() {
		w.kill()
		if w.t.Failed() {
			if b, err := os.ReadFile(w.log.Name()); err == nil {
				w.t.Logf("worker log:\n%s", b[max(0, len(b)-4000):])
			}
		}
	})
}

// stop interrupts the worker and waits for it to end (its worker stopped, its
// sticky workflows released).
func (w *workerProc) stop() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Signal(syscall.SIGINT)
		_ = w.cmd.Wait()
		w.cmd = nil
	}
}

func (w *workerProc) kill() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Signal(syscall.SIGKILL)
		_ = w.cmd.Wait()
		w.cmd = nil
	}
}

// dialWait dials the worker's engine as its own processes do (the client certificate
// in its data folder), waiting until it answers.
func dialWait(t *testing.T, w *workerProc) *relayclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := relayclient.Dial(ctx, config.Config{DataDir: w.data, EngineAddr: w.addr, Namespace: "default"}, nil, 60*time.Second)
	if err != nil {
		t.Fatalf("engine at %s did not come up: %v", w.addr, err)
	}
	return c
}

// checkRelay asserts the outcome every fault must leave: n tasks, one dispatch notice
// per unit in the outbox, and at the webhook one distinct key per unit.
func checkRelay(t *testing.T, c *relayclient.Client, outboxDir, meetingID string, n int, units map[string]bool, hook *receiver) (repeats int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	m, err := c.WaitDispatched(ctx, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != n || len(m.Notices) != len(units) {
		t.Fatalf("meeting: %d items, %d notices; want %d, %d", len(m.Items), len(m.Notices), n, len(units))
	}
	// Every task exists exactly once, and answers.
	for _, it := range m.Items {
		if _, err := c.Task(ctx, relay.TaskID(meetingID, it.No)); err != nil {
			t.Fatalf("task %d: %v", it.No, err)
		}
	}
	eventually(t, "all tasks listed", func() bool {
		s, err := c.Tasks(ctx, "RelayMeeting = '"+meetingID+"'")
		return err == nil && len(s) == n
	})
	ob := notify.NewOutbox(outboxDir)
	got, err := ob.List(func(x relay.Notice) bool { return x.MeetingID == meetingID && x.Kind == relay.NoticeDispatch })
	if err != nil {
		t.Fatal(err)
	}
	perUnit := map[string]int{}
	items := 0
	for _, x := range got {
		perUnit[x.To]++
		items += len(x.Items)
	}
	for u := range units {
		if perUnit[u] != 1 {
			t.Errorf("unit %s holds %d dispatch notices, want exactly 1", u, perUnit[u])
		}
	}
	if len(perUnit) != len(units) || items != 3*n {
		t.Errorf("outbox: notices for %d units (want %d) listing %d item roles (want %d)", len(perUnit), len(units), items, 3*n)
	}
	if hook != nil {
		eventually(t, "webhook deliveries", func() bool {
			keys, _ := hook.keys("dispatch:" + meetingID + ":")
			return len(keys) == len(units)
		})
		_, repeats = hook.keys("dispatch:" + meetingID + ":")
	}
	return repeats
}

// TestWorkerKilledMidAdoption: SIGKILL the worker process (engine and worker in it)
// while a 300-item list is being adopted, start it again: exactly 300 tasks, one
// dispatch notice per unit, nothing lost, nothing duplicated.
func TestWorkerKilledMidAdoption(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	const n = 300
	// Kill while the tasks are being started, and while the notices are being written.
	for round, when := range []string{"starting tasks", "writing notices"} {
		t.Run("kill while "+when, func(t *testing.T) {
			dir := t.TempDir()
			hook := newReceiver(t)
			logf, _ := os.Create(filepath.Join(dir, "worker.log"))
			defer logf.Close()
			w := &workerProc{t: t, data: filepath.Join(dir, "data"), db: engineDB(t), addr: freeAddr(t), hook: hook.srv.URL, log: logf}
			w.start()
			c := dialWait(t, w)
			meetingID := fmt.Sprintf("cwh-kill-%d", round)
			list, units := bigList(t, dir, meetingID, n)
			cty := &county{t: t, addr: w.addr, data: w.data}
			cty.keys() // in the worker's data folder: its new tasks trust them
			cty.ok("submit", list)

			adopt := cty.command("adopt", meetingID)
			if err := adopt.Start(); err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			if round == 0 {
				time.Sleep(700 * time.Millisecond)
			} else {
				for countFiles(t, filepath.Join(w.data, "outbox")) == 0 && time.Since(t0) < time.Minute {
					time.Sleep(5 * time.Millisecond)
				}
			}
			killAfter := time.Since(t0).Round(time.Millisecond)
			w.kill()
			_ = adopt.Wait() // it may have failed with the engine gone: the office runs it again
			c.Close()
			started := countFiles(t, filepath.Join(w.data, "outbox"))
			t.Logf("killed after %v: %d notice files written before the kill", killAfter, started)

			w.start()
			c = dialWait(t, w)
			defer c.Close()
			cty.ok("adopt", meetingID)
			repeats := checkRelay(t, c, filepath.Join(w.data, "outbox"), meetingID, n, units, hook)
			t.Logf("after restart: %d tasks, %d units notified once each; webhook repeats of a key (deduplicated by Idempotency-Key): %d", n, len(units), repeats)
		})
	}
}

// TestEngineRestartMidAdoption: stop the embedded engine and worker in the middle of
// adopting a 300-item list and start them on the same data. Right after the restart
// `status` shows the tasks' real states or says the engine is still catching up, never
// the adopted list as if it were still proposed, every light off.
func TestEngineRestartMidAdoption(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts the engine")
	}
	const n = 300
	c := newCounty(t)
	c.start()
	list, units := bigList(t, t.TempDir(), "cwh-restart", n)
	c.ok("submit", list)
	done := make(chan result, 1)
	go func() { done <- c.starterNoFail("adopt", "cwh-restart") }()
	time.Sleep(1500 * time.Millisecond)
	c.stop()
	<-done
	c.start()
	catchingUp := checkStatusTrue(t, c, "cwh-restart", n)
	t.Logf("status right after the restart: %s", catchingUp)
	c.ok("adopt", "cwh-restart")
	checkRelay(t, c.api(), filepath.Join(c.data, "outbox"), "cwh-restart", n, units, nil)
	if got := checkStatusTrue(t, c, "cwh-restart", n); got != "the board" {
		t.Errorf("status after the dispatch: %s", got)
	}
}

// checkStatusTrue runs `status MEETING` and `status MEETING --json` and checks they
// tell the truth: an adopted meeting's n tasks each with its state and light (a board
// that agrees with itself), or one Chinese line saying the engine is still catching up.
// It says which it saw.
func checkStatusTrue(t *testing.T, c *county, meetingID string, n int) string {
	t.Helper()
	r := c.starterNoFail("status", meetingID)
	if r.code != 0 {
		if strings.Count(strings.TrimSpace(r.err), "\n") != 0 || !strings.Contains(r.err, "引擎正在恢复") ||
			!strings.Contains(r.err, "数据可能不完整，请稍后再试") || !strings.Contains(r.err, "会议 "+meetingID+" 已通过") {
			t.Fatalf("status refused without saying the engine is catching up: exit %d\n%s%s", r.code, r.out, r.err)
		}
		return "catching up: " + strings.TrimSpace(r.err)
	}
	if strings.Contains(r.out, relay.StateLabel(relay.MeetingProposed)[:6]) && strings.Contains(r.out, "已通过并交办") {
		t.Fatalf("an adopted meeting's tasks shown as proposed:\n%s", r.out[:min(len(r.out), 800)])
	}
	var st struct {
		Meeting struct {
			State string `json:"state"`
		} `json:"meeting"`
		Tasks []struct {
			No    int    `json:"no"`
			State string `json:"state"`
			Light string `json:"light"`
		} `json:"tasks"`
	}
	rj := c.starterNoFail("status", meetingID, "--json")
	if rj.code != 0 {
		if !strings.Contains(rj.err, "引擎正在恢复") {
			t.Fatalf("status --json: exit %d %s", rj.code, rj.err)
		}
		return "the board, then catching up"
	}
	if err := json.Unmarshal([]byte(rj.out), &st); err != nil || len(st.Tasks) != n {
		t.Fatalf("status --json: %v, %d tasks\n%s", err, len(st.Tasks), rj.out[:min(len(rj.out), 800)])
	}
	if st.Meeting.State != relay.MeetingAdopted {
		return "the proposed list (the adoption was not recorded before the stop)"
	}
	for _, tk := range st.Tasks {
		if tk.State == relay.MeetingProposed || tk.Light == "" {
			t.Fatalf("adopted meeting, task %d shown as %q with light %q", tk.No, tk.State, tk.Light)
		}
	}
	return "the board"
}

// TestWorkerNotAnswering: the engine is up, the worker is not. A command that needs
// the worker says so in Chinese, with what to do, soon after the call timeout
// (TASKRELAY_CALL_TIMEOUT), not after the command's ten minutes; nothing changes.
func TestWorkerNotAnswering(t *testing.T) {
	c := newCounty(t)
	c.env = append(c.env, "TASKRELAY_CALL_TIMEOUT=3s")
	c.start()
	c.ok("submit", sample, "--adopt")
	// Stop the worker alone: the engine in this process goes on answering.
	k := c.node.Counties[0]
	k.Worker.Stop()
	k.Worker = nil
	list, _ := bigList(t, t.TempDir(), "cwh-noworker", 3)
	for _, cmd := range []struct {
		args []string
		want []string
	}{
		{[]string{"submit", list}, []string{"工作进程没有应答", "任务清单已提交（会议 cwh-noworker）", "starter adopt cwh-noworker"}},
		{[]string{"adopt", "cwh-noworker"}, []string{"工作进程没有应答", "恢复后继续交办", "starter status cwh-noworker"}},
		{[]string{"status", "cwh-2026-12"}, []string{"工作进程没有应答", "再次运行本命令"}},
		{[]string{"report", "--month", time.Now().In(relay.TimeZone).Format("2006-01")}, []string{"工作进程没有应答", "再次运行本命令"}},
		{[]string{"task", "cwh-2026-12:1"}, []string{"工作进程没有应答", "再次运行本命令"}},
		{[]string{"progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "30", "--note", "worker 停止时报送"},
			[]string{"工作进程没有应答", "starter task cwh-2026-12:1", "未记录再运行本命令"}},
	} {
		t0 := time.Now()
		r := c.starterNoFail(cmd.args...)
		took := time.Since(t0)
		if r.code == 0 {
			t.Fatalf("starter %s with no worker: exit 0\n%s", strings.Join(cmd.args, " "), r.out)
		}
		if took > time.Minute {
			t.Errorf("starter %s: answered after %v", strings.Join(cmd.args, " "), took)
		}
		for _, w := range cmd.want {
			if !strings.Contains(r.err, w) {
				t.Errorf("starter %s: %q lacks %q", strings.Join(cmd.args, " "), r.err, w)
			}
		}
		if strings.Contains(r.err, "deadline") || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
			t.Errorf("starter %s: not one Chinese line: %q", strings.Join(cmd.args, " "), r.err)
		}
		t.Logf("starter %s with the worker stopped: exit %d after %v: %s", strings.Join(cmd.args, " "), r.code, took.Round(100*time.Millisecond), strings.TrimSpace(r.err))
	}
}

// TestWebhookDownThenBack: the receiver answers 500 for a while; notices are retried
// with backoff and each arrives (once per key) when it returns; meanwhile the tasks
// are started and units can act on them.
func TestWebhookDownThenBack(t *testing.T) {
	hook := newReceiver(t)
	hook.setFailing(true)
	t.Setenv("TASKRELAY_WEBHOOK_URL", hook.srv.URL)
	c := newCounty(t)
	c.start()
	c.ok("submit", sample)
	ac := c.api()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := ac.Adopt(ctx, "cwh-2026-12", relay.AdoptRequest{}); err != nil {
		t.Fatal(err)
	}
	// While the receiver is down, every task is there and takes actions.
	eventually(t, "tasks started while the webhook is down", func() bool {
		_, err := ac.Task(ctx, "cwh-2026-12:9")
		return err == nil
	})
	if _, err := ac.Act(ctx, "cwh-2026-12:9", relay.UpdateAck, task.Request{Unit: "lcj"}); err != nil {
		t.Fatalf("acting while the webhook is down: %v", err)
	}
	time.Sleep(3 * time.Second)
	hook.mu.Lock()
	refused := hook.refused
	hook.mu.Unlock()
	if refused == 0 {
		t.Fatal("the receiver was never tried while down")
	}
	// The relay finished while the receiver was down: nothing waits for it.
	waitCtx, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	m, err := ac.WaitDispatched(waitCtx, "cwh-2026-12")
	cancelWait()
	if err != nil {
		t.Fatalf("the relay waited for the webhook: %v", err)
	}
	if got, _ := hook.keys("dispatch:"); len(got) != 0 {
		t.Fatalf("a down receiver accepted %d notices", len(got))
	}
	hook.setFailing(false)
	eventually(t, "every dispatch notice at the webhook", func() bool {
		keys, _ := hook.keys("dispatch:cwh-2026-12:")
		return len(keys) == len(m.Notices)
	})
	keys, repeats := hook.keys("dispatch:cwh-2026-12:")
	t.Logf("webhook down: %d refused attempts; after it returned: %d notices delivered, %d repeated keys", refused, len(keys), repeats)
}

// TestConcurrentSubmitsAndActions: two clients submit the same list at once (one
// relay); two units act on the same task at once (both kept, in order).
func TestConcurrentSubmitsAndActions(t *testing.T) {
	c := newCounty(t)
	c.start()
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.starterNoFail("submit", sample)
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("concurrent submit failed: %s", r.err)
		}
		if strings.Contains(r.out, "已提交：") {
			created++
		}
	}
	if ids := c.workflows(""); created != 1 || len(ids) != 1 {
		t.Fatalf("two submits at once: %d created, workflows %v", created, ids)
	}
	c.ok("adopt", "cwh-2026-12")
	for i := range results {
		wg.Add(1)
		unit := []string{"rsj", "czj"}[i]
		go func() {
			defer wg.Done()
			results[i] = c.starterNoFail("progress", "cwh-2026-12:1", "--unit", unit, "--percent", fmt.Sprint(20+10*i), "--note", "同时报送"+unit)
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("concurrent action refused: %s", r.err)
		}
	}
	var tv relay.TaskView
	c.jsonOf(&tv, "task", "cwh-2026-12:1", "--json")
	var seen []string
	for i, e := range tv.Timeline {
		if e.Action == "progress" {
			seen = append(seen, e.By)
			if i > 0 && e.At.Before(tv.Timeline[i-1].At) {
				t.Errorf("timeline out of order at %d", i)
			}
		}
	}
	sort.Strings(seen)
	if strings.Join(seen, ",") != "czj,rsj" {
		t.Errorf("both actions must be kept: %v", seen)
	}
}

func countFiles(t *testing.T, dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			n++
		}
	}
	return n
}

// starterNoFail runs a command from any goroutine and returns its result.
func (c *county) starterNoFail(args ...string) result {
	cmd := c.command(args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		errb.WriteString(err.Error())
	}
	return result{out.String(), errb.String(), code}
}
