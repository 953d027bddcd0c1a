package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
)

// manyTasks is n task summaries across units, deputies, states and lights.
func manyTasks(n int) []relay.TaskSummary {
	units := []string{"rsj", "czj", "gaj", "nyj", "lcj", "xcb", "zfb"}
	lights := []relay.Light{relay.Green, relay.Green, relay.Yellow, relay.Red}
	states := []relay.State{relay.StateDispatched, relay.StateAcknowledged, relay.StateInProgress, relay.StateCompletionSubmitted, relay.StateClosed}
	out := make([]relay.TaskSummary, n)
	for i := range out {
		m := fmt.Sprintf("cwh-%04d", i/100)
		out[i] = relay.TaskSummary{TaskView: relay.TaskView{
			ID: relay.TaskID(m, i%100+1), No: i%100 + 1, Meeting: m, Title: fmt.Sprintf("第%d项任务：推进某项改革措施落地见效", i),
			LeadUnit: units[i%len(units)], LeadUnitName: "县某某局", Deputy: "ld-chang", DeputyName: "李某",
			Deadline: time.Date(2026, 10, 1+i%90, 0, 0, 0, 0, relay.TimeZone).Format(relay.DateLayout),
			State:    states[i%len(states)], Light: lights[i%len(lights)], Progress: i % 101,
		}}
	}
	return out
}

func benchServer(b testing.TB) *Server {
	dir, err := LoadDirectory("")
	if err != nil {
		b.Fatal(err)
	}
	s := &Server{cfg: Config{Directory: dir, PageSize: 50, Sessions: accounts.NewSessions(make([]byte, 32), time.Hour), Now: time.Now, Log: zap.NewNop()}}
	if err := s.parseTemplates(); err != nil {
		b.Fatal(err)
	}
	return s
}

func TestCursorAndSegments(t *testing.T) {
	c := cursor{Seg: 2, Token: []byte{0, 1, 2, 250}}
	got, err := parseCursor(c.String())
	if err != nil || got.Seg != 2 || string(got.Token) != string(c.Token) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []string{"", "5.", "-1.", "x.AA", "1.!!", "1"} {
		if _, err := parseCursor(bad); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
	segs := segments("RelayUnits = 'rsj'")
	want := []string{"RelayLight = 'red'", "RelayLight = 'yellow'", "RelayLight = 'green'", "RelayState = 'closed'", "RelayState = 'withdrawn'"}
	for i, w := range want {
		if !strings.HasPrefix(segs[i], "RelayUnits = 'rsj' AND ") || !strings.Contains(segs[i], w) {
			t.Errorf("segment %d: %s", i, segs[i])
		}
	}
	// Withdrawn tasks are counted apart, not among the open green ones.
	if !strings.Contains(segs[2], "RelayState != 'withdrawn'") {
		t.Errorf("green segment counts withdrawn tasks: %s", segs[2])
	}
	if strings.HasPrefix(segments("")[0], " AND") {
		t.Error("empty filter leaves a dangling AND")
	}
}

// BenchmarkBoardPage is the console's own share of a board page over 10,000 tasks:
// rendering one page of 50 rows with the counts (the engine counts and lists; see
// the README for the whole page measured against the embedded engine).
func BenchmarkBoardPage(b *testing.B) {
	s := benchServer(b)
	rows := manyTasks(50)
	u := accounts.User{Username: "duban", Role: accounts.RoleInspection}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		q := &req{w: rec, r: httptest.NewRequest("GET", "/board?page=7", nil), user: u, start: time.Now()}
		page := append([]relay.TaskSummary(nil), rows...)
		SortTasks(page)
		l := Listing{Path: "/board", Tasks: page, Total: 10000, Red: 2500, Yellow: 2500, Green: 3000, Closed: 2000,
			Page: 7, Pages: 200, First: 301, NextURL: "/board?page=8&at=0.AA", FirstURL: "/board",
			Units: s.cfg.Directory.Units, Leaders: s.cfg.Directory.Leaders, States: filterStates, Lights: filterLights}
		s.render(q, http.StatusOK, "board", "督查看板", boardData{Listing: l}, "", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "共 <strong>10000</strong> 项") {
			b.Fatalf("render: %d", rec.Code)
		}
	}
}
