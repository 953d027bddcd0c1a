package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"taskrelay/internal/app"
	"taskrelay/internal/config"
	"taskrelay/internal/console"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
)

// TestOneWorkerServesTwoCounties: one worker process, one engine, two counties in
// their own namespaces (TEMPORAL_NAMESPACES). The same list (same meeting id) is
// submitted and adopted in each; neither county sees the other's meeting, tasks,
// actions or notices; each has its own Schedules, its own outbox and its own
// document numbers; both relay completely.
func TestOneWorkerServesTwoCounties(t *testing.T) {
	p := newCounty(t)
	p.counties = []config.County{{Namespace: "yangbi", Name: "漾濞彝族自治县"}, {Namespace: "dali"}}
	p.start()
	if len(p.node.Counties) != 2 {
		t.Fatalf("%d counties served, want 2", len(p.node.Counties))
	}
	yangbi, dali := p.node.Counties[0], p.node.Counties[1]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, k := range p.node.Counties {
		if k.Config.DataDir != filepath.Join(p.data, k.Config.Namespace) {
			t.Errorf("county %s keeps its data in %s", k.Config.Namespace, k.Config.DataDir)
		}
		for _, id := range []string{relay.FollowUpScheduleID, relay.MonthlyScheduleID} {
			eventually(t, k.Config.Namespace+"'s own Schedule "+id, func() bool { return countSchedules(ctx, t, k.Client, id) == 1 })
		}
	}

	// With both counties in the environment, a command must name its county.
	p.env = []string{"TEMPORAL_NAMESPACES=yangbi,dali", "TEMPORAL_NAMESPACE="}
	p.refused("TEMPORAL_NAMESPACES", "submit", sample)
	p.env = nil

	p.ok("--namespace", "yangbi", "submit", sample, "--adopt")
	units := relayedUnits(t, p, "yangbi")
	relayedIn(ctx, t, yangbi, units)

	// Nothing of it in dali: no meeting, no task, no notice.
	if r := p.starter("--namespace", "dali", "status", "cwh-2026-12"); r.code == 0 {
		t.Fatalf("dali sees yangbi's meeting: %s", r.out)
	}
	if ids := listIn(ctx, t, dali.Client, "RelayMeeting = 'cwh-2026-12'"); len(ids) != 0 {
		t.Errorf("dali lists yangbi's workflows: %v", ids)
	}
	if got := dispatchNotices(t, dali.Config.OutboxDir()); len(got) != 0 {
		t.Errorf("dali's outbox holds %d of yangbi's notices", len(got))
	}

	// The same meeting id in dali is dali's own (TEMPORAL_NAMESPACE picks it too).
	p.env = []string{"TEMPORAL_NAMESPACE=dali"}
	p.ok("submit", sample)
	var st statusOut
	p.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if st.Meeting.State != relay.MeetingProposed {
		t.Fatalf("dali's meeting: %s, want proposed (yangbi's is adopted)", st.Meeting.State)
	}
	p.ok("adopt", "cwh-2026-12")
	relayedIn(ctx, t, dali, relayedUnits(t, p, "dali"))

	// Each county numbers its own 交办单 from 1.
	numbers := func(dir string) map[string]bool {
		m := map[string]bool{}
		for _, n := range dispatchNotices(t, dir) {
			m[n.DocNo] = true
		}
		return m
	}
	a, b := numbers(yangbi.Config.OutboxDir()), numbers(dali.Config.OutboxDir())
	if len(a) != len(units) || len(b) != len(a) {
		t.Errorf("document numbers: yangbi %v, dali %v", a, b)
	}
	for no := range a {
		if !b[no] {
			t.Errorf("yangbi's %s not in dali's own numbering %v", no, b)
		}
	}

	// An action in dali changes dali's task only.
	p.ok("withdraw", "cwh-2026-12:2", "--reason", "县里已另行部署")
	p.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if s := taskState(t, st.Tasks, 2).State; s != relay.StateWithdrawn {
		t.Errorf("dali's task 2: %s, want withdrawn", s)
	}
	p.env = []string{"TEMPORAL_NAMESPACE=yangbi"}
	p.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if s := taskState(t, st.Tasks, 2).State; s != relay.StateDispatched {
		t.Errorf("yangbi's task 2: %s, want dispatched (withdrawn in dali only)", s)
	}

	// One console for both counties, one users file: an account works in its county
	// only; a province inspector reads either county and acts in none.
	counties, err := console.CountiesFrom(p.config(), func(ns string) (*relayclient.Client, error) {
		return &relayclient.Client{T: p.node.County(ns).Client}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	con, err := console.StartCounties(console.Env{Addr: "127.0.0.1:0", DataDir: p.data}, counties, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer con.Stop()
	const pw = "Province-pw-7"
	p.env = []string{"TEMPORAL_NAMESPACES=yangbi,dali", "TEMPORAL_NAMESPACE=yangbi"}
	userAdd(t, p, pw, "ybduban", "--role", "inspection", "--password-stdin")
	p.env = []string{"TEMPORAL_NAMESPACES=yangbi,dali", "TEMPORAL_NAMESPACE=dali"}
	userAdd(t, p, pw, "dlduban", "--role", "inspection", "--password-stdin")
	userAdd(t, p, pw, "shengdc", "--role", "province", "--password-stdin")
	task2 := console.TaskURL(relay.TaskID("cwh-2026-12", 2))
	withdrawn := relay.StateLabel(relay.StateWithdrawn)
	for _, c := range []struct {
		user      string
		withdrawn bool
	}{{"ybduban", false}, {"dlduban", true}} {
		b := newWebClient(t, con.URL, c.user, pw)
		if code, body := b.get(task2); code != http.StatusOK || strings.Contains(body, withdrawn) != c.withdrawn {
			t.Errorf("%s reads task 2: %d, withdrawn %v, want its county's (withdrawn %v)", c.user, code, strings.Contains(body, withdrawn), c.withdrawn)
		}
	}
	prov := newWebClient(t, con.URL, "shengdc", pw)
	for _, c := range []struct {
		ns        string
		withdrawn bool
	}{{"dali", true}, {"yangbi", false}} {
		if code, _ := prov.get("/county?ns=" + c.ns); code != http.StatusSeeOther {
			t.Fatalf("province switching to %s: %d", c.ns, code)
		}
		if code, body := prov.get(task2); code != http.StatusOK || strings.Contains(body, withdrawn) != c.withdrawn {
			t.Errorf("province reads %s's task 2: %d, want withdrawn %v", c.ns, code, c.withdrawn)
		}
		if code, body := prov.get("/board"); code != http.StatusOK || !strings.Contains(body, "督查看板") {
			t.Errorf("province reads %s's board: %d", c.ns, code)
		}
	}
	if code := prov.post(console.TaskURL(relay.TaskID("cwh-2026-12", 3))+"/withdraw", url.Values{"reason": {"越权撤销"}}); code != http.StatusForbidden {
		t.Errorf("a province inspector withdrew a task: %d, want 403", code)
	}
	p.env = []string{"TEMPORAL_NAMESPACE=yangbi"}
	p.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if s := taskState(t, st.Tasks, 3).State; s != relay.StateDispatched {
		t.Errorf("yangbi's task 3 after the province's refused withdrawal: %s", s)
	}
}

// webClient is a signed-in browser without JavaScript: cookies, form tokens, no
// redirects followed.
type webClient struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func newWebClient(t *testing.T, base, user, pw string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webClient{t: t, base: strings.TrimSuffix(base, "/"),
		hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, body := w.get("/login")
	if m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body); m != nil {
		w.csrf = m[1]
	}
	if code := w.post("/login", url.Values{"username": {user}, "password": {pw}}); code != http.StatusSeeOther {
		t.Fatalf("login %s: %d", user, code)
	}
	return w
}

func (w *webClient) get(path string) (int, string) {
	w.t.Helper()
	res, err := w.hc.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (w *webClient) post(path string, form url.Values) int {
	w.t.Helper()
	form.Set("csrf_token", w.csrf)
	form.Set("request_id", fmt.Sprintf("%s-%d", path, time.Now().UnixNano()))
	res, err := w.hc.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// relayedIn checks a county relayed the sample completely: its 10 tasks started and
// listed, and exactly one dispatch notice per unit in the county's own outbox.
func relayedIn(ctx context.Context, t *testing.T, k *app.County, units map[string]bool) {
	t.Helper()
	c := &relayclient.Client{T: k.Client}
	m, err := c.WaitDispatched(ctx, "cwh-2026-12")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != 10 || len(m.Notices) != len(units) {
		t.Fatalf("%s: %d items, %d notices; want 10, %d", k.Config.Namespace, len(m.Items), len(m.Notices), len(units))
	}
	eventually(t, k.Config.Namespace+"'s 10 tasks listed", func() bool {
		s, err := c.Tasks(ctx, "RelayMeeting = 'cwh-2026-12'")
		return err == nil && len(s) == 10
	})
	eventually(t, k.Config.Namespace+"'s dispatch notices", func() bool { return len(dispatchNotices(t, k.Config.OutboxDir())) == len(units) })
	perUnit := map[string]int{}
	for _, n := range dispatchNotices(t, k.Config.OutboxDir()) {
		perUnit[n.To]++
	}
	for u := range units {
		if perUnit[u] != 1 {
			t.Errorf("%s: unit %s holds %d dispatch notices, want 1", k.Config.Namespace, u, perUnit[u])
		}
	}
}

// relayedUnits are the units a county's meeting went to, from `status --json`.
func relayedUnits(t *testing.T, p *county, ns string) map[string]bool {
	t.Helper()
	var st statusOut
	p.jsonOf(&st, "--namespace", ns, "status", "cwh-2026-12", "--json")
	units := map[string]bool{}
	for _, tk := range st.Tasks {
		units[tk.LeadUnit] = true
		for _, co := range tk.CoUnits {
			units[co] = true
		}
	}
	return units
}

func dispatchNotices(t *testing.T, dir string) []relay.Notice {
	t.Helper()
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	got, err := notify.NewOutbox(dir).List(func(x relay.Notice) bool { return x.Kind == relay.NoticeDispatch })
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func countSchedules(ctx context.Context, t *testing.T, c client.Client, id string) int {
	t.Helper()
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == id {
			n++
		}
	}
	return n
}

func listIn(ctx context.Context, t *testing.T, c client.Client, query string) []string {
	t.Helper()
	var ids []string
	it := relayclient.Client{T: c}
	tasks, err := it.Tasks(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tasks {
		ids = append(ids, x.ID)
	}
	return ids
}
