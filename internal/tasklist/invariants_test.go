package tasklist

import (
	"testing"

	"taskrelay/internal/relay"
)

// checkPlan asserts what every accepted plan guarantees.
func checkPlan(t testing.TB, p *relay.Plan) {
	t.Helper()
	d := sampleDir(t)
	if p == nil {
		t.Fatal("nil plan without error")
	}
	if len(p.Items) == 0 || len(p.Items) > MaxItems {
		t.Errorf("%d items", len(p.Items))
	}
	meeting, err := relay.ParseDate(p.Meeting.Date)
	if err != nil {
		t.Errorf("meeting date %q: %v", p.Meeting.Date, err)
	}
	if p.Meeting.ID == "" || len(p.Meeting.ID) > MaxMeetingIDLen || !meetingIDRE.MatchString(p.Meeting.ID) || p.Meeting.Name == "" {
		t.Errorf("meeting %+v", p.Meeting)
	}
	units := map[string]bool{}
	for _, u := range p.Units {
		if units[u.ID] {
			t.Errorf("unit %s twice", u.ID)
		}
		units[u.ID] = true
		if du, ok := d.Unit(u.ID); !ok || du.Name != u.Name {
			t.Errorf("unit %+v not in directory", u)
		}
	}
	nos := map[int]bool{}
	for _, it := range p.Items {
		if it.No <= 0 || nos[it.No] {
			t.Errorf("item number %d", it.No)
		}
		nos[it.No] = true
		if it.Title == "" {
			t.Errorf("item %d: no title", it.No)
		}
		if _, ok := d.Unit(it.Lead); !ok || !units[it.Lead] {
			t.Errorf("item %d: lead %q", it.No, it.Lead)
		}
		co := map[string]bool{it.Lead: true}
		for _, c := range it.Co {
			if _, ok := d.Unit(c); !ok || !units[c] || co[c] {
				t.Errorf("item %d: co %q", it.No, c)
			}
			co[c] = true
		}
		if _, ok := d.Leader(it.Deputy); !ok {
			t.Errorf("item %d: deputy %q", it.No, it.Deputy)
		}
		if _, ok := p.Leader(it.Deputy); !ok {
			t.Errorf("item %d: deputy %q not in plan", it.No, it.Deputy)
		}
		if it.Source.LeadID != it.Lead || len(it.Source.CoIDs) != len(it.Source.Co) {
			t.Errorf("item %d: source %+v", it.No, it.Source)
		}
		dl, err := relay.ParseDate(it.Deadline)
		switch {
		case it.Standing:
			if it.Deadline != "" {
				t.Errorf("item %d: standing with deadline %q", it.No, it.Deadline)
			}
		case err != nil:
			t.Errorf("item %d: deadline %q: %v", it.No, it.Deadline, err)
		case dl.Before(meeting):
			t.Errorf("item %d: deadline %s before meeting", it.No, it.Deadline)
		}
		if it.Feedback != "" && it.Feedback != relay.FeedbackMonthly {
			t.Errorf("item %d: feedback %q", it.No, it.Feedback)
		}
		prevDate, prevPct := p.Meeting.Date, 0
		for _, m := range it.Milestones {
			if _, err := relay.ParseDate(m.Date); err != nil || m.Date < prevDate || (!it.Standing && m.Date > it.Deadline) ||
				m.Goal == "" || m.Percent < prevPct || m.Percent < 1 || m.Percent > 100 {
				t.Errorf("item %d: milestone %+v after %s %d%%", it.No, m, prevDate, prevPct)
			}
			prevDate, prevPct = m.Date, m.Percent
		}
	}
}
