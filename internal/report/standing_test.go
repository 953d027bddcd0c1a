package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"taskrelay/internal/relay"
)

// TestStandingApartInLedgerAndReports: the 台账 lists the dated tasks first, then a
// 长期事项 row and the standing tasks under it, their 完成时限 reading 长期 (the
// Standing field, not an empty cell); the report to the committee lists them apart
// as the 通报 does.
func TestStandingApartInLedgerAndReports(t *testing.T) {
	a := task(m12, 1, "长期坚持的事项", "rsj", "", at("2026-09-16 10:00"), relay.StateInProgress)
	a.Standing = true
	b := task(m12, 2, "有时限的事项", "czj", "2027-03-31", at("2026-09-16 10:00"), relay.StateInProgress)
	r := compute(t, Input{Request: mustResolve(t, "2026-11"), Meetings: []relay.Meeting{m12}, Tasks: []Task{a, b}})
	data, err := r.Ledger()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(LedgerSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("ledger rows %q, want header, the dated task, 长期事项, the standing task", rows)
	}
	if rows[1][2] != "有时限的事项" || rows[1][6] != "2027-03-31" {
		t.Errorf("dated row %q", rows[1])
	}
	if !strings.HasPrefix(rows[2][0], "长期事项（1件") {
		t.Errorf("group row %q", rows[2])
	}
	if rows[3][2] != "长期坚持的事项" || rows[3][6] != "长期" {
		t.Errorf("standing row %q", rows[3])
	}
	committee := r.Committee().Markdown()
	i := strings.Index(committee, "长期事项1件")
	if i < 0 || !strings.Contains(committee[i:], "长期坚持的事项") {
		t.Errorf("the report to the committee lists no 长期事项:\n%s", committee)
	}
	if !strings.Contains(r.Executive().Markdown(), "长期事项") {
		t.Error("the 通报 has no 长期事项 section")
	}
}
