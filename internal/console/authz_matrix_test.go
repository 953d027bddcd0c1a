package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"taskrelay/internal/accounts"
	"taskrelay/internal/evidence"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
	model "taskrelay/internal/task"
	"taskrelay/internal/tasklist"
)

// observed is a second console on the package's engine, users and session key, whose
// log is captured, so a test can see what the console records.
func observed(t *testing.T, e *testEnv) (*testEnv, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	sess := accounts.NewSessions(e.key, time.Hour)
	s, err := New(Config{API: e.api, Users: e.users, Sessions: sess, Directory: e.s.cfg.Directory,
		PageSize: 5, Reports: e.s.cfg.Reports, Deliveries: e.s.cfg.Deliveries, Log: zap.New(core), SecurityLog: e.s.cfg.SecurityLog, Evidence: e.s.cfg.Evidence})
	if err != nil {
		t.Fatal(err)
	}
	o := &testEnv{api: e.api, users: e.users, key: e.key, node: e.node, data: e.data, s: s}
	o.srv = httptest.NewServer(s.Handler())
	t.Cleanup(o.srv.Close)
	return o, logs
}

// The matrix's actors: every role, and for units and deputies, on the task or not.
var matrixActors = []struct{ key, user string }{
	{"office", "office1"},
	{"inspection", "duban"},
	{"inspection-head", "dubanhead"}, // reviews the monthly report (审核)
	{"office-head", "officehead"},    // signs it off (签发)
	{"unit-lead", "rsj1"},            // the task's lead unit
	{"unit-co", "czj1"},              // a supporting unit
	{"unit-other", "gaj1"},           // a unit not on the task
	{"unit-head", "jtjhead"},         // the head (单位负责人) of a supporting unit
	{"unit-head-other", "gajhead"},   // the head of a unit not on the task
	{"leader", "chang"},              // the deputy in charge of the task
	{"leader-other", "wang"},
	{"head", "xz"}, // the county head
	{"admin", "root"},
	{"security", "sec1"},
	{"auditor", "aud1"},
	{"province", "prov1"}, // 省级督查: reads the boards and tasks, acts on nothing
	{"anonymous", ""},     // no session at all
}

// mxAction is one thing the console offers. allowed is the design, taken from
// issue 4 and issue 11 (downloads like the task; assignment and sign-off by the unit's
// head only; pages per role; "a unit cannot see or touch another unit's task"; roles
// enforced on the server for every action): the test states it independently of the
// code's role tables.
type mxAction struct {
	name    string
	method  string
	allowed []string
	// fixture returns the target of a cell (a task, meeting, month or user name):
	// fresh for an allowed cell (its effect must be visible), shared by refused ones.
	fixture func(t *testing.T, allowed bool) string
	path    func(target string) string
	form    func(target string) url.Values
	// snap is the state a refusal must leave unchanged.
	snap func(t *testing.T, target string) string
	// effect checks what an allowed cell did.
	effect func(t *testing.T, target, user string, r resp, before string)
	status int // an allowed cell's answer
}

func TestAuthorisationMatrix(t *testing.T) {
	base := setup(t)
	e, logs := observed(t, base)
	ctx := context.Background()
	dir := e.s.cfg.Directory
	stamp := time.Now().Format("150405")
	meeting := "cwh-authz-" + stamp
	const items = 110
	const title = "矩阵测试事项"

	// One meeting, every item with lead rsj, supporting czj and jtj (whose head has an
	// account, so its officer's completions go to the head), deputy ld-chang: a fresh
	// task for every allowed cell, and one fixture per action for the refused ones.
	now := time.Now().In(relay.TimeZone)
	deadline := now.AddDate(0, 0, 90).Format(relay.DateLayout)
	until := now.AddDate(0, 0, 120).Format(relay.DateLayout)
	var list strings.Builder
	fmt.Fprintf(&list, "meeting: {id: %s, name: 权限矩阵测试会议, date: %s}\nitems:\n", meeting, now.AddDate(0, 0, -1).Format(relay.DateLayout))
	for i := 1; i <= items; i++ {
		fmt.Fprintf(&list, "  - {no: %d, title: %s%d, lead: 人社局, co: [县财政局, 县交通运输局], leader: ld-chang, deadline: %s}\n", i, title, i, deadline)
	}
	submit := func(id string, data []byte) {
		t.Helper()
		plan, err := tasklist.Parse(id+".yaml", data, dir, tasklist.MeetingFlags{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.api.Submit(ctx, *plan); err != nil {
			t.Fatal(err)
		}
	}
	submit(meeting, []byte(list.String()))
	if _, err := e.api.Adopt(ctx, meeting, relay.AdoptRequest{By: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.WaitDispatched(ctx, meeting); err != nil {
		t.Fatal(err)
	}
	next := 0
	freshTask := func(t *testing.T) string {
		t.Helper()
		next++
		if next > items {
			t.Fatal("the matrix meeting has too few items")
		}
		return relay.TaskID(meeting, next)
	}
	act := func(t *testing.T, id, action string, ar model.Request) {
		t.Helper()
		if _, err := e.api.Act(ctx, id, action, ar); err != nil {
			t.Fatalf("prepare %s %s: %v", action, id, err)
		}
	}
	task := func(t *testing.T, id string) relay.TaskView {
		t.Helper()
		v, err := e.api.Task(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	taskSnap := func(t *testing.T, id string) string {
		v := task(t, id)
		ext := ""
		if v.Extension != nil {
			ext = v.Extension.Until
		}
		return fmt.Sprintf("state=%s progress=%d events=%d deadline=%s ext=%q", v.State, v.Progress, len(v.Timeline), v.Deadline, ext)
	}
	// A task fixture in the state the action needs, fresh or shared.
	shared := map[string]string{}
	taskFixture := func(action string, prepare func(t *testing.T, id string)) func(*testing.T, bool) string {
		return func(t *testing.T, allowed bool) string {
			if id, ok := shared[action]; ok && !allowed {
				return id
			}
			id := freshTask(t)
			if prepare != nil {
				prepare(t, id)
			}
			if !allowed {
				shared[action] = id
			}
			return id
		}
	}
	pendingExtension := func(t *testing.T, id string) {
		act(t, id, relay.UpdateExtend, model.Request{Unit: "rsj", User: "rsj1", Until: until, Note: "矩阵测试"})
	}
	pendingPushback := func(t *testing.T, id string) {
		t.Helper()
		if _, err := e.api.Act(ctx, id, relay.UpdatePushback, model.Request{Unit: "rsj", User: "rsj1", Reason: "矩阵测试退回", Suggest: &relay.UnitRef{ID: "gaj", Name: "县公安局"}}); err != nil {
			t.Fatalf("prepare push back %s: %v", id, err)
		}
	}
	submitted := func(t *testing.T, id string) {
		act(t, id, relay.UpdateComplete, model.Request{Unit: "rsj", User: "rsj1", Note: "矩阵测试办结"})
	}
	// inHeadReview: an officer of jtj (which has a head) reported completion.
	inHeadReview := func(t *testing.T, id string) {
		act(t, id, relay.UpdateComplete, model.Request{Unit: "jtj", User: "jtj1", Note: "矩阵办结", HeadReview: true})
	}
	// withFile: the lead unit reported progress with a PDF, downloaded by fileOf[id].
	fileOf := map[string]string{}
	withFile := func(t *testing.T, id string) {
		up := evidence.Upload{Name: "矩阵佐证.pdf", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(matrixPDF)), nil }}
		v, err := e.api.ActWithFiles(ctx, e.s.cfg.Evidence, id, relay.UpdateProgress, "", model.Request{Unit: "rsj", User: "rsj1", Percent: 10, Note: "附材料"},
			[]evidence.Upload{up})
		if err != nil || len(v.Attachments) != 1 {
			t.Fatalf("prepare a file on %s: %v %+v", id, err, v.Attachments)
		}
		fileOf[id] = v.Attachments[0].SHA256
	}
	// headApprove: the head's sign-off sends the officer's completion on to the
	// inspection office (its entry is the officer's, after the head's approval).
	headApprove := func(a mxAction) mxAction {
		a.effect = func(t *testing.T, id, user string, r resp, before string) {
			v := task(t, id)
			n := len(v.Timeline)
			if v.State != relay.StateCompletionSubmitted || n < 2 || v.Timeline[n-2].Action != relay.ActHeadApproved ||
				v.Timeline[n-2].User != user || v.Timeline[n-1].Action != relay.ActCompletionSubmitted || v.Timeline[n-1].User != "jtj1" {
				t.Fatalf("after sign-off: state %s, timeline %+v (before: %s)", v.State, v.Timeline, before)
			}
		}
		return a
	}
	// lastBy: the action is on the timeline under the user's name.
	lastBy := func(t *testing.T, id, user, action string, before string) relay.TaskView {
		t.Helper()
		v := task(t, id)
		// The number of a document the action sent (a reassignment's 交办单) may be
		// recorded after it, once the notice is numbered.
		n := len(v.Timeline)
		for n > 0 && v.Timeline[n-1].Action == relay.ActDocNumbered {
			n--
		}
		if n == 0 || v.Timeline[n-1].User != user || v.Timeline[n-1].Action != action {
			t.Fatalf("%s: timeline %+v, want %s by %s last (before: %s)", id, v.Timeline, action, user, before)
		}
		return v
	}
	taskAction := func(name, action string, allowed []string, prepare func(*testing.T, string), form url.Values,
		check func(t *testing.T, v relay.TaskView)) mxAction {
		return mxAction{name: name, method: "POST", allowed: allowed, fixture: taskFixture(name, prepare),
			path: func(id string) string { return TaskURL(id) + "/" + action },
			form: func(string) url.Values { return maps.Clone(form) }, snap: taskSnap, status: http.StatusSeeOther,
			effect: func(t *testing.T, id, user string, r resp, before string) {
				if want := TaskURL(id) + "?done=" + action; r.loc != want {
					t.Fatalf("redirect %q, want %q", r.loc, want)
				}
				wantAct := map[string]string{
					"assign": relay.ActAssigned, "head-review return": relay.ActHeadReturned,
					"ack": relay.ActAcknowledged, "progress": relay.ActProgress, "extend": relay.ActExtensionRequested,
					"decide-extension approve": relay.ActExtensionApproved, "decide-extension deny": relay.ActExtensionDenied,
					"complete": relay.ActCompletionSubmitted, "verify accept": relay.ActCompletionAccepted,
					"verify reject": relay.ActCompletionRejected, "reassign": relay.ActReassigned,
					"amend": relay.ActAmended, "withdraw": relay.ActWithdrawn,
					"pushback": relay.ActPushedBack, "decide-pushback keep": relay.ActPushbackKept,
					"decide-pushback reassign": relay.ActReassigned, "instruct": relay.ActInstruction, "chase": relay.ActChased,
				}[name]
				check(t, lastBy(t, id, user, wantAct, before))
			}}
	}
	page := func(name, path string, allowed []string, wants ...string) mxAction {
		return mxAction{name: name, method: "GET", allowed: allowed,
			fixture: func(*testing.T, bool) string { return "" },
			path:    func(string) string { return path }, status: http.StatusOK,
			snap: func(t *testing.T, _ string) string { return taskSnap(t, relay.TaskID(meeting, 1)) },
			effect: func(t *testing.T, _, user string, r resp, _ string) {
				must(t, r, http.StatusOK, wants...)
				// Lists of a unit or deputy not on the matrix's tasks never show them.
				if (user == "gaj1" || user == "gajhead" || user == "wang") && strings.Contains(r.body, title) {
					t.Fatalf("%s sees a task not theirs on %s", user, path)
				}
			}}
	}
	units := []string{"unit-lead", "unit-co", "unit-other", "unit-head", "unit-head-other"}
	leaders := []string{"leader", "leader-other", "head"}
	offices := []string{"office", "inspection", "admin"}
	readers := append(slices.Clone(offices), "province") // the boards, lists and tasks
	everyone := []string{"office", "inspection", "unit-lead", "unit-co", "unit-other", "unit-head", "unit-head-other",
		"leader", "leader-other", "head", "admin", "security", "auditor", "province"}
	onTask := []string{"unit-lead", "unit-co", "unit-head"}
	heads := []string{"unit-head"} // the unit head of a unit on the task, for its own unit only
	deciders := []string{"inspection", "leader", "admin"}
	verifiers := []string{"inspection", "admin"}
	officeAdmin := []string{"office", "admin"}
	userSeq := 0
	// accountAction: a management form on a fresh (locked) unit account, whose state
	// shows through show; want is that state after an allowed cell.
	accountAction := func(name, path string, allowed []string, form url.Values, show func(accounts.User) string, want string) mxAction {
		get := func(t *testing.T, n string) accounts.User {
			u, ok, err := e.users.Get(n)
			if !ok || err != nil {
				t.Fatalf("account %s: %v", n, err)
			}
			return u
		}
		return mxAction{name: name, method: "POST", allowed: allowed, status: http.StatusSeeOther,
			fixture: func(t *testing.T, _ bool) string {
				userSeq++
				n := fmt.Sprintf("mxa%s-%d", stamp, userSeq)
				if err := e.users.Add(accounts.User{Username: n, Role: accounts.RoleUnit, Unit: "gaj"}, testPassword); err != nil {
					t.Fatal(err)
				}
				if err := e.users.Update(n, func(u *accounts.User) error { u.LockedUntil = time.Now().Add(time.Hour); return nil }); err != nil {
					t.Fatal(err)
				}
				return n
			},
			path: func(n string) string { return fmt.Sprintf(path, n) },
			form: func(string) url.Values { return maps.Clone(form) },
			snap: func(t *testing.T, n string) string { return show(get(t, n)) },
			effect: func(t *testing.T, n, _ string, r resp, _ string) {
				if got := show(get(t, n)); got != want {
					t.Fatalf("%s %s: %s, want %s", name, n, got, want)
				}
			}}
	}
	reportMonths := map[bool][]string{true: {"2024-01", "2024-02", "2024-04"}, false: {"2024-03"}}
	var newPasswords []string
	spool := e.s.cfg.Deliveries
	sharedDelivery := ""
	notices, err := e.api.Notices(ctx, meeting)
	if err != nil {
		t.Fatal(err)
	}
	rsjNotice := ""
	for _, n := range notices {
		if n.Unit == "rsj" {
			rsjNotice = n.NoticeID
		}
	}

	// The sign-off: a month's draft (reviewed already for the sign-off), fresh for an
	// allowed cell, shared by the refused ones; only the head with the duty may act.
	signoffMonth := 0
	sharedSignoff := map[string]string{}
	signoffAction := func(name, step string, allowed []string, want relay.ReportState) mxAction {
		snap := func(t *testing.T, m string) string {
			so, err := e.s.cfg.Reports.ReadSignoff(context.Background(), m)
			if err != nil || so == nil {
				t.Fatalf("sign-off record of %s: %v", m, err)
			}
			return fmt.Sprintf("state=%s steps=%d", so.State, len(so.Timeline))
		}
		return mxAction{name: name, method: "POST", allowed: allowed, status: http.StatusSeeOther,
			fixture: func(t *testing.T, ok bool) string {
				if m, found := sharedSignoff[name]; found && !ok {
					return m
				}
				signoffMonth++
				m := fmt.Sprintf("2023-%02d", signoffMonth)
				if _, err := e.api.RunReport(ctx, report.Request{Month: m}); err != nil {
					t.Fatal(err)
				}
				if step == relay.StepSign {
					so, err := e.s.cfg.Reports.ReadSignoff(context.Background(), m)
					if err != nil || so == nil {
						t.Fatalf("draft %s: %v", m, err)
					}
					if _, err := e.api.ReportSignoff(ctx, *so, relay.SignoffRequest{Step: relay.StepReview, Approve: true, By: "dubanhead"}); err != nil {
						t.Fatal(err)
					}
				}
				if !ok {
					sharedSignoff[name] = m
				}
				return m
			},
			path: func(m string) string { return "/reports/" + m + "/signoff" },
			form: func(string) url.Values { return url.Values{"step": {step}, "decision": {"approve"}} },
			snap: snap,
			effect: func(t *testing.T, m, user string, r resp, before string) {
				so, _ := e.s.cfg.Reports.ReadSignoff(context.Background(), m)
				if so == nil || so.State != want || so.Timeline[len(so.Timeline)-1-btoi(want == relay.ReportIssued)].By != user {
					t.Fatalf("%s %s: %+v (before: %s)", name, m, so, before)
				}
			}}
	}

	actions := []mxAction{
		{name: "home", method: "GET", allowed: everyone, status: http.StatusSeeOther,
			fixture: func(*testing.T, bool) string { return "" }, path: func(string) string { return "/" },
			snap: func(*testing.T, string) string { return "" },
			effect: func(t *testing.T, _, user string, r resp, _ string) {
				u, _, _ := e.users.Get(user)
				want := map[string]string{accounts.RoleUnit: "/my", accounts.RoleUnitHead: "/my", accounts.RoleLeader: "/leader", accounts.RoleOffice: "/meetings",
					accounts.RoleSecurity: "/security", accounts.RoleAuditor: "/security-log"}[u.Role]
				if want == "" {
					want = "/board"
				}
				if r.loc != want {
					t.Fatalf("home went to %q, want %q", r.loc, want)
				}
			}},
		page("board", "/board", readers, "督查看板"),
		page("my tasks", "/my?meeting="+meeting, units, "我的任务"),
		page("notices", "/notices", units, "收到的通知"),
		page("leader page", "/leader?meeting="+meeting, leaders, "分管任务"),
		page("meetings", "/meetings", readers, "任务清单"),
		page("meeting page", MeetingURL(meeting), readers, "权限矩阵测试会议"),
		page("upload page", "/upload", officeAdmin, `enctype="multipart/form-data"`),
		page("reports page", "/reports", append(slices.Clone(offices), leaders...), "月度报告"),
		page("users page", "/users", []string{"admin"}, "添加用户"),
		page("deliveries page", "/deliveries", verifiers, "通知投递"),
		{name: "open notice", method: "GET", allowed: append([]string{"unit-lead"}, readers...), status: http.StatusSeeOther,
			fixture: func(*testing.T, bool) string { return rsjNotice },
			path:    func(id string) string { return "/notices/" + url.PathEscape(id) },
			snap: func(t *testing.T, _ string) string {
				reads, err := e.api.NoticeReads(ctx, meeting)
				if err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(reads)
			},
			effect: func(t *testing.T, _, user string, r resp, _ string) {
				if user != "rsj1" {
					if r.loc != MeetingURL(meeting)+"#notices" {
						t.Fatalf("an office opening a notice went to %q", r.loc)
					}
					return
				}
				if reads, _ := e.api.NoticeReads(ctx, meeting); len(reads) != 1 {
					t.Fatalf("reads after the unit opened its notice: %v", reads)
				}
			}},
		{name: "retry delivery", method: "POST", allowed: verifiers, status: http.StatusSeeOther,
			fixture: func(t *testing.T, allowed bool) string {
				if !allowed && sharedDelivery != "" {
					return sharedDelivery
				}
				id := failedDelivery(t, spool)
				if !allowed {
					sharedDelivery = id
				}
				return id
			},
			path: func(string) string { return "/deliveries/retry" },
			form: func(id string) url.Values { return url.Values{"notice": {id}, "route": {relay.ChannelWebhook}} },
			snap: func(t *testing.T, id string) string {
				ds, _ := spool.Deliveries(context.Background(), true)
				return fmt.Sprint(len(ds))
			},
			effect: func(t *testing.T, id, _ string, r resp, _ string) {
				ds, _ := spool.Deliveries(context.Background(), false)
				for _, d := range ds {
					if d.Notice == id && d.State != relay.DeliveryPending {
						t.Fatalf("retried delivery is %s", d.State)
					}
				}
			}},
		page("security page", "/security", []string{"security"}, "角色与锁定", "变更角色"),
		page("security log", "/security-log", []string{"auditor"}, "安全日志", "哈希链校验通过"),
		page("sessions page", "/sessions", everyone, "我的登录", "当前登录"),
		page("password page", "/password", everyone, "修改密码"),
		page("task page", TaskURL(relay.TaskID(meeting, 1)), append(append(slices.Clone(readers), onTask...), "leader", "head"), title+"1", "县委常委会会议原文"),

		taskAction("ack", relay.UpdateAck, onTask, nil, url.Values{}, func(t *testing.T, v relay.TaskView) {
			if v.State != relay.StateAcknowledged {
				t.Fatalf("state %s", v.State)
			}
		}),
		taskAction("progress", relay.UpdateProgress, onTask, nil, url.Values{"percent": {"40"}, "note": {"矩阵进展"}}, func(t *testing.T, v relay.TaskView) {
			if v.Progress != 40 || v.State != relay.StateInProgress {
				t.Fatalf("progress %d, state %s", v.Progress, v.State)
			}
		}),
		taskAction("extend", relay.UpdateExtend, onTask, nil, url.Values{"until": {until}, "reason": {"矩阵延期"}}, func(t *testing.T, v relay.TaskView) {
			if v.Extension == nil || v.Extension.Until != until {
				t.Fatalf("extension %+v", v.Extension)
			}
		}),
		taskAction("decide-extension approve", relay.UpdateDecideExtension, deciders, pendingExtension, url.Values{"decision": {"approve"}}, func(t *testing.T, v relay.TaskView) {
			if v.Extension != nil || v.Deadline != until {
				t.Fatalf("after approval: extension %+v, deadline %s", v.Extension, v.Deadline)
			}
		}),
		taskAction("decide-extension deny", relay.UpdateDecideExtension, deciders, pendingExtension, url.Values{"decision": {"deny"}, "note": {"不同意"}}, func(t *testing.T, v relay.TaskView) {
			if v.Extension != nil || v.Deadline != deadline {
				t.Fatalf("after denial: extension %+v, deadline %s", v.Extension, v.Deadline)
			}
		}),
		taskAction("complete", relay.UpdateComplete, onTask, nil, url.Values{"note": {"矩阵办结"}}, func(t *testing.T, v relay.TaskView) {
			if v.State != relay.StateCompletionSubmitted {
				t.Fatalf("state %s", v.State)
			}
		}),
		taskAction("verify accept", relay.UpdateVerify, verifiers, submitted, url.Values{"decision": {"accept"}}, func(t *testing.T, v relay.TaskView) {
			if v.State != relay.StateClosed {
				t.Fatalf("state %s", v.State)
			}
		}),
		taskAction("verify reject", relay.UpdateVerify, verifiers, submitted, url.Values{"decision": {"reject"}, "note": {"材料不全"}}, func(t *testing.T, v relay.TaskView) {
			if v.State != relay.StateInProgress {
				t.Fatalf("state %s", v.State)
			}
		}),

		// The changes after adoption (issue 10): the office reassigns, amends, withdraws
		// and decides push backs; the inspection office reassigns too; a unit of the
		// task pushes back; the deputy in charge, the county head and the inspection
		// office for them write instructions.
		taskAction("reassign", relay.UpdateReassign, offices, nil, url.Values{"lead": {"gaj"}, "reason": {"矩阵调整"}}, func(t *testing.T, v relay.TaskView) {
			if v.LeadUnit != "gaj" || v.IsUnitOf("rsj") {
				t.Fatalf("after reassigning: lead %s co %v", v.LeadUnit, v.CoUnits)
			}
		}),
		taskAction("amend", relay.UpdateAmend, officeAdmin, nil, url.Values{"deadline": {until}, "reason": {"矩阵调整时限"}}, func(t *testing.T, v relay.TaskView) {
			if v.Deadline != until {
				t.Fatalf("deadline %s, want %s", v.Deadline, until)
			}
		}),
		taskAction("withdraw", relay.UpdateWithdraw, officeAdmin, nil, url.Values{"reason": {"矩阵撤销"}}, func(t *testing.T, v relay.TaskView) {
			if v.State != relay.StateWithdrawn {
				t.Fatalf("state %s", v.State)
			}
		}),
		taskAction("pushback", relay.UpdatePushback, onTask, nil, url.Values{"reason": {"矩阵退回"}, "suggest": {"gaj"}}, func(t *testing.T, v relay.TaskView) {
			if v.Pushback == nil || v.Pushback.State != relay.PushbackPending || v.Pushback.Suggest != "gaj" {
				t.Fatalf("push back %+v", v.Pushback)
			}
		}),
		taskAction("decide-pushback keep", relay.UpdateDecidePushback, officeAdmin, pendingPushback, url.Values{"decision": {"keep"}, "note": {"维持"}}, func(t *testing.T, v relay.TaskView) {
			if v.Pushback == nil || v.Pushback.State != relay.PushbackKept || v.LeadUnit != "rsj" {
				t.Fatalf("push back %+v, lead %s", v.Pushback, v.LeadUnit)
			}
		}),
		taskAction("decide-pushback reassign", relay.UpdateDecidePushback, officeAdmin, pendingPushback,
			url.Values{"decision": {"reassign"}, "lead": {"gaj"}, "co_shown": {"1"}, "co": {"czj"}, "note": {"改由公安局牵头"}}, func(t *testing.T, v relay.TaskView) {
				if v.Pushback == nil || v.Pushback.State != relay.PushbackReassigned || v.LeadUnit != "gaj" || v.IsUnitOf("rsj") {
					t.Fatalf("push back %+v, lead %s co %v", v.Pushback, v.LeadUnit, v.CoUnits)
				}
			}),
		taskAction("instruct", relay.UpdateInstruct, []string{"inspection", "admin", "leader", "head"}, nil, url.Values{"by": {"ld-chang"}, "text": {"矩阵批示"}}, func(t *testing.T, v relay.TaskView) {
			if len(v.Instructions) != 1 || v.Instructions[0].Text != "矩阵批示" {
				t.Fatalf("instructions %+v", v.Instructions)
			}
		}),

		taskAction("chase", relay.UpdateChase, verifiers, nil, url.Values{"unit": {"czj"}, "reply_by": {until}, "note": {"矩阵催办"}}, func(t *testing.T, v relay.TaskView) {
			if len(v.Chases) != 1 || v.Chases[0].Unit != "czj" || v.Chases[0].ReplyBy != until {
				t.Fatalf("chases %+v", v.Chases)
			}
		}),
		{name: "instruct meeting", method: "POST", allowed: verifiers, status: http.StatusSeeOther,
			fixture: func(t *testing.T, allowed bool) string {
				if id, ok := shared["instruct meeting"]; ok && !allowed {
					return id
				}
				userSeq++
				id := fmt.Sprintf("cwh-authz-in-%s-%d", stamp, userSeq)
				submit(id, []byte(fmt.Sprintf("meeting: {id: %s, name: 批示测试, date: %s}\nitems:\n  - {no: 1, title: 待批示事项, lead: 人社局, leader: ld-chang, deadline: %s}\n",
					id, now.Format(relay.DateLayout), deadline)))
				if _, err := e.api.Adopt(ctx, id, relay.AdoptRequest{By: "test"}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.api.WaitDispatched(ctx, id); err != nil {
					t.Fatal(err)
				}
				if !allowed {
					shared["instruct meeting"] = id
				}
				return id
			},
			path: func(id string) string { return MeetingURL(id) + "/instruct" },
			form: func(string) url.Values { return url.Values{"by": {"ld-chang"}, "text": {"会议批示"}} },
			snap: func(t *testing.T, id string) string { return taskSnap(t, relay.TaskID(id, 1)) },
			effect: func(t *testing.T, id, user string, r resp, _ string) {
				v := task(t, relay.TaskID(id, 1))
				if len(v.Instructions) != 1 || v.Instructions[0].By != "李某" || v.Timeline[len(v.Timeline)-1].User != user {
					t.Fatalf("after the meeting's instruction: %+v", v.Instructions)
				}
			}},
		taskAction("assign", relay.UpdateAssign, heads, nil, url.Values{"person": {"jtj1"}}, func(t *testing.T, v relay.TaskView) {
			if !v.AssignedTo("jtj", "jtj1") {
				t.Fatalf("assignees %v", v.Assignees)
			}
		}),
		headApprove(taskAction("head-review approve", relay.UpdateHeadReview, heads, inHeadReview, url.Values{"decision": {"approve"}}, nil)),
		taskAction("head-review return", relay.UpdateHeadReview, heads, inHeadReview, url.Values{"decision": {"return"}, "note": {"请补充材料"}}, func(t *testing.T, v relay.TaskView) {
			if v.State != relay.StateInProgress {
				t.Fatalf("state %s", v.State)
			}
		}),
		{name: "download file", method: "GET", allowed: append(append(slices.Clone(readers), onTask...), "leader", "head"), status: http.StatusOK,
			fixture: taskFixture("download file", withFile),
			path:    func(id string) string { return FileURL(id, fileOf[id]) },
			snap:    taskSnap,
			effect: func(t *testing.T, id, _ string, r resp, _ string) {
				if r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") ||
					r.body != string(matrixPDF) {
					t.Fatalf("download: %q %q %q", r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), snippet(r.body))
				}
			}},

		{name: "upload list", method: "POST", allowed: officeAdmin, status: http.StatusSeeOther,
			fixture: func(t *testing.T, _ bool) string {
				userSeq++
				return fmt.Sprintf("cwh-authz-up-%s-%d", stamp, userSeq)
			},
			path: func(string) string { return "/upload" },
			snap: func(t *testing.T, id string) string {
				_, err := e.api.Meeting(ctx, id)
				return fmt.Sprintf("exists=%v", err == nil)
			},
			effect: func(t *testing.T, id, _ string, r resp, _ string) {
				v, err := e.api.Meeting(ctx, id)
				if err != nil || v.State != relay.MeetingProposed {
					t.Fatalf("uploaded meeting %s: %v %s", id, err, v.State)
				}
			}},
		{name: "adopt meeting", method: "POST", allowed: officeAdmin, status: http.StatusSeeOther,
			fixture: func(t *testing.T, allowed bool) string {
				if id, ok := shared["adopt"]; ok && !allowed {
					return id
				}
				userSeq++
				id := fmt.Sprintf("cwh-authz-ad-%s-%d", stamp, userSeq)
				submit(id, []byte(fmt.Sprintf("meeting: {id: %s, name: 通过测试, date: %s}\nitems:\n  - {no: 1, title: 待通过事项, lead: 人社局, deadline: %s}\n",
					id, now.Format(relay.DateLayout), deadline)))
				if !allowed {
					shared["adopt"] = id
				}
				return id
			},
			path: func(id string) string { return MeetingURL(id) + "/adopt" },
			form: func(string) url.Values { return url.Values{"deputy_1": {"ld-wang"}} },
			snap: func(t *testing.T, id string) string {
				v, err := e.api.Meeting(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return fmt.Sprintf("state=%s by=%s", v.State, v.AdoptedBy)
			},
			effect: func(t *testing.T, id, user string, r resp, _ string) {
				v, err := e.api.Meeting(ctx, id)
				if err != nil || v.State == relay.MeetingProposed || v.AdoptedBy != user {
					t.Fatalf("adopted %s: %v state %s by %q", id, err, v.State, v.AdoptedBy)
				}
			}},
		{name: "run report", method: "POST", allowed: verifiers, status: http.StatusSeeOther,
			fixture: func(t *testing.T, allowed bool) string {
				m := reportMonths[allowed][0]
				if allowed {
					reportMonths[true] = reportMonths[true][1:]
				}
				return m
			},
			path: func(string) string { return "/reports" },
			form: func(m string) url.Values { return url.Values{"month": {m}} },
			snap: func(t *testing.T, m string) string {
				list, err := e.s.cfg.Reports.List(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range list {
					if x.Month == m {
						return "generated " + x.GeneratedAt.String()
					}
				}
				return "none"
			},
			effect: func(t *testing.T, m, _ string, r resp, before string) {
				list, _ := e.s.cfg.Reports.List(context.Background())
				for _, x := range list {
					if x.Month == m && "generated "+x.GeneratedAt.String() != before {
						return
					}
				}
				t.Fatalf("no new report for %s (before: %s)", m, before)
			}},
		page("report file", "/reports/2024-01/"+reportFileName("2024-01"), append(slices.Clone(offices), leaders...), "通报"),
		signoffAction("report review", relay.StepReview, []string{"inspection-head"}, relay.ReportReviewed),
		signoffAction("report sign", relay.StepSign, []string{"office-head"}, relay.ReportIssued),
		{name: "add user", method: "POST", allowed: []string{"admin"}, status: http.StatusSeeOther,
			fixture: func(*testing.T, bool) string {
				userSeq++
				return fmt.Sprintf("mx%s-%d", stamp, userSeq)
			},
			path: func(string) string { return "/users" },
			form: func(name string) url.Values {
				return url.Values{"username": {name}, "name": {"矩阵"}, "role": {"unit"}, "unit": {"gaj"}, "password": {"matrix-password-1"}}
			},
			snap: func(t *testing.T, name string) string {
				_, ok, err := e.users.Get(name)
				return fmt.Sprintf("exists=%v err=%v", ok, err)
			},
			effect: func(t *testing.T, name, _ string, r resp, _ string) {
				if u, ok, _ := e.users.Get(name); !ok || u.Unit != "gaj" {
					t.Fatalf("user %s not added: %+v", name, u)
				}
			}},
		accountAction("disable account", "/users/%s/disable", []string{"admin"}, nil,
			func(u accounts.User) string { return fmt.Sprint("disabled=", u.Disabled) }, "disabled=true"),
		accountAction("remove account", "/users/%s/remove", []string{"admin"}, nil,
			func(u accounts.User) string { return fmt.Sprint("removed=", u.Removed) }, "removed=true"),
		accountAction("change role", "/security/%s/role", []string{"security"}, url.Values{"role": {"office"}},
			func(u accounts.User) string { return "role=" + u.Role + u.Unit }, "role=office"),
		accountAction("unlock account", "/security/%s/unlock", []string{"security"}, nil,
			func(u accounts.User) string { return fmt.Sprint("locked=", e.users.Locked(u)) }, "locked=false"),
		// Last: it changes the password (then put back), which ends the user's sessions.
		{name: "change password", method: "POST", allowed: everyone, status: http.StatusSeeOther,
			fixture: func(*testing.T, bool) string { return "" },
			path:    func(string) string { return "/password" },
			form: func(string) url.Values {
				userSeq++
				pw := fmt.Sprintf("matrix-new-%d", userSeq)
				newPasswords = append(newPasswords, pw)
				return url.Values{"current": {testPassword}, "new": {pw}, "confirm": {pw}}
			},
			snap: func(*testing.T, string) string { return "" },
			effect: func(t *testing.T, _, user string, r resp, _ string) {
				pw := newPasswords[len(newPasswords)-1]
				if _, err := e.users.Authenticate(user, pw); err != nil {
					t.Fatalf("new password of %s: %v", user, err)
				}
				if err := e.users.ResetPassword(user, testPassword); err != nil {
					t.Fatal(err)
				}
			}},
	}

	// A head keeps the permissions of its role: every cell open to the role is open to
	// the head; the sign-off cells are the heads' alone.
	for i := range actions {
		al := slices.Clone(actions[i].allowed)
		if slices.Contains(al, "inspection") {
			al = append(al, "inspection-head")
		}
		if slices.Contains(al, "office") {
			al = append(al, "office-head")
		}
		actions[i].allowed = al
	}

	// One browser per actor, signed in once.
	browsers := map[string]*browser{}
	for _, a := range matrixActors {
		if a.user == "" {
			b := e.browser(t)
			b.get("/login")
			browsers[a.key] = b
			continue
		}
		browsers[a.key] = e.login(t, a.user)
	}

	type cell struct{ status int }
	results := map[string]map[string]cell{}
	var nCells, nAllowed, nRefused int
	for _, ac := range actions {
		results[ac.name] = map[string]cell{}
		for _, a := range matrixActors {
			allowed := slices.Contains(ac.allowed, a.key)
			t.Run(ac.name+"/"+a.key, func(t *testing.T) {
				b := browsers[a.key]
				b.t = t
				target := ac.fixture(t, allowed)
				path := ac.path(target)
				before := ac.snap(t, target)
				mark := len(logs.All())
				var r resp
				if ac.method == "GET" {
					r = b.get(path)
				} else {
					var form url.Values
					if ac.form != nil {
						form = ac.form(target)
					}
					if ac.name == "upload list" {
						r = b.upload(target+".yaml", []byte(fmt.Sprintf("meeting: {id: %s, name: 上传测试, date: %s}\nitems:\n  - {no: 1, title: 上传事项, lead: 人社局, deadline: %s}\n",
							target, now.Format(relay.DateLayout), deadline)), nil)
					} else {
						r = b.post(path, form)
					}
				}
				results[ac.name][a.key] = cell{r.status}
				nCells++
				fresh := logs.All()[mark:]
				refusal := func() (found bool, entry observer.LoggedEntry) {
					for _, le := range fresh {
						m := le.ContextMap()
						reason, _ := m["reason"].(string)
						userOK := m["user"] == a.user || (a.user == "" && m["user"] == nil)
						if le.Level >= zapcore.InfoLevel && m["path"] == strings.SplitN(path, "?", 2)[0] && userOK && reason != "" {
							return true, le
						}
					}
					return false, observer.LoggedEntry{}
				}
				if allowed {
					nAllowed++
					if r.status != ac.status {
						t.Fatalf("%s %s as %s: status %d, want %d\n%s", ac.method, path, a.key, r.status, ac.status, snippet(r.body))
					}
					if found, le := refusal(); found {
						t.Fatalf("an allowed request logged a refusal: %s %v", le.Message, le.ContextMap())
					}
					ac.effect(t, target, a.user, r, before)
					return
				}
				nRefused++
				switch {
				case a.user == "" && ac.method == "GET":
					// No session: a page sends the browser to the login page.
					if r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/login?next=") {
						t.Fatalf("anonymous GET %s: %d %q", path, r.status, r.loc)
					}
				case a.user == "":
					must(t, r, http.StatusUnauthorized, "未登录")
				default:
					must(t, r, http.StatusForbidden)
				}
				if strings.Contains(r.body, "安全令牌") {
					t.Fatal("refused for the form token, not for authorisation")
				}
				if after := ac.snap(t, target); after != before {
					t.Fatalf("a refused %s %s as %s changed state: %s -> %s", ac.method, path, a.key, before, after)
				}
				found, le := refusal()
				if !found {
					t.Fatalf("refusal of %s %s as %s not recorded; log: %v", ac.method, path, a.key, entries(fresh))
				}
				m := le.ContextMap()
				if a.user != "" {
					u, _, _ := e.users.Get(a.user)
					if le.Level != zapcore.WarnLevel || m["role"] != u.Role || m["method"] != ac.method {
						t.Fatalf("refusal entry %s %v", le.Level, m)
					}
					if (u.Unit != "" && m["unit"] != u.Unit) || (u.Leader != "" && m["leader"] != u.Leader) {
						t.Fatalf("refusal entry lacks the unit or leader: %v", m)
					}
					if rest, ok := strings.CutPrefix(path, "/tasks/"); ok {
						if id := strings.SplitN(rest, "/", 2)[0]; m["task"] != id {
							t.Fatalf("refusal entry lacks the task id %s: %v", id, m)
						}
					}
				}
			})
		}
	}

	// A wrong password is recorded too, with the name tried and never the password.
	wrong := e.browser(t)
	wrong.get("/login")
	must(t, wrong.post("/login", url.Values{"username": {"duban"}, "password": {"not-the-" + testPassword}}), http.StatusUnauthorized)
	if logs.FilterMessage("console refused login").FilterField(zap.String("user", "duban")).Len() == 0 {
		t.Error("a wrong password is not recorded")
	}

	// No log line carries a password, a cookie, a form token or the session key.
	secrets := append([]string{testPassword, "matrix-password", fmt.Sprintf("%x", e.key)}, newPasswords...)
	u, _ := url.Parse(e.srv.URL)
	for _, b := range browsers {
		for _, c := range b.c.Jar.Cookies(u) {
			secrets = append(secrets, c.Value)
		}
		if b.csrf != "" {
			secrets = append(secrets, b.csrf)
		}
	}
	for _, le := range logs.All() {
		line := le.Message + fmt.Sprint(le.ContextMap())
		for _, sec := range secrets {
			if sec != "" && strings.Contains(line, sec) {
				t.Errorf("log line carries a secret: %s", line)
			}
		}
	}

	// The table: actions down, actors across; ✓ allowed, else the refusal's status.
	var tb strings.Builder
	fmt.Fprintf(&tb, "\n%-30s", "action \\ actor")
	for _, a := range matrixActors {
		fmt.Fprintf(&tb, " %-12s", a.key)
	}
	for _, ac := range actions {
		fmt.Fprintf(&tb, "\n%-30s", ac.method+" "+ac.name)
		for _, a := range matrixActors {
			c, ok := results[ac.name][a.key]
			mark := "-"
			switch {
			case !ok:
			case slices.Contains(ac.allowed, a.key):
				mark = fmt.Sprintf("allow %d", c.status)
			default:
				mark = fmt.Sprintf("refuse %d", c.status)
			}
			fmt.Fprintf(&tb, " %-12s", mark)
		}
	}
	t.Logf("authorisation matrix: %d cells, %d allowed, %d refused (%d log lines)%s", nCells, nAllowed, nRefused, logs.Len(), tb.String())
	if nCells != len(actions)*len(matrixActors) {
		t.Errorf("%d cells ran, want %d", nCells, len(actions)*len(matrixActors))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// matrixPDF is the file the download cells fetch.
var matrixPDF = []byte("%PDF-1.4\n% authorisation matrix\n%%EOF\n")

func reportFileName(month string) string {
	_, exHTML, _, _, _ := report.Files(month)
	return exHTML
}

func entries(les []observer.LoggedEntry) []string {
	var out []string
	for _, le := range les {
		out = append(out, fmt.Sprintf("%s %s %v", le.Level, le.Message, le.ContextMap()))
	}
	return out
}
