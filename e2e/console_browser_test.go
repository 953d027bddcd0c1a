package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"taskrelay/internal/accounts"
	"taskrelay/internal/console"
)

// The browser tests drive Debian's chromium headless against the real console, the
// real engine and worker (in process), as officials would use them. Without a
// chromium they skip, unless TASKRELAY_REQUIRE_BROWSER=1 (CI sets it).
// TASKRELAY_DOCS_SCREENSHOTS=1 also writes the pages to docs/screenshots/.

func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TASKRELAY_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium found (apt-get install chromium)")
	}
	t.Skip("no chromium found; install it with apt-get install chromium")
	return ""
}

// page is one browser tab on the console.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	docs string // where docs screenshots go; empty: none
}

func newBrowser(t *testing.T, base string) *page {
	exe := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 4*time.Minute)
	p := &page{t: t, ctx: ctx, base: strings.TrimSuffix(base, "/")}
	if os.Getenv("TASKRELAY_DOCS_SCREENSHOTS") == "1" {
		p.docs = filepath.Join(repoRoot(t), "docs", "screenshots")
		if err := os.MkdirAll(p.docs, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			p.failureShot()
		}
		cancelC()
		cancelB()
		cancelA()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return p
}

// failureShot saves what the browser showed when a test failed.
func (p *page) failureShot() {
	dir := os.Getenv("TASKRELAY_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "taskrelay-browser-failures")
	}
	_ = os.MkdirAll(dir, 0o755)
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("failure screenshot: %v", err)
		return
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.png", strings.ReplaceAll(p.t.Name(), "/", "_"), time.Now().Unix()))
	if err := os.WriteFile(path, png, 0o644); err == nil {
		p.t.Logf("screenshot of the failure: %s", path)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		p.t.Logf("page at failure: %s", loc)
	}
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path))
}

func (p *page) set(css, value string) {
	p.t.Helper()
	p.do("fill "+css, chromedp.SetValue(chromedp.CSS(css), value))
}

func (p *page) click(css string) {
	p.t.Helper()
	p.do("click "+css, chromedp.Click(chromedp.CSS(css)))
}

// text is an element's visible text ("" when it is not there).
func (p *page) text(css string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(function(){var e=document.querySelector(%q);return e?e.innerText:""})()`, css)))
	if err != nil {
		return ""
	}
	return s
}

// see waits until css shows want (pages navigate after a click; this polls).
func (p *page) see(css, want string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if last = p.text(css); strings.Contains(last, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("%s never showed %q; last: %q", css, want, last)
}

// seeAfterReload reloads path until css shows want (lists read the eventually
// consistent visibility store).
func (p *page) seeAfterReload(path, css, want string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p.open(path)
		if strings.Contains(p.text(css), want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s on %s never showed %q; last: %q", css, path, want, p.text(css))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (p *page) shot(name string) {
	p.t.Helper()
	if p.docs == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(p.docs, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) login(user, password, wantName string) {
	p.t.Helper()
	p.open("/login")
	p.set("#username", user)
	p.set("#password", password)
	p.click("#login-form button[type=submit]")
	p.see("#current-user", wantName)
}

func (p *page) logout() {
	p.t.Helper()
	p.click(`form[action="/logout"] button`)
	p.see(".flash", "已退出登录")
}

// startConsole serves the console of county c on a free port, as the worker does.
func startConsole(t *testing.T, c *county) *console.Running {
	con, err := console.Start(console.Env{Addr: "127.0.0.1:0", DataDir: c.data}, c.api(), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(con.Stop)
	return con
}

// userAdd runs `starter user add` against the county's data folder.
func userAdd(t *testing.T, c *county, password string, args ...string) {
	t.Helper()
	cmd := exec.Command(starterBin, append([]string{"user", "add"}, args...)...)
	cmd.Env = append(append(os.Environ(), "TASKRELAY_DATA="+c.data, "TASKRELAY_DIRECTORY="), c.env...)
	cmd.Stdin = strings.NewReader(password + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("starter user add %v: %v\n%s", args, err, out)
	}
	firstPasswordSet(t, c.data, args[0])
}

// firstPasswordSet stands for the person's own first-login password change (which
// `starter user add` requires), so that tests of other things sign straight in. The
// change itself is driven in TestBrowserListToClosedTask and the console's tests.
func firstPasswordSet(t *testing.T, data, username string) {
	t.Helper()
	store, err := accounts.Open(filepath.Join(data, accounts.UsersFile))
	if err == nil {
		err = store.Update(username, func(u *accounts.User) error { u.MustChange = false; return nil })
	}
	if err != nil {
		t.Fatalf("first password of %s: %v", username, err)
	}
}

// TestBrowserListToClosedTask: a newcomer's path in a real browser. The generated
// administrator logs in with the one-time password and must change it, adds the
// office's account; the office uploads a list with mistakes (every one shown), then
// the sample spreadsheet, and adopts it; a unit acknowledges, reports progress and
// submits completion; the inspection office finds it on the board, verifies it and
// runs and opens the monthly report.
func TestBrowserListToClosedTask(t *testing.T) {
	c := newCounty(t)
	c.start()
	con := startConsole(t, c)
	if con.AdminPassword == "" {
		t.Fatal("first start created no administrator")
	}
	userAdd(t, c, "Yibao-pass-1", "rsj1", "--role", "unit", "--unit", "县医疗保障局", "--name", "人社局张三", "--password-stdin")
	userAdd(t, c, "Ducha-pass-1", "duban", "--role", "inspection", "--name", "督查室王五", "--password-stdin")
	p := newBrowser(t, con.URL)

	// The administrator's first login.
	p.open("/login")
	p.shot("login")
	p.login("admin", con.AdminPassword, "系统管理员")
	p.see("h1", "修改密码")
	p.see(".flash", "首次登录")
	// The password policy: two kinds of character are not enough.
	p.set("#current", con.AdminPassword)
	p.set("#new", "onlylowercase")
	p.set("#confirm", "onlylowercase")
	p.click("main form button[type=submit]")
	p.see("#error", "至少三类")
	p.set("#current", con.AdminPassword)
	p.set("#new", "Guanli-new-2026")
	p.set("#confirm", "Guanli-new-2026")
	p.click("main form button[type=submit]")
	p.see(".flash", "密码已修改")
	p.open("/users")
	p.set("#u-username", "office1")
	p.set("#u-name", "政府办刘六")
	p.set("#u-role", "office")
	p.set("#u-password", "Zhengfu-pass-1")
	p.click("#add-user")
	p.see(".flash", "已添加用户 office1")
	p.see("#users", "政府办刘六")
	p.logout()

	// The office: a list with mistakes first, then the sample spreadsheet.
	// An account the administrator made sets its own password at the first login.
	p.login("office1", "Zhengfu-pass-1", "政府办刘六")
	p.see("h1", "修改密码")
	p.see(".flash", "首次登录")
	p.set("#current", "Zhengfu-pass-1")
	p.set("#new", "Zhengfu-own-2026")
	p.set("#confirm", "Zhengfu-own-2026")
	p.click("main form button[type=submit]")
	p.see(".flash", "密码已修改")
	bad := filepath.Join(t.TempDir(), "有错误的清单.yaml")
	if err := os.WriteFile(bad, []byte(`meeting: {id: cwh-bad, name: 县委常委会测试会议, date: 2026-09-15}
items:
  - {no: 1, title: 有未知单位, lead: 县水务局, deadline: 2026-12-31}
  - {no: 2, title: "", lead: 县财政局, deadline: 2026-13-45}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	p.open("/upload")
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}))
	p.click("#upload")
	p.see("#error", "未通过校验")
	p.see("#problems", "县水务局")
	p.see("#problems", "第2项")
	p.see("#problems", "title")
	p.see("#problems", "deadline")
	p.shot("upload-problems")

	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{filepath.Join(repoRoot(t), "examples", "tasklist.xlsx")}))
	p.set("#meeting_id", "cwh-2026-12")
	p.set("#meeting_name", "县委常委会2026年第12次会议")
	p.set("#meeting_date", "2026-09-15")
	p.click("#upload")
	p.see(".flash", "已通过校验并提交")
	p.see("#meeting-state", "待县政府常务会议通过")
	p.see("#adopt-form", "推进社保医保")
	p.set("#deputy_10", "ld-zhao") // the executive meeting changes one deputy
	p.shot("meeting-proposed")
	p.click("#adopt")
	p.see(".flash", "已通过并交办")
	p.seeAfterReload("/meetings/cwh-2026-12", "#notices", "各单位收到的交办单（")
	p.seeAfterReload("/meetings/cwh-2026-12", "main", "县人力资源和社会保障局")
	p.shot("meeting-adopted")
	p.logout()

	// The unit.
	p.login("rsj1", "Yibao-pass-1", "人社局张三")
	p.seeAfterReload("/my", "#h-pending", "待签收")
	p.see("main", "推进社保医保")
	p.shot("my-tasks")
	p.click(`a[href="/tasks/cwh-2026-12:1"]`)
	p.see("#task-title", "推进社保医保")
	p.see("main", "县委常委会会议原文")
	p.click("#ack")
	p.see(".flash", "已签收")
	p.see("#task-state", "已签收")
	p.set("#percent", "60")
	p.set("#progress-note", "两险同宣同征窗口已在政务服务中心设立")
	p.click("#report-progress")
	p.see(".flash", "进展已报告")
	p.see("#task-progress", "60%")
	p.see("#timeline", "人社局张三（rsj1）")
	p.set("#complete-note", "两险缴费已在一个窗口办结，年度征缴目标完成")
	p.click("#submit-completion")
	p.see(".flash", "办结情况已报送")
	p.see("#task-state", "待审核办结")
	p.logout()

	// The inspection office.
	p.login("duban", "Ducha-pass-1", "督查室王五")
	p.seeAfterReload("/board", "#counts", "共 10 项")
	p.shot("board")
	p.seeAfterReload("/board?state=completion_submitted", "main table", "推进社保医保")
	p.click(`a[href="/tasks/cwh-2026-12:1"]`)
	p.see("#task-state", "待审核办结")
	p.shot("task-verify")
	p.click("#v-accept")
	p.set("#verify-note", "同意销号")
	p.click("#verify")
	p.see(".flash", "审核意见已记录")
	p.see("#task-state", "已办结")
	p.see("#timeline", "审核通过（销号）")
	p.see("#timeline", "督查室王五（duban）")
	p.shot("task-closed")
	p.seeAfterReload("/board?state=closed", "#counts", "共 1 项")

	// The monthly report, run now and opened.
	p.open("/reports")
	p.click("#run-report")
	p.see(".flash", "月度报告")
	p.see("#reports", "督查通报（网页）")
	p.shot("reports")
	p.click(`#reports a[href$=".html"]`)
	p.see("body", "关于县委常委会会议确定事项落实情况的通报")
	p.see("body", "县人民政府督查室")
	p.shot("report-tongbao")

	// The board on a phone.
	p.do("phone viewport", chromedp.EmulateViewport(390, 844))
	p.open("/board")
	p.see("#counts", "共 10 项")
	p.shot("board-phone")

	// What the engine recorded, under the people's names.
	v, err := c.api().Task(context.Background(), "cwh-2026-12:1")
	if err != nil {
		t.Fatal(err)
	}
	if v.State != "closed" {
		t.Fatalf("task state %s", v.State)
	}
	byUser := map[string]bool{}
	for _, e := range v.Timeline {
		byUser[e.User] = true
	}
	if !byUser["rsj1"] || !byUser["duban"] {
		t.Fatalf("timeline not recorded under the users' names: %+v", v.Timeline)
	}
	if v10, _ := c.api().Task(context.Background(), "cwh-2026-12:10"); v10.Deputy != "ld-zhao" {
		t.Fatalf("deputy change in the browser not adopted: %q", v10.Deputy)
	}
}
