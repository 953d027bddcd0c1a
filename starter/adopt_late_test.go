package main

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
	"taskrelay/internal/tasklist"
)

// Adopting a list whose deadlines passed before its dispatch warns about each item,
// in the list check's words.
func TestAdoptWarnsOfPastDeadlines(t *testing.T) {
	items := []relay.Item{
		{No: 1, Title: "早已到期", Deadline: "2026-10-31"},
		{No: 2, Title: "尚未到期", Deadline: "2027-03-31"},
		{No: 3, Title: "长期坚持", Standing: true},
	}
	ws := lateWarnings(items, time.Date(2026, 11, 20, 9, 0, 0, 0, relay.TimeZone))
	if len(ws) != 1 || ws[0].Item != 1 || ws[0].Field != "deadline" || ws[0].Message != tasklist.PastDeadline("2026-10-31", "2026-11-20") ||
		!strings.HasPrefix(ws[0].Message, "提示：") {
		t.Fatalf("warnings %+v", ws)
	}
}

// submit --adopt: an item the list check warned about is not warned about again by
// the adoption (one sentence per item); an item only the adoption finds is added.
func TestSubmitAdoptWarnsOncePerItem(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, relay.TimeZone)
	m := relay.MeetingView{DispatchedAt: &at, Items: []relay.Item{
		{No: 4, Deadline: "2026-10-31"}, {No: 5, Deadline: "2026-12-06"}, {No: 6, Deadline: "2027-03-31"}}}
	list := []warningJSON{
		{Item: 3, Field: "co", Message: "提示：配合单位与牵头单位是同一单位"},
		{Item: 4, Field: "deadline", Message: tasklist.PastDeadline("2026-10-31", "2026-12-07")},
	}
	all, added := adoptionWarnings(list, m)
	if len(added) != 1 || added[0].Item != 5 || added[0].Message != tasklist.PastDeadline("2026-12-06", "2026-12-07") {
		t.Fatalf("added %+v", added)
	}
	per := map[int]int{}
	for _, w := range all {
		if w.Field == "deadline" {
			per[w.Item]++
		}
	}
	if len(all) != 3 || per[4] != 1 || per[5] != 1 {
		t.Fatalf("all %+v", all)
	}
	// adopt alone (no list warnings): the adoption's, each once.
	if all, added := adoptionWarnings(nil, m); len(all) != 2 || len(added) != 2 {
		t.Fatalf("adopt alone: %+v", all)
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
