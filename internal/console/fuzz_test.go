package console

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/evidence"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/seclog"
	"taskrelay/internal/tasklist"
)

// The fuzz targets drive the console's handler directly (a panic reaches the fuzzer)
// against a real engine: in `go test` only their seed corpus runs
// (testdata/fuzz/<FuzzName>/), on the package's in-process engine. To explore, run
// the engine in a process of its own, since fuzzing measures coverage over the whole
// test process and an engine's background work there makes every input look new:
//
//	TASKRELAY_DATA=/tmp/fz TASKRELAY_ENGINE_ADDR=127.0.0.1:7299 TASKRELAY_HTTP_ADDR=127.0.0.1:0 go run ./worker &
//	TASKRELAY_FUZZ_ENGINE=127.0.0.1:7299 TASKRELAY_FUZZ_DATA=/tmp/fz go test ./console/ -run '^$' -fuzz '^FuzzLogin$' -fuzzminimizetime 3s -parallel 1
//
// Every answer must be below 500; a 4xx must say why in Chinese; and a refused
// request must leave the engine's and the users file's state as it was.

// fuzzConsole is a console on the package's engine whose accounts live in a users
// file of their own, so fuzzed accounts never meet the other tests' ones.
type fuzzConsole struct {
	e     *fuzzEngine
	s     *Server
	users *accounts.Store
	sess  *accounts.Sessions

	mu      sync.Mutex
	pool    []string // open tasks for FuzzTaskAction
	pools   int
	meeting string // a proposed meeting for FuzzAdopt
	// sessions: a live session cookie per user (see session)
	smu      sync.Mutex
	sessions map[string]string
}

const (
	fzSecret   = "fuzz-csrf-secret"
	fzPassword = "fuzz-password-1"
)

var (
	fzOnce sync.Once
	fz     *fuzzConsole
	fzErr  error
)

// fuzzEngine is the engine the fuzz targets use and the data folder of its worker.
type fuzzEngine struct {
	api  *relayclient.Client
	data string
	// archive is the reports' archive in the worker's default store (under data).
	archive *report.Archive
}

func fuzzSetup(f *testing.F) *fuzzConsole {
	f.Helper()
	fzOnce.Do(func() {
		var e fuzzEngine
		if addr := os.Getenv("TASKRELAY_FUZZ_ENGINE"); addr != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			e.data = os.Getenv("TASKRELAY_FUZZ_DATA")
			if e.api, fzErr = relayclient.Dial(ctx, config.Config{DataDir: e.data, EngineAddr: addr, Namespace: "default"}, nil, 0); fzErr != nil {
				return
			}
		} else {
			envOnce.Do(func() { shared, envErr = start() })
			if fzErr = envErr; fzErr != nil {
				return
			}
			e = fuzzEngine{api: shared.api, data: shared.data}
		}
		fz, fzErr = newFuzzConsole(&e)
	})
	if fzErr != nil {
		f.Fatal(fzErr)
	}
	return fz
}

func newFuzzConsole(e *fuzzEngine) (*fuzzConsole, error) {
	dir, err := os.MkdirTemp(e.data, "fuzz-users-")
	if err != nil {
		return nil, err
	}
	users, err := accounts.Open(filepath.Join(dir, accounts.UsersFile))
	if err != nil {
		return nil, err
	}
	// Lockout and slowing have their own tests: here the fuzzer's wrong passwords must
	// not lock the right one out.
	users.Policy.LockAfter = math.MaxInt32
	for _, u := range []accounts.User{
		{Username: "office1", Role: accounts.RoleOffice},
		{Username: "duban", Role: accounts.RoleInspection},
		{Username: "dubanhead", Role: accounts.RoleInspection, Signoff: accounts.SignoffReview},
		{Username: "officehead", Role: accounts.RoleOffice, Signoff: accounts.SignoffSign},
		{Username: "rsj1", Role: accounts.RoleUnit, Unit: "rsj"},
		{Username: "czj1", Role: accounts.RoleUnit, Unit: "czj"},
		{Username: "gaj1", Role: accounts.RoleUnit, Unit: "gaj"},
		{Username: "chang", Role: accounts.RoleLeader, Leader: "ld-chang"},
		{Username: "wang", Role: accounts.RoleLeader, Leader: "ld-wang"},
		{Username: "xz", Role: accounts.RoleLeader, Leader: "ld-xz"},
		{Username: "root", Role: accounts.RoleAdmin},
		{Username: "fzpw", Role: accounts.RoleOffice},
	} {
		if err := users.Add(u, fzPassword); err != nil {
			return nil, err
		}
	}
	sess := accounts.NewSessions([]byte("fuzz-session-key-fuzz-session-key!"), time.Hour)
	county, err := LoadDirectory("")
	if err != nil {
		return nil, err
	}
	bucket, err := blobstore.Open(context.Background(), "", dir)
	if err != nil {
		return nil, err
	}
	shared, err := blobstore.Open(context.Background(), "", e.data)
	if err != nil {
		return nil, err
	}
	e.archive = report.NewArchive(shared)
	s, err := New(Config{API: e.api, Users: users, Sessions: sess, Directory: county, PageSize: 5,
		Reports: e.archive, Deliveries: notify.NewLedger(shared, ""), SecurityLog: seclog.Open(filepath.Join(dir, seclog.File)),
		Evidence: relayclient.Evidence{Store: evidence.New(bucket, 1)}})
	if err != nil {
		return nil, err
	}
	return &fuzzConsole{e: e, s: s, users: users, sess: sess}, nil
}

// request builds a request for path (already escaped), with the browser's CSRF cookie.
func request(method, path string, body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(method, "/", bytes.NewReader(body))
	p, q, _ := strings.Cut(path, "?")
	u, err := url.Parse(p)
	if err != nil {
		panic(err)
	}
	r.URL.Path, r.URL.RawPath, r.URL.RawQuery = u.Path, u.RawPath, q
	r.RequestURI = path
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: fzSecret})
	// Every request from its own address, so that the login slowing never answers.
	n := fzAddr.Add(1)
	r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", byte(n>>16), byte(n>>8), byte(n))
	return r
}

var fzAddr atomic.Uint32

// serve answers r as user (signed in; "" for nobody).
func (z *fuzzConsole) serve(t *testing.T, r *http.Request, user string) *httptest.ResponseRecorder {
	t.Helper()
	if user != "" {
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: z.session(t, user)})
	}
	w := httptest.NewRecorder()
	z.s.Handler().ServeHTTP(w, r)
	return w
}

// session is a live session cookie of user: kept while it lasts (the form token is
// bound to it), a new one when it has ended.
func (z *fuzzConsole) session(t *testing.T, user string) string {
	t.Helper()
	z.smu.Lock()
	defer z.smu.Unlock()
	if v := z.sessions[user]; v != "" {
		if _, err := z.sess.Check(v, z.users); err == nil {
			return v
		}
	}
	u, ok, err := z.users.Get(user)
	if err != nil || !ok {
		t.Fatalf("fuzz user %s: %v", user, err)
	}
	v, _, err := z.sess.Issue(u, "192.0.2.1", "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	if z.sessions == nil {
		z.sessions = map[string]string{}
	}
	z.sessions[user] = v
	return v
}

// token is the form token user's browser holds: its session's, or before signing in
// its CSRF cookie's.
func (z *fuzzConsole) token(t *testing.T, user string) string {
	t.Helper()
	if user == "" {
		return z.sess.CSRFToken(fzSecret)
	}
	return z.sess.SessionCSRFToken(z.sess.ID(z.session(t, user)))
}

// post sends a form with the right CSRF token.
func (z *fuzzConsole) post(t *testing.T, path string, form url.Values, user string) *httptest.ResponseRecorder {
	t.Helper()
	form.Set(CSRFField, z.token(t, user))
	return z.serve(t, request("POST", path, []byte(form.Encode()), "application/x-www-form-urlencoded"), user)
}

var (
	errorRE = regexp.MustCompile(`id="error">([^<]*)</p>`)
	hanRE   = regexp.MustCompile(`\p{Han}`)
)

// checkAnswer: never 5xx; a 4xx carries a message in Chinese.
func checkAnswer(t *testing.T, w *httptest.ResponseRecorder, what string) {
	t.Helper()
	body := w.Body.String()
	m := errorRE.FindStringSubmatch(body)
	if w.Code >= 500 {
		t.Fatalf("%s: status %d: %v", what, w.Code, m)
	}
	if w.Code >= 400 && (m == nil || !hanRE.MatchString(m[1])) {
		t.Fatalf("%s: status %d without a message in Chinese:\n%s", what, w.Code, snippet(body))
	}
}

// sameSite: where a browser goes with this Location stays on this site. Browsers
// drop tabs and newlines from a URL and read '\' as '/'.
func sameSite(loc string) bool {
	l := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	l = strings.TrimLeft(l, " \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
	return strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//")
}

func hasSession(w *httptest.ResponseRecorder) bool {
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie && c.Value != "" {
			return true
		}
	}
	return false
}

// FuzzLogin: the login form and the post-login redirect.
func FuzzLogin(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, username, password, next string) {
		w := z.post(t, "/login", url.Values{"username": {username}, "password": {password}, "next": {next}}, "")
		checkAnswer(t, w, "POST /login")
		_, known, _ := z.users.Get(strings.TrimSpace(username))
		switch w.Code {
		case http.StatusSeeOther:
			if !known || password != fzPassword {
				t.Fatalf("signed in %q with %q", username, password)
			}
			if loc := w.Header().Get("Location"); !sameSite(loc) {
				t.Fatalf("after login, sent away to %q (next %q)", loc, next)
			}
			if !hasSession(w) {
				t.Fatal("signed in without a session")
			}
		case http.StatusUnauthorized:
			if known && password == fzPassword {
				t.Fatalf("refused the right password for %q", username)
			}
		default:
			if w.Code < 400 {
				t.Fatalf("login: status %d", w.Code)
			}
		}
		if w.Code != http.StatusSeeOther && hasSession(w) {
			t.Fatal("a refused login set a session")
		}
		// Signed in already, the login page sends the browser on to next.
		w = z.serve(t, request("GET", "/login?"+url.Values{"next": {next}}.Encode(), nil, ""), "duban")
		checkAnswer(t, w, "GET /login")
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || !sameSite(loc) {
			t.Fatalf("GET /login?next=%q: %d to %q", next, w.Code, loc)
		}
	})
}

var fuzzActors = []string{"rsj1", "czj1", "gaj1", "duban", "chang", "wang", "office1", "root"}

// fuzzTask is an open task: the head of a pool of tasks (lead rsj, supporting czj,
// deputy ld-chang), refilled with a new meeting when every one is closed.
func (z *fuzzConsole) fuzzTask(t *testing.T) string {
	t.Helper()
	z.mu.Lock()
	defer z.mu.Unlock()
	ctx := context.Background()
	for len(z.pool) > 0 {
		v, err := z.e.api.Task(ctx, z.pool[0])
		if err == nil && v.State != relay.StateClosed && v.State != relay.StateWithdrawn {
			return z.pool[0]
		}
		z.pool = z.pool[1:]
	}
	z.pools++
	m := fmt.Sprintf("cwh-fz-task-%d-%d", os.Getpid(), z.pools)
	deadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 60).Format(relay.DateLayout)
	var b strings.Builder
	fmt.Fprintf(&b, "meeting: {id: %s, name: 模糊测试会议, date: %s}\nitems:\n", m, time.Now().In(relay.TimeZone).Format(relay.DateLayout))
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&b, "  - {no: %d, title: 模糊测试事项%d, lead: 人社局, co: [县财政局], leader: ld-chang, deadline: %s}\n", i, i, deadline)
		z.pool = append(z.pool, relay.TaskID(m, i))
	}
	z.adoptNew(t, m, b.String(), true)
	return z.pool[0]
}

func (z *fuzzConsole) adoptNew(t *testing.T, m, list string, adopt bool) {
	t.Helper()
	ctx := context.Background()
	plan, err := tasklist.Parse(m+".yaml", []byte(list), z.s.cfg.Directory, tasklist.MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := z.e.api.Submit(ctx, *plan); err != nil {
		t.Fatal(err)
	}
	if !adopt {
		return
	}
	if _, err := z.e.api.Adopt(ctx, m, relay.AdoptRequest{By: "fuzz"}); err != nil {
		t.Fatal(err)
	}
	if _, err := z.e.api.WaitDispatched(ctx, m); err != nil {
		t.Fatal(err)
	}
}

func (z *fuzzConsole) taskState(t *testing.T, id string) (relay.TaskView, string) {
	t.Helper()
	v, err := z.e.api.Task(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ext := ""
	if v.Extension != nil {
		ext = v.Extension.Until + "|" + v.Extension.Reason
	}
	return v, fmt.Sprintf("state=%s progress=%d events=%d deadline=%s ext=%q", v.State, v.Progress, len(v.Timeline), v.Deadline, ext)
}

// FuzzTaskAction: every task form (ack, progress, extend, decide-extension, complete,
// verify) by any role, with any fields.
func FuzzTaskAction(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, actor byte, action, percent, note, until, reason, decision string) {
		id := z.fuzzTask(t)
		user := fuzzActors[int(actor)%len(fuzzActors)]
		_, before := z.taskState(t, id)
		path := TaskURL(id) + "/" + url.PathEscape(action)
		w := z.post(t, path, url.Values{"percent": {percent}, "note": {note}, "until": {until}, "reason": {reason},
			"decision": {decision}, "form": {action}}, user)
		checkAnswer(t, w, "POST "+path+" as "+user)
		v, after := z.taskState(t, id)
		if w.Code != http.StatusSeeOther {
			if after != before {
				t.Fatalf("refused (%d) but changed: %s -> %s", w.Code, before, after)
			}
			return
		}
		if n := len(v.Timeline); after == before || n == 0 || v.Timeline[n-1].User != user {
			t.Fatalf("accepted %s as %s but the timeline does not show it: %s -> %s", action, user, before, after)
		}
	})
}

// FuzzUpload: the upload form, any file name (paths included) and any content.
func FuzzUpload(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, filename string, body []byte, meetingID, meetingName, meetingDate string) {
		ctx := context.Background()
		known := func() []string {
			ms, err := z.e.api.Meetings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			slices.Sort(ids)
			return ids
		}
		before := known()
		_, formErr := z.e.api.Meeting(ctx, strings.TrimSpace(meetingID))
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField(CSRFField, z.token(t, "office1"))
		_ = mw.WriteField("meeting_id", meetingID)
		_ = mw.WriteField("meeting_name", meetingName)
		_ = mw.WriteField("meeting_date", meetingDate)
		fw, _ := mw.CreateFormFile("file", filename)
		_, _ = fw.Write(body)
		_ = mw.Close()
		w := z.serve(t, request("POST", "/upload", buf.Bytes(), mw.FormDataContentType()), "office1")
		checkAnswer(t, w, fmt.Sprintf("upload %q", filename))
		// A path in the file name is never echoed.
		if base := filepath.Base(strings.ReplaceAll(filename, `\`, "/")); base != filename && strings.ContainsAny(filename, `/\`) &&
			strings.Contains(w.Body.String(), html.EscapeString(filename)) {
			t.Fatalf("the page shows the uploaded path %q", filename)
		}
		if w.Code == http.StatusSeeOther {
			loc := w.Header().Get("Location")
			id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/meetings/"), "?")
			id, _ = url.PathUnescape(id)
			v, err := z.e.api.Meeting(ctx, id)
			if err != nil {
				t.Fatalf("accepted upload, meeting %s: %v", id, err)
			}
			if strings.ContainsAny(v.SourceFile, `/\`) {
				t.Fatalf("the meeting keeps a path as its file: %q", v.SourceFile)
			}
			// Wait until it is listed, so the next input's comparison is fair.
			eventually(t, "meeting listed", func() bool { return slices.Contains(known(), id) })
			return
		}
		if w.Code < 400 {
			t.Fatalf("upload: status %d", w.Code)
		}
		if after := known(); !slices.Equal(before, after) {
			t.Fatalf("a refused upload (%d) changed the meetings: %v -> %v", w.Code, before, after)
		}
		if formErr != nil {
			if _, err := z.e.api.Meeting(ctx, strings.TrimSpace(meetingID)); err == nil {
				t.Fatalf("a refused upload (%d) created %s", w.Code, meetingID)
			}
		}
	})
}

// fuzzMeeting is a proposed meeting of three items for FuzzAdopt (a new one after
// each adoption).
func (z *fuzzConsole) fuzzMeeting(t *testing.T) string {
	t.Helper()
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.meeting != "" {
		return z.meeting
	}
	z.pools++
	m := fmt.Sprintf("cwh-fz-adopt-%d-%d", os.Getpid(), z.pools)
	deadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 60).Format(relay.DateLayout)
	z.adoptNew(t, m, fmt.Sprintf(`meeting: {id: %s, name: 模糊通过测试, date: %s}
items:
  - {no: 1, title: 事项一, lead: 人社局, deadline: %s}
  - {no: 2, title: 事项二, lead: 公安局, deadline: %s}
  - {no: 3, title: 事项三, lead: 财政局, leader: ld-chang, deadline: %s}
`, m, time.Now().In(relay.TimeZone).Format(relay.DateLayout), deadline, deadline, deadline), false)
	z.meeting = m
	return m
}

// FuzzAdopt: the adoption form with any changes of deputy (the form is read as a
// query string, so keys vary too).
func FuzzAdopt(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, formText string) {
		ctx := context.Background()
		m := z.fuzzMeeting(t)
		form, _ := url.ParseQuery(formText)
		if form == nil {
			form = url.Values{}
		}
		delete(form, CSRFField)
		snap := func() (relay.MeetingView, string) {
			v, err := z.e.api.Meeting(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			return v, fmt.Sprintf("state=%s by=%s deputies=%v", v.State, v.AdoptedBy, v.Deputies)
		}
		v0, before := snap()
		w := z.post(t, MeetingURL(m)+"/adopt", form, "office1")
		checkAnswer(t, w, "adopt "+formText)
		_, after := snap()
		if w.Code != http.StatusSeeOther {
			if after != before {
				t.Fatalf("refused (%d) but changed: %s -> %s", w.Code, before, after)
			}
			return
		}
		z.mu.Lock()
		z.meeting = "" // adopted: the next input gets a new meeting
		z.mu.Unlock()
		if _, err := z.e.api.WaitDispatched(ctx, m); err != nil {
			t.Fatal(err)
		}
		for _, it := range v0.Items {
			want := it.Deputy
			if d := form.Get(fmt.Sprintf("deputy_%d", it.No)); d != "" {
				want = d
			}
			tv, err := z.e.api.Task(ctx, relay.TaskID(m, it.No))
			if err != nil {
				t.Fatal(err)
			}
			if tv.Deputy != want {
				t.Fatalf("item %d: deputy %s, want %s (form %q)", it.No, tv.Deputy, want, formText)
			}
		}
	})
}

// FuzzPageIDs: ids and action names in paths (task, meeting, report file).
func FuzzPageIDs(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, actor byte, id, action string) {
		user := fuzzActors[int(actor)%len(fuzzActors)]
		e := url.PathEscape
		for _, c := range []struct{ method, path string }{
			{"GET", "/tasks/" + e(id)},
			{"POST", "/tasks/" + e(id) + "/" + e(action)},
			{"GET", "/meetings/" + e(id)},
			{"POST", "/meetings/" + e(id) + "/adopt"},
			{"GET", "/reports/" + e(id) + "/" + e(action)},
			{"GET", "/notices/" + e(id)},
		} {
			var w *httptest.ResponseRecorder
			if c.method == "GET" {
				w = z.serve(t, request("GET", c.path, nil, ""), user)
			} else {
				w = z.post(t, c.path, url.Values{"note": {"模糊"}, "percent": {"1"}}, user)
			}
			if w.Code == http.StatusMovedPermanently || w.Code == http.StatusTemporaryRedirect {
				continue // the router's cleaning of a path like "/tasks/.."
			}
			checkAnswer(t, w, c.method+" "+c.path+" as "+user)
		}
	})
}

var taskLinkRE = regexp.MustCompile(`href="/tasks/([^"?]+)"`)

// FuzzBoardFilter: the query strings of the board, "my tasks" and the deputy's page.
// A unit's or a deputy's own filter cannot be widened.
func FuzzBoardFilter(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, who byte, rawQuery string) {
		page := []struct{ path, user string }{{"/board", "duban"}, {"/my", "rsj1"}, {"/leader", "chang"}}[int(who)%3]
		r := request("GET", page.path, nil, "")
		r.URL.RawQuery = rawQuery
		w := z.serve(t, r, page.user)
		checkAnswer(t, w, "GET "+page.path+"?"+rawQuery)
		if w.Code != http.StatusOK || page.path == "/board" {
			return
		}
		seen := map[string]bool{}
		for _, m := range taskLinkRE.FindAllStringSubmatch(w.Body.String(), -1) {
			id, _ := url.PathUnescape(html.UnescapeString(m[1]))
			if seen[id] || len(seen) >= 8 {
				continue
			}
			seen[id] = true
			v, err := z.e.api.Task(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if (page.path == "/my" && !v.IsUnitOf("rsj")) || (page.path == "/leader" && v.Deputy != "ld-chang") {
				t.Fatalf("%s?%s shows %s, not %s's", page.path, rawQuery, id, page.user)
			}
		}
	})
}

// FuzzAddUser: the administrator's form for a new account.
func FuzzAddUser(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, username, name, role, unit, leader, password, signoff string) {
		before, err := z.users.List()
		if err != nil {
			t.Fatal(err)
		}
		w := z.post(t, "/users", url.Values{"username": {username}, "name": {name}, "role": {role}, "unit": {unit},
			"leader": {leader}, "password": {password}, "signoff": {signoff}}, "root")
		checkAnswer(t, w, "add user")
		after, err := z.users.List()
		if err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusSeeOther {
			if len(after) != len(before) {
				t.Fatalf("refused (%d) but %d users became %d", w.Code, len(before), len(after))
			}
			return
		}
		u, ok, _ := z.users.Get(strings.TrimSpace(username))
		if !ok || len(after) != len(before)+1 || u.Role != role || u.Signoff != signoff || u.Check() != nil {
			t.Fatalf("accepted %q but stored %+v (%v)", username, u, ok)
		}
		if _, err := z.users.Authenticate(u.Username, password); err != nil {
			t.Fatalf("the new account does not sign in: %v", err)
		}
	})
}

// FuzzChangePassword: the password form (the password is put back afterwards).
func FuzzChangePassword(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, current, next, confirm string) {
		u0, _, _ := z.users.Get("fzpw")
		w := z.post(t, "/password", url.Values{"current": {current}, "new": {next}, "confirm": {confirm}}, "fzpw")
		checkAnswer(t, w, "change password")
		u1, _, _ := z.users.Get("fzpw")
		if w.Code != http.StatusSeeOther {
			if u1.Hash != u0.Hash {
				t.Fatalf("refused (%d) but the password changed", w.Code)
			}
			return
		}
		if current != fzPassword || next != confirm {
			t.Fatalf("changed with current %q, new %q, confirm %q", current, next, confirm)
		}
		if _, err := z.users.Authenticate("fzpw", next); err != nil {
			t.Fatalf("the new password does not sign in: %v", err)
		}
		if err := z.users.ResetPassword("fzpw", fzPassword); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzReports: the form that runs a report now, and the archive's file paths.
func FuzzReports(f *testing.F) {
	z := fuzzSetup(f)
	f.Fuzz(func(t *testing.T, month, asOf string) {
		list := func() string {
			l, err := z.e.archive.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, x := range l {
				fmt.Fprintf(&b, "%s@%s;", x.Month, x.GeneratedAt)
			}
			return b.String()
		}
		before := list()
		w := z.post(t, "/reports", url.Values{"month": {month}, "as_of": {asOf}}, "duban")
		checkAnswer(t, w, fmt.Sprintf("run report %q %q", month, asOf))
		if w.Code != http.StatusSeeOther && list() != before {
			t.Fatalf("refused (%d) but the archive changed", w.Code)
		}
		r := request("GET", "/reports/"+url.PathEscape(month)+"/"+url.PathEscape(asOf), nil, "")
		if w := z.serve(t, r, "chang"); w.Code != http.StatusMovedPermanently {
			checkAnswer(t, w, "report file")
		}
	})
}

// FuzzReportSignoff: the sign-off form (审核/签发) with any month, step, decision, note
// and signer: never a 5xx; a refusal leaves the month's sign-off record as it was.
func FuzzReportSignoff(f *testing.F) {
	z := fuzzSetup(f)
	const draft = "2021-03"
	if so, err := z.e.archive.ReadSignoff(context.Background(), draft); err != nil || so == nil {
		if _, err := z.e.api.RunReport(context.Background(), report.Request{Month: draft}); err != nil {
			f.Fatal(err)
		}
	}
	signers := []string{"dubanhead", "officehead", "duban", "office1", "root", "rsj1"}
	f.Fuzz(func(t *testing.T, month, step, decision, note string, who uint8) {
		record := func() string {
			if _, err := report.ParseMonth(month); err != nil {
				return ""
			}
			so, _ := z.e.archive.ReadSignoff(context.Background(), month)
			if so == nil {
				return "none"
			}
			return fmt.Sprintf("%s/%d", so.State, len(so.Timeline))
		}
		before := record()
		form := url.Values{"step": {step}, "decision": {decision}, "note": {note}}
		w := z.post(t, "/reports/"+url.PathEscape(month)+"/signoff", form, signers[int(who)%len(signers)])
		checkAnswer(t, w, fmt.Sprintf("sign-off %q %q %q", month, step, decision))
		if w.Code != http.StatusSeeOther && record() != before {
			t.Fatalf("refused (%d) but the sign-off changed: %s -> %s", w.Code, before, record())
		}
	})
}
