package report

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"taskrelay/internal/gongwen"
	"time"

	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// Report is a month's figures and every detail the two reports and the ledger show.
type Report struct {
	Figures
	County      string       `json:"county,omitempty"`
	AsOfTime    time.Time    `json:"as_of_time"`
	GeneratedAt time.Time    `json:"generated_at"`
	Period      MonthFigures `json:"period"` // all meetings together
	Meetings    []MeetingRow `json:"meetings"`
	Units       []GroupRow   `json:"units"`    // by lead unit, with names
	Deputies    []GroupRow   `json:"deputies"` // by deputy in charge, with names
	Overdue     []TaskRow    `json:"overdue"`  // open past the deadline, longest first
	Yellow      []TaskRow    `json:"yellow"`   // near the deadline or behind (黄灯)
	Named       []TaskRow    `json:"named"`    // overdue longer than NameAfterDays
	DueNext     []TaskRow    `json:"due_next"` // open, due next month
	// Standing are the open standing tasks (长期事项): no deadline, listed apart.
	Standing    []TaskRow      `json:"standing,omitempty"`
	ClosedMonth []TaskRow      `json:"closed_month"`
	Progress    []TaskRow      `json:"progress"` // progress notes reported this month
	Grants      []GrantRow     `json:"grants"`   // extensions granted this month
	Rejections  []RejectionRow `json:"rejections"`
	NoticesYTD  NoticeCount    `json:"notices_ytd"`
	NoticeKinds []KindRow      `json:"notice_kinds"`
	Rows        []TaskRow      `json:"rows"` // every task, by meeting and number (the ledger)
	// Scores are the units' scores (考评), best first, with the events behind them.
	Scores  []UnitScore `json:"scores"`
	Options Options     `json:"options"`
	// Documents are the settings the .docx reports are laid out with.
	Documents gongwen.Settings `json:"documents"`
	// DocNo and CommitteeDocNo are the 发文字号 of the issued 通报 and report to the
	// committee; empty on a draft (拟稿).
	DocNo          string `json:"doc_no,omitempty"`
	CommitteeDocNo string `json:"committee_doc_no,omitempty"`
}

// MonthFigures are the month's movements.
type MonthFigures struct {
	Totals
	CarriedOver int `json:"carried_over"` // dispatched before the month, open at its start
	New         int `json:"new"`          // dispatched in the month
	ClosedMonth int `json:"closed_month"` // closed in the month
}

// MeetingRow is one committee meeting's items.
type MeetingRow struct {
	relay.Meeting
	MonthFigures
}

// GroupRow is a unit's or a deputy's tasks.
type GroupRow struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Totals
}

// TaskRow is one task as of the report's day.
type TaskRow struct {
	ID          string      `json:"id"`
	Meeting     string      `json:"meeting"`
	MeetingName string      `json:"meeting_name"`
	No          int         `json:"no"`
	Title       string      `json:"title"`
	Unit        string      `json:"unit"`
	UnitName    string      `json:"unit_name"`
	CoNames     []string    `json:"co_names"`
	Deputy      string      `json:"deputy"`
	DeputyName  string      `json:"deputy_name"`
	Deadline    string      `json:"deadline"`
	Standing    bool        `json:"standing,omitempty"`
	State       relay.State `json:"state"`
	Light       relay.Light `json:"light"`
	Progress    int         `json:"progress"`
	Note        string      `json:"note,omitempty"`
	NoteAt      *time.Time  `json:"note_at,omitempty"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`
	OnTime      bool        `json:"on_time,omitempty"`
	OverdueDays int         `json:"overdue_days,omitempty"`
	Behind      string      `json:"behind,omitempty"` // the milestone not reached, when the engine says so
	// Contact is the lead unit's 联络员; Evidence counts the task's files (佐证材料).
	Contact  string `json:"contact,omitempty"`
	Evidence int    `json:"evidence"`
}

// GrantRow is an extension granted in the month.
type GrantRow struct {
	TaskRow
	Grant relay.Grant `json:"grant"`
}

// RejectionRow is a completion sent back in the month.
type RejectionRow struct {
	TaskRow
	Rejection relay.Rejection `json:"rejection"`
}

// KindRow counts one kind of notice.
type KindRow struct {
	Kind  string `json:"kind"`
	Month int    `json:"month"`
	YTD   int    `json:"ytd"`
}

// state is a task as it stood at an instant: the model's state (model.State) and
// the readings the report takes from it.
type state struct {
	t                 *Task
	m                 model.State
	st                relay.State
	progress          int
	deadline          string
	submitted, closed bool
	withdrawn         bool
	submittedAt       *time.Time
	closedAt          *time.Time
	note              string
	noteAt            *time.Time
	onTime, overdue   bool
	overdueDays       int
	light             relay.Light
	// who carried the task at the instant, named
	who relay.Assignment
}

// stateAt replays the timeline up to at through the task model; without a timeline
// the summary is the state (the gatherer supplies timelines whenever the summary may
// be newer than at).
func stateAt(t *Task, at time.Time, r model.Rule, behind bool) *state {
	var m model.State
	if t.Timeline == nil {
		m = model.FromSummary(t.TaskSummary)
		m.Deadline = model.DeadlineOn(m, at)
		// Defensive, for a summary newer than at (the gatherer avoids this by adding
		// the timeline): undo what it shows happened later.
		if m.ClosedAt != nil && m.ClosedAt.After(at) {
			m.Status, m.ClosedAt = relay.StateCompletionSubmitted, nil
		}
		if m.SubmittedAt != nil && m.SubmittedAt.After(at) {
			m.SubmittedAt = nil
			if m.Status == relay.StateCompletionSubmitted {
				m.Status = relay.StateInProgress
			}
		}
		if m.LastProgressAt != nil && m.LastProgressAt.After(at) {
			m.LastProgressNote, m.LastProgressAt = "", nil
		}
		if m.Status == relay.StateWithdrawn && (m.WithdrawnAt == nil || m.WithdrawnAt.After(at)) {
			m.Status, m.WithdrawnAt = relay.StateInProgress, nil // withdrawn later: open on that day
		}
	} else {
		m = model.At(model.Start(t.TaskSummary, t.Timeline), t.Timeline, at)
	}
	return &state{
		t: t, m: m, st: m.Status, progress: m.Progress, deadline: m.Deadline,
		closed: m.Status == relay.StateClosed, withdrawn: m.Status == relay.StateWithdrawn,
		submitted:   m.Status == relay.StateCompletionSubmitted,
		submittedAt: m.SubmittedAt, closedAt: m.ClosedAt,
		note: m.LastProgressNote, noteAt: m.LastProgressAt,
		onTime: model.OnTime(m), overdue: model.Overdue(m, at), overdueDays: model.OverdueDays(m, at),
		light: model.Light(m, at, r, behind),
		who:   assignedAt(t, m),
	}
}

// assignedAt is the lead unit, supporting units and deputy in force in m, with the
// directory's names: the summary's (the assignment now) or those of the
// assignment a reassignment replaced.
func assignedAt(t *Task, m model.State) relay.Assignment {
	units := map[string]string{t.LeadUnit: t.LeadUnitName}
	deputies := map[string]string{t.Deputy: t.DeputyName}
	for i, c := range t.CoUnits {
		units[c] = nth(t.CoUnitNames, i)
	}
	for _, e := range t.Timeline {
		if e.Change == nil || e.Change.Before == nil {
			continue
		}
		b := e.Change.Before
		for _, u := range append([]relay.UnitRef{b.Lead}, b.Co...) {
			if units[u.ID] == "" {
				units[u.ID] = u.Name
			}
		}
		if deputies[b.Deputy.ID] == "" {
			deputies[b.Deputy.ID] = b.Deputy.Name
		}
	}
	name := func(names map[string]string, id string) relay.UnitRef {
		if n := names[id]; n != "" {
			return relay.UnitRef{ID: id, Name: n}
		}
		return relay.UnitRef{ID: id, Name: id}
	}
	a := relay.Assignment{Lead: name(units, m.Lead), Deputy: name(deputies, m.Deputy)}
	for _, c := range m.Co {
		a.Co = append(a.Co, name(units, c))
	}
	return a
}

func nth(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return ""
}

// Compute works out a month's report from the tasks as they stood at Request.AsOfTime.
func Compute(in Input) (*Report, error) {
	req := in.Request
	if req.Month == "" || req.AsOfTime.IsZero() {
		return nil, ErrNoMonth
	}
	start, err := ParseMonth(req.Month)
	if err != nil {
		return nil, err
	}
	end := start.AddDate(0, 1, 0)
	nextEnd := end.AddDate(0, 1, 0)
	at := req.AsOfTime
	live := !req.Now.IsZero() && !at.Before(req.Now)
	opt := in.Options
	if opt == (Options{}) {
		opt = DefaultOptions()
	}
	r := &Report{
		Figures: Figures{Month: req.Month, AsOf: req.AsOf, ByUnit: []UnitRow{}, ByDeputy: []DeputyRow{}, Red: []RedRow{},
			Instructions: []InstructionRow{}, Chases: []ChaseRow{}, Unsigned: []UnsignedRow{}},
		County:      in.County,
		AsOfTime:    at,
		GeneratedAt: req.Now,
		Options:     opt,
		Documents:   in.Documents,
	}
	chases := map[string]*ChaseRow{}
	rule := opt.ScoreRule()
	r.Figures.ScoreRule = ScoreRuleOut{ScoreRule: rule, Text: rule.Describe()}
	sc := newScorer(rule, start, at)
	meetingName := map[string]relay.Meeting{}
	for _, m := range in.Meetings {
		meetingName[m.ID] = m
	}

	tasks := make([]*Task, 0, len(in.Tasks))
	for i := range in.Tasks {
		if !in.Tasks[i].DispatchedAt.After(at) {
			tasks = append(tasks, &in.Tasks[i])
		}
	}
	sort.Slice(tasks, func(i, j int) bool {
		if tasks[i].Meeting != tasks[j].Meeting {
			return tasks[i].Meeting < tasks[j].Meeting
		}
		return tasks[i].No < tasks[j].No
	})

	meetings := map[string]*MeetingRow{}
	units := map[string]*GroupRow{}
	deputies := map[string]*GroupRow{}
	inMonth := func(t time.Time) bool { return !t.Before(start) && t.Before(end) && !t.After(at) }
	for _, t := range tasks {
		// Live, the engine's milestone watch counts too.
		s := stateAt(t, at, model.Rule{YellowDays: opt.YellowDays}, live && t.BehindMilestone != nil)
		m := meetings[t.Meeting]
		if m == nil {
			mt, ok := meetingName[t.Meeting]
			if !ok {
				mt = relay.Meeting{ID: t.Meeting, Name: t.Meeting}
			}
			m = &MeetingRow{Meeting: mt}
			meetings[t.Meeting] = m
		}
		var month MonthFigures
		month.Totals.add(s)
		r.changeRows(t, s, m.Name, chases)
		sc.task(t, s)
		if s.withdrawn {
			// Counted apart (totals.withdrawn), listed in the ledger only.
			m.merge(month)
			r.Period.merge(month)
			group(units, s.who.Lead.ID, s.who.Lead.Name).add(s)
			group(deputies, s.who.Deputy.ID, s.who.Deputy.Name).add(s)
			r.Rows = append(r.Rows, taskRow(t, s, m.Name, in.Contacts, at))
			continue
		}
		if t.DispatchedAt.Before(start) && !(s.closedAt != nil && s.closedAt.Before(start)) {
			month.CarriedOver++
		}
		if inMonth(t.DispatchedAt) {
			month.New++
		}
		if s.closedAt != nil && inMonth(*s.closedAt) {
			month.ClosedMonth++
		}
		m.merge(month)
		r.Period.merge(month)
		group(units, s.who.Lead.ID, s.who.Lead.Name).add(s)
		group(deputies, s.who.Deputy.ID, s.who.Deputy.Name).add(s)

		row := taskRow(t, s, m.Name, in.Contacts, at)
		if b := t.BehindMilestone; b != nil && live && !s.closed {
			row.Behind = fmt.Sprintf("节点 %s“%s”未达序时进度", b.Date, b.Goal)
		}
		r.Rows = append(r.Rows, row)
		if s.overdue {
			r.Overdue = append(r.Overdue, row)
			r.Red = append(r.Red, RedRow{Task: t.ID, Unit: s.who.Lead.ID, Deadline: s.deadline})
			// Named (red tier): overdue long enough, or so marked by the engine itself.
			if s.overdueDays >= opt.NameAfterDays || (live && t.ListedForReport) {
				r.Named = append(r.Named, row)
			}
		} else if s.light == relay.Yellow && !s.submitted { // a completion awaiting verification is not behind
			r.Yellow = append(r.Yellow, row)
		}
		if s.m.Standing && !s.closed {
			r.Standing = append(r.Standing, row)
		}
		if !s.closed {
			if d, err := relay.ParseDate(s.deadline); err == nil && !d.Before(end) && d.Before(nextEnd) {
				r.DueNext = append(r.DueNext, row)
			}
		}
		if s.closedAt != nil && inMonth(*s.closedAt) {
			r.ClosedMonth = append(r.ClosedMonth, row)
		}
		if s.noteAt != nil && inMonth(*s.noteAt) {
			r.Progress = append(r.Progress, row)
		}
		for _, g := range t.Grants {
			if inMonth(g.At) {
				r.Grants = append(r.Grants, GrantRow{TaskRow: row, Grant: g})
			}
		}
		for _, x := range t.RejectedCompletions {
			if inMonth(x.At) {
				r.Rejections = append(r.Rejections, RejectionRow{TaskRow: row, Rejection: x})
			}
		}
	}
	r.Totals = r.Period.Totals
	for _, id := range slices.Sorted(maps.Keys(meetings)) {
		r.Meetings = append(r.Meetings, *meetings[id])
	}
	sort.SliceStable(r.Meetings, func(i, j int) bool { return r.Meetings[i].Date < r.Meetings[j].Date })
	r.Scores = sc.scores()
	scoreOf := map[string]UnitScore{}
	for _, us := range r.Scores {
		scoreOf[us.Unit] = us
	}
	for _, id := range slices.Sorted(maps.Keys(units)) {
		u := units[id]
		r.Units = append(r.Units, *u)
		us, ok := scoreOf[id]
		if !ok {
			us.Score, us.ScoreYTD = rule.Base, rule.Base
		}
		r.ByUnit = append(r.ByUnit, UnitRow{Unit: id, Tasks: u.Tasks, Closed: u.Closed(), Overdue: u.OpenOverdue, Score: us.Score, ScoreYTD: us.ScoreYTD})
	}
	for _, id := range slices.Sorted(maps.Keys(deputies)) {
		d := deputies[id]
		r.Deputies = append(r.Deputies, *d)
		r.ByDeputy = append(r.ByDeputy, DeputyRow{Deputy: id, Tasks: d.Tasks, Closed: d.Closed(), Overdue: d.OpenOverdue})
	}
	// Tables read best worst first: most overdue, then lowest completion.
	rank := func(g []GroupRow) {
		sort.SliceStable(g, func(i, j int) bool {
			if g[i].OpenOverdue != g[j].OpenOverdue {
				return g[i].OpenOverdue > g[j].OpenOverdue
			}
			return g[i].CompletionRate < g[j].CompletionRate
		})
	}
	rank(r.Units)
	rank(r.Deputies)
	byDays := func(rows []TaskRow) {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].OverdueDays > rows[j].OverdueDays })
	}
	byDays(r.Overdue)
	byDays(r.Named)
	sort.SliceStable(r.DueNext, func(i, j int) bool { return r.DueNext[i].Deadline < r.DueNext[j].Deadline })
	sort.SliceStable(r.Progress, func(i, j int) bool { return r.Progress[i].NoteAt.After(*r.Progress[j].NoteAt) })

	r.finishChanges(chases)
	r.noticeFigures(in.Notices, start, end, at)
	return r, nil
}

func (r *Report) noticeFigures(notices []Notice, start, end, at time.Time) {
	yearStart := time.Date(start.Year(), 1, 1, 0, 0, 0, 0, relay.TimeZone)
	kinds := map[string]*KindRow{}
	for _, n := range notices {
		if !Counted(n.Kind) || n.IssuedAt.Before(yearStart) || n.IssuedAt.After(at) || !n.IssuedAt.Before(end) {
			continue
		}
		k := kinds[n.Kind]
		if k == nil {
			k = &KindRow{Kind: n.Kind}
			kinds[n.Kind] = k
		}
		k.YTD++
		r.NoticesYTD.add(n)
		if !n.IssuedAt.Before(start) {
			k.Month++
			r.Notices.add(n)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		r.NoticeKinds = append(r.NoticeKinds, *kinds[k])
	}
	sort.SliceStable(r.NoticeKinds, func(i, j int) bool { return kindOrder(r.NoticeKinds[i].Kind) < kindOrder(r.NoticeKinds[j].Kind) })
}

func (m *MonthFigures) merge(x MonthFigures) {
	m.Tasks += x.Tasks
	m.ClosedOnTime += x.ClosedOnTime
	m.ClosedLate += x.ClosedLate
	m.OpenNotDue += x.OpenNotDue
	m.OpenOverdue += x.OpenOverdue
	m.Withdrawn += x.Withdrawn
	m.CompletionRate = pct(m.Closed(), m.Tasks)
	m.CarriedOver += x.CarriedOver
	m.New += x.New
	m.ClosedMonth += x.ClosedMonth
}

func group(m map[string]*GroupRow, id, name string) *Totals {
	g := m[id]
	if g == nil {
		if name == "" {
			name = id
		}
		g = &GroupRow{ID: id, Name: name}
		m[id] = g
	}
	return &g.Totals
}

func taskRow(t *Task, s *state, meetingName string, contacts map[string]relay.Contact, at time.Time) TaskRow {
	row := TaskRow{
		ID: t.ID, Meeting: t.Meeting, MeetingName: meetingName, No: t.No, Title: t.Title,
		Unit: s.who.Lead.ID, UnitName: t.LeadAddressed(), CoNames: t.CoAddressed(),
		Deputy: s.who.Deputy.ID, DeputyName: s.who.Deputy.Name, Deadline: s.deadline, Standing: s.m.Standing,
		State: s.st, Light: s.light, Progress: s.progress,
		Note: s.note, NoteAt: s.noteAt, ClosedAt: s.closedAt, OnTime: s.onTime, OverdueDays: s.overdueDays,
	}
	// Another assignment on that day: its names (the list's wording is the summary's).
	if s.who.Lead.ID != t.LeadUnit {
		row.UnitName = s.who.Lead.Name
	}
	if !slices.Equal(s.m.Co, t.CoUnits) {
		row.CoNames = refNames(s.who.Co)
	}
	if c, ok := contacts[s.who.Lead.ID]; ok {
		row.Contact = c.String()
	}
	for _, a := range t.Attachments {
		if !a.At.After(at) { // the files reported by the report's day
			row.Evidence++
		}
	}
	return row
}

func refNames(rs []relay.UnitRef) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}
