package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// TestTaskChanges walks the changes on the task page, role by role: the lead unit
// pushes back (once), the office reassigns it to the unit suggested, the old unit
// loses the task and the new one gets it; the office amends (a refusal by the engine
// shows its reason and changes nothing); instructions by the inspection office for a
// deputy, by the deputy and by the county head; the office withdraws, and the
// withdrawn task shows its state and no form.
func TestTaskChanges(t *testing.T) {
	e := setup(t)
	meeting := fmt.Sprintf("cwh-chg-%d", time.Now().UnixNano())
	e.adopted(t, meeting)
	id := relay.TaskID(meeting, 4) // lead 人社局 (rsj), deputy ld-chang
	page := TaskURL(id)
	ctx := context.Background()
	task := func() relay.TaskView {
		t.Helper()
		v, err := e.api.Task(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	rsj := e.login(t, "rsj1")
	must(t, rsj.get(page), http.StatusOK, `id="form-pushback"`, "申请退回")
	r := rsj.post(page+"/pushback", url.Values{"reason": {"该事项属公安局职责"}, "suggest": {"gaj"}})
	must(t, r, http.StatusSeeOther)
	must(t, rsj.get(r.loc), http.StatusOK, "退回申请已提交", `id="pushback"`, "待县政府办公室决定", "建议由<strong>县公安局</strong>承办")
	if v := task(); v.Pushback == nil || v.Pushback.State != relay.PushbackPending || v.Light != relay.Yellow {
		t.Fatalf("after the push back: %+v light %s", v.Pushback, v.Light)
	}
	// No second push back: the form is gone, and a forged one is the engine's refusal.
	if body := rsj.get(page).body; strings.Contains(body, `id="form-pushback"`) {
		t.Fatal("the push back form is offered again")
	}
	before := len(task().Timeline)
	r = rsj.post(page+"/pushback", url.Values{"reason": {"再次退回"}})
	must(t, r, http.StatusConflict, "待县政府办公室决定")
	if n := len(task().Timeline); n != before {
		t.Fatalf("a refused push back changed the timeline: %d -> %d", before, n)
	}
	// Another unit cannot push back a task not its own.
	must(t, e.login(t, "gaj1").post(page+"/pushback", url.Values{"reason": {"x"}}), http.StatusForbidden)

	// The office decides: the suggested unit leads.
	off := e.login(t, "office1")
	must(t, off.get(page), http.StatusOK, `id="form-decide-pushback"`, `<option value="gaj" selected>`, `id="form-reassign"`, `id="form-amend"`, `id="form-withdraw"`)
	r = off.post(page+"/decide-pushback", url.Values{"decision": {"reassign"}, "lead": {"gaj"}, "co_shown": {"1"}, "note": {"同意由县公安局牵头"}})
	must(t, r, http.StatusSeeOther)
	must(t, off.get(r.loc), http.StatusOK, "已对退回申请作出决定", "已决定：调整分工", "县政府办公室")
	v := task()
	if v.LeadUnit != "gaj" || v.IsUnitOf("rsj") || v.Pushback.State != relay.PushbackReassigned {
		t.Fatalf("after the decision: lead %s co %v push back %+v", v.LeadUnit, v.CoUnits, v.Pushback)
	}
	// The deputy in charge follows the new lead unit (公安局 is in ld-wang's portfolio).
	if v.Deputy != "ld-wang" {
		t.Fatalf("after the decision the deputy is %s, want the new lead's ld-wang", v.Deputy)
	}
	must(t, rsj.get(page), http.StatusForbidden)
	must(t, rsj.post(page+"/progress", url.Values{"percent": {"10"}, "note": {"x"}}), http.StatusForbidden)
	must(t, e.login(t, "gaj1").get(page), http.StatusOK, `id="form-progress"`, `id="form-pushback"`)

	// Amend: nothing changed is the console's refusal; a bad date the engine's.
	must(t, off.post(page+"/amend", url.Values{"deadline": {v.Deadline}, "reason": {"无"}}), http.StatusUnprocessableEntity, "事项未作改动")
	before = len(task().Timeline)
	must(t, off.post(page+"/amend", url.Values{"deadline": {"2026-13-45"}, "reason": {"调整"}}), http.StatusConflict, "完成时限")
	if n := len(task().Timeline); n != before {
		t.Fatalf("a refused amendment changed the timeline: %d -> %d", before, n)
	}
	newDeadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 150).Format(relay.DateLayout)
	must(t, off.post(page+"/amend", url.Values{"deadline": {newDeadline}, "requirements": {"联合执法检查"}, "reason": {"县委调整要求"}}), http.StatusSeeOther)
	if v := task(); v.Deadline != newDeadline || v.Requirements != "联合执法检查" {
		t.Fatalf("after amending: %s %q", v.Deadline, v.Requirements)
	}
	// The office's reassignment of the deputy; the inspection office's of the units.
	for _, d := range []string{"ld-chang", "ld-wang"} {
		must(t, off.post(page+"/reassign", url.Values{"deputy": {d}, "reason": {"分工调整"}}), http.StatusSeeOther)
		if v := task(); v.Deputy != d {
			t.Fatalf("deputy %s, want %s", v.Deputy, d)
		}
	}
	ins := e.login(t, "duban")
	must(t, ins.get(page), http.StatusOK, `id="form-reassign"`, `id="form-instruct"`)
	if body := ins.get(page).body; strings.Contains(body, `id="form-amend"`) || strings.Contains(body, `id="form-withdraw"`) {
		t.Fatal("the inspection office is offered the office's forms")
	}
	must(t, ins.post(page+"/reassign", url.Values{"co_shown": {"1"}, "co": {"czj", "rsj"}, "reason": {"财政局、人社局配合"}}), http.StatusSeeOther)
	if v := task(); v.LeadUnit != "gaj" || strings.Join(v.CoUnits, ",") != "czj,rsj" {
		t.Fatalf("after the inspection office's reassignment: %s %v", v.LeadUnit, v.CoUnits)
	}
	must(t, ins.post(page+"/amend", url.Values{"deadline": {"2030-01-01"}, "reason": {"x"}}), http.StatusForbidden)

	// Instructions: for the deputy (picked), by the deputy, by the county head.
	must(t, ins.post(page+"/instruct", url.Values{"by": {"ld-chang"}, "text": {"x"}}), http.StatusUnprocessableEntity, "请选择作批示的县领导")
	must(t, ins.post(page+"/instruct", url.Values{"by": {"ld-wang"}, "text": {"请抓紧落实"}}), http.StatusSeeOther)
	wang := e.login(t, "wang")
	must(t, wang.get(page), http.StatusOK, `id="form-instruct"`, "以 <strong>王某</strong> 名义批示")
	must(t, wang.post(page+"/instruct", url.Values{"text": {"月底前见成效"}}), http.StatusSeeOther)
	must(t, e.login(t, "chang").post(page+"/instruct", url.Values{"text": {"x"}}), http.StatusForbidden)
	must(t, e.login(t, "xz").post(page+"/instruct", url.Values{"text": {"县长批示：务必办好"}}), http.StatusSeeOther)
	v = task()
	if len(v.Instructions) != 3 || v.Instructions[0].By != "王某" || v.Instructions[2].By != "杨某" {
		t.Fatalf("instructions %+v", v.Instructions)
	}
	if !slices.ContainsFunc(v.Timeline, func(e relay.Event) bool { return e.User == "xz" && e.Action == relay.ActInstruction }) {
		t.Fatalf("no instruction by xz on the timeline: %+v", v.Timeline)
	}
	must(t, off.get(page), http.StatusOK, `id="instructions"`, "请抓紧落实", "月底前见成效", "县长批示：务必办好")

	// Chase: the inspection office chases the lead unit in one 催办单.
	must(t, ins.get(page), http.StatusOK, `id="form-chase"`)
	replyBy := time.Now().In(relay.TimeZone).AddDate(0, 0, 3).Format(relay.DateLayout)
	must(t, off.post(page+"/chase", url.Values{"unit": {"gaj"}, "reply_by": {replyBy}, "note": {"x"}}), http.StatusForbidden)
	must(t, ins.post(page+"/chase", url.Values{"unit": {"zzb"}, "reply_by": {replyBy}, "note": {"x"}}), http.StatusUnprocessableEntity, "请选择此任务的牵头或配合单位")
	before = len(task().Timeline)
	must(t, ins.post(page+"/chase", url.Values{"unit": {"gaj"}, "reply_by": {"2020-01-01"}, "note": {"x"}}), http.StatusConflict, "早于今天")
	if n := len(task().Timeline); n != before {
		t.Fatalf("a refused chase changed the timeline: %d -> %d", before, n)
	}
	r = ins.post(page+"/chase", url.Values{"unit": {"gaj"}, "reply_by": {replyBy}, "note": {"请尽快报送进展"}, "request_id": {"chase-form-1"}})
	must(t, r, http.StatusSeeOther)
	must(t, ins.get(r.loc), http.StatusOK, "催办单已发出", `id="chases"`, "催办 <strong>县公安局</strong>，请于 "+replyBy+" 前报送进展（未回复）")
	// The same form again sends nothing more.
	must(t, ins.post(page+"/chase", url.Values{"unit": {"gaj"}, "reply_by": {replyBy}, "note": {"请尽快报送进展"}, "request_id": {"chase-form-1"}}), http.StatusSeeOther)
	if v := task(); len(v.Chases) != 1 || v.Chases[0].Unit != "gaj" || v.Chases[0].ReplyBy != replyBy {
		t.Fatalf("chases %+v", v.Chases)
	}

	// Withdraw: the state shows, no form does, and every change is refused.
	must(t, off.post(page+"/withdraw", url.Values{"reason": {""}}), http.StatusUnprocessableEntity, "请填写撤销理由")
	must(t, off.post(page+"/withdraw", url.Values{"reason": {"县委决定不再实施"}}), http.StatusSeeOther)
	if v := task(); v.State != relay.StateWithdrawn {
		t.Fatalf("state %s", v.State)
	}
	for _, u := range []string{"office1", "duban", "gaj1", "wang"} {
		r := e.login(t, u).get(page)
		must(t, r, http.StatusOK, `id="withdrawn"`, "县委决定不再实施", "已撤销")
		if strings.Contains(r.body, `id="form-`) {
			t.Fatalf("%s is offered a form on a withdrawn task", u)
		}
	}
	must(t, off.post(page+"/reassign", url.Values{"lead": {"rsj"}, "reason": {"x"}}), http.StatusConflict, "已撤销")
	must(t, e.login(t, "gaj1").post(page+"/progress", url.Values{"percent": {"10"}, "note": {"x"}}), http.StatusConflict, "已撤销")
}

// FuzzTaskChange: every change form (reassign, amend, withdraw, pushback,
// decide-pushback, instruct, chase) by any role, the county head included, with any fields.
func FuzzTaskChange(f *testing.F) {
	z := fuzzSetup(f)
	actors := append(slices.Clone(fuzzActors), "xz")
	f.Fuzz(func(t *testing.T, actor byte, action, lead, co, deputy, deadline, requirements, reason, suggest, decision, by, text, unit, replyBy, all string) {
		id := z.fuzzTask(t)
		user := actors[int(actor)%len(actors)]
		before, snap := z.taskState(t, id)
		path := TaskURL(id) + "/" + url.PathEscape(action)
		form := url.Values{"lead": {lead}, "deputy": {deputy}, "deadline": {deadline}, "requirements": {requirements},
			"reason": {reason}, "suggest": {suggest}, "decision": {decision}, "note": {reason}, "by": {by}, "text": {text},
			"unit": {unit}, "reply_by": {replyBy}, "all": {all}}
		if co != "" {
			form["co_shown"] = []string{"1"}
			form["co"] = strings.Split(co, ",")
		}
		w := z.post(t, path, form, user)
		checkAnswer(t, w, "POST "+path+" as "+user)
		v, after := z.taskState(t, id)
		if w.Code != http.StatusSeeOther {
			if after != snap || v.LeadUnit != before.LeadUnit || len(v.Instructions) != len(before.Instructions) || len(v.Chases) != len(before.Chases) {
				t.Fatalf("refused (%d) but changed: %s -> %s", w.Code, snap, after)
			}
			return
		}
		// The user's entry is among the new ones (the system may add its own after it,
		// e.g. the number of a document the change sent).
		acted := false
		for _, e := range v.Timeline[min(len(before.Timeline), len(v.Timeline)):] {
			acted = acted || e.User == user
		}
		if after == snap || !acted {
			t.Fatalf("accepted %s as %s but the timeline does not show it: %s -> %s", action, user, snap, after)
		}
	})
}

// TestMeetingInstruction: the county head's page lists every task; the inspection
// office writes a deputy's instruction on the meeting's tasks in his charge, and the
// county head's on all of them.
func TestMeetingInstruction(t *testing.T) {
	e := setup(t)
	meeting := fmt.Sprintf("cwh-min-%d", time.Now().UnixNano())
	e.adopted(t, meeting)
	ctx := context.Background()
	_, tasks, err := e.api.Status(ctx, meeting)
	if err != nil {
		t.Fatal(err)
	}
	chang := 0
	for _, v := range tasks {
		if v.Deputy == "ld-chang" {
			chang++
		}
	}
	if chang == 0 || chang == len(tasks) {
		t.Fatalf("the test list gives ld-chang %d of %d tasks", chang, len(tasks))
	}
	// The county head's page lists every task of the meeting, whoever's deputy.
	head := e.login(t, "xz")
	eventually(t, "the county head's page lists the meeting", func() bool {
		body := head.get("/leader?meeting=" + meeting).body
		return strings.Contains(body, "全部任务") && strings.Contains(body, "共 <strong>7</strong> 项")
	})
	if body := head.get("/leader?meeting=" + meeting).body; strings.Contains(body, "待批复的延期申请") {
		t.Fatal("the county head is offered extensions to decide")
	}
	path := MeetingURL(meeting) + "/instruct"
	must(t, e.login(t, "office1").get(MeetingURL(meeting)), http.StatusOK)
	if strings.Contains(e.login(t, "office1").get(MeetingURL(meeting)).body, `id="form-meeting-instruct"`) {
		t.Fatal("the office is offered the meeting's instruction form")
	}
	must(t, e.login(t, "office1").post(path, url.Values{"by": {"ld-chang"}, "text": {"x"}}), http.StatusForbidden)
	ins := e.login(t, "duban")
	must(t, ins.get(MeetingURL(meeting)), http.StatusOK, `id="form-meeting-instruct"`, "杨某（县长）")
	must(t, ins.post(path, url.Values{"by": {"ld-nobody"}, "text": {"x"}}), http.StatusUnprocessableEntity, "请选择作批示的县领导")
	r := ins.post(path, url.Values{"by": {"ld-chang"}, "text": {"分管事项月底前见成效"}})
	must(t, r, http.StatusSeeOther)
	must(t, ins.get(r.loc), http.StatusOK, fmt.Sprintf("批示已录入：%d 项任务", chang))
	must(t, ins.post(path, url.Values{"by": {"ld-xz"}, "text": {"全部事项务必按期办结"}}), http.StatusSeeOther)
	_, tasks, err = e.api.Status(ctx, meeting)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range tasks {
		want := 1
		if v.Deputy == "ld-chang" {
			want = 2
		}
		if len(v.Instructions) != want || v.Instructions[want-1].By != "杨某" {
			t.Fatalf("task %s (deputy %s): instructions %+v", v.ID, v.Deputy, v.Instructions)
		}
	}
}
