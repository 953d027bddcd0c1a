package console

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// standingList: item 1 dated, item 2 standing (长期坚持), item 3 led and supported by
// one body under two names (县委政法委, 县司法局), item 4 with its deadline already past.
func standingList(meeting string) []byte {
	now := time.Now().In(relay.TimeZone)
	d := func(days int) string { return now.AddDate(0, 0, days).Format(relay.DateLayout) }
	return []byte(fmt.Sprintf(`meeting: {id: %s, name: 县委常委会测试会议%s, date: %s}
items:
  - {no: 1, title: 推进两险同宣同征, lead: 县人社局, deadline: %s}
  - {no: 2, title: 常态化稳岗就业, lead: 县人社局, co: [县财政局], deadline: 长期坚持}
  - {no: 3, title: 平安建设, lead: 县委政法委, co: [县司法局], deadline: %s}
  - {no: 4, title: 补录事项, lead: 县财政局, deadline: %s}
`, meeting, meeting, d(-30), d(60), d(90), d(-3)))
}

// adoptList uploads list as the office, checks the proposed page with check, adopts
// it and waits for the dispatch.
func (e *testEnv) adoptList(t *testing.T, meeting string, list []byte, check func(proposed string)) {
	t.Helper()
	off := e.login(t, "office1")
	r := off.upload(meeting+".yaml", list, nil)
	must(t, r, http.StatusSeeOther)
	r = off.get(r.loc)
	must(t, r, http.StatusOK, "待县政府常务会议通过")
	check(r.body)
	must(t, off.post(MeetingURL(meeting)+"/adopt", nil), http.StatusSeeOther)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.api.WaitDispatched(ctx, meeting); err != nil {
		t.Fatal(err)
	}
}

// TestStandingDeadlineOnPages: a standing task's 完成时限 reads 长期 on the submitted
// list, the adopted meeting, the task page, the board and the unit's 我的任务 — never
// an empty cell.
func TestStandingDeadlineOnPages(t *testing.T) {
	e := setup(t)
	const m = "cwh-standing"
	cell := `<td data-label="完成时限">长期</td>`
	e.adoptList(t, m, standingList(m), func(proposed string) {
		if strings.Count(proposed, cell) != 1 {
			t.Errorf("proposed list: want one 长期 cell:\n%s", snippet(proposed))
		}
	})
	duban := e.login(t, "duban")
	must(t, duban.get(MeetingURL(m)), http.StatusOK, cell)
	must(t, duban.get(TaskURL(relay.TaskID(m, 2))), http.StatusOK, `<dd id="task-deadline">长期</dd>`, "<dt>完成时限（原文）</dt><dd>长期</dd>")
	date := `<td data-label="完成时限" class="date">长期</td>`
	eventually(t, "the board shows 长期", func() bool {
		return strings.Contains(duban.get("/board?meeting="+m).body, date)
	})
	// Standing after the dated tasks of the same light: an empty deadline sorts first.
	board := duban.get("/board?meeting=" + m).body
	if i, j := strings.Index(board, relay.TaskID(m, 1)), strings.Index(board, relay.TaskID(m, 2)); i < 0 || j < 0 || j < i {
		t.Errorf("board order: item 1 at %d, the standing item 2 at %d", i, j)
	}
	eventually(t, "我的任务 shows 长期", func() bool {
		return strings.Contains(e.login(t, "rsj1").get("/my").body, date)
	})
}

// TestListWarningsOnMeetingPage: the submitted list's page shows every warning of the
// list (合署办公 units, a deadline already past, a standing task) until it is adopted;
// once dispatched it names each item whose deadline had passed at dispatch.
func TestListWarningsOnMeetingPage(t *testing.T) {
	e, f := fakeSetup(t)
	const m = "cwh-warnings"
	now := time.Now().In(relay.TimeZone)
	today, past := now.Format(relay.DateLayout), now.AddDate(0, 0, -3).Format(relay.DateLayout)
	off := e.login(t, "office1")
	r := off.upload(m+".yaml", standingList(m), nil)
	must(t, r, http.StatusSeeOther)
	r = off.get(r.loc)
	must(t, r, http.StatusOK, "待县政府常务会议通过", `id="warnings"`, "提示（3）",
		"第2项：提示：按长期事项交办",
		"第3项：提示：配合单位“县司法局”与牵头单位“县委政法委”是同一单位（县委政法委）",
		"第4项：提示：完成时限 "+past+" 已过（截至 "+today+"）")
	// Adopted and dispatched today: item 4 had passed its deadline when its unit got it.
	v, err := f.Meeting(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	v.State, v.AdoptedAt, v.AdoptedBy, v.DispatchedAt = relay.MeetingAdopted, &at, "office1", &at
	f.PutMeeting(v, at)
	r = off.get(MeetingURL(m))
	must(t, r, http.StatusOK, `id="late"`, "交办时已过完成时限（1）", "第4项：提示：完成时限 "+past+" 已过（截至 "+today+"）")
	if strings.Contains(r.body, `id="warnings"`) {
		t.Error("the adopted meeting still shows the list's warnings")
	}
	if regexp.MustCompile(`第[123]项：提示：完成时限`).MatchString(r.body) {
		t.Error("a late warning for an item in time")
	}
}

// TestStandingTaskFormsOnFake: a standing task's page offers its unit no 申请延期 and
// the office no date to amend (the engine refuses both: it has no deadline), saying
// 长期 instead; a dated task keeps both.
func TestStandingTaskFormsOnFake(t *testing.T) {
	e, _ := fakeSetup(t)
	const m = "cwh-fake-standing"
	e.dispatched(t, m)
	standing, dated := relay.TaskID(m, 4), relay.TaskID(m, 1) // both led by rsj
	e.put(t, standing, func(s *relay.TaskSummary) { s.Standing, s.Deadline = true, "" })
	rsj, off := e.login(t, "rsj1"), e.login(t, "office1")
	if r := rsj.get(TaskURL(standing)); r.status != http.StatusOK || strings.Contains(r.body, `id="form-extend"`) {
		t.Errorf("a standing task offers 申请延期 (%d)", r.status)
	}
	must(t, rsj.get(TaskURL(dated)), http.StatusOK, `id="form-extend"`)
	r := off.get(TaskURL(standing))
	must(t, r, http.StatusOK, `id="form-amend"`, `<p class="field" id="am-standing">完成时限：长期（长期事项不设完成时限）</p>`)
	if strings.Contains(r.body, `id="am-deadline"`) {
		t.Error("the amend form offers a date for a standing task")
	}
	must(t, off.get(TaskURL(dated)), http.StatusOK, `id="am-deadline"`)
}
