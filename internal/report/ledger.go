package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"taskrelay/internal/relay"
)

// Ledger sheet names and the columns of the task sheet.
const (
	LedgerSheet  = "台账"
	SummarySheet = "汇总"
)

// StandingGroup heads the standing tasks (no deadline), listed apart in the ledger
// and in both reports.
const StandingGroup = "长期事项"

// ledgerGroups splits the ledger's rows, each in its order: the tasks with a deadline,
// then the standing ones.
func ledgerGroups(rows []TaskRow) (dated, standing []TaskRow) {
	for _, t := range rows {
		if t.Standing {
			standing = append(standing, t)
		} else {
			dated = append(dated, t)
		}
	}
	return dated, standing
}

// LedgerHeader is the first row of the ledger sheet.
var LedgerHeader = []string{"序号", "会议", "任务事项", "牵头单位", "配合单位", "分管县领导", "完成时限", "进展情况", "状态", "灯",
	"联络员", "佐证材料（份）"}

// Ledger renders the .xlsx ledger (台账): one row per task, and a summary sheet.
func (r *Report) Ledger() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", LedgerSheet); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(SummarySheet); err != nil {
		return nil, err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDDDDD"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	group, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	// Text (number format 49, "@"): a cell that reads like a formula stays text even
	// when someone edits it or saves the sheet as CSV.
	asText, _ := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	type at struct{ sheet, cell string }
	var formulaLike []at
	set := func(sheet string, col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if s, ok := v.(string); ok {
			// Always a string cell: text from units is never evaluated as a formula.
			if looksLikeFormula(s) {
				formulaLike = append(formulaLike, at{sheet, cell})
			}
			return f.SetCellStr(sheet, cell, s)
		}
		return f.SetCellValue(sheet, cell, v)
	}
	for i, h := range LedgerHeader {
		if err := set(LedgerSheet, i+1, 1, h); err != nil {
			return nil, err
		}
	}
	// The dated tasks, then the standing ones apart under a 长期事项 row.
	dated, standing := ledgerGroups(r.Rows)
	row := 1
	put := func(t TaskRow) error {
		row++
		vals := []any{t.No, t.MeetingName, t.Title, t.UnitName, strings.Join(t.CoNames, "、"), t.DeputyName,
			relay.DeadlineLabel(t.Deadline, t.Standing), progressText(t), relay.StateLabel(t.State), relay.LightLabel(t.Light), t.Contact, t.Evidence}
		for c, v := range vals {
			if err := set(LedgerSheet, c+1, row, v); err != nil {
				return fmt.Errorf("台账第%d行: %w", row, err)
			}
		}
		return nil
	}
	for _, t := range dated {
		if err := put(t); err != nil {
			return nil, err
		}
	}
	groupRow := 0
	if len(standing) > 0 {
		row++
		groupRow = row
		if err := set(LedgerSheet, 1, row, fmt.Sprintf("%s（%d件，不设完成时限，按月报送进展）", StandingGroup, len(standing))); err != nil {
			return nil, err
		}
		for _, t := range standing {
			if err := put(t); err != nil {
				return nil, err
			}
		}
	}
	last := row
	_ = f.SetCellStyle(LedgerSheet, "A1", "L1", head)
	if last > 1 {
		_ = f.SetCellStyle(LedgerSheet, "B2", fmt.Sprintf("H%d", last), wrap)
	}
	if groupRow > 0 {
		a, l := fmt.Sprintf("A%d", groupRow), fmt.Sprintf("L%d", groupRow)
		_ = f.MergeCell(LedgerSheet, a, l)
		_ = f.SetCellStyle(LedgerSheet, a, l, group)
	}
	for col, w := range map[string]float64{"A": 6, "B": 24, "C": 36, "D": 20, "E": 28, "F": 10, "G": 12, "H": 40, "I": 8, "J": 6, "K": 22, "L": 10} {
		_ = f.SetColWidth(LedgerSheet, col, col, w)
	}
	_ = f.SetPanes(LedgerSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if last > 1 {
		_ = f.AutoFilter(LedgerSheet, fmt.Sprintf("A1:L%d", last), nil)
	}

	// Summary sheet: the figures, then one row per lead unit.
	rows := [][]any{
		{"统计月份", r.Figures.Month},
		{"截至日期", r.AsOf},
		{"确定事项", r.Totals.Tasks},
		{"已办结", r.Totals.Closed()},
		{"其中按时办结", r.Totals.ClosedOnTime},
		{"其中逾期办结", r.Totals.ClosedLate},
		{"正在办理", r.Totals.Open()},
		{"其中未到时限", r.Totals.OpenNotDue},
		{"其中逾期未办结", r.Totals.OpenOverdue},
		{"办结率(%)", r.Totals.CompletionRate},
		{"上月结转", r.Period.CarriedOver},
		{"本月新交办", r.Period.New},
		{"本月办结", r.Period.ClosedMonth},
		{"本月发出通知", r.Notices.Issued},
		{"本月按一事项一单位一通知测算", r.Notices.OnePerItem},
		{"本月减少(%)", r.Notices.ReductionPct},
		{"今年以来发出通知", r.NoticesYTD.Issued},
		{"今年以来按一事项一单位一通知测算", r.NoticesYTD.OnePerItem},
		{"今年以来减少(%)", r.NoticesYTD.ReductionPct},
	}
	for i, kv := range rows {
		for c, v := range kv {
			if err := set(SummarySheet, c+1, i+1, v); err != nil {
				return nil, err
			}
		}
	}
	base := len(rows) + 2
	unitHead := []string{"牵头单位", "牵头事项", "已办结", "按时办结", "逾期办结", "正在办理", "逾期未办结", "办结率(%)"}
	for c, h := range unitHead {
		_ = set(SummarySheet, c+1, base, h)
	}
	for i, u := range r.Units {
		for c, v := range []any{u.Name, u.Tasks, u.Closed(), u.ClosedOnTime, u.ClosedLate, u.Open(), u.OpenOverdue, u.CompletionRate} {
			if err := set(SummarySheet, c+1, base+1+i, v); err != nil {
				return nil, err
			}
		}
	}
	hc, _ := excelize.CoordinatesToCellName(len(unitHead), base)
	_ = f.SetCellStyle(SummarySheet, fmt.Sprintf("A%d", base), hc, head)
	_ = f.SetColWidth(SummarySheet, "A", "A", 34)
	for _, c := range formulaLike {
		_ = f.SetCellStyle(c.sheet, c.cell, c.cell, asText)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("写台账: %w", err)
	}
	return buf.Bytes(), nil
}

// looksLikeFormula: text a spreadsheet would take for a formula when typed or read
// from CSV (= + - @, or a tab or carriage return before one).
func looksLikeFormula(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}
