package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/accounts"
	"taskrelay/internal/actor"
	"taskrelay/internal/app"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/console/consoletest"
	"taskrelay/internal/evidence"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/seclog"
)

// The handler tests run the console against a real engine (the embedded one the
// worker runs), started once for the package.
var (
	envOnce sync.Once
	envErr  error
	shared  *testEnv
)

type testEnv struct {
	api   *relayclient.Client
	users *accounts.Store
	key   []byte
	now   atomic.Int64 // offset added to the session clock, in seconds
	srv   *httptest.Server
	s     *Server
	node  *app.App
	data  string
	// fake is the engine of a console on consoletest.Fake (api and node are then nil).
	fake *consoletest.Fake
}

const testPassword = "test-password-1"

func setup(t testing.TB) *testEnv {
	t.Helper()
	envOnce.Do(func() { shared, envErr = start() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return shared
}

func start() (*testEnv, error) {
	data, err := tempDir()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	cfg.TemporalAddress, cfg.DataDir, cfg.EngineAddr, cfg.Namespace, cfg.Directory = "", data, addr, "default", ""
	// The console's key, as Start makes it: the node's tasks trust it, and every
	// action the tests send through the console is signed with it.
	signer, err := actor.EnsureConsole(data, actor.TrustedFile(data))
	if err != nil {
		return nil, err
	}
	keys, err := actor.ReadKeys(actor.TrustedFile(data))
	if err != nil {
		return nil, err
	}
	n, err := app.Start(context.Background(), cfg, zap.NewNop())
	if err != nil {
		return nil, err
	}
	e := &testEnv{api: &relayclient.Client{T: n.Client, Signer: signer, TrustedKeys: keys}, node: n, data: data}
	e.users, err = accounts.Open(filepath.Join(data, accounts.UsersFile))
	if err != nil {
		return nil, err
	}
	for _, u := range testUsers() {
		if err := e.users.Add(u, testPassword); err != nil {
			return nil, err
		}
	}
	e.key, err = accounts.LoadKey("", data)
	if err != nil {
		return nil, err
	}
	sess := accounts.NewSessions(e.key, time.Hour)
	sess.Now = func() time.Time { return time.Now().Add(time.Duration(e.now.Load()) * time.Second) }
	dir, err := LoadDirectory("")
	if err != nil {
		return nil, err
	}
	bucket, err := blobstore.Open(context.Background(), "", data)
	if err != nil {
		return nil, err
	}
	e.s, err = New(Config{API: e.api, TrustedKeys: keys, Users: e.users, Sessions: sess, Directory: dir, PageSize: 5, Reports: report.NewArchive(n.Shared), Deliveries: notify.NewLedger(n.Shared, ""),
		Notices:     notify.NewRecords(n.Shared),
		SecurityLog: seclog.Open(filepath.Join(data, seclog.File)),
		Evidence:    relayclient.Evidence{Store: evidence.New(bucket, 1)}})
	if err != nil {
		return nil, err
	}
	e.srv = httptest.NewServer(e.s.Handler())
	return e, nil
}

// testUsers are the accounts every test console has, each with testPassword.
func testUsers() []accounts.User {
	return []accounts.User{
		{Username: "office1", Name: "办公室甲", Role: accounts.RoleOffice},
		{Username: "duban", Name: "督查员", Role: accounts.RoleInspection},
		{Username: "dubanhead", Name: "督查室主任", Role: accounts.RoleInspection, Signoff: accounts.SignoffReview},
		{Username: "officehead", Name: "办公室主任", Role: accounts.RoleOffice, Signoff: accounts.SignoffSign},
		{Username: "rsj1", Name: "人社局张三", Role: accounts.RoleUnit, Unit: "rsj"},
		{Username: "czj1", Name: "财政局李四", Role: accounts.RoleUnit, Unit: "czj"},
		{Username: "gaj1", Name: "公安局王五", Role: accounts.RoleUnit, Unit: "gaj"},
		{Username: "chang", Name: "李某", Role: accounts.RoleLeader, Leader: "ld-chang"},
		{Username: "wang", Name: "王某", Role: accounts.RoleLeader, Leader: "ld-wang"},
		{Username: "xz", Name: "杨某", Role: accounts.RoleLeader, Leader: "ld-xz"}, // the county head
		{Username: "root", Name: "管理员", Role: accounts.RoleAdmin},
		{Username: "sec1", Name: "安全员", Role: accounts.RoleSecurity},
		{Username: "aud1", Name: "审计员", Role: accounts.RoleAuditor},
		{Username: "prov1", Name: "省督查员", Role: accounts.RoleProvince},
		{Username: "gajhead", Name: "公安局负责人", Role: accounts.RoleUnitHead, Unit: "gaj"},
		{Username: "jtj1", Name: "交通运输局赵六", Role: accounts.RoleUnit, Unit: "jtj"},
		{Username: "jtjhead", Name: "交通运输局负责人", Role: accounts.RoleUnitHead, Unit: "jtj"},
	}
}

func tempDir() (string, error) { return os.MkdirTemp("", "taskrelay-console-test") }

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.srv.Close()
		shared.node.Stop()
		os.RemoveAll(shared.data)
	}
	os.Exit(code)
}

// browser is a cookie-keeping client that does not follow redirects, so tests see them.
type browser struct {
	t    *testing.T
	e    *testEnv
	c    *http.Client
	csrf string
}

func (e *testEnv) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

type resp struct {
	status int
	body   string
	loc    string
	header http.Header
}

func (b *browser) do(r *http.Request) resp {
	b.t.Helper()
	res, err := b.c.Do(r)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp{res.StatusCode, string(body), res.Header.Get("Location"), res.Header}
}

func (b *browser) get(path string) resp {
	b.t.Helper()
	r, _ := http.NewRequest("GET", b.e.srv.URL+path, nil)
	return b.do(r)
}

// post sends a form with the page's CSRF token (unless the form sets csrf_token).
func (b *browser) post(path string, form url.Values) resp {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form[CSRFField]; !ok {
		if b.csrf == "" {
			b.get("/login")
		}
		form.Set(CSRFField, b.csrf)
	}
	r, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

func (b *browser) upload(name string, data []byte, fields url.Values) resp {
	b.t.Helper()
	if b.csrf == "" {
		b.get("/upload")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	if _, ok := fields[CSRFField]; !ok {
		fields.Set(CSRFField, b.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	mw.Close()
	r, _ := http.NewRequest("POST", b.e.srv.URL+"/upload", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(r)
}

func (e *testEnv) login(t *testing.T, username string) *browser {
	t.Helper()
	b := e.browser(t)
	b.get("/login")
	r := b.post("/login", url.Values{"username": {username}, "password": {testPassword}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("login %s: status %d\n%s", username, r.status, r.body)
	}
	b.refresh()
	return b
}

// refresh opens a page with forms, as a browser does after signing in: the form token
// is bound to the session, so the login page's is no good any more.
func (b *browser) refresh() {
	b.t.Helper()
	if r := b.get("/sessions"); r.status == http.StatusSeeOther {
		b.get(r.loc)
	}
}

func must(t *testing.T, r resp, status int, wants ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, snippet(r.body))
	}
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			t.Fatalf("page lacks %q:\n%s", w, snippet(r.body))
		}
	}
}

func snippet(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 12000 {
		s = s[:12000]
	}
	return s
}

// testList is a task list whose dates follow today's, so the test means the same
// thing on any day: item 1 due in two months, item 2 already overdue.
func testList(meeting string) []byte {
	now := time.Now().In(relay.TimeZone)
	d := func(days int) string { return now.AddDate(0, 0, days).Format(relay.DateLayout) }
	return []byte(fmt.Sprintf(`meeting: {id: %s, name: 县委常委会测试会议%s, date: %s}
items:
  - {no: 1, title: 推进两险同宣同征, requirements: 一个窗口办结两险缴费, lead: 县医疗保障局, co: [县财政局], deadline: %s}
  - {no: 2, title: 全面推行大股室制, lead: 县委编办, co: [县人社局], leader: ld-chang, deadline: %s}
  - {no: 3, title: 筹办火把节活动, lead: 县文化和旅游局, co: [县公安局], deadline: %s}
  - {no: 4, title: 基金监管联合检查, lead: 人社局, deadline: %s}
  - {no: 5, title: 平安乡镇建设, lead: 平坡镇, deadline: %s}
  - {no: 6, title: 核桃产业提质增效, lead: 县林草局, deadline: %s}
  - {no: 7, title: 财政预算绩效管理, lead: 财政局, deadline: %s}
`, meeting, meeting, d(-30), d(60), d(-3), d(120), d(90), d(3), d(200), d(45)))
}

// adopted uploads and adopts a fresh meeting as the office and waits for dispatch.
func (e *testEnv) adopted(t *testing.T, meeting string) {
	t.Helper()
	off := e.login(t, "office1")
	r := off.upload(meeting+".yaml", testList(meeting), nil)
	must(t, r, http.StatusSeeOther)
	r = off.get(r.loc)
	must(t, r, http.StatusOK, "待县政府常务会议通过")
	must(t, off.post(MeetingURL(meeting)+"/adopt", nil), http.StatusSeeOther)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.api.WaitDispatched(ctx, meeting); err != nil {
		t.Fatal(err)
	}
	eventually(t, "tasks listed", func() bool {
		ts, err := e.api.Tasks(ctx, "RelayMeeting = '"+meeting+"'")
		return err == nil && len(ts) == 7
	})
}

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

func adminMustChange(name string) accounts.User {
	return accounts.User{Username: name, Role: accounts.RoleAdmin, MustChange: true}
}
