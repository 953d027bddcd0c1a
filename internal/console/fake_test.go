package console

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/console/consoletest"
	"taskrelay/internal/evidence"
	"taskrelay/internal/notify"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/seclog"
	"taskrelay/internal/tasklist"
)

// The pages' tests run the console on consoletest.Fake: no engine, each test its own
// console, its own data folder and its own tasks. The tests against the real engine
// (setup) keep what only the engine can show: the whole path, the visibility store's
// queries, the refusals its validators write.
var _ API = (*consoletest.Fake)(nil)

var (
	testUsersOnce sync.Once
	testUsersData []byte // the users file with testUsers, made once (bcrypt is slow)
	testUsersErr  error
)

func testUsersFile() ([]byte, error) {
	testUsersOnce.Do(func() {
		dir, err := tempDir()
		if err != nil {
			testUsersErr = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, accounts.UsersFile)
		users, err := accounts.Open(path)
		if err != nil {
			testUsersErr = err
			return
		}
		for _, u := range testUsers() {
			if testUsersErr = users.Add(u, testPassword); testUsersErr != nil {
				return
			}
		}
		testUsersData, testUsersErr = os.ReadFile(path)
	})
	return testUsersData, testUsersErr
}

// fakeSetup is a console on a fresh consoletest.Fake, with the test accounts.
func fakeSetup(t *testing.T) (*testEnv, *consoletest.Fake) {
	t.Helper()
	data := t.TempDir()
	b, err := testUsersFile()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, accounts.UsersFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	f := consoletest.New()
	e := &testEnv{data: data, fake: f}
	if e.users, err = accounts.Open(filepath.Join(data, accounts.UsersFile)); err != nil {
		t.Fatal(err)
	}
	if e.key, err = accounts.LoadKey("", data); err != nil {
		t.Fatal(err)
	}
	sess := accounts.NewSessions(e.key, time.Hour)
	sess.Now = func() time.Time { return time.Now().Add(time.Duration(e.now.Load()) * time.Second) }
	dir, err := LoadDirectory("")
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := blobstore.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	e.s, err = New(Config{API: f, Users: e.users, Sessions: sess, Directory: dir, PageSize: 5,
		Reports: report.NewArchive(bucket), Deliveries: notify.NewLedger(bucket, ""), Notices: notify.NewRecords(bucket),
		SecurityLog: seclog.Open(filepath.Join(data, seclog.File)),
		Evidence:    relayclient.Evidence{Store: evidence.New(bucket, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.s.Handler())
	t.Cleanup(e.srv.Close)
	return e, f
}

// pageSetup is fakeSetup for a test that puts no task in.
func pageSetup(t *testing.T) *testEnv {
	t.Helper()
	e, _ := fakeSetup(t)
	return e
}

// dispatched puts testList(meeting) into the fake as the engine holds it once adopted
// and dispatched (see dispatchedList).
func (e *testEnv) dispatched(t *testing.T, meeting string) {
	t.Helper()
	e.dispatchedList(t, meeting+".yaml", testList(meeting))
}

// dispatchedList puts a task list into the fake as the engine holds it once adopted
// and dispatched: the meeting with its units' 交办单, and each item's task as its
// start makes it (the memo's summary, a dispatched entry on its timeline), an overdue
// one red and one due within five days yellow.
func (e *testEnv) dispatchedList(t *testing.T, file string, list []byte) {
	t.Helper()
	plan, err := tasklist.Parse(file, list, e.s.cfg.Directory, tasklist.MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour) // within relay.UnreadAfter: no unread notice is listed yet
	_, notices := plan.DispatchNotices(plan.Items, at)
	e.fake.PutMeeting(relay.MeetingView{Meeting: plan.Meeting, State: relay.MeetingAdopted, Items: plan.Items,
		Units: plan.Units, Leaders: plan.Leaders, SubmittedAt: at, AdoptedAt: &at, AdoptedBy: "office1", DispatchedAt: &at,
		Notices: notices}, at)
	today := time.Now().In(relay.TimeZone)
	for _, it := range plan.Items {
		sum := relay.TaskMemo(plan.TaskInput(it, at))[relay.MemoSummary].(relay.TaskSummary)
		sum.Timeline = []relay.Event{{At: at, By: "system", Action: relay.ActDispatched, Note: "交办"}}
		if !it.Standing {
			end, err := relay.DeadlineEnd(it.Deadline)
			if err != nil {
				t.Fatal(err)
			}
			switch days := end.Sub(today).Hours() / 24; {
			case days < 0:
				sum.Light = relay.Red
			case days < 5:
				sum.Light = relay.Yellow
			}
		}
		e.fake.PutTask(sum)
	}
}

// put changes a task the fake holds.
func (e *testEnv) put(t *testing.T, id string, change func(*relay.TaskSummary)) {
	t.Helper()
	s, ok := e.fake.Summary(id)
	if !ok {
		t.Fatalf("no task %s", id)
	}
	change(&s)
	e.fake.PutTask(s)
}

// TestTaskPageOnFake: the task page offers each person the forms the task's state and
// their role allow, shows the committee's wording and the timeline, and offers nothing
// on a closed task.
func TestTaskPageOnFake(t *testing.T) {
	e, _ := fakeSetup(t)
	const m = "cwh-fake-task"
	e.dispatched(t, m)
	id := relay.TaskID(m, 1) // lead rsj (县医疗保障局), co czj
	rsj := e.login(t, "rsj1")
	r := rsj.get(TaskURL(id))
	must(t, r, http.StatusOK, `id="form-ack"`, `id="form-progress"`, "推进两险同宣同征", "县委常委会会议原文", "县医疗保障局", "交办")
	if strings.Contains(r.body, `id="form-verify"`) {
		t.Fatal("a unit is offered verification")
	}
	e.put(t, id, func(s *relay.TaskSummary) { s.State = relay.StateAcknowledged })
	if r := rsj.get(TaskURL(id)); strings.Contains(r.body, `id="form-ack"`) {
		t.Fatal("an acknowledged task still offers 签收")
	}
	e.put(t, id, func(s *relay.TaskSummary) { s.State = relay.StateCompletionSubmitted })
	must(t, e.login(t, "duban").get(TaskURL(id)), http.StatusOK, `id="form-verify"`, "待审核办结")
	e.put(t, id, func(s *relay.TaskSummary) { s.State = relay.StateClosed })
	r = rsj.get(TaskURL(id))
	must(t, r, http.StatusOK, "已办结")
	for _, form := range []string{`id="form-progress"`, `id="form-complete"`, `id="form-verify"`} {
		if strings.Contains(r.body, form) {
			t.Fatalf("a closed task offers %s", form)
		}
	}
	// The engine's own not-found is the page's 404, worded by kind.
	must(t, rsj.get(TaskURL(m+":99")), http.StatusNotFound, "找不到任务 "+m+":99")
}

// TestMyTasksOnFake: 我的任务 lists the unit's tasks (lead or supporting) and no
// other unit's, those waiting for 签收 and those overdue or due soon apart, and
// the officer's own tasks (责任人) first.
func TestMyTasksOnFake(t *testing.T) {
	e, _ := fakeSetup(t)
	const m = "cwh-fake-my"
	e.dispatched(t, m)
	e.put(t, relay.TaskID(m, 4), func(s *relay.TaskSummary) {
		s.State, s.Assignees = relay.StateInProgress, map[string]string{"rsj": "rsj1"}
	})
	rsj := e.login(t, "rsj1")
	r := rsj.get("/my")
	must(t, r, http.StatusOK, "推进两险同宣同征", "全面推行大股室制", "基金监管联合检查",
		"我负责的任务（1）", "待签收（2）", "逾期和临期（1）")
	for _, other := range []string{"筹办火把节活动", "核桃产业提质增效", "财政预算绩效管理"} {
		if strings.Contains(r.body, other) {
			t.Errorf("/my of rsj lists another unit's task %s", other)
		}
	}
	mine := r.body[strings.Index(r.body, `id="mine"`):]
	mine = mine[:strings.Index(mine, "</section>")]
	if !strings.Contains(mine, "基金监管联合检查") || strings.Contains(mine, "推进两险同宣同征") {
		t.Fatalf("我负责的任务 lists the wrong tasks:\n%s", mine)
	}
}

// TestActionRefusalsWorded: a refusal the engine answers with is matched by its kind
// and shown as its sentence, on the task page with what was typed kept (409); an
// engine that does not answer is told apart. A refusal wrapped on its way is worded
// the same.
func TestActionRefusalsWorded(t *testing.T) {
	e, f := fakeSetup(t)
	const m = "cwh-fake-refusal"
	e.dispatched(t, m)
	id := relay.TaskID(m, 1)
	about := func(kind error) error { return (&refusal.Error{Kind: kind}).About(refusal.Task, id) }
	rsj := e.login(t, "rsj1")
	for _, c := range []struct {
		err  error
		want string
	}{
		{about(refusal.ErrClosed), "任务 " + id + " 已办结，不能再操作"},
		{about(refusal.ErrWithdrawn), "任务 " + id + " 已撤销，不能再操作"},
		{about(refusal.ErrForbidden), "无权操作任务 " + id},
		{about(refusal.ErrNotFound), "找不到任务 " + id},
		{about(refusal.ErrConflict), "任务 " + id + " 的当前状态不允许此操作"},
		{refusal.Invalid("percent", "进度不能低于上次报告的 40%"), "进度不能低于上次报告的 40%"},
		{fmt.Errorf("更新任务 %s: %w", id, about(refusal.ErrClosed)), "任务 " + id + " 已办结，不能再操作"},
		{&refusal.Error{Kind: refusal.ErrUnavailable, Err: context.DeadlineExceeded}, "引擎没有及时响应，请稍后刷新查看"},
	} {
		f.RefuseAction(id, relay.UpdateProgress, c.err)
		rsj.get(TaskURL(id))
		r := rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"30"}, "note": {"窗口已设立"}, "form": {"progress"}})
		must(t, r, http.StatusConflict, html.EscapeString(c.want), "窗口已设立")
		if strings.Contains(r.body, "更新任务") {
			t.Errorf("%v: the page shows the wrapping, not the refusal", c.err)
		}
	}
	if n := len(f.Calls()); n != 8 {
		t.Fatalf("%d actions reached the engine, want 8", n)
	}
}

// TestActionRequestsOnFake: each form becomes the action the engine is asked for,
// under the signed-in person: a unit's progress with its percent and the form's id
// (scoped to the person), an officer's completion held for the unit head, the
// deputy's decision, the inspection office's verification; a form refused here asks
// nothing.
func TestActionRequestsOnFake(t *testing.T) {
	e, f := fakeSetup(t)
	const m = "cwh-fake-act"
	e.dispatched(t, m)
	last := func() consoletest.Call {
		t.Helper()
		calls := f.Calls()
		if len(calls) == 0 {
			t.Fatal("nothing reached the engine")
		}
		return calls[len(calls)-1]
	}
	id := relay.TaskID(m, 1)
	rsj := e.login(t, "rsj1")
	rsj.get(TaskURL(id))
	r := rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"60"}, "note": {" 窗口已设立 "}, RequestIDField: {"form-1"}})
	if r.status != http.StatusSeeOther || r.loc != TaskURL(id)+"?done=progress" {
		t.Fatalf("progress: %d %q\n%s", r.status, r.loc, snippet(r.body))
	}
	c := last()
	if c.Method != "ActWithFiles" || c.ID != id || c.Action != relay.UpdateProgress || c.RequestID != "console:rsj1:form-1" ||
		c.Req.User != "rsj1" || c.Req.Unit != "rsj" || c.Req.Percent != 60 || c.Req.Note != "窗口已设立" {
		t.Fatalf("progress asked %+v", c)
	}
	n := len(f.Calls())
	must(t, rsj.post(TaskURL(id)+"/progress", url.Values{"percent": {"160"}, "note": {"x"}}), http.StatusUnprocessableEntity, "0 到 100")
	if len(f.Calls()) != n {
		t.Fatal("a percent refused by the console reached the engine")
	}

	gaj := e.login(t, "gaj1") // 公安局 has a unit head: an officer's completion waits for it
	id3 := relay.TaskID(m, 3)
	gaj.get(TaskURL(id3))
	must(t, gaj.post(TaskURL(id3)+"/complete", url.Values{"note": {"已完成"}}), http.StatusSeeOther)
	if c := last(); c.Action != relay.UpdateComplete || c.Req.Unit != "gaj" || !c.Req.HeadReview {
		t.Fatalf("complete asked %+v", c)
	}

	id2 := relay.TaskID(m, 2) // deputy ld-chang
	chang := e.login(t, "chang")
	chang.get(TaskURL(id2))
	must(t, chang.post(TaskURL(id2)+"/decide-extension", url.Values{"decision": {"approve"}, "note": {"同意"}}), http.StatusSeeOther)
	if c := last(); c.Action != relay.UpdateDecideExtension || c.Req.By != "ld-chang" || !c.Req.Approve || c.Req.User != "chang" {
		t.Fatalf("decide-extension asked %+v", c)
	}

	duban := e.login(t, "duban")
	duban.get(TaskURL(id))
	must(t, duban.post(TaskURL(id)+"/verify", url.Values{"decision": {"accept"}, "note": {"同意销号"}}), http.StatusSeeOther)
	if c := last(); c.Action != relay.UpdateVerify || c.Req.By != relay.Inspection || !c.Req.Approve || c.Req.Note != "同意销号" {
		t.Fatalf("verify asked %+v", c)
	}
}
