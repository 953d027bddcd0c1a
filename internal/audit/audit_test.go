package audit

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

func fixture() (relay.MeetingView, []relay.TaskView, []relay.Notice) {
	p := relay.Plan{
		Meeting: relay.Meeting{ID: "cwh-a", Name: "县委常委会测试会议", Date: "2026-09-15"},
		Units:   []relay.Unit{{ID: "rsj", Name: "县人社局"}, {ID: "czj", Name: "县财政局"}},
		Leaders: []relay.Leader{{ID: "ld-chang", Name: "李某"}},
		Items: []relay.Item{
			{No: 1, Title: "两险同宣同征", Requirements: "一个窗口", Lead: "rsj", Co: []string{"czj"}, Deputy: "ld-chang", Deadline: "2026-12-31",
				Source: relay.Source{Lead: "县医疗保障局", Co: []string{"县财政局"}}},
			{No: 2, Title: "预算绩效", Lead: "czj", Deputy: "ld-chang", Deadline: "2026-11-30"},
		},
	}
	at := time.Date(2026, 9, 20, 2, 0, 0, 0, time.UTC)
	notices, views := p.DispatchNotices(p.Items, at)
	m := relay.MeetingView{Meeting: p.Meeting, State: relay.MeetingAdopted, Items: p.Items, Units: p.Units, Notices: views}
	var tasks []relay.TaskView
	for _, it := range p.Items {
		t := relay.TaskView{ID: relay.TaskID(p.Meeting.ID, it.No), No: it.No}
		prev := relay.ItemRoot(p.Meeting, it)
		for i, action := range []string{"dispatched", "acknowledged", "progress"} {
			e := relay.Event{At: at.Add(time.Duration(i) * time.Hour), By: it.Lead, Action: action, Note: "记录" + action}
			e.Hash = relay.ChainEvent(prev, e)
			prev = e.Hash
			t.Timeline = append(t.Timeline, e)
		}
		tasks = append(tasks, t)
	}
	// A reminder anchored to task 1's chain head.
	rem := relay.Notice{ID: "reminder:cwh-a:1", Kind: relay.NoticeReminder, MeetingID: "cwh-a", To: "rsj", ToName: "县人社局",
		TaskID: "cwh-a:1", Items: []relay.NoticeItem{{No: 1, Title: "两险同宣同征", Requirements: "一个窗口", ItemHash: relay.ItemRoot(p.Meeting, p.Items[0])}},
		Chain: tasks[0].Timeline[2].Hash, IssuedAt: at}
	rem.Hash = relay.SealNotice(rem)
	return m, tasks, append(notices, rem)
}

func TestIntactRecordPasses(t *testing.T) {
	m, tasks, notices := fixture()
	r := Check(m, tasks, notices)
	if !r.OK || r.Checked.Tasks != 2 || r.Checked.Entries != 6 || r.Checked.Notices != 3 || len(r.Units) != 2 {
		t.Fatalf("intact record: %+v", r)
	}
	for _, u := range r.Units {
		if !u.Intact || u.Notices != 1 {
			t.Errorf("unit %+v", u)
		}
	}
}

func TestTamperingIsNamed(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(*relay.MeetingView, []relay.TaskView, []relay.Notice) []relay.Notice
		want   string
	}{
		{"timeline note edited", func(_ *relay.MeetingView, ts []relay.TaskView, ns []relay.Notice) []relay.Notice {
			ts[1].Timeline[1].Note = "改过的记录"
			return ns
		}, "任务 cwh-a:2 办理记录第2条"},
		{"timeline entry deleted", func(_ *relay.MeetingView, ts []relay.TaskView, ns []relay.Notice) []relay.Notice {
			ts[0].Timeline = append(ts[0].Timeline[:1], ts[0].Timeline[2:]...)
			return ns
		}, "任务 cwh-a:1 办理记录第2条"},
		{"notice text edited", func(_ *relay.MeetingView, _ []relay.TaskView, ns []relay.Notice) []relay.Notice {
			ns[0].Items[0].Title = "别的事"
			return ns
		}, "与签发时封存的内容不符"},
		{"notice edited and resealed", func(_ *relay.MeetingView, _ []relay.TaskView, ns []relay.Notice) []relay.Notice {
			ns[1].Items[0].Requirements = "放宽要求"
			ns[1].Hash = relay.SealNotice(ns[1])
			return ns
		}, "与县委常委会通过的原文不一致"},
		{"notice missing", func(_ *relay.MeetingView, _ []relay.TaskView, ns []relay.Notice) []relay.Notice {
			return ns[1:]
		}, "没有交办单记录"},
		{"notice twice", func(_ *relay.MeetingView, _ []relay.TaskView, ns []relay.Notice) []relay.Notice {
			dup := ns[0]
			dup.ID += "-again"
			dup.Hash = relay.SealNotice(dup)
			return append(ns, dup)
		}, "有 2 份交办单"},
		{"committee text changed after the fact", func(m *relay.MeetingView, _ []relay.TaskView, ns []relay.Notice) []relay.Notice {
			m.Items[0].Title = "改写后的任务"
			return ns
		}, "办理记录第1条"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, tasks, notices := fixture()
			notices = c.tamper(&m, tasks, notices)
			r := Check(m, tasks, notices)
			if r.OK {
				t.Fatal("tampering passed the audit")
			}
			if !strings.Contains(strings.Join(r.Problems, "\n"), c.want) {
				t.Errorf("problems %v do not name %q", r.Problems, c.want)
			}
		})
	}
}
