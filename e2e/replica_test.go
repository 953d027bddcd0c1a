package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"gocloud.dev/blob"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/blobstore/fakes3"
	"taskrelay/internal/engine"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// replicaConsole is a consoled process of its own data folder (its users), on the
// shared engine and store, and an HTTP client logged in as the inspection office.
type replicaConsole struct {
	t   *testing.T
	url string
	hc  *http.Client
}

const replicaPassword = "Replica-check-2026"

func startReplicaConsole(t *testing.T, dir string, env []string) *replicaConsole {
	t.Helper()
	data := filepath.Join(dir, "data")
	add := exec.Command(starterBin, "user", "add", "duban", "--role", "inspection", "--name", "督查员", "--password-stdin")
	add.Env = append(os.Environ(), "TASKRELAY_DATA="+data, "TASKRELAY_DIRECTORY=")
	add.Stdin = strings.NewReader(replicaPassword + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	firstPasswordSet(t, data, "duban")
	addr := freeAddr(t)
	logf, _ := os.Create(filepath.Join(dir, "consoled.log"))
	cmd := exec.Command(consoledCmd.build(t))
	cmd.Env = append(append(os.Environ(), "TASKRELAY_DATA="+data, "TASKRELAY_DIRECTORY=",
		"TASKRELAY_HTTP_ADDR="+addr, "TASKRELAY_LOG_LEVEL=warn"), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		logf.Close()
	})
	jar, _ := cookiejar.New(nil)
	c := &replicaConsole{t: t, url: "http://" + addr, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	var token []string
	eventually(t, "console "+addr+" up", func() bool {
		body, err := c.fetch("/login")
		token = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
		return err == nil && token != nil
	})
	res, err := c.hc.PostForm(c.url+"/login", url.Values{"csrf_token": {token[1]}, "username": {"duban"}, "password": {replicaPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on %s: %d", addr, res.StatusCode)
	}
	return c
}

func (c *replicaConsole) fetch(path string) (string, error) {
	res, err := c.hc.Get(c.url + path)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return string(b), err
}

var formIDs = regexp.MustCompile(`name="(csrf_token|request_id)" value="[^"]*"`)

// page is the content (<main>) of a console page, its forms' one-time ids blanked:
// what the console shows of the county, not of the person's session.
func (c *replicaConsole) page(path string) string {
	c.t.Helper()
	body, err := c.fetch(path)
	if err != nil {
		c.t.Fatal(err)
	}
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	return formIDs.ReplaceAllString(body, `name="$1" value=""`)
}

// firstDiff is the first line where a and b differ, for the failure message.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

// TestReplicas: two worker processes (real binaries, each its own data folder) and two
// console processes share one engine (in this process: PostgreSQL with
// TASKRELAY_E2E_ENGINE=postgres, else SQLite) and one S3 store (gofakes3, in this
// process). One worker is SIGKILLed while the notices of a 300-item list are being
// delivered, with the webhook down so that it dies holding deliveries: the other
// finishes the relay and takes its deliveries over. Checked: 300 tasks, one dispatch
// notice per unit on record, every delivery key received once, the monthly report's
// figures identical when made by either worker, and both consoles showing the same
// reports and deliveries.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	const n = 300
	workerCmd.build(t) // built before the clock starts
	consoledCmd.build(t)
	t0 := time.Now()
	dir := t.TempDir()
	cty := newCounty(t)
	eng, err := engine.Start(engine.Options{DataDir: cty.data, DB: cty.db, Addr: cty.addr, Namespace: "default", Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Stop() })
	s3, err := fakes3.Start("taskrelay")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s3.Close)
	shared := append([]string{blobstore.EnvURL + "=" + s3.URL("taskrelay")}, fakes3.Env()...)
	for _, kv := range fakes3.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	store, err := blobstore.Open(context.Background(), s3.URL("taskrelay"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cty.env = shared

	hook := newReceiver(t)
	hook.setFailing(true) // the deliveries wait in the spools
	workers := make([]*workerProc, 2)
	for i := range workers {
		wdir := filepath.Join(dir, fmt.Sprintf("worker%d", i+1))
		logf, _ := os.Create(wdir + ".log")
		defer logf.Close()
		workers[i] = &workerProc{t: t, data: filepath.Join(wdir, "data"), addr: cty.addr, hook: hook.srv.URL, log: logf,
			env: append(append(engineEnv(cty.addr, cty.data), "TASKRELAY_HTTP_ADDR=off", "TASKRELAY_DELIVERY_STALE=3s"), shared...)}
		workers[i].start()
	}
	consoles := make([]*replicaConsole, 2)
	for i := range consoles {
		consoles[i] = startReplicaConsole(t, filepath.Join(dir, fmt.Sprintf("console%d", i+1)), append(engineEnv(cty.addr, cty.data), shared...))
	}
	c := dialWait(t, &workerProc{data: cty.data, addr: cty.addr}) // the engine's client certificate
	defer c.Close()
	t.Logf("engine, 2 workers and 2 consoles up in %.1fs", time.Since(t0).Seconds())

	meetingID := "cwh-replicas"
	list, units := bigList(t, dir, meetingID, n)
	cty.ok("submit", list)
	adopt := cty.command("adopt", meetingID)
	if err := adopt.Start(); err != nil {
		t.Fatal(err)
	}
	tAdopt := time.Now()
	dispatch := func(x relay.Notice) bool { return x.MeetingID == meetingID && x.Kind == relay.NoticeDispatch }
	records := notify.NewRecords(store)
	for time.Since(tAdopt) < 3*time.Minute {
		if got, _ := records.List(context.Background(), dispatch); len(got) >= 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	victim, survivor := workers[0], workers[1]
	victim.kill()
	killedAt := time.Since(tAdopt)
	before, _ := records.List(context.Background(), dispatch)
	held := claimsOf(t, store, victim)
	t.Logf("worker 1 killed %.2fs into the adoption: %d of %d dispatch notices on record, %d deliveries claimed by it",
		killedAt.Seconds(), len(before), len(units), held)
	if len(before) >= len(units) {
		t.Fatalf("every notice was out before the kill: nothing was tested")
	}
	hook.setFailing(false)
	_ = adopt.Wait() // the adoption's own call may outlive the kill or not; the relay goes on

	checkRelayRecords(t, c, records, meetingID, n, units)
	// Deliveries refused while the webhook was down wait out their backoff (up to a
	// minute); the killed worker's wait for their leases to go stale (3 s here).
	ledger := notify.NewLedger(store, "")
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if keys, _ := hook.keys("dispatch:" + meetingID + ":"); len(keys) == len(units) {
			break
		}
		if time.Now().After(deadline) {
			ds, _ := ledger.Deliveries(context.Background(), false)
			t.Fatalf("not every delivery key received in 2 minutes; the ledger: %+v", ds)
		}
	}
	keys, repeats := hook.keys("dispatch:" + meetingID + ":")
	if repeats != 0 {
		t.Errorf("%d deliveries repeated a key already received", repeats)
	}
	ds, err := ledger.Deliveries(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	perKey := map[string]int{}
	for _, d := range ds {
		if strings.HasPrefix(d.Notice, "dispatch:"+meetingID+":") {
			perKey[d.Notice+"|"+d.Route]++
			if d.State != relay.DeliveryDelivered {
				t.Errorf("delivery %s on %s: %s", d.Notice, d.Route, d.State)
			}
		}
	}
	if len(perKey) != len(units) {
		t.Errorf("ledger: %d dispatch deliveries, want %d", len(perKey), len(units))
	}
	t.Logf("relay complete and %d keys each received once %.1fs after the kill (%d repeats)", len(keys), (time.Since(tAdopt) - killedAt).Seconds(), repeats)

	// The month's report made by the survivor, then by the victim (started again) alone.
	month := time.Now().In(relay.TimeZone).Format(report.MonthLayout)
	asOf := time.Now().In(relay.TimeZone).Format("2006-01-02")
	figures := func() string {
		t.Helper()
		return strings.TrimSpace(cty.ok("report", "--month", month, "--as-of", asOf, "--json"))
	}
	bySurvivor := figures()
	victim.start()
	survivor.stop()
	if err := c.T.TerminateWorkflow(context.Background(), relay.ReportWorkflowID(month, asOf), "", "replica test: made again by the other worker"); err != nil {
		t.Fatal(err)
	}
	byVictim := figures()
	if bySurvivor != byVictim {
		t.Errorf("report figures differ:\nworker 2: %s\nworker 1: %s", bySurvivor, byVictim)
	}
	var figs report.Figures
	if err := json.Unmarshal([]byte(bySurvivor), &figs); err != nil || figs.Totals.Tasks != n || figs.Notices.Issued == 0 {
		t.Errorf("report figures: %d tasks (want %d), %d notices issued, %v", figs.Totals.Tasks, n, figs.Notices.Issued, err)
	}

	// Both consoles show the same reports and the same deliveries.
	for _, path := range []string{"/reports", "/deliveries"} {
		a, b := consoles[0].page(path), consoles[1].page(path)
		if a != b {
			t.Errorf("%s differs between the consoles: %s", path, firstDiff(a, b))
		}
	}
	if body := consoles[0].page("/deliveries"); strings.Count(body, "dispatch:"+meetingID+":") < len(units) {
		t.Errorf("/deliveries lists %d of the %d dispatch deliveries", strings.Count(body, "dispatch:"+meetingID+":"), len(units))
	}
	if body := consoles[1].page("/reports"); !strings.Contains(body, month) {
		t.Errorf("/reports lacks %s", month)
	}
	t.Logf("replica test: %d tasks, %d units, report figures compared from both workers, both consoles' /reports and /deliveries compared; %.1fs in all",
		n, len(units), time.Since(t0).Seconds())
}

// checkRelayRecords: n tasks, and in the shared store one dispatch notice per unit
// listing every item role once.
func checkRelayRecords(t *testing.T, c interface {
	WaitDispatched(context.Context, string) (relay.MeetingView, error)
}, records *notify.Records, meetingID string, n int, units map[string]bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A query may time out while the killed worker's sticky workflows move over.
	m, err := c.WaitDispatched(ctx, meetingID)
	for err != nil && ctx.Err() == nil {
		time.Sleep(time.Second)
		m, err = c.WaitDispatched(ctx, meetingID)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != n || len(m.Notices) != len(units) {
		t.Fatalf("meeting: %d items, %d notices; want %d, %d", len(m.Items), len(m.Notices), n, len(units))
	}
	got, err := records.List(ctx, func(x relay.Notice) bool { return x.MeetingID == meetingID && x.Kind == relay.NoticeDispatch })
	if err != nil {
		t.Fatal(err)
	}
	perUnit, items := map[string]int{}, 0
	for _, x := range got {
		perUnit[x.To]++
		items += len(x.Items)
	}
	for u := range units {
		if perUnit[u] != 1 {
			t.Errorf("unit %s holds %d dispatch notices on record, want 1", u, perUnit[u])
		}
	}
	if len(perUnit) != len(units) || items != 3*n {
		t.Errorf("records: notices for %d units (want %d) listing %d item roles (want %d)", len(perUnit), len(units), items, 3*n)
	}
}

// claimsOf counts the delivery keys a worker claimed in the shared store.
func claimsOf(t *testing.T, b *blob.Bucket, w *workerProc) int {
	t.Helper()
	id, err := os.ReadFile(filepath.Join(w.data, "deliveries", "worker-id"))
	if err != nil {
		return 0
	}
	n := 0
	it := b.List(&blob.ListOptions{Prefix: "deliveries/claims/"})
	for {
		obj, err := it.Next(context.Background())
		if err != nil {
			return n
		}
		data, _ := b.ReadAll(context.Background(), obj.Key)
		if strings.Contains(string(data), `"worker":"`+strings.TrimSpace(string(id))+`"`) {
			n++
		}
	}
}
