package workcal

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

func day(s string) time.Time {
	t, err := relay.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestShippedCalendar checks the shipped file against the State Council's 2026
// arrangement: holidays on weekdays are off, the weekend days worked are on.
func TestShippedCalendar(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "examples", "calendar.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{
		"2026-01-01": false, "2026-01-04": true, "2026-02-14": true, "2026-02-16": false, "2026-02-23": false,
		"2026-02-24": true, "2026-02-28": true, "2026-04-06": false, "2026-05-05": false, "2026-05-09": true,
		"2026-06-19": false, "2026-09-20": true, "2026-09-25": false, "2026-10-07": false, "2026-10-08": true,
		"2026-10-10": true, "2026-10-11": false, "2026-12-02": true, "2027-02-08": false, "2027-10-01": false,
	} {
		if got := c.Workday(day(d)); got != want {
			t.Errorf("%s: workday %v, want %v", d, got, want)
		}
	}
}

func TestAfterWorkdays(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "examples", "calendar.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var monFri *relay.Calendar
	for _, tc := range []struct {
		cal        *relay.Calendar
		from, want string
	}{
		{monFri, "2026-09-11", "2026-09-16"}, // Friday: Monday and Tuesday, then Wednesday
		{c, "2026-09-11", "2026-09-16"},
		{monFri, "2026-09-30", "2026-10-05"}, // without the calendar the holiday is ignored
		{c, "2026-09-30", "2026-10-10"},      // National Day: 8 and 9 October, then the worked Saturday
		{c, "2026-09-18", "2026-09-22"},      // the worked Sunday 20 September counts
	} {
		if got := tc.cal.AfterWorkdays(day(tc.from).Add(10*time.Hour), 2).Format(relay.DateLayout); got != tc.want {
			t.Errorf("%v from %s: %s, want %s", tc.cal != nil, tc.from, got, tc.want)
		}
	}
}

func TestBadCalendarNamesTheEntry(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"holidays: [2026-13-01]", "holidays 第1项"},
		{"holidays: [2026-10-07..2026-10-01]", "由早到晚"},
		{"holidays: [2026-10-10]\nworkdays: [2026-10-10]", "既是放假日又是上班日"},
		{"holiday: [2026-10-10]", "无法解析"},
	} {
		_, err := Parse("cal.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cal.yaml") {
			t.Errorf("%q: %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
