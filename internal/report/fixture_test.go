package report

import (
	"fmt"
	"time"

	"taskrelay/internal/relay"
)

// at is a county-local instant "2006-01-02 15:04".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, relay.TimeZone)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(t time.Time) *time.Time { return &t }

var (
	m12 = relay.Meeting{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"}
	m14 = relay.Meeting{ID: "cwh-2026-14", Name: "县委常委会2026年第14次会议", Date: "2026-11-10"}
	m15 = relay.Meeting{ID: "cwh-2026-15", Name: "县委常委会2026年第15次会议", Date: "2026-11-28"}
)

var unitNames = map[string]string{"rsj": "县人力资源和社会保障局", "czj": "县财政局", "lcj": "县林业和草原局", "xcb": "县委宣传部"}
var deputyOf = map[string][2]string{"rsj": {"ld-chang", "李某"}, "czj": {"ld-chang", "李某"}, "lcj": {"ld-zhao", "赵某"}, "xcb": {"ld-liu", "刘某"}}

func task(m relay.Meeting, no int, title, lead, deadline string, dispatched time.Time, st relay.State) Task {
	d := deputyOf[lead]
	return Task{TaskSummary: relay.TaskSummary{
		TaskView: relay.TaskView{
			ID: relay.TaskID(m.ID, no), No: no, Meeting: m.ID, Title: title,
			LeadUnit: lead, LeadUnitName: unitNames[lead], CoUnits: []string{"czj"}, CoUnitNames: []string{"县财政局"},
			Deputy: d[0], DeputyName: d[1], Deadline: deadline, State: st, Light: relay.Green,
		},
		DispatchedAt: dispatched,
	}}
}

// fixture is the county on 2 December 2026, reporting on November (state as of the end
// of 30 November). Every expected figure in the tests is worked out by hand from it.
func fixture() Input {
	d12, d14, d15 := at("2026-09-16 10:00"), at("2026-11-12 09:00"), at("2026-12-01 08:00")
	t1 := task(m12, 1, `推进社保医保"两险同宣同征"`, "rsj", "2026-10-31", d12, relay.StateClosed)
	t1.SubmittedAt, t1.ClosedAt, t1.Progress = ptr(at("2026-10-20 10:00")), ptr(at("2026-10-22 16:00")), 100
	t1.Attachments = []relay.AttachmentView{file(at("2026-10-20 10:00"), "验收.pdf"), file(at("2026-10-20 10:00"), "照片.png")}

	t2 := task(m12, 2, "全面推行“大股室制”", "czj", "2026-10-31", d12, relay.StateClosed)
	t2.SubmittedAt, t2.ClosedAt, t2.Progress = ptr(at("2026-11-05 10:00")), ptr(at("2026-11-06 11:00")), 100
	t2.Rejections = 1
	t2.RejectedCompletions = []relay.Rejection{{At: at("2026-11-03 15:00"), Note: "缺佐证材料"}}

	t3 := task(m12, 3, "=HYPERLINK(\"http://x\",\"点我\")", "lcj", "2026-11-15", d12, relay.StateInProgress)
	t3.Progress, t3.Light = 40, relay.Red
	t3.LastProgressAt, t3.LastProgressNote = ptr(at("2026-11-10 17:00")), "进度 40%：方案已起草|待上会"

	t4 := task(m12, 4, "举办第二届攀岩赛", "rsj", "2026-12-20", d12, relay.StateInProgress)
	t4.ExtensionsGranted = 1
	t4.Grants = []relay.Grant{{At: at("2026-11-12 10:00"), By: "ld-chang", From: "2026-11-20", To: "2026-12-20"}}

	t5 := task(m12, 5, "精简文件会议，力戒“文山会海”", "czj", "2026-11-25", d12, relay.StateCompletionSubmitted)
	t5.SubmittedAt, t5.Progress = ptr(at("2026-11-24 09:30")), 90

	t6 := task(m12, 6, "+开展社保医保基金监管联合检查", "lcj", "2026-10-15", d12, relay.StateDispatched)
	t6.Light = relay.Red

	// Closed after the report's day: its timeline says where it stood on 30 November.
	t7 := task(m12, 7, "@办好乡村音乐汇", "xcb", "2026-12-31", d12, relay.StateClosed)
	t7.SubmittedAt, t7.ClosedAt, t7.Progress = ptr(at("2026-11-28 10:00")), ptr(at("2026-12-01 10:00")), 100
	t7.LastProgressAt, t7.LastProgressNote = ptr(at("2026-11-20 11:00")), "进度 80%：主体工程完工"
	// One file by the report's day, one after it: the ledger counts one.
	t7.Attachments = []relay.AttachmentView{file(at("2026-11-28 10:00"), "方案.pdf"), file(at("2026-12-01 09:00"), "补充.pdf")}
	t7.Timeline = []relay.Event{
		{At: d12, By: "system", Action: "dispatched", Note: "经县委常委会2026年第12次会议交办"},
		{At: at("2026-11-02 09:00"), By: "xcb", Action: "acknowledged", Note: "签收"},
		{At: at("2026-11-20 11:00"), By: "xcb", Action: "progress", Note: "进度 80%：主体工程完工"},
		{At: at("2026-11-28 10:00"), By: "xcb", Action: "completion_submitted", Note: "已完成"},
		{At: at("2026-12-01 10:00"), By: "inspection", Action: "completion_accepted", Note: "同意销号"},
	}

	n1 := task(m14, 1, "-推动核桃产业提质增效", "xcb", "2027-03-31", d14, relay.StateAcknowledged)
	n2 := task(m14, 2, "整治形式主义为基层减负", "czj", "2026-12-05", d14, relay.StateInProgress)
	n2.Progress, n2.Light = 50, relay.Yellow
	n2.LastProgressAt, n2.LastProgressNote = ptr(at("2026-11-25 10:00")), "进度 50%：已完成招标"

	late := task(m15, 1, "会后才交办的事项", "rsj", "2027-01-31", d15, relay.StateDispatched)

	notices := []Notice{
		{ID: "dispatch:old", Kind: relay.NoticeDispatch, IssuedAt: at("2025-12-20 10:00"), Items: 5}, // last year
		{ID: "d12:rsj", Kind: relay.NoticeDispatch, IssuedAt: d12, Items: 3},
		{ID: "d12:czj", Kind: relay.NoticeDispatch, IssuedAt: d12, Items: 4},
		{ID: "d12:lcj", Kind: relay.NoticeDispatch, IssuedAt: d12, Items: 2},
		{ID: "o6", Kind: relay.NoticeOverdue, IssuedAt: at("2026-10-16 00:00"), Items: 1},
		{ID: "e6", Kind: relay.NoticeEscalation, IssuedAt: at("2026-10-16 00:00"), Items: 1},
		{ID: "r3a", Kind: relay.NoticeReminder, IssuedAt: at("2026-11-08 09:00"), Items: 1},
		{ID: "x4", Kind: relay.NoticeExtensionRequest, IssuedAt: at("2026-11-10 09:00"), Items: 1}, // not counted
		{ID: "d14:xcb", Kind: relay.NoticeDispatch, IssuedAt: d14, Items: 2},
		{ID: "d14:czj", Kind: relay.NoticeDispatch, IssuedAt: d14, Items: 1},
		{ID: "r3b", Kind: relay.NoticeReminder, IssuedAt: at("2026-11-14 09:00"), Items: 1},
		{ID: "o3", Kind: relay.NoticeOverdue, IssuedAt: at("2026-11-16 00:00"), Items: 1},
		{ID: "e3", Kind: relay.NoticeEscalation, IssuedAt: at("2026-11-16 00:00"), Items: 1},
		{ID: "r-dec", Kind: relay.NoticeReminder, IssuedAt: at("2026-12-01 09:00"), Items: 1}, // after the day
	}
	req, err := Resolve(Request{Month: "2026-11"}, time.Time{}, at("2026-12-02 09:00"))
	if err != nil {
		panic(err)
	}
	return Input{
		Request:  req,
		County:   "示例县",
		Meetings: []relay.Meeting{m14, m12, m15},
		Tasks:    []Task{n2, t7, t1, t2, t3, t4, t5, t6, n1, late},
		Notices:  notices,
		Options:  DefaultOptions(),
		Contacts: map[string]relay.Contact{"rsj": {Name: "王某某", Mobile: "13800001111"}, "czj": {Name: "刘某某"}},
	}
}

// file is an attachment brought by an entry at the given time.
func file(when time.Time, name string) relay.AttachmentView {
	return relay.AttachmentView{At: when, By: "unit", Action: relay.ActProgress,
		Attachment: relay.Attachment{SHA256: fmt.Sprintf("%064x", len(name)), Name: name, Size: 1, Type: "pdf"}}
}

// synthetic builds n task summaries spread over meetings, units and states, and the
// notices their relay would have issued, for benchmarks.
func synthetic(n int) Input {
	units := []string{"rsj", "czj", "lcj", "xcb"}
	var tasks []Task
	var notices []Notice
	start := at("2026-01-10 09:00")
	for i := 0; i < n; i++ {
		m := relay.Meeting{ID: fmt.Sprintf("cwh-2026-%02d", i/200), Name: fmt.Sprintf("县委常委会2026年第%d次会议", i/200)}
		disp := start.AddDate(0, 0, (i/200)%300)
		dl := disp.AddDate(0, 0, 20+i%120).Format(relay.DateLayout)
		t := task(m, i%200+1, fmt.Sprintf("事项%d", i), units[i%len(units)], dl, disp, relay.StateInProgress)
		t.LastProgressAt, t.LastProgressNote = ptr(disp.AddDate(0, 0, 5)), fmt.Sprintf("进度 %d%%：推进中", i%100)
		switch i % 4 {
		case 0:
			t.State, t.SubmittedAt, t.ClosedAt = relay.StateClosed, ptr(disp.AddDate(0, 0, 10+i%30)), ptr(disp.AddDate(0, 0, 11+i%30))
		case 1:
			t.Grants = []relay.Grant{{At: disp.AddDate(0, 0, 3), By: "inspection", From: dl, To: dl}}
		}
		tasks = append(tasks, t)
		for k := 0; k < 3; k++ {
			notices = append(notices, Notice{ID: fmt.Sprintf("n%d-%d", i, k), Kind: relay.NoticeReminder, IssuedAt: disp.AddDate(0, 0, 10*k), Items: 1})
		}
		if i%200 == 0 {
			for _, u := range units {
				notices = append(notices, Notice{ID: m.ID + u, Kind: relay.NoticeDispatch, IssuedAt: disp, Items: 50})
			}
		}
	}
	req, _ := Resolve(Request{Month: "2026-11"}, time.Time{}, at("2026-12-02 09:00"))
	return Input{Request: req, County: "示例县", Tasks: tasks, Notices: notices, Options: DefaultOptions()}
}
