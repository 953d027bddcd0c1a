package main

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// Adopting a list whose deadlines passed before its dispatch warns about each item.
func TestAdoptWarnsOfPastDeadlines(t *testing.T) {
	items := []relay.Item{
		{No: 1, Title: "早已到期", Deadline: "2026-10-31"},
		{No: 2, Title: "尚未到期", Deadline: "2027-03-31"},
		{No: 3, Title: "长期坚持", Standing: true},
	}
	ws := lateWarnings(items, time.Date(2026, 11, 20, 9, 0, 0, 0, relay.TimeZone))
	if len(ws) != 1 || ws[0].Item != 1 || ws[0].Field != "deadline" || !strings.HasPrefix(ws[0].Message, "提示：") ||
		!strings.Contains(ws[0].Message, "早已到期") || !strings.Contains(ws[0].Message, "2026-10-31") {
		t.Fatalf("warnings %+v", ws)
	}
}

// --percent 40% is read as 40 (the command goes on to the unit, misspelt here), and a
// percentage out of range is refused before anything is sent.
func TestProgressPercentAsTyped(t *testing.T) {
	t.Setenv("TASKRELAY_DIRECTORY", "")
	t.Setenv("TASKRELAY_CONFIG", "")
	err := run(t.Context(), "progress", []string{"m1-1", "--unit", "县财正局", "--percent", "40%"})
	if err == nil || !strings.Contains(err.Error(), "找不到单位") {
		t.Errorf("40%%: %v, want it read and the unit looked up", err)
	}
	err = run(t.Context(), "progress", []string{"m1-1", "--unit", "县财政局", "--percent", "140%"})
	if err == nil || !strings.Contains(err.Error(), "进度应为 0 到 100 之间的整数") {
		t.Errorf("140%%: %v", err)
	}
}
