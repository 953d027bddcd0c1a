package relay

import (
	"slices"
	"time"
)

// Calendar is the county's working calendar (工作日历): the days off that fall on
// weekdays (public holidays and the days taken off in lieu, 放假调休) and the weekend
// days that are worked (调休上班), from the State Council's yearly arrangement. A nil
// calendar is Monday to Friday. It travels in TaskConfig, so a task's timers are
// computed from its input, never from a file read by workflow code.
type Calendar struct {
	Holidays []string `json:"holidays,omitempty"` // YYYY-MM-DD, sorted
	Workdays []string `json:"workdays,omitempty"` // YYYY-MM-DD, sorted
}

// DefaultAckDays is how many working days a unit has to sign for a dispatch
// (签收时限, TASKRELAY_ACK_DAYS).
const DefaultAckDays = 2

// Workday reports whether the county-local day of t is a working day.
func (c *Calendar) Workday(t time.Time) bool {
	d := t.In(TimeZone).Format(DateLayout)
	if c != nil {
		if _, ok := slices.BinarySearch(c.Workdays, d); ok {
			return true
		}
		if _, ok := slices.BinarySearch(c.Holidays, d); ok {
			return false
		}
	}
	wd := t.In(TimeZone).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AfterWorkdays is the start (county midnight) of the first working day after the n
// working days that follow the day of t: for a dispatch received on a Friday with
// n = 2, Wednesday (Monday and Tuesday being the two days), later when a holiday
// falls between, earlier when a weekend day is worked.
func (c *Calendar) AfterWorkdays(t time.Time, n int) time.Time {
	l := t.In(TimeZone)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, TimeZone)
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if c.Workday(day) {
			counted++
		}
	}
	day = day.AddDate(0, 0, 1)
	for !c.Workday(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// Unsigned is a unit that has not signed for a task (未签收), with when its time to
// sign runs out and whether it has been reminded.
type Unsigned struct {
	Unit     string    `json:"unit"`
	UnitName string    `json:"unit_name"`
	Due      time.Time `json:"due"`
	Reminded bool      `json:"reminded"`
}
