package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// TestPrintTaskShowsNoActionCode: `starter task` writes every timeline action by its
// Chinese label, never its code.
func TestPrintTaskShowsNoActionCode(t *testing.T) {
	v := relay.TaskView{ID: "cwh-2026-12:1", No: 1, Title: "推进两险同宣同征", LeadUnit: "rsj", LeadUnitName: "县人社局",
		Deadline: "2026-12-31", State: relay.StateInProgress, Light: relay.Red, EscalationTier: relay.TierYellow}
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, relay.TimeZone)
	for i, a := range relay.Actions() {
		v.Timeline = append(v.Timeline, relay.Event{At: at.Add(time.Duration(i) * time.Hour), By: "system", Action: a, Note: "说明"})
	}
	if len(v.Timeline) < 16 {
		t.Fatalf("only %d actions", len(v.Timeline))
	}
	var b bytes.Buffer
	printTask(&b, v)
	out := b.String()
	if !strings.Contains(out, "督办等级：黄色督办") || strings.Contains(out, relay.TierYellow) {
		t.Errorf("escalation tier not shown in Chinese:\n%s", out)
	}
	for _, a := range relay.Actions() {
		if strings.Contains(out, a) {
			t.Errorf("raw code %q in:\n%s", a, out)
		}
		if !strings.Contains(out, relay.ActionLabel(a)) {
			t.Errorf("no label %s for %s in:\n%s", relay.ActionLabel(a), a, out)
		}
	}
}

// TestStatusStateNeverCut: the 状态 column fits its longest label: a proposed list
// reads 待县政府常务会议通过, not "待县…".
func TestStatusStateNeverCut(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	m := relay.MeetingView{Meeting: relay.Meeting{ID: "cwh-1", Name: "会议"}, State: relay.MeetingProposed}
	printStatus(m, []relay.TaskView{
		{No: 1, Title: "甲", State: relay.MeetingProposed},
		{No: 2, Title: "乙", State: relay.StateHeadReview, Light: relay.Green},
	})
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	for _, want := range []string{relay.StateLabel(relay.MeetingProposed) + " ", relay.StateLabel(relay.StateHeadReview) + " "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("state %q cut:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "…") {
		t.Errorf("a cell cut:\n%s", out)
	}
}

// TestPrintTaskStanding: `starter task` shows a standing task's 完成时限 as 长期.
func TestPrintTaskStanding(t *testing.T) {
	v := relay.TaskView{ID: "cwh-2026-12:2", No: 2, Title: "稳岗就业", LeadUnit: "czj", LeadUnitName: "县财政局",
		Standing: true, State: relay.StateInProgress, Light: relay.Green}
	var b bytes.Buffer
	printTask(&b, v)
	if !strings.Contains(b.String(), "完成时限：长期  ") {
		t.Errorf("standing deadline:\n%s", b.String())
	}
}
