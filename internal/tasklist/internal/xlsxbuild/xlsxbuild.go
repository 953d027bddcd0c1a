// Package xlsxbuild writes small spreadsheets for the sample task list and the
// tests of package tasklist.
package xlsxbuild

import (
	"bytes"
	"time"

	"github.com/xuri/excelize/v2"
)

// Date is a cell holding a real Excel date (a serial number shown as yyyy-mm-dd).
type Date struct{ Year, Month, Day int }

// Build writes rows to the first sheet of a new workbook. A cell may be a string,
// an int, a float64, a Date, or nil for an empty cell.
func Build(sheet string, rows [][]any) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return nil, err
	}
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return nil, err
			}
			switch v := v.(type) {
			case Date:
				// UTC midnight: excelize counts days from a UTC epoch.
				t := time.Date(v.Year, time.Month(v.Month), v.Day, 0, 0, 0, 0, time.UTC)
				if err := f.SetCellValue(sheet, cell, t); err != nil {
					return nil, err
				}
				if err := f.SetCellStyle(sheet, cell, cell, dateStyle); err != nil {
					return nil, err
				}
			default:
				if err := f.SetCellValue(sheet, cell, v); err != nil {
					return nil, err
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
