package report

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// ScoreEvent is one gain or loss of points, traceable to the task and what happened
// (`starter score UNIT --month M --json`).
type ScoreEvent struct {
	Task   string    `json:"task"`
	Event  string    `json:"event"` // relay.Score*
	Points float64   `json:"points"`
	At     time.Time `json:"at"`             // when it counted (for overdue: the end of the days counted)
	Days   int       `json:"days,omitempty"` // overdue: the days counted in the period
}

// UnitScore is a unit's score for the month and for the year to date, with the events
// behind each.
type UnitScore struct {
	Unit      string       `json:"unit"`
	UnitName  string       `json:"unit_name"`
	Rank      int          `json:"rank"` // by the month's score
	Score     float64      `json:"score"`
	ScoreYTD  float64      `json:"score_ytd"`
	Events    []ScoreEvent `json:"events"`
	EventsYTD []ScoreEvent `json:"events_ytd"`
}

// ScoreRuleOut is the rule as `report --json` gives it (score_rule): its values and
// its wording.
type ScoreRuleOut struct {
	relay.ScoreRule
	Text string `json:"text"`
}

// scoreEvents are the events of one task between from and at (the task's state at at).
func scoreEvents(rule relay.ScoreRule, t *Task, s *state, from, at time.Time) map[string][]ScoreEvent {
	out := map[string][]ScoreEvent{}
	in := func(x time.Time) bool { return !x.Before(from) && !x.After(at) }
	add := func(unit string, e ScoreEvent) {
		if e.Points != 0 {
			out[unit] = append(out[unit], e)
		}
	}
	// Overdue: the days from the later of the deadline and the lead unit's receipt of
	// the task to its completion (or the report's instant, or the withdrawal) that fall
	// in the period (model.OverdueSpan).
	if hi, days := model.OverdueSpan(s.m, from, at); days > 0 {
		add(t.LeadUnit, ScoreEvent{Task: t.ID, Event: relay.ScoreOverdue, Points: -round1(float64(days) * rule.OverduePerDay), At: hi, Days: days})
	}
	for _, x := range t.RejectedCompletions {
		if in(x.At) {
			add(t.LeadUnit, ScoreEvent{Task: t.ID, Event: relay.ScoreReturned, Points: -rule.Returned, At: x.At})
		}
	}
	for _, c := range t.Chases {
		due, err := relay.DeadlineEnd(c.ReplyBy)
		if err == nil && !c.Answered && !c.At.After(at) && in(due) {
			add(c.Unit, ScoreEvent{Task: t.ID, Event: relay.ScoreUnansweredChase, Points: -rule.Chase, At: due})
		}
	}
	// Unsigned: each unit the task records as not signed for it by its time to sign
	// (签收时限, working days); a task started before the engine kept those falls back
	// to its lead unit not signed ack_days after dispatch.
	switch {
	case len(t.Unsigned) > 0:
		if !s.closed && !s.withdrawn {
			for _, u := range t.Unsigned {
				if in(u.Due) {
					add(u.Unit, ScoreEvent{Task: t.ID, Event: relay.ScoreUnsignedDispatch, Points: -rule.Unsigned, At: u.Due})
				}
			}
		}
	case s.st == relay.StateDispatched:
		if due := t.DispatchedAt.AddDate(0, 0, rule.AckDays); in(due) {
			add(t.LeadUnit, ScoreEvent{Task: t.ID, Event: relay.ScoreUnsignedDispatch, Points: -rule.Unsigned, At: due})
		}
	}
	if s.closedAt != nil && in(*s.closedAt) && model.EarlyDone(s.m, rule.EarlyDays) {
		add(t.LeadUnit, ScoreEvent{Task: t.ID, Event: relay.ScoreEarly, Points: rule.Early, At: *s.closedAt})
	}
	return out
}

// scorer gathers the events of every task for the month and the year to date.
type scorer struct {
	rule        relay.ScoreRule
	month, year time.Time
	at          time.Time
	names       map[string]string
	events, ytd map[string][]ScoreEvent
}

func newScorer(rule relay.ScoreRule, month, at time.Time) *scorer {
	return &scorer{rule: rule, month: month, year: time.Date(month.Year(), 1, 1, 0, 0, 0, 0, relay.TimeZone), at: at,
		names: map[string]string{}, events: map[string][]ScoreEvent{}, ytd: map[string][]ScoreEvent{}}
}

func (sc *scorer) task(t *Task, s *state) {
	sc.names[t.LeadUnit] = t.LeadUnitName
	for _, u := range t.Unsigned {
		if sc.names[u.Unit] == "" {
			sc.names[u.Unit] = u.UnitName
		}
	}
	for i, u := range t.CoUnits {
		if i < len(t.CoUnitNames) && sc.names[u] == "" {
			sc.names[u] = t.CoUnitNames[i]
		}
	}
	for u, es := range scoreEvents(sc.rule, t, s, sc.month, sc.at) {
		sc.events[u] = append(sc.events[u], es...)
	}
	for u, es := range scoreEvents(sc.rule, t, s, sc.year, sc.at) {
		sc.ytd[u] = append(sc.ytd[u], es...)
	}
}

// scores are every unit's scores, best first (ties: the year's score, then the unit id).
func (sc *scorer) scores() []UnitScore {
	out := make([]UnitScore, 0, len(sc.names))
	for _, u := range slices.Sorted(maps.Keys(sc.names)) {
		us := UnitScore{Unit: u, UnitName: sc.names[u], Events: sc.events[u], EventsYTD: sc.ytd[u]}
		if us.UnitName == "" {
			us.UnitName = u
		}
		for _, es := range [][]ScoreEvent{us.Events, us.EventsYTD} {
			sort.SliceStable(es, func(i, j int) bool {
				if !es[i].At.Equal(es[j].At) {
					return es[i].At.Before(es[j].At)
				}
				return es[i].Task < es[j].Task
			})
		}
		if us.Events == nil {
			us.Events = []ScoreEvent{}
		}
		if us.EventsYTD == nil {
			us.EventsYTD = []ScoreEvent{}
		}
		us.Score, us.ScoreYTD = sc.rule.Base+sum(us.Events), sc.rule.Base+sum(us.EventsYTD)
		out = append(out, us)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ScoreYTD > out[j].ScoreYTD
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Score == out[i-1].Score && out[i].ScoreYTD == out[i-1].ScoreYTD {
			out[i].Rank = out[i-1].Rank // tied
		}
	}
	return out
}

func sum(es []ScoreEvent) float64 {
	var t float64
	for _, e := range es {
		t += e.Points
	}
	return round1(t)
}

// scoreSection is the 通报's ranking: each unit's score for the month and the year,
// and what moved it this month.
func (r *Report) scoreSection(d *doc) {
	d.p("按照考评规则（%s），各单位本月及今年以来得分排名如下：", r.Figures.ScoreRule.Text)
	var rows [][]string
	for _, us := range r.Scores {
		rows = append(rows, []string{fmt.Sprint(us.Rank), us.UnitName, points(us.Score), points(us.ScoreYTD), eventSummary(us.Events)})
	}
	d.table([]string{"名次", "单位", "本月得分", "今年以来得分", "本月加减分事项"}, rows)
}

// eventSummary counts a unit's events by kind: "逾期未办结 2件（12天）−6；办结被退回 1次 −2".
func eventSummary(es []ScoreEvent) string {
	type agg struct {
		n, days int
		pts     float64
	}
	by := map[string]*agg{}
	var order []string
	for _, e := range es {
		a := by[e.Event]
		if a == nil {
			a = &agg{}
			by[e.Event] = a
			order = append(order, e.Event)
		}
		a.n++
		a.days += e.Days
		a.pts += e.Points
	}
	if len(order) == 0 {
		return "无"
	}
	var parts []string
	for _, k := range order {
		a := by[k]
		s := fmt.Sprintf("%s%d次", relay.ScoreEventLabel(k), a.n)
		if k == relay.ScoreOverdue {
			s = fmt.Sprintf("%s%d件（%d天）", relay.ScoreEventLabel(k), a.n, a.days)
		}
		parts = append(parts, s+signed(round1(a.pts)))
	}
	return strings.Join(parts, "；")
}

func points(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func signed(v float64) string {
	if v > 0 {
		return "+" + points(v)
	}
	return "−" + points(-v)
}
