package console

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
	"taskrelay/internal/tasklist"
)

// The attacker's side: each test here tries what a probe of the console tried, and
// fails if the console lets it through.

// Guessing the password through the password form, from a live session: the wrong
// answers count against the account's lock as login failures do, are logged alike,
// and at the lock the session ends; the right password is refused while locked.
func TestPasswordFormGuessingLocks(t *testing.T) {
	e, now := clocked(t, pageSetup(t))
	b := e.login(t, "victim")
	guess := func(pw string) resp {
		return b.post("/password", url.Values{"current": {pw}, "new": {"Brand-new-pass-9"}, "confirm": {"Brand-new-pass-9"}})
	}
	for i := 1; i < e.users.Policy.LockAfter; i++ {
		must(t, guess("guess-Number-"+itoa(i)), http.StatusUnprocessableEntity, "当前密码不正确")
		*now = now.Add(time.Second)
	}
	r := guess("guess-Number-last")
	must(t, r, http.StatusUnauthorized, "已锁定")
	if u, _, _ := e.users.Get("victim"); !e.users.Locked(u) {
		t.Fatalf("five wrong current passwords did not lock the account: %+v", u)
	}
	// The session is over: a page sends to the login, a form is refused.
	if r := b.get("/board"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/login") {
		t.Fatalf("the session lives on after the lock: %d %q", r.status, r.loc)
	}
	if r := guess(testPassword); r.status == http.StatusSeeOther {
		t.Fatal("the password changed after the lock")
	}
	// The right password is refused while locked, from a fresh browser too.
	fresh := e.browser(t)
	fresh.get("/login")
	must(t, fresh.post("/login", url.Values{"username": {"victim"}, "password": {testPassword}}), http.StatusUnauthorized, "已锁定")
	got := strings.Join(events(t, e, "victim"), " ")
	want := "login login_failed login_failed login_failed login_failed login_failed locked session_ended"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("security log: %s\nwant it to start %s", got, want)
	}
}

// 三员分立: no administrator changes or disables an administrator's (or the province
// account's) role from the console, nor gives one; the auditor keeps the log.
func TestPrivilegedRolesNotChangedFromConsole(t *testing.T) {
	e := pageSetup(t)
	sec, root := e.login(t, "sec1"), e.login(t, "root")
	before, _ := e.users.List()
	for _, try := range []struct {
		b    *browser
		path string
		form url.Values
	}{
		{sec, "/security/root/role", url.Values{"role": {"unit"}, "unit": {"gaj"}}},
		{sec, "/security/aud1/role", url.Values{"role": {"office"}}},
		{sec, "/security/prov1/role", url.Values{"role": {"inspection"}}},
		{sec, "/security/rsj1/role", url.Values{"role": {"auditor"}}},
		{sec, "/security/rsj1/role", url.Values{"role": {"admin"}}},
		{root, "/users/aud1/disable", nil},
		{root, "/users/sec1/remove", nil},
		{root, "/users/prov1/disable", nil},
	} {
		if r := try.b.post(try.path, try.form); r.status != http.StatusForbidden {
			t.Errorf("%s %v: %d, want 403", try.path, try.form, r.status)
		}
	}
	after, _ := e.users.List()
	for i := range before {
		if before[i].Role != after[i].Role || before[i].Disabled != after[i].Disabled || before[i].Removed != after[i].Removed {
			t.Errorf("%s changed: %s/%v -> %s/%v", before[i].Username, before[i].Role, before[i].Disabled, after[i].Role, after[i].Disabled)
		}
	}
	must(t, e.login(t, "aud1").get("/security-log"), http.StatusOK)
	r := sec.get("/security")
	must(t, r, http.StatusOK, "starter user role")
	for _, role := range []string{"admin", "security", "auditor", "province"} {
		if strings.Contains(r.body, `<option value="`+role+`"`) {
			t.Errorf("the roles form offers %s", role)
		}
	}
}

// A demotion or disabling of a privileged account (made on the server) is shown to
// the auditor apart, whatever date the page is filtered from.
func TestPrivilegeRevokedShownToAuditor(t *testing.T) {
	e, _ := clocked(t, pageSetup(t))
	if err := e.users.Add(accounts.User{Username: "aud", Role: accounts.RoleAuditor}, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := e.s.cfg.SecurityLog.Append(seclog.Entry{At: time.Now().Add(-48 * time.Hour), User: "host:root", IP: "本机",
		Event: seclog.PrivilegeRevoked, Detail: "在服务器上将账号 sec1 的角色由 安全管理员 改为 责任单位经办人gaj"}); err != nil {
		t.Fatal(err)
	}
	r := e.login(t, "aud").get("/security-log?since=" + time.Now().Format("2006-01-02"))
	must(t, r, http.StatusOK, `id="privileged-log"`, "特权账号的降级与停用", "sec1 的角色由 安全管理员")
}

// Every account the administrator makes sets its own password at its first login.
func TestAdministratorMadeAccountMustChangePassword(t *testing.T) {
	e := pageSetup(t)
	name := "newbie" + time.Now().Format("150405")
	root := e.login(t, "root")
	must(t, root.post("/users", url.Values{"username": {name}, "role": {"office"}, "password": {"Initial-pass-1"}}), http.StatusSeeOther)
	b := e.browser(t)
	b.get("/login")
	r := b.post("/login", url.Values{"username": {name}, "password": {"Initial-pass-1"}})
	if r.status != http.StatusSeeOther || r.loc != "/password" {
		t.Fatalf("first login of an account the administrator made: %d %q", r.status, r.loc)
	}
	b.get("/password")
	if r := b.get("/meetings"); r.status != http.StatusSeeOther || r.loc != "/password" {
		t.Fatalf("pages open before the first password change: %d %q", r.status, r.loc)
	}
	must(t, b.post("/password", url.Values{"current": {"Initial-pass-1"}, "new": {"Own-choice-2026"}, "confirm": {"Own-choice-2026"}}), http.StatusSeeOther)
	b.refresh()
	must(t, b.get("/meetings"), http.StatusOK)
}

// The CSRF token is bound to the session: the token and CSRF cookie of another
// browser (the attacker's own, planted beside the victim's session) are refused.
func TestCSRFTokenBoundToSession(t *testing.T) {
	e := pageSetup(t)
	// The attacker's browser, before and after signing in: a cookie secret and its token.
	att := e.browser(t)
	att.get("/login")
	srv, _ := url.Parse(e.srv.URL)
	var secret string
	for _, c := range att.c.Jar.Cookies(srv) {
		if c.Name == CSRFCookie {
			secret = c.Value
		}
	}
	preToken := att.csrf
	attSigned := e.login(t, "wang")
	victim := e.login(t, "chang")
	// The attacker plants the CSRF cookie in the victim's browser (a sibling host can)
	// and has the victim's browser post the matching token.
	victim.c.Jar.SetCookies(srv, []*http.Cookie{{Name: CSRFCookie, Value: secret, Path: "/"}})
	for _, token := range []string{preToken, attSigned.csrf} {
		r := victim.post("/sessions/end", url.Values{"id": {"all"}, CSRFField: {token}})
		must(t, r, http.StatusForbidden, "安全令牌")
	}
	// The victim's own page still works.
	victim.refresh()
	must(t, victim.post("/sessions/end", url.Values{"id": {"all"}}), http.StatusSeeOther)
}

// A username differing from an existing one only in case or by look-alike characters
// (full-width forms, 0 for o, 1 for l) is refused; nothing is added.
func TestLookalikeUsernamesRefused(t *testing.T) {
	e := pageSetup(t)
	root := e.login(t, "root")
	root.get("/users")
	before, _ := e.users.List()
	for _, name := range []string{"ROOT", "Root", "r00t", "ｒｏｏｔ", "RSJ1", "rsjl", "Chang"} {
		r := root.post("/users", url.Values{"username": {name}, "role": {"office"}, "password": {"Lookalike-pass-1"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("username %q beside an existing one: %d", name, r.status)
		}
	}
	if after, _ := e.users.List(); len(after) != len(before) {
		t.Fatalf("%d accounts added", len(after)-len(before))
	}
}

// Failures at one account from an address slow that account from that address, not
// a colleague's right password from behind the same gateway; the account still locks.
func TestThrottlePerAddressAndAccount(t *testing.T) {
	e, now := clocked(t, pageSetup(t))
	if err := e.users.Add(accounts.User{Username: "colleague", Role: accounts.RoleInspection}, testPassword); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	b.get("/login")
	for i := 0; i < 3; i++ {
		must(t, b.post("/login", url.Values{"username": {"victim"}, "password": {"wrong-Password1"}}), http.StatusUnauthorized)
	}
	must(t, b.post("/login", url.Values{"username": {"victim"}, "password": {"wrong-Password1"}}), http.StatusTooManyRequests)
	c := e.browser(t) // the same address: every test request comes from 127.0.0.1
	c.get("/login")
	must(t, c.post("/login", url.Values{"username": {"colleague"}, "password": {testPassword}}), http.StatusSeeOther)
	*now = now.Add(2 * time.Second)
	must(t, b.post("/login", url.Values{"username": {"victim"}, "password": {"wrong-Password1"}}), http.StatusUnauthorized)
	*now = now.Add(3 * time.Second)
	must(t, b.post("/login", url.Values{"username": {"victim"}, "password": {"wrong-Password1"}}), http.StatusUnauthorized, "已锁定")
}

var leaderOptionRE = regexp.MustCompile(`<select id="u-leader" name="leader">([\s\S]*?)</select>`)
var optionValueRE = regexp.MustCompile(`<option value="([^"]*)"`)

// The county head's account: the form offers the county head among the leaders, and
// the server takes exactly what the form offers (ids from its list), nothing else.
func TestLeaderAccountsExactlyAsOffered(t *testing.T) {
	e := pageSetup(t)
	root := e.login(t, "root")
	r := root.get("/users")
	m := leaderOptionRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no leader list on the users form")
	}
	var offered []string
	for _, o := range optionValueRE.FindAllStringSubmatch(m[1], -1) {
		if o[1] != "" {
			offered = append(offered, o[1])
		}
	}
	head := e.s.cfg.Directory.Head.ID
	if !strings.Contains(strings.Join(offered, " "), head) {
		t.Fatalf("the form does not offer the county head %s: %v", head, offered)
	}
	stamp := time.Now().Format("150405")
	for i, id := range offered {
		name := "ld" + stamp + "x" + itoa(i)
		must(t, root.post("/users", url.Values{"username": {name}, "role": {"leader"}, "leader": {id}, "password": {"Leader-pass-1"}}), http.StatusSeeOther)
		if u, _, _ := e.users.Get(name); u.Leader != id {
			t.Fatalf("leader %s: account has %q", id, u.Leader)
		}
	}
	// Not offered: a leader's name (the form sends ids), a unit's id, an unknown id.
	for i, v := range []string{e.s.cfg.Directory.Head.Name, e.s.cfg.Directory.Leaders[0].Name, "gaj", "ld-nobody"} {
		name := "ldbad" + stamp + "x" + itoa(i)
		if r := root.post("/users", url.Values{"username": {name}, "role": {"leader"}, "leader": {v}, "password": {"Leader-pass-1"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("leader %q, not on the form: %d", v, r.status)
		}
	}
}

// At most five sessions at once: the sixth login ends the least recently used, which
// 我的登录 no longer lists, and the security log says so.
func TestConcurrentSessionCap(t *testing.T) {
	e, now := clocked(t, pageSetup(t))
	var bs []*browser
	for i := 0; i < accounts.MaxSessions+1; i++ {
		bs = append(bs, e.login(t, "victim"))
		*now = now.Add(time.Minute)
	}
	if r := bs[0].get("/board"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/login") {
		t.Fatalf("the oldest of six sessions still works: %d %q", r.status, r.loc)
	}
	for _, b := range bs[1:] {
		must(t, b.get("/board"), http.StatusOK)
	}
	r := bs[len(bs)-1].get("/sessions")
	must(t, r, http.StatusOK, "当前登录", `id="session-cap"`, "最多同时登录 5 处")
	if n := strings.Count(r.body, `<td data-label="登录时间">`); n != accounts.MaxSessions {
		t.Fatalf("我的登录 lists %d sessions, want %d", n, accounts.MaxSessions)
	}
	all, _ := seclog.Read(e.s.cfg.SecurityLog.Path(), time.Time{})
	found := false
	for _, x := range all {
		found = found || (x.Event == seclog.SessionEnded && strings.Contains(x.Detail, "同时登录超过"))
	}
	if !found {
		t.Fatal("the ended session is not in the security log")
	}
}

// /static/ lists nothing; static files, the router's redirects and refusals carry the
// security headers the pages carry.
func TestStaticAndRedirectsCarryHeaders(t *testing.T) {
	e := pageSetup(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, try := range []struct {
		path   string
		status int
	}{
		{"/static/", http.StatusNotFound},
		{"/static/style.css", http.StatusOK},
		{"/static/favicon.svg", http.StatusOK},
		{"/static", http.StatusTemporaryRedirect},
		{"/board", http.StatusSeeOther},
		{"/a/../board", http.StatusTemporaryRedirect},
		{"/healthz", http.StatusOK},
	} {
		res, err := c.Get(e.srv.URL + try.path)
		if err != nil {
			t.Fatal(err)
		}
		body := make([]byte, 4096)
		n, _ := res.Body.Read(body)
		res.Body.Close()
		if res.StatusCode != try.status {
			t.Errorf("%s: %d, want %d", try.path, res.StatusCode, try.status)
		}
		if strings.Contains(string(body[:n]), `href="style.css"`) {
			t.Errorf("%s lists the folder", try.path)
		}
		for h, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
			if got := res.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s: %s is %q", try.path, h, got)
			}
		}
	}
}

// An edited security log: the auditor sees the entries up to the break, the break,
// and no "passed".
func TestBrokenChainShowsEntriesUpToBreak(t *testing.T) {
	e, _ := clocked(t, pageSetup(t))
	if err := e.users.Add(accounts.User{Username: "aud", Role: accounts.RoleAuditor}, testPassword); err != nil {
		t.Fatal(err)
	}
	aud := e.login(t, "aud")
	log := e.s.cfg.SecurityLog
	for _, d := range []string{"第一条", "第二条", "被改的一条", "断裂之后"} {
		if err := log.Append(seclog.Entry{User: "someone", IP: "10.0.0.9", Event: seclog.Refused, Detail: d}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(log.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log.Path(), []byte(strings.Replace(string(data), "被改的一条", "改过的一条", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := aud.get("/security-log")
	for _, want := range []string{"第一条", "第二条", `id="chain-break"`, "哈希链断裂"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"校验通过", "改过的一条", "断裂之后"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("the page shows %q", bad)
		}
	}
}

// formRequestID is the request id of the form with the given id on a page.
func formRequestID(t *testing.T, body, formID string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + formID + `">[\s\S]*?name="request_id" value="([^"]+)"[\s\S]*?</form>`).FindStringSubmatch(body)
	if m == nil || strings.Contains(m[0][:strings.Index(m[0], "request_id")], "</form>") {
		t.Fatalf("the form %s carries no request id", formID)
	}
	return m[1]
}

// The unit head's forms (assign, head review) carry a request id like every other:
// sent twice, at once or one after the other, each acts once.
func TestHeadFormsSentTwiceActOnce(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	meeting := "cwh-headtwice-" + time.Now().Format("150405.000")
	deadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 60).Format(relay.DateLayout)
	list := fmt.Sprintf("meeting: {id: %s, name: 重复提交测试会议, date: 2026-09-15}\nitems:\n  - {no: 1, title: 重复提交测试事项, lead: 公安局, leader: ld-chang, deadline: %s}\n", meeting, deadline)
	plan, err := tasklist.Parse(meeting+".yaml", []byte(list), e.s.cfg.Directory, tasklist.MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Submit(ctx, *plan); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Adopt(ctx, meeting, relay.AdoptRequest{By: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.WaitDispatched(ctx, meeting); err != nil {
		t.Fatal(err)
	}
	id := relay.TaskID(meeting, 1)
	count := func(act string) int {
		v, err := e.api.Task(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range v.Timeline {
			if ev.Action == act {
				n++
			}
		}
		return n
	}
	twice := func(b *browser, path string, form url.Values) {
		t.Helper()
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := b.post(path, form); r.status != http.StatusSeeOther {
					t.Errorf("%s: %d", path, r.status)
				}
			}()
		}
		wg.Wait()
		if r := b.post(path, form); r.status != http.StatusSeeOther {
			t.Errorf("%s, a third time: %d", path, r.status)
		}
	}
	head, officer := e.login(t, "gajhead"), e.login(t, "gaj1")
	rid := formRequestID(t, head.get(TaskURL(id)).body, "form-assign")
	twice(head, TaskURL(id)+"/assign", url.Values{"person": {"gaj1"}, RequestIDField: {rid}})
	if n := count(relay.ActAssigned); n != 1 {
		t.Fatalf("the assign form sent three times acted %d times", n)
	}
	officer.get(TaskURL(id))
	must(t, officer.post(TaskURL(id)+"/complete", url.Values{"note": {"已办结"}}), http.StatusSeeOther)
	rid = formRequestID(t, head.get(TaskURL(id)).body, "form-head-review")
	twice(head, TaskURL(id)+"/head-review", url.Values{"decision": {"return"}, "note": {"请补充"}, RequestIDField: {rid}})
	if n := count(relay.ActHeadReturned); n != 1 {
		t.Fatalf("the head-review form sent three times acted %d times", n)
	}
}

// The data folder is the service user's alone: after an adoption (outbox, notice
// records) and a progress report with a file (evidence in the blob store), no folder
// or file in it, the engine's SQLite database included, is open to group or others.
func TestDataFolderIsPrivate(t *testing.T) {
	e := setup(t)
	meeting := "cwh-private-" + time.Now().Format("150405")
	e.adopted(t, meeting)
	id := relay.TaskID(meeting, 4) // lead 人社局
	b := e.login(t, "rsj1")
	b.get(TaskURL(id))
	must(t, b.postFiles(TaskURL(id)+"/progress", url.Values{"percent": {"10"}, "note": {"附件"}},
		map[string][]byte{"方案.pdf": []byte("%PDF-1.4\n%%EOF\n")}), http.StatusSeeOther)
	var files, open int
	err := filepath.WalkDir(e.data, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a temporary file gone meanwhile
		}
		info, err := d.Info()
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		files++
		if info.Mode().Perm()&0o077 != 0 {
			open++
			if open <= 40 {
				t.Errorf("%s is %v", strings.TrimPrefix(path, e.data), info.Mode().Perm())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if open > 0 {
		t.Fatalf("%d of %d entries in the data folder are open to others", open, files)
	}
	t.Logf("%d entries in the data folder, all 0700/0600", files)
}
