package main

import (
	"fmt"
	"strings"

	"taskrelay/internal/relay"
)

var stateNames = map[relay.State]string{
	relay.StateDispatched: "已交办", relay.StateAcknowledged: "已签收", relay.StateInProgress: "办理中",
	relay.StateCompletionSubmitted: "待审核", relay.StateClosed: "已办结", "proposed": "待通过",
}

func stateCN(s relay.State) string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return string(s)
}

func lightCN(l relay.Light) string {
	switch l {
	case relay.Green:
		return "绿灯"
	case relay.Yellow:
		return "黄灯"
	case relay.Red:
		return "红灯"
	}
	return "—"
}

func roleCN(r string) string {
	if r == relay.RoleLead {
		return "牵头"
	}
	return "配合"
}

var actionNames = map[string]string{
	"ack": "签收", "progress": "报送进展", "extend": "申请延期", "complete": "报送办结",
	relay.UpdateDecideExtension: "批复延期", relay.UpdateVerify: "审核办结",
	"dispatched": "交办", "acknowledged": "签收", "extension_requested": "申请延期",
	"extension_approved": "同意延期", "extension_denied": "不同意延期", "completion_submitted": "报送办结",
	"completion_accepted": "审核通过", "completion_rejected": "退回", "reminder": "到期提醒",
	"overdue": "逾期", "escalation": "督办", "notice_failed": "通知失败",
}

func actionCN(a string) string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return a
}

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
	fmt.Printf("%s（%s，%s）  状态：%s\n", m.Meeting.Name, m.Meeting.ID, m.Meeting.Date, map[string]string{
		relay.MeetingProposed: "待县政府常务会议通过", relay.MeetingAdopted: "已通过并交办"}[m.State])
	cols := []int{4, 30, 24, 8, 10, 6, 6, 4}
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
	counts := map[relay.Light]int{}
	for _, t := range tasks {
		counts[t.Light]++
		line([]string{fmt.Sprint(t.No), t.Title, t.LeadUnitName, t.DeputyName, t.Deadline, stateCN(t.State), lightCN(t.Light), fmt.Sprintf("%d%%", t.Progress)})
	}
	if m.State == relay.MeetingAdopted {
		fmt.Printf("共 %d 项：绿灯 %d，黄灯 %d，红灯 %d。任务编号为 %s:序号，例如 %s\n", len(tasks),
			counts[relay.Green], counts[relay.Yellow], counts[relay.Red], m.Meeting.ID, relay.TaskID(m.Meeting.ID, 1))
	}
}

func printTask(t relay.TaskView) {
	fmt.Printf("任务 %s  第%d项：%s\n", t.ID, t.No, t.Title)
	if t.Requirements != "" {
		fmt.Printf("具体要求：%s\n", t.Requirements)
	}
	fmt.Printf("牵头单位：%s（%s）\n", t.LeadUnitName, t.LeadUnit)
	if len(t.CoUnitNames) > 0 {
		fmt.Printf("配合单位：%s\n", strings.Join(t.CoUnitNames, "、"))
	}
	fmt.Printf("分管县领导：%s  完成时限：%s  状态：%s  进度：%d%%  %s\n", t.DeputyName, t.Deadline, stateCN(t.State), t.Progress, lightCN(t.Light))
	if t.Extension != nil {
		fmt.Printf("延期申请待批复：%s 申请延至 %s，理由：%s\n", t.Extension.Unit, t.Extension.Until, t.Extension.Reason)
	}
	fmt.Println("办理记录：")
	for _, e := range t.Timeline {
		by := e.By
		if e.User != "" {
			by += "/" + e.User
		}
		fmt.Printf("  %s  %-10s %s  %s\n", e.At.In(relay.County).Format("2006-01-02 15:04"), by, actionCN(e.Action), e.Note)
	}
}
