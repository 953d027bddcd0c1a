package main

import (
	"fmt"
	"io"
	"strings"

	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// width counts East Asian wide characters as two columns.
func width(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func cut(s string, max int) string {
	if width(s) <= max {
		return s
	}
	out := ""
	for _, r := range s {
		if width(out+string(r)) > max-1 {
			break
		}
		out += string(r)
	}
	return out + "…"
}

func pad(s string, w int) string {
	s = cut(s, w)
	return s + strings.Repeat(" ", max(0, w-width(s)))
}

func printStatus(m relay.MeetingView, tasks []relay.TaskView) {
	fmt.Printf("%s（%s，%s）  状态：%s\n", m.Meeting.Name, m.Meeting.ID, m.Meeting.Date, relay.StateLabel(relay.State(m.State)))
	cols := []int{4, 30, 24, 8, 10, stateWidth(tasks), 6, 4}
	head := []string{"序号", "任务事项", "牵头单位", "分管领导", "完成时限", "状态", "灯", "进度"}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			b.WriteString(pad(c, cols[i]))
			b.WriteString(" ")
		}
		fmt.Println(strings.TrimRight(b.String(), " "))
	}
	line(head)
	var tally model.Tally
	for _, t := range tasks {
		tally.Add(t.State, t.Light)
		line([]string{fmt.Sprint(t.No), t.Title, t.LeadUnitName, t.DeputyName, relay.DeadlineLabel(t.Deadline, t.Standing), relay.StateLabel(t.State), relay.LightLabel(t.Light), fmt.Sprintf("%d%%", t.Progress)})
	}
	if m.State == relay.MeetingAdopted {
		fmt.Printf("%s。任务编号为 %s:序号，例如 %s\n", tally.Line(), m.Meeting.ID, relay.TaskID(m.Meeting.ID, 1))
	}
}

// stateWidth is the 状态 column's width: its longest label, so that a state is never
// cut to "待…" (a proposed list's 待县政府常务会议通过 included).
func stateWidth(tasks []relay.TaskView) int {
	w := 6
	for _, t := range tasks {
		w = max(w, width(relay.StateLabel(t.State)))
	}
	return w
}

// printTask writes a task and its whole timeline, every code in Chinese.
func printTask(w io.Writer, t relay.TaskView) {
	fmt.Fprintf(w, "任务 %s  第%d项：%s\n", t.ID, t.No, t.Title)
	if t.Requirements != "" {
		fmt.Fprintf(w, "具体要求：%s\n", t.Requirements)
	}
	fmt.Fprintf(w, "牵头单位：%s（%s）\n", t.LeadUnitName, t.LeadUnit)
	if len(t.CoUnitNames) > 0 {
		fmt.Fprintf(w, "配合单位：%s\n", strings.Join(t.CoUnitNames, "、"))
	}
	fmt.Fprintf(w, "分管县领导：%s  完成时限：%s  状态：%s  进度：%d%%  %s\n", t.DeputyName, relay.DeadlineLabel(t.Deadline, t.Standing), relay.StateLabel(t.State), t.Progress, relay.LightLabel(t.Light))
	if t.EscalationTier != "" {
		fmt.Fprintf(w, "督办等级：%s\n", relay.TierLabel(t.EscalationTier))
	}
	if t.Extension != nil {
		fmt.Fprintf(w, "延期申请待批复：%s 申请延至 %s，理由：%s\n", t.Extension.Unit, t.Extension.Until, t.Extension.Reason)
	}
	printChanges(w, t)
	fmt.Fprintln(w, "办理记录：")
	for _, e := range t.Timeline {
		by := e.By
		if e.Operator != "" { // "操作员 NAME 代 县财政局"
			by = e.ActorLabel(t.ActorName(e.By))
		}
		if e.User != "" {
			by += "/" + e.User
		}
		fmt.Fprintf(w, "  %s  %-10s %s  %s\n", e.At.In(relay.TimeZone).Format("2006-01-02 15:04"), by, relay.ActionLabel(e.Action), e.Note)
	}
}
