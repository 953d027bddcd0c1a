// Package audit verifies a meeting's record end to end: that every task's timeline is
// an unbroken hash chain from the committee's original item text, that every notice
// on record is exactly as sealed when issued, and that every unit received exactly
// the items and text the committee adopted ("信息对称、责任到人" made checkable).
package audit

import (
	"fmt"
	"sort"

	"taskrelay/internal/relay"
)

// Report is the outcome of an audit.
type Report struct {
	Meeting  string   `json:"meeting"`
	OK       bool     `json:"ok"`
	Checked  Counts   `json:"checked"`
	Units    []Unit   `json:"units"`
	Problems []string `json:"problems"`
}

// Counts says how much was verified.
type Counts struct {
	Tasks   int `json:"tasks"`
	Entries int `json:"timeline_entries"`
	Notices int `json:"notices"`
	Files   int `json:"files"`
}

// Unit is what one unit received for the meeting.
type Unit struct {
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	Notices  int    `json:"dispatch_notices"`
	Items    int    `json:"items"`
	Intact   bool   `json:"intact"`
}

// Check audits a meeting: its view (the adopted items), its tasks with their
// timelines, and every notice on record for it (the outbox).
func Check(m relay.MeetingView, tasks []relay.TaskView, notices []relay.Notice) Report {
	r := Report{Meeting: m.Meeting.ID}
	items := map[int]relay.Item{}
	roots := map[int]string{}
	for _, it := range m.Items {
		items[it.No] = it
		roots[it.No] = relay.ItemRoot(m.Meeting, it)
	}
	// Timelines: unbroken chains from the item's root.
	heads := map[string]map[string]bool{} // task id -> every hash of its chain
	for _, t := range tasks {
		r.Checked.Tasks++
		root, ok := roots[t.No]
		if !ok {
			r.problem("任务 %s 不在会议 %s 通过的清单中", t.ID, m.Meeting.ID)
			continue
		}
		seen := map[string]bool{}
		prev := root
		for i, e := range t.Timeline {
			r.Checked.Entries++
			if want := relay.ChainEvent(prev, e); e.Hash != want {
				r.problem("任务 %s 办理记录第%d条（%s %s）校验失败：记录被改动、删除或顺序被打乱", t.ID, i+1,
					e.At.In(relay.TimeZone).Format("2006-01-02 15:04"), e.Action)
				break
			}
			seen[e.Hash] = true
			prev = e.Hash
		}
		heads[t.ID] = seen
	}
	// Notices: sealed content, the committee's text, anchors into the timelines.
	type got struct {
		count int
		items map[int]string // no -> role
		ok    bool
	}
	received := map[string]*got{}
	for _, n := range notices {
		if n.MeetingID != m.Meeting.ID {
			continue
		}
		r.Checked.Notices++
		intact := true
		if n.Hash == "" || n.Hash != relay.SealNotice(n) {
			r.problem("通知 %s（致%s）与签发时封存的内容不符：文件被改动", n.ID, n.ToName)
			intact = false
		}
		for _, ni := range n.Items {
			it, ok := items[ni.No]
			switch {
			case !ok:
				r.problem("通知 %s（致%s）列有清单中不存在的第%d项", n.ID, n.ToName, ni.No)
				intact = false
			case ni.ItemHash != roots[ni.No] || ni.Title != it.Title || ni.Requirements != it.Requirements:
				r.problem("通知 %s（致%s）第%d项与县委常委会通过的原文不一致", n.ID, n.ToName, ni.No)
				intact = false
			}
		}
		if n.Chain != "" && n.TaskID != "" {
			if seen, ok := heads[n.TaskID]; ok && !seen[n.Chain] && n.Chain != roots[noOf(n)] {
				r.problem("通知 %s 锚定的办理记录在任务 %s 中找不到：办理记录被改动", n.ID, n.TaskID)
			}
		}
		if n.Kind == relay.NoticeDispatch && n.TaskID == "" { // a meeting's 交办单 (a reassignment's carries its task)
			g := received[n.To]
			if g == nil {
				g = &got{items: map[int]string{}, ok: true}
				received[n.To] = g
			}
			g.count++
			g.ok = g.ok && intact
			for _, ni := range n.Items {
				g.items[ni.No] = ni.Role
			}
		}
	}
	// Every unit: exactly one dispatch notice with exactly its items and roles.
	for _, d := range m.Notices {
		u := Unit{Unit: d.Unit, UnitName: d.UnitName, Items: len(d.Items)}
		g := received[d.Unit]
		if g != nil {
			u.Notices = g.count
		}
		switch {
		case g == nil:
			r.problem("%s（%s）没有交办单记录", d.UnitName, d.Unit)
		case g.count != 1:
			r.problem("%s（%s）有 %d 份交办单，应为 1 份", d.UnitName, d.Unit, g.count)
		default:
			match := len(g.items) == len(d.Items)
			for _, ref := range d.Items {
				match = match && g.items[ref.No] == ref.Role
			}
			if !match {
				r.problem("%s（%s）的交办单所列事项与会议交办的不一致", d.UnitName, d.Unit)
			}
			u.Intact = match && g.ok
		}
		r.Units = append(r.Units, u)
	}
	sort.Slice(r.Units, func(i, j int) bool { return r.Units[i].Unit < r.Units[j].Unit })
	r.OK = len(r.Problems) == 0
	return r
}

func noOf(n relay.Notice) int {
	if len(n.Items) > 0 {
		return n.Items[0].No
	}
	return 0
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Files checks every file on the tasks' timelines with check (the blob store's:
// present, and its bytes still hashing to its name) and records a problem naming the
// task and the file for each that fails. A file's name, size, type and hash are in
// its entry's hash, so Check already covers what the timeline says about it.
func (r *Report) Files(tasks []relay.TaskView, check func(relay.Attachment) error) {
	for _, t := range tasks {
		for _, e := range t.Timeline {
			for _, a := range e.Attachments {
				r.Checked.Files++
				if err := check(a); err != nil {
					r.problem("任务 %s 的%v", t.ID, err)
				}
			}
		}
	}
	r.OK = len(r.Problems) == 0
}
