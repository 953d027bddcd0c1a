package report

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestLedgerNamesUnitsAsWritten: a task whose list wrote 县医疗保障局 (a plaque of
// 县人力资源和社会保障局) is in the 台账 under that wording.
func TestLedgerNamesUnitsAsWritten(t *testing.T) {
	in := fixture()
	for i := range in.Tasks {
		if in.Tasks[i].No == 1 {
			in.Tasks[i].LeadUnitWritten = "县医疗保障局"
		}
	}
	b, err := compute(t, in).Ledger()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(LedgerSheet)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1][3]; got != "县人力资源和社会保障局（县医疗保障局）" {
		t.Errorf("row 1 lead %q", got)
	}
	if got := rows[4][3]; got != "县人力资源和社会保障局" {
		t.Errorf("row 4 lead %q", got)
	}
}
