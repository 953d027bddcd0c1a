package report

import (
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// TestWithdrawnInstructionsChases: a withdrawn task leaves the totals and the rate and
// is counted apart; an instruction is replied by a later progress report; a chase
// unanswered past its date is listed in 二、工作要求.
func TestWithdrawnInstructionsChases(t *testing.T) {
	in := fixture()
	// Item 3 (overdue, lcj) withdrawn on 20 November.
	byID := func(id string) *Task {
		for i := range in.Tasks {
			if in.Tasks[i].ID == id {
				return &in.Tasks[i]
			}
		}
		t.Fatalf("fixture has no %s", id)
		return nil
	}
	t3 := byID("cwh-2026-12:3")
	t3.State, t3.WithdrawnAt = relay.StateWithdrawn, ptr(at("2026-11-20 10:00"))
	// Item 4: an instruction on 15 November, progress reported on the 20th.
	t4 := byID("cwh-2026-12:4")
	t4.Instructions = []relay.Instruction{{At: at("2026-11-15 09:00"), By: "李某", Text: "加快进度"}}
	t4.LastProgressAt, t4.LastProgressNote = ptr(at("2026-11-20 10:00")), "进度 50%：已招标"
	// Item 6 (lcj): an instruction not replied, and a chase past its date.
	t6 := byID("cwh-2026-12:6")
	t6.Instructions = []relay.Instruction{{At: at("2026-11-25 09:00"), By: "杨某", Text: "限期整改"}}
	t6.Chases = []relay.Chase{{ID: "chase-1", Unit: "lcj", At: at("2026-11-21 09:00"), ReplyBy: "2026-11-28"}}

	r := compute(t, in)
	want := Totals{Tasks: 8, ClosedOnTime: 1, ClosedLate: 1, OpenNotDue: 5, OpenOverdue: 1, CompletionRate: 25.0, Withdrawn: 1}
	if r.Totals != want {
		t.Errorf("totals %+v, want %+v", r.Totals, want)
	}
	for _, row := range append(r.Overdue, r.Yellow...) {
		if row.ID == t3.ID {
			t.Errorf("a withdrawn task is listed as %s", row.Light)
		}
	}
	if len(r.Instructions) != 2 || !r.Instructions[0].Replied || r.Instructions[1].Replied || r.Instructions[1].Task != "cwh-2026-12:6" {
		t.Errorf("instructions: %+v", r.Instructions)
	}
	if len(r.Chases) != 1 || r.Chases[0].Answered || !r.Chases[0].Overdue || strings.Join(r.Chases[0].Tasks, ",") != "cwh-2026-12:6" {
		t.Errorf("chases: %+v", r.Chases)
	}
	md := r.Executive().Markdown()
	for _, s := range []string{"领导批示落实情况", "限期整改", "牵头单位尚未报送落实情况", "催办事项限期回复"} {
		if !strings.Contains(md, s) {
			t.Errorf("the 通报 lacks %q", s)
		}
	}
}

// TestUnsignedUnitsListed: a unit past its time to sign is listed in 二、工作要求 and
// in the figures; one whose time has not run out by the report's instant is not.
func TestUnsignedUnitsListed(t *testing.T) {
	in := fixture()
	for i := range in.Tasks {
		tk := &in.Tasks[i]
		switch tk.ID {
		case "cwh-2026-12:4":
			tk.Unsigned = []relay.Unsigned{{Unit: "czj", UnitName: "县财政局", Due: at("2026-11-18 00:00")}}
		case "cwh-2026-12:6":
			tk.Unsigned = []relay.Unsigned{{Unit: "czj", UnitName: "县财政局", Due: at("2026-11-12 00:00")},
				{Unit: "rsj", UnitName: "县人社局", Due: at("2026-12-03 00:00")}}
		}
	}
	r := compute(t, in)
	if len(r.Unsigned) != 1 || r.Unsigned[0].Unit != "czj" || strings.Join(r.Unsigned[0].Tasks, ",") != "cwh-2026-12:4,cwh-2026-12:6" ||
		!r.Unsigned[0].Due.Equal(at("2026-11-12 00:00")) {
		t.Errorf("unsigned: %+v", r.Unsigned)
	}
	md := r.Executive().Markdown()
	for _, s := range []string{"交办事项及时签收", "县财政局：2项交办事项", "2026年11月11日"} {
		if !strings.Contains(md, s) {
			t.Errorf("the 通报 lacks %q", s)
		}
	}
}
