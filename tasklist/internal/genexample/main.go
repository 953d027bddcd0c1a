// Command genexample writes examples/tasklist.xlsx from examples/tasklist.yaml, so
// the three sample task lists stay the same list. Run from the module root:
//
//	go run ./tasklist/internal/genexample
//
// The spreadsheet is written the way offices write them: a title row above the
// header, columns in their own order plus a 备注 column, an empty row, supporting
// units separated by 、，,； in turn, and deadlines as real date cells or as text in
// the accepted formats.
package main

import (
	"fmt"
	"log"
	"os"
	"strings"

	"taskrelay/directory"
	"taskrelay/relay"
	"taskrelay/tasklist"
	"taskrelay/tasklist/internal/xlsxbuild"
)

func main() {
	dir, err := directory.Load("examples/directory.yaml")
	if err != nil {
		log.Fatal(err)
	}
	plan, err := tasklist.ParseFile("examples/tasklist.yaml", dir, tasklist.MeetingFlags{})
	if err != nil {
		log.Fatal(err)
	}
	data, err := xlsxbuild.Build("任务清单", Rows(plan))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("examples/tasklist.xlsx", data, 0o644); err != nil {
		log.Fatal(err)
	}
}

// Rows lays a plan out as the sample spreadsheet, in the committee's wording.
func Rows(plan *relay.Plan) [][]any {
	rows := [][]any{
		{plan.Meeting.Name + "任务清单"},
		{"序号", "任务事项", "牵头单位", "配合单位", "牵头县领导", "具体要求", "完成时限", "备注"},
	}
	seps := []string{"、", "，", ",", "；"}
	for i, it := range plan.Items {
		d, err := relay.ParseDate(it.Deadline)
		if err != nil {
			log.Fatal(err)
		}
		var deadline any
		switch i % 4 {
		case 0, 1:
			deadline = xlsxbuild.Date{Year: d.Year(), Month: int(d.Month()), Day: d.Day()}
		case 2:
			deadline = d.Format("2006/01/02")
		case 3:
			deadline = fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
		}
		rows = append(rows, []any{
			it.No, it.Title, it.Source.Lead, strings.Join(it.Source.Co, seps[i%len(seps)]),
			it.Source.Leader, it.Requirements, deadline, nil,
		})
		if i == 4 {
			rows = append(rows, []any{nil, "", nil, "  "}) // an empty row in the middle
		}
	}
	return rows
}
