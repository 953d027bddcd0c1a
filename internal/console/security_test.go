package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
)

// clocked is a console of its own (users, security log, clock) on the package's engine.
func clocked(t *testing.T, base *testEnv) (*testEnv, *time.Time) {
	t.Helper()
	dir := t.TempDir()
	users, err := accounts.Open(filepath.Join(dir, accounts.UsersFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Add(accounts.User{Username: "victim", Role: accounts.RoleInspection}, testPassword); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	users.Now = clock
	sess := accounts.NewSessions(base.key, accounts.DefaultSessionTTL)
	sess.Now = clock
	s, err := New(Config{API: base.s.cfg.API, Users: users, Sessions: sess, Directory: base.s.cfg.Directory, Now: clock,
		Reports: base.s.cfg.Reports, Deliveries: base.s.cfg.Deliveries, SecurityLog: seclog.Open(filepath.Join(dir, seclog.File))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{api: base.api, fake: base.fake, users: users, key: base.key, data: dir, s: s}
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	return e, &now
}

func events(t *testing.T, e *testEnv, user string) []string {
	t.Helper()
	all, err := seclog.Read(e.s.cfg.SecurityLog.Path(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range all {
		if x.User == user {
			out = append(out, x.Event)
		}
	}
	return out
}

var loginErrorRE = regexp.MustCompile(`id="error">([^<]*)<`)

// Brute force from one address: slowed from the third failure, locked at the fifth,
// the right password refused while locked, and an unknown username answered exactly
// alike; fifteen minutes later the right password works.
func TestBruteForceIsSlowedAndLocked(t *testing.T) {
	base := pageSetup(t)
	attack := func(name string) ([]string, *testEnv, *time.Time) {
		e, now := clocked(t, base)
		b := e.browser(t)
		b.get("/login")
		var answers []string
		try := func(pw string) {
			r := b.post("/login", url.Values{"username": {name}, "password": {pw}})
			m := loginErrorRE.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("%s: no error shown (%d)", name, r.status)
			}
			answers = append(answers, strconv.Itoa(r.status)+" "+m[1])
		}
		for i := 0; i < 3; i++ {
			try("wrong-Password1")
		}
		try(testPassword) // too soon: slowed, not even checked
		*now = now.Add(time.Second)
		try("wrong-Password1")
		*now = now.Add(2 * time.Second)
		try("wrong-Password1") // the fifth failure locks
		*now = now.Add(4 * time.Second)
		try(testPassword)
		return answers, e, now
	}
	real, e, now := attack("victim")
	ghost, _, _ := attack("nobody-here")
	t.Logf("answers: %q", real)
	for i := range real {
		if real[i] != ghost[i] {
			t.Fatalf("answer %d tells the account from an unknown name: %q vs %q", i+1, real[i], ghost[i])
		}
	}
	if !strings.HasPrefix(real[3], "429 ") || !strings.HasPrefix(real[5], "401 ") || !strings.Contains(real[5], "已锁定") ||
		!strings.Contains(real[6], "已锁定") || !strings.Contains(real[6], "15 分钟") {
		t.Fatalf("answers %q", real)
	}
	*now = now.Add(15 * time.Minute)
	b := e.browser(t)
	b.get("/login")
	must(t, b.post("/login", url.Values{"username": {"victim"}, "password": {testPassword}}), http.StatusSeeOther)
	got := strings.Join(events(t, e, "victim"), " ")
	if want := "login_failed login_failed login_failed throttled login_failed locked login_failed login_failed login"; got != want {
		t.Fatalf("security log: %s\nwant %s", got, want)
	}
}

// An idle session ends after 30 minutes; a used one lives on.
func TestIdleSessionEnds(t *testing.T) {
	e, now := clocked(t, pageSetup(t))
	b := e.login(t, "victim")
	for i := 0; i < 3; i++ {
		*now = now.Add(20 * time.Minute)
		must(t, b.get("/board"), http.StatusOK)
	}
	*now = now.Add(31 * time.Minute)
	r := b.get("/board")
	if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "expired=idle") {
		t.Fatalf("idle session: %d %q", r.status, r.loc)
	}
	must(t, b.get(r.loc), http.StatusOK, "30 分钟无操作")
	if ev := events(t, e, "victim"); ev[len(ev)-1] != seclog.SessionTimeout {
		t.Fatalf("security log: %v", ev)
	}
}

var sessionIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// A user sees their other sessions and ends one; changing the password ends the rest.
func TestOwnSessionsAndPasswordChange(t *testing.T) {
	e := pageSetup(t)
	b1, b2, b3 := e.login(t, "chang"), e.login(t, "chang"), e.login(t, "chang")
	r := b1.get("/sessions")
	must(t, r, http.StatusOK, "当前登录")
	var ids []string
	for _, m := range sessionIDRE.FindAllStringSubmatch(r.body, -1) {
		if m[1] != "all" {
			ids = append(ids, m[1])
		}
	}
	if len(ids) < 2 {
		t.Fatalf("other sessions listed: %v", ids)
	}
	// A session id not the user's is refused.
	must(t, e.login(t, "wang").post("/sessions/end", url.Values{"id": {ids[0]}}), http.StatusNotFound)
	must(t, b1.post("/sessions/end", url.Values{"id": {ids[0]}}), http.StatusSeeOther)
	gone := 0
	for _, b := range []*browser{b2, b3} {
		if r := b.get("/leader"); r.status == http.StatusSeeOther {
			gone++
		}
	}
	if gone != 1 {
		t.Fatalf("%d sessions ended, want 1", gone)
	}
	b4 := e.login(t, "chang")
	const pw = "Another-pass-7"
	must(t, b1.post("/password", url.Values{"current": {testPassword}, "new": {pw}, "confirm": {pw}}), http.StatusSeeOther)
	defer func() {
		if err := e.users.ResetPassword("chang", testPassword); err != nil {
			t.Fatal(err)
		}
	}()
	if r := b4.get("/leader"); r.status != http.StatusSeeOther {
		t.Fatalf("another session after a password change: %d", r.status)
	}
	must(t, b1.get("/leader"), http.StatusOK)
	// The policy: the old password back, the username, two kinds: refused.
	for _, bad := range []string{testPassword, "chang-Chang-1", "onlylowercase1"} {
		r := b1.post("/password", url.Values{"current": {pw}, "new": {bad}, "confirm": {bad}})
		must(t, r, http.StatusUnprocessableEntity)
	}
}

// Disabling an account ends its sessions at once; the system administrator cannot
// give administrators' roles, and no administrator acts on their own account.
func TestAccountsAndSeparation(t *testing.T) {
	e := pageSetup(t)
	if err := e.users.Add(accounts.User{Username: "tmp-unit", Role: accounts.RoleUnit, Unit: "gaj"}, testPassword); err != nil {
		t.Fatal(err)
	}
	u := e.login(t, "tmp-unit")
	must(t, u.get("/my"), http.StatusOK)
	root, sec := e.login(t, "root"), e.login(t, "sec1")
	must(t, root.post("/users/tmp-unit/disable", nil), http.StatusSeeOther)
	if r := u.get("/my"); r.status != http.StatusSeeOther {
		t.Fatalf("a disabled account's session still works: %d", r.status)
	}
	u.get("/login")
	if r := u.post("/login", url.Values{"username": {"tmp-unit"}, "password": {testPassword}}); r.status != http.StatusUnauthorized {
		t.Fatalf("a disabled account signs in: %d", r.status)
	}
	must(t, root.post("/users", url.Values{"username": {"new-sec"}, "role": {"security"}, "password": {testPassword}}), http.StatusForbidden)
	must(t, root.post("/users/sec1/disable", nil), http.StatusForbidden)
	must(t, root.post("/users/root/remove", nil), http.StatusForbidden)
	must(t, sec.post("/security/sec1/role", url.Values{"role": {"admin"}}), http.StatusForbidden)
	must(t, root.post("/users/tmp-unit/remove", nil), http.StatusSeeOther)
	if x, ok, _ := e.users.Get("tmp-unit"); !ok || !x.Removed {
		t.Fatal("a removed account is not kept by name")
	}
	ev := strings.Join(events(t, e, "root"), " ")
	for _, want := range []string{seclog.AccountDisabled, seclog.AccountRemoved, seclog.Refused} {
		if !strings.Contains(ev, want) {
			t.Errorf("security log of root lacks %s: %s", want, ev)
		}
	}
}

// A form posted twice acts once: one after the other, at the same time, and at
// another console process.
func TestDoublePostActsOnce(t *testing.T) {
	e := setup(t)
	meeting := "cwh-twice-" + time.Now().Format("150405")
	e.adopted(t, meeting)
	id := relay.TaskID(meeting, 4) // lead 人社局
	b := e.login(t, "rsj1")
	r := b.get(TaskURL(id))
	must(t, r, http.StatusOK, `name="request_id"`)
	rid := regexp.MustCompile(`action="[^"]*/progress"[\s\S]*?name="request_id" value="([^"]+)"`).FindStringSubmatch(r.body)
	if rid == nil {
		t.Fatal("the progress form has no request id")
	}
	form := func(p string) url.Values {
		return url.Values{"percent": {p}, "note": {"两次提交"}, RequestIDField: {rid[1]}}
	}
	count := func() int {
		v, err := e.api.Task(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range v.Timeline {
			if ev.Action == relay.ActProgress {
				n++
			}
		}
		return n
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := b.post(TaskURL(id)+"/progress", form("30")); r.status != http.StatusSeeOther {
				t.Errorf("post %d: %d", i, r.status)
			}
		}()
	}
	wg.Wait()
	must(t, b.post(TaskURL(id)+"/progress", form("30")), http.StatusSeeOther)
	other, _ := observed(t, e) // another console process: only the engine's update id holds
	ob := other.login(t, "rsj1")
	ob.get(TaskURL(id))
	must(t, ob.post(TaskURL(id)+"/progress", form("30")), http.StatusSeeOther)
	if n := count(); n != 1 {
		t.Fatalf("the form acted %d times", n)
	}
	// A fresh form acts again.
	r = b.get(TaskURL(id))
	must(t, b.post(TaskURL(id)+"/progress", url.Values{"percent": {"50"}, "note": {"再报"}}), http.StatusSeeOther)
	if n := count(); n != 2 {
		t.Fatalf("a second form: %d progress events", n)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := pageSetup(t)
	res, err := http.Get(e.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for h, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
		"Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s: %q", h, got)
		}
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	for _, c := range res.Cookies() {
		if strings.HasPrefix(c.Name, "__Host-") {
			t.Errorf("__Host- cookie over plain HTTP: %s", c.Name)
		}
	}
}
