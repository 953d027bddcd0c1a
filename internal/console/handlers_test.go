package console

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"taskrelay/internal/gongwen"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
)

func TestLoginPageAndLogin(t *testing.T) {
	e, _ := fakeSetup(t)
	b := e.browser(t)
	r := b.get("/login")
	must(t, r, http.StatusOK, `action="/login"`, `method="post"`, `name="username"`, `name="password"`, `name="csrf_token"`, `lang="zh-CN"`, `<label for="username">用户名</label>`)

	// No CSRF token: refused before the password is even looked at.
	r = b.post("/login", url.Values{"username": {"duban"}, "password": {testPassword}, "csrf_token": {""}})
	must(t, r, http.StatusForbidden, "安全令牌")
	r = b.post("/login", url.Values{"username": {"duban"}, "password": {"wrong-password"}})
	must(t, r, http.StatusUnauthorized, "用户名或密码不正确")
	r = b.post("/login", url.Values{"username": {"nobody"}, "password": {testPassword}})
	must(t, r, http.StatusUnauthorized, "用户名或密码不正确")

	r = b.post("/login", url.Values{"username": {"duban"}, "password": {testPassword}, "next": {"/board?light=red"}})
	if r.status != http.StatusSeeOther || r.loc != "/board?light=red" {
		t.Fatalf("login: %d %q", r.status, r.loc)
	}
	// An open redirect is not followed.
	r = b.post("/login", url.Values{"username": {"duban"}, "password": {testPassword}, "next": {"//evil.example/"}})
	if r.loc != "/" {
		t.Fatalf("next=//evil: redirected to %q", r.loc)
	}
	must(t, b.get("/board"), http.StatusOK, "督查看板", "督查员（县政府督查室）")
	must(t, b.post("/logout", nil), http.StatusSeeOther)
	if r := b.get("/board"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/login?") {
		t.Fatalf("after logout: %d %q", r.status, r.loc)
	}
}

func TestNoSessionAndExpiredSession(t *testing.T) {
	e, _ := fakeSetup(t)
	b := e.browser(t)
	r := b.get("/board")
	if r.status != http.StatusSeeOther || r.loc != "/login?next=%2Fboard" {
		t.Fatalf("no session: %d %q", r.status, r.loc)
	}
	must(t, b.post("/tasks/x:1/ack", nil), http.StatusUnauthorized)

	b = e.login(t, "duban")
	must(t, b.get("/board"), http.StatusOK)
	e.now.Store(int64((2 * time.Hour).Seconds())) // the session lasts one hour here
	defer e.now.Store(0)
	r = b.get("/board")
	if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "expired=1") {
		t.Fatalf("expired session: %d %q", r.status, r.loc)
	}
	must(t, b.get(r.loc), http.StatusOK, "登录已过期")
	// An expired session cannot act either (a form posted from a stale page).
	e.now.Store(0)
	b2 := e.login(t, "rsj1")
	b2.get("/my")
	e.now.Store(int64((2 * time.Hour).Seconds()))
	must(t, b2.post("/tasks/x:1/ack", nil), http.StatusUnauthorized, "登录已过期")
}

func TestWrongRoleIsRefused(t *testing.T) {
	e, f := fakeSetup(t)
	cases := []struct {
		user, method, path string
	}{
		{"rsj1", "GET", "/board"},
		{"rsj1", "GET", "/upload"},
		{"rsj1", "GET", "/meetings"},
		{"rsj1", "GET", "/users"},
		{"rsj1", "GET", "/leader"},
		{"chang", "GET", "/board"},
		{"chang", "GET", "/my"},
		{"duban", "GET", "/upload"},
		{"duban", "POST", "/upload"},
		{"duban", "GET", "/my"},
		{"duban", "POST", "/meetings/cwh-x/adopt"},
		{"office1", "GET", "/users"},
		{"office1", "POST", "/users"},
		{"office1", "POST", "/tasks/cwh-x:1/verify"},
		{"office1", "POST", "/tasks/cwh-x:1/ack"},
		{"rsj1", "POST", "/tasks/cwh-x:1/verify"},
		{"rsj1", "POST", "/tasks/cwh-x:1/decide-extension"},
		{"chang", "POST", "/tasks/cwh-x:1/progress"},
		{"chang", "POST", "/tasks/cwh-x:1/verify"},
		{"root", "POST", "/tasks/cwh-x:1/complete"},
	}
	for _, c := range cases {
		b := e.login(t, c.user)
		b.get("/password") // any page: picks up the form token
		var r resp
		if c.method == "GET" {
			r = b.get(c.path)
		} else {
			r = b.post(c.path, url.Values{"note": {"x"}, "percent": {"10"}, "decision": {"accept"}})
		}
		if r.status != http.StatusForbidden {
			t.Errorf("%s %s %s: status %d, want 403", c.user, c.method, c.path, r.status)
		}
	}
	if calls := f.Calls(); len(calls) > 0 {
		t.Fatalf("a refused request reached the engine: %+v", calls)
	}
}

func TestUploadShowsEveryProblemAndStartsNothing(t *testing.T) {
	e, f := fakeSetup(t)
	b := e.login(t, "office1")
	must(t, b.get("/upload"), http.StatusOK, `enctype="multipart/form-data"`, `accept=".xlsx,.docx,.yaml,.yml,.json"`)
	bad := `meeting: {id: cwh-bad-upload, name: 测试会议, date: 2026-09-15}
items:
  - {no: 1, title: 未知单位, lead: 县水务局, deadline: 2026-12-31}
  - {no: 1, title: 序号重复, lead: 县财政局, deadline: 2026-12-31}
  - {no: 3, title: "", lead: 县财政局, deadline: 2026-12-31}
  - {no: 4, title: 日期不对, lead: 县财政局, deadline: 2026-13-45}
  - {no: 6, title: 未知领导, lead: 县财政局, leader: 无此人, deadline: 2026-12-31}
`
	r := b.upload("bad.yaml", []byte(bad), nil)
	must(t, r, http.StatusUnprocessableEntity, `id="problems"`, "bad.yaml", "未启动任何流程",
		"<td data-label=\"位置\">第1项</td><td data-label=\"字段\">lead</td>", "县水务局",
		"第3项</td><td data-label=\"字段\">title", "第4项</td><td data-label=\"字段\">deadline", "第6项</td><td data-label=\"字段\">leader")
	// The meeting fields typed in are kept for the next try.
	r = b.upload("list.xlsx", []byte("not a spreadsheet"), url.Values{"meeting_id": {"cwh-kept"}})
	must(t, r, http.StatusUnprocessableEntity, "list.xlsx", `value="cwh-kept"`)
	must(t, b.upload("list.csv", []byte("a,b"), nil), http.StatusUnprocessableEntity, ".xlsx")
	// Too large: refused before it is read.
	big := make([]byte, uploadLimit+1024)
	must(t, b.upload("big.json", big, nil), http.StatusRequestEntityTooLarge)

	if calls := f.Calls(); len(calls) > 0 {
		t.Fatalf("a rejected list reached the engine: %+v", calls)
	}
}

func TestMissingCSRFChangesNothing(t *testing.T) {
	e, f := fakeSetup(t)
	e.dispatched(t, "cwh-csrf")
	b := e.login(t, "rsj1")
	id := relay.TaskID("cwh-csrf", 1)
	must(t, b.get(TaskURL(id)), http.StatusOK, `id="form-ack"`)
	for _, tok := range []string{"", "forged-token"} {
		r := b.post(TaskURL(id)+"/ack", url.Values{"csrf_token": {tok}})
		must(t, r, http.StatusForbidden, "安全令牌")
	}
	// Another browser's token does not fit this browser's cookie.
	other := e.login(t, "rsj1")
	other.get("/my")
	must(t, b.post(TaskURL(id)+"/ack", url.Values{"csrf_token": {other.csrf + "x"}}), http.StatusForbidden)
	off := e.login(t, "office1")
	off.get("/upload")
	r := off.upload("x.yaml", testList("cwh-csrf-2"), url.Values{"csrf_token": {""}})
	must(t, r, http.StatusForbidden)
	if calls := f.Calls(); len(calls) > 0 {
		t.Fatalf("a refused form reached the engine: %+v", calls)
	}
}

func TestOtherUnitsTaskIsRefused(t *testing.T) {
	e, f := fakeSetup(t)
	e.dispatched(t, "cwh-scope")
	id := relay.TaskID("cwh-scope", 1) // lead rsj, co czj; deputy ld-chang
	gaj := e.login(t, "gaj1")
	must(t, gaj.get(TaskURL(id)), http.StatusForbidden, "无权查看")
	gaj.get("/my")
	must(t, gaj.post(TaskURL(id)+"/progress", url.Values{"percent": {"50"}, "note": {"越权"}}), http.StatusForbidden)
	must(t, gaj.post(TaskURL(id)+"/complete", url.Values{"note": {"越权"}}), http.StatusForbidden)
	// Its own lists do not show the task.
	r := gaj.get("/my")
	must(t, r, http.StatusOK, "县公安局")
	if strings.Contains(r.body, "推进两险同宣同征") {
		t.Fatal("another unit's task is on /my")
	}
	// A unit cannot widen its list with a filter: the unit filter is fixed.
	r = gaj.get("/my?unit=rsj")
	if strings.Contains(r.body, "推进两险同宣同征") {
		t.Fatal("/my?unit=rsj shows rsj's task to gaj")
	}
	// A deputy sees only the portfolio.
	wang := e.login(t, "wang")
	must(t, wang.get(TaskURL(id)), http.StatusForbidden)
	wang.get("/leader")
	must(t, wang.post(TaskURL(id)+"/decide-extension", url.Values{"decision": {"approve"}}), http.StatusForbidden)
	// A supporting unit may see and act.
	czj := e.login(t, "czj1")
	must(t, czj.get(TaskURL(id)), http.StatusOK, `id="form-progress"`)
	if calls := f.Calls(); len(calls) > 0 {
		t.Fatalf("refused actions reached the engine: %+v", calls)
	}
}

func TestUnknownTaskAndBadFilters(t *testing.T) {
	e, _ := fakeSetup(t)
	b := e.login(t, "duban")
	must(t, b.get("/tasks/cwh-none:1"), http.StatusNotFound, "找不到")
	must(t, b.get("/board?unit="+url.QueryEscape("rsj' OR RelayState != 'x")), http.StatusBadRequest, "筛选条件无效")
	must(t, b.get("/board?light=purple"), http.StatusBadRequest)
	must(t, b.get("/board?meeting="+url.QueryEscape("a'b")), http.StatusBadRequest)
	must(t, b.get("/board?page=0"), http.StatusBadRequest)
	b.get("/board")
	must(t, b.post("/tasks/cwh-none:1/bogus", nil), http.StatusNotFound)
}

// TestWholePath: the office uploads and adopts, changing a deputy; units report and
// submit; a deputy decides an extension; the inspection office verifies; each page
// shows what happened, under the names of the people who did it.
func TestWholePath(t *testing.T) {
	e := setup(t)
	const m = "cwh-path"
	off := e.login(t, "office1")
	r := off.upload("path.yaml", testList(m), nil)
	must(t, r, http.StatusSeeOther)
	if r.loc != "/meetings/cwh-path?done=submitted" {
		t.Fatalf("upload redirect %q", r.loc)
	}
	r = off.get(r.loc)
	must(t, r, http.StatusOK, "已通过校验并提交", `id="deputy_3"`, "推进两险同宣同征", "县人力资源和社会保障局")
	// Uploading the same list again creates nothing.
	r = off.upload("path.yaml", testList(m), nil)
	if r.loc != "/meetings/cwh-path?done=exists" {
		t.Fatalf("second upload: %d %q", r.status, r.loc)
	}
	must(t, off.post(MeetingURL(m)+"/adopt", url.Values{"deputy_3": {"nobody"}}), http.StatusUnprocessableEntity, "没有县领导")
	must(t, off.post(MeetingURL(m)+"/adopt", url.Values{"deputy_3": {"ld-zhao"}}), http.StatusSeeOther)
	ctx := context.Background()
	if _, err := e.api.WaitDispatched(ctx, m); err != nil {
		t.Fatal(err)
	}
	r = off.get(MeetingURL(m))
	must(t, r, http.StatusOK, "已通过并交办", "各单位收到的交办单", "县人力资源和社会保障局", "由 办公室甲（县政府办公室）通过")
	v3, _ := e.api.Task(ctx, relay.TaskID(m, 3))
	if v3.Deputy != "ld-zhao" {
		t.Fatalf("deputy change not adopted: %s", v3.Deputy)
	}

	id := relay.TaskID(m, 1)
	rsj := e.login(t, "rsj1")
	eventually(t, "task on /my", func() bool { return strings.Contains(rsj.get("/my").body, "推进两险同宣同征") })
	must(t, rsj.get("/my"), http.StatusOK, "待签收")
	must(t, rsj.get("/notices"), http.StatusOK, "县委常委会测试会议cwh-path", "第1项 推进两险同宣同征", "牵头")
	// The id's ':' may come escaped.
	must(t, rsj.get("/tasks/cwh-path%3A1"), http.StatusOK, `id="form-ack"`, "县委常委会会议原文", "县医疗保障局")
	r = rsj.post(TaskURL(id)+"/ack", nil)
	if r.status != http.StatusSeeOther || r.loc != "/tasks/cwh-path:1?done=ack" {
		t.Fatalf("ack: %d %q %s", r.status, r.loc, snippet(r.body))
	}
	must(t, rsj.get(r.loc), http.StatusOK, "已签收。", "人社局张三（rsj1）")
	must(t, rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"160"}, "note": {"x"}}), http.StatusUnprocessableEntity, "0 到 100")
	// A note over the cap is refused here with the same limit the engine checks; the
	// form says the limit to the browser.
	long := strings.Repeat("进", relay.MaxNoteRunes+1)
	must(t, rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"10"}, "note": {long}}), http.StatusUnprocessableEntity, "进展情况过长", "最多 2000 字")
	must(t, rsj.get(TaskURL(id)), http.StatusOK, `maxlength="2000"`)
	// A refusal by the engine is shown on the page, and the text typed is kept.
	r = rsj.post(TaskURL(id)+"/extend", url.Values{"until": {"2000-01-01"}, "reason": {"等待省级文件"}})
	must(t, r, http.StatusConflict, "不晚于现完成时限", "等待省级文件")
	must(t, rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"60"}, "note": {"窗口已设立"}, "form": {"progress"}}), http.StatusSeeOther)
	newDeadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 100).Format(relay.DateLayout)
	must(t, rsj.post(TaskURL(id)+"/extend", url.Values{"until": {newDeadline}, "reason": {"等待省级文件"}}), http.StatusSeeOther)

	chang := e.login(t, "chang")
	eventually(t, "extension on /leader", func() bool { return strings.Contains(chang.get("/leader").body, "申请延期至 "+newDeadline) })
	must(t, chang.get(TaskURL(id)), http.StatusOK, `id="form-decide"`)
	must(t, chang.post(TaskURL(id)+"/decide-extension", url.Values{"decision": {"approve"}, "note": {"同意"}}), http.StatusSeeOther)

	czj := e.login(t, "czj1")
	must(t, czj.post(TaskURL(id)+"/complete", url.Values{"note": {"已全面实施"}, "form": {"complete"}}), http.StatusSeeOther)
	must(t, czj.get(TaskURL(id)), http.StatusOK, "待审核办结", "已报送办结")

	duban := e.login(t, "duban")
	eventually(t, "board shows the submitted task", func() bool {
		return strings.Contains(duban.get("/board?meeting="+m+"&state=completion_submitted").body, "推进两险同宣同征")
	})
	must(t, duban.get(TaskURL(id)), http.StatusOK, `id="form-verify"`)
	must(t, duban.post(TaskURL(id)+"/verify", url.Values{"decision": {"reject"}}), http.StatusConflict, "退回须写明理由")
	must(t, duban.post(TaskURL(id)+"/verify", url.Values{"decision": {"accept"}, "note": {"同意销号"}}), http.StatusSeeOther)
	r = duban.get(TaskURL(id))
	must(t, r, http.StatusOK, "已办结", "审核通过（销号）", "同意销号", "督查员（duban）", "李某（chang）", "财政局李四（czj1）", "进度 60%：窗口已设立", "完成时限（原文）")
	if strings.Contains(r.body, `id="form-verify"`) {
		t.Fatal("a closed task still offers verification")
	}
	v, _ := e.api.Task(ctx, id)
	users := map[string]bool{}
	for _, ev := range v.Timeline {
		users[ev.User] = true
	}
	for _, u := range []string{"rsj1", "chang", "czj1", "duban"} {
		if !users[u] {
			t.Errorf("timeline lacks an action by %s: %+v", u, v.Timeline)
		}
	}
	if v.Deadline != newDeadline || v.State != relay.StateClosed {
		t.Fatalf("task: %s %s", v.Deadline, v.State)
	}
	// A unit cannot act on a closed task.
	must(t, rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"70"}, "note": {"x"}}), http.StatusConflict, "已办结")
}

func TestBoardFiltersAndRedFirst(t *testing.T) {
	e, _ := fakeSetup(t)
	const m = "cwh-board"
	e.dispatched(t, m)
	b := e.login(t, "duban")
	r := b.get("/board?meeting=" + m)
	must(t, r, http.StatusOK, "红灯 1", "黄灯 1", "共 <strong>7</strong> 项", "第 1 / 2 页", `rel="next"`)
	// Red first: the overdue item leads, then the yellow one, then green by deadline.
	first := strings.Index(r.body, "row-red")
	if first < 0 || strings.Index(r.body, "row-green") < first || strings.Index(r.body, "row-yellow") < first {
		t.Fatal("red rows are not first")
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatal("no next page link")
	}
	r2 := b.get(html.UnescapeString(next[1]))
	must(t, r2, http.StatusOK, "第 2 / 2 页", `rel="first"`, "（第 6–7 项）")
	if strings.Contains(r2.body, `rel="next"`) || strings.Contains(r2.body, "row-red") {
		t.Fatal("page 2 repeats page 1 or offers a page 3")
	}
	// Every task is on exactly one of the two pages.
	for no := 1; no <= 7; no++ {
		link := `href="/tasks/` + m + `:` + strconv.Itoa(no) + `"`
		if strings.Contains(r.body, link) == strings.Contains(r2.body, link) {
			t.Errorf("task %d is on both pages or neither", no)
		}
	}
	must(t, b.get("/board?at=9.AA"), http.StatusBadRequest)
	r = b.get("/board?meeting=" + m + "&light=red")
	must(t, r, http.StatusOK, "共 <strong>1</strong> 项", "全面推行大股室制")
	r = b.get("/board?meeting=" + m + "&unit=czj")
	must(t, r, http.StatusOK, "共 <strong>2</strong> 项", "推进两险同宣同征", "财政预算绩效管理")
	r = b.get("/board?meeting=" + m + "&deputy=ld-zhao")
	must(t, r, http.StatusOK, "共 <strong>1</strong> 项", "核桃产业提质增效")
	r = b.get("/board?meeting=" + m + "&state=dispatched")
	must(t, r, http.StatusOK, "共 <strong>7</strong> 项")
	// Due this month: only what falls in the current calendar month.
	now := time.Now().In(relay.TimeZone)
	want := 0
	for _, days := range []int{60, -3, 120, 90, 3, 200, 45} {
		d := now.AddDate(0, 0, days)
		if d.Month() == now.Month() && d.Year() == now.Year() {
			want++
		}
	}
	r = b.get("/board?meeting=" + m + "&due=1")
	must(t, r, http.StatusOK, "共 <strong>"+itoa(want)+"</strong> 项")

	office := e.login(t, "office1")
	r = office.get("/board?meeting=" + m)
	must(t, r, http.StatusOK, "共 <strong>7</strong> 项")
	leader := e.login(t, "chang")
	r = leader.get("/leader?meeting=" + m)
	must(t, r, http.StatusOK, "全部分管任务", "全面推行大股室制", "推进两险同宣同征")
	if strings.Contains(r.body, "核桃产业提质增效") {
		t.Fatal("another deputy's task on /leader")
	}
}

// checkSignoffForm: the form gives the sign-off duty starter user add --signoff gives
// (审核 to an inspection account, 签发 to an office account) and refuses it on any
// other role, in Chinese, adding nothing.
func checkSignoffForm(t *testing.T, e *testEnv, admin *browser) {
	t.Helper()
	must(t, admin.get("/users"), http.StatusOK, `name="signoff"`, `<option value="review"`, `<option value="sign"`)
	add := func(name, role, duty string) resp {
		return admin.post("/users", url.Values{"username": {name}, "role": {role}, "signoff": {duty}, "password": {"Signoff-pass-1"}})
	}
	must(t, add("dcs-head", "inspection", "review"), http.StatusSeeOther)
	must(t, add("ban-head", "office", "sign"), http.StatusSeeOther)
	for _, bad := range []struct{ name, role, duty string }{
		{"so-x1", "office", "review"}, {"so-x2", "inspection", "sign"}, {"so-x3", "leader", "sign"}, {"so-x4", "office", "approve"},
	} {
		must(t, add(bad.name, bad.role, bad.duty), http.StatusUnprocessableEntity, "签发职责无效：审核只能给县政府督查室账户，签发只能给县政府办公室账户")
		if _, ok, _ := e.users.Get(bad.name); ok {
			t.Errorf("%s added with %s on %s", bad.name, bad.duty, bad.role)
		}
	}
	for name, duty := range map[string]string{"dcs-head": accounts.SignoffReview, "ban-head": accounts.SignoffSign} {
		if u, ok, _ := e.users.Get(name); !ok || u.Signoff != duty {
			t.Errorf("%s: %+v", name, u)
		}
	}
	must(t, admin.get("/users"), http.StatusOK, "县政府督查室（审核）", "县政府办公室（签发）")
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestUsersAndFirstPassword(t *testing.T) {
	e, _ := fakeSetup(t)
	admin := e.login(t, "root")
	must(t, admin.get("/users"), http.StatusOK, "添加用户", "rsj1")
	must(t, admin.post("/users", url.Values{"username": {"nyj1"}, "name": {"农业局"}, "role": {"unit"}, "unit": {"nyj"}, "password": {"Nongye-pass-1"}}), http.StatusSeeOther)
	must(t, admin.post("/users", url.Values{"username": {"nyj1"}, "role": {"unit"}, "unit": {"nyj"}, "password": {"Nongye-pass-1"}}), http.StatusUnprocessableEntity, "已存在")
	must(t, admin.post("/users", url.Values{"username": {"x2"}, "role": {"unit"}, "password": {"X2-password1"}}), http.StatusUnprocessableEntity, "须选择“所属单位”")
	must(t, admin.post("/users", url.Values{"username": {"x3"}, "role": {"office"}, "password": {"short"}}), http.StatusUnprocessableEntity, "至少 8 个字符")
	if u, ok, _ := e.users.Get("nyj1"); !ok || u.Unit != "nyj" || u.Role != "unit" {
		t.Fatalf("added user: %+v %v", u, ok)
	}
	checkSignoffForm(t, e, admin)

	// The generated administrator must change the one-time password first.
	pw := "one-time-pass-1"
	_ = e.users.Add(adminMustChange("firstadmin"), pw)
	b := e.browser(t)
	b.get("/login")
	r := b.post("/login", url.Values{"username": {"firstadmin"}, "password": {pw}})
	if r.loc != "/password" {
		t.Fatalf("first login went to %q", r.loc)
	}
	if r := b.get("/board"); r.loc != "/password" {
		t.Fatalf("before the change /board went to %d %q", r.status, r.loc)
	}
	must(t, b.get("/password"), http.StatusOK, "首次登录")
	must(t, b.post("/password", url.Values{"current": {pw}, "new": {"Brand-new-pass"}, "confirm": {"other-pass-xx"}}), http.StatusUnprocessableEntity, "不一致")
	must(t, b.post("/password", url.Values{"current": {pw}, "new": {"Brand-new-pass"}, "confirm": {"Brand-new-pass"}}), http.StatusSeeOther)
	must(t, b.get("/board"), http.StatusOK, "督查看板")
}

// wordList is a task list as a Word table (the first table of a document).
func wordList(t *testing.T, rows [][]string) []byte {
	t.Helper()
	d := &gongwen.Doc{Title: "县委常委会会议确定事项任务清单"}
	d.P("经县委常委会会议研究确定。")
	d.T([]string{"序号", "任务事项", "具体要求", "牵头单位", "配合单位", "牵头县领导", "完成时限"}, rows)
	b, err := d.Docx(gongwen.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUploadWordList: a .docx list with problems gets every one reported and starts
// nothing; a good one is submitted with the meeting typed in.
func TestUploadWordList(t *testing.T) {
	e, f := fakeSetup(t)
	off := e.login(t, "office1")
	meeting := url.Values{"meeting_id": {"cwh-word"}, "meeting_name": {"县委常委会2026年第13次会议"}, "meeting_date": {"2026-09-15"}}
	bad := wordList(t, [][]string{
		{"1", "未知单位", "", "县水务局", "", "", "2026-12-31"},
		{"2", "", "", "县财政局", "", "", "2026-12-31"},
		{"3", "日期不对", "", "县财政局", "", "", "年底"},
	})
	r := off.upload("清单.docx", bad, meeting)
	must(t, r, http.StatusUnprocessableEntity, `id="problems"`, "清单.docx", "未启动任何流程", "县水务局",
		"第2项（表格第3行）</td><td data-label=\"字段\">列“任务事项”", "第3项（表格第4行）</td><td data-label=\"字段\">列“完成时限”")
	good := wordList(t, [][]string{
		{"1", "推进两险同宣同征", "一个窗口办结", "县医疗保障局", "县财政局\n城关镇", "", "2026-12-31"},
		{"2", "深化大股室制改革", "", "县财政局", "", "", "2026-11-30"},
	})
	r = off.upload("清单.docx", good, meeting)
	must(t, r, http.StatusSeeOther)
	must(t, off.get(r.loc), http.StatusOK, "已通过校验并提交", "推进两险同宣同征", "深化大股室制改革")
	calls := f.Calls()
	if len(calls) != 1 || calls[0].Method != "Submit" || calls[0].Plan.Meeting.ID != "cwh-word" || len(calls[0].Plan.Items) != 2 ||
		calls[0].Plan.Meeting.Name != "县委常委会2026年第13次会议" {
		t.Fatalf("the engine was asked %+v, want one submission of cwh-word's 2 items", calls)
	}
}
