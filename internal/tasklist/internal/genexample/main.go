// Command genexample writes examples/tasklist.xlsx and examples/tasklist.json from
// examples/tasklist.yaml, so the three sample task lists stay the same list. Run from
// the module root:
//
//	go run ./internal/tasklist/internal/genexample
//
// The spreadsheet is written the way offices write them: a title row above the
// header, columns in their own order plus a 备注 column, an empty row, supporting
// units separated by 、，,； in turn, and deadlines as real date cells or as text in
// the accepted formats.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"

	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
	"taskrelay/internal/tasklist"
	"taskrelay/internal/tasklist/internal/xlsxbuild"
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
	js, err := JSON(plan)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("examples/tasklist.json", js, 0o644); err != nil {
		log.Fatal(err)
	}
}

// JSON writes a plan as the sample JSON list, in the committee's wording.
func JSON(plan *relay.Plan) ([]byte, error) {
	type item struct {
		No           int               `json:"no"`
		Title        string            `json:"title"`
		Requirements string            `json:"requirements,omitempty"`
		Lead         string            `json:"lead"`
		Co           []string          `json:"co,omitempty"`
		Leader       string            `json:"leader,omitempty"`
		Deadline     string            `json:"deadline"`
		Feedback     string            `json:"feedback,omitempty"`
		Milestones   []relay.Milestone `json:"milestones,omitempty"`
	}
	doc := struct {
		Meeting relay.Meeting `json:"meeting"`
		Items   []item        `json:"items"`
	}{Meeting: plan.Meeting}
	for _, it := range plan.Items {
		doc.Items = append(doc.Items, item{it.No, it.Title, it.Requirements, it.Source.Lead, it.Source.Co,
			it.Source.Leader, it.Deadline, it.Feedback, it.Milestones})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(doc)
	return buf.Bytes(), err
}

func feedback(f string) string {
	if f == relay.FeedbackMonthly {
		return "每月"
	}
	return ""
}

// Rows lays a plan out as the sample spreadsheet, in the committee's wording.
func Rows(plan *relay.Plan) [][]any {
	rows := [][]any{
		{plan.Meeting.Name + "任务清单"},
		{"序号", "任务事项", "牵头单位", "配合单位", "牵头县领导", "具体要求", "完成时限", "反馈要求", "节点目标", "备注"},
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
			it.Source.Leader, it.Requirements, deadline, feedback(it.Feedback), tasklist.MilestoneText(it.Milestones), nil,
		})
		if i == 4 {
			rows = append(rows, []any{nil, "", nil, "  "}) // an empty row in the middle
		}
	}
	return rows
}
