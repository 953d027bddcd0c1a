package report

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"taskrelay/internal/relay"
)

// InstructionRow is one leader's instruction (领导批示) and whether the task's lead
// unit has reported progress since it.
type InstructionRow struct {
	Task        string    `json:"task"`
	By          string    `json:"by"`
	Replied     bool      `json:"replied"`
	At          time.Time `json:"at"`
	Text        string    `json:"text"`
	Title       string    `json:"title"`
	No          int       `json:"no"`
	MeetingName string    `json:"meeting_name"`
	UnitName    string    `json:"unit_name"`
}

// ChaseRow is one 催办单: the unit chased, its tasks, the reply date, and whether the
// unit has reported on every one of them since.
type ChaseRow struct {
	Unit     string    `json:"unit"`
	UnitName string    `json:"unit_name"`
	Tasks    []string  `json:"tasks"`
	ReplyBy  string    `json:"reply_by"`
	Answered bool      `json:"answered"`
	At       time.Time `json:"at"`
	Overdue  bool      `json:"overdue"` // unanswered past its reply date
}

// changeRows adds a task's instructions and chases as of the report's instant.
func (r *Report) changeRows(t *Task, s *state, meetingName string, chases map[string]*ChaseRow) {
	for _, in := range t.Instructions {
		if in.At.After(r.AsOfTime) {
			continue
		}
		r.Instructions = append(r.Instructions, InstructionRow{
			Task: t.ID, By: in.By, Replied: s.noteAt != nil && s.noteAt.After(in.At), At: in.At, Text: in.Text,
			Title: t.Title, No: t.No, MeetingName: meetingName, UnitName: t.LeadUnitName,
		})
	}
	if !s.closed && !s.withdrawn {
		for _, u := range t.Unsigned {
			if !u.Due.After(r.AsOfTime) {
				r.addUnsigned(u, t.ID)
			}
		}
	}
	for _, c := range t.Chases {
		if c.At.After(r.AsOfTime) {
			continue
		}
		row := chases[c.ID]
		if row == nil {
			row = &ChaseRow{Unit: c.Unit, UnitName: unitNameIn(t, c.Unit), ReplyBy: c.ReplyBy, Answered: true, At: c.At}
			chases[c.ID] = row
		}
		row.Tasks = append(row.Tasks, t.ID)
		row.Answered = row.Answered && c.Answered
	}
}

// finishChanges orders the rows and marks chases unanswered past their date.
func (r *Report) finishChanges(chases map[string]*ChaseRow) {
	sort.SliceStable(r.Instructions, func(i, j int) bool { return r.Instructions[i].At.Before(r.Instructions[j].At) })
	for _, id := range slices.Sorted(maps.Keys(chases)) {
		c := chases[id]
		if end, err := relay.DeadlineEnd(c.ReplyBy); err == nil && !c.Answered && !r.AsOfTime.Before(end) {
			c.Overdue = true
		}
		r.Chases = append(r.Chases, *c)
	}
	sort.SliceStable(r.Chases, func(i, j int) bool { return r.Chases[i].At.Before(r.Chases[j].At) })
}

func unitNameIn(t *Task, unit string) string {
	if unit == t.LeadUnit {
		return t.LeadUnitName
	}
	for i, c := range t.CoUnits {
		if c == unit && i < len(t.CoUnitNames) {
			return t.CoUnitNames[i]
		}
	}
	return unit
}

// instructionsSection is the 通报's 领导批示落实情况.
func (r *Report) instructionsSection(d *doc) {
	var items []string
	for _, in := range r.Instructions {
		state := "牵头单位尚未报送落实情况"
		if in.Replied {
			state = "牵头单位已报送落实情况"
		}
		items = append(items, fmt.Sprintf("%s（%s）：%s第%d项“%s”，%s批示“%s”；%s。",
			in.UnitName, cnDate(in.At), in.MeetingName, in.No, in.Title, in.By, in.Text, state))
	}
	d.list(items)
}

// chasesDue are the chases unanswered past their reply date, for 二、工作要求.
func (r *Report) chasesDue() []string {
	var items []string
	for _, c := range r.Chases {
		if c.Overdue {
			items = append(items, fmt.Sprintf("%s：%s 催办的%d项任务（%s），要求%s前回复，至今未报送进展。",
				c.UnitName, cnDate(c.At), len(c.Tasks), strings.Join(c.Tasks, "、"), cnDay(c.ReplyBy)))
		}
	}
	return items
}

// UnsignedRow is a unit that has not signed for tasks past its time to sign (签收时限).
type UnsignedRow struct {
	Unit     string    `json:"unit"`
	UnitName string    `json:"unit_name"`
	Tasks    []string  `json:"tasks"`
	Due      time.Time `json:"due"` // the earliest time to sign that ran out
}

func (r *Report) addUnsigned(u relay.Unsigned, task string) {
	for i := range r.Unsigned {
		if row := &r.Unsigned[i]; row.Unit == u.Unit {
			row.Tasks = append(row.Tasks, task)
			if u.Due.Before(row.Due) {
				row.Due = u.Due
			}
			return
		}
	}
	r.Unsigned = append(r.Unsigned, UnsignedRow{Unit: u.Unit, UnitName: u.UnitName, Tasks: []string{task}, Due: u.Due})
}

// unsignedDue are the units that have not signed for, for 二、工作要求.
func (r *Report) unsignedDue() []string {
	var items []string
	for _, u := range r.Unsigned {
		items = append(items, fmt.Sprintf("%s：%d项交办事项（%s）已过签收时限（%s），至今未签收。",
			u.UnitName, len(u.Tasks), strings.Join(u.Tasks, "、"), cnDate(u.Due.Add(-time.Second))))
	}
	return items
}
