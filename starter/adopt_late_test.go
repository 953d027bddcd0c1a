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
	ws := lateWarnings(items, time.Date(2026, 11, 20, 9, 0, 0, 0, relay.County))
	if len(ws) != 1 || ws[0].Item != 1 || ws[0].Field != "deadline" || !strings.HasPrefix(ws[0].Message, "提示：") ||
		!strings.Contains(ws[0].Message, "早已到期") || !strings.Contains(ws[0].Message, "2026-10-31") {
		t.Fatalf("warnings %+v", ws)
	}
}
