package console

import (
	"html/template"
	"strings"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/workflows"
)

var stateNames = map[relay.State]string{
	relay.StateDispatched:          "已交办",
	relay.StateAcknowledged:        "已签收",
	relay.StateInProgress:          "办理中",
	relay.StateCompletionSubmitted: "待审核办结",
	relay.StateClosed:              "已办结",
	"proposed":                     "待通过",
}

// StateName is a task state in Chinese.
func StateName(st relay.State) string {
	if n, ok := stateNames[st]; ok {
		return n
	}
	return string(st)
}

// LightName is a light in Chinese; the page always writes it, never colour alone.
func LightName(l relay.Light) string {
	switch l {
	case relay.Red:
		return "红灯（逾期）"
	case relay.Yellow:
		return "黄灯（需关注）"
	case relay.Green:
		return "绿灯"
	}
	return "—"
}

// LightFor names a task's light with its reason: a yellow light is near its
// deadline, waiting for an extension decision, or behind a milestone.
func LightFor(v any) string {
	var t relay.TaskView
	switch x := v.(type) {
	case relay.TaskView:
		t = x
	case *relay.TaskView:
		t = *x
	case relay.TaskSummary:
		t = x.TaskView
	case *relay.TaskSummary:
		t = x.TaskView
	default:
		return "—"
	}
	if t.Light != relay.Yellow {
		return LightName(t.Light)
	}
	switch {
	case t.Extension != nil:
		return "黄灯（延期待批）"
	case t.BehindMilestone != nil:
		return "黄灯（进度滞后）"
	}
	return "黄灯（临期）"
}

var actionNames = map[string]string{
	workflows.ActDispatched:          "交办",
	workflows.ActAcknowledged:        "签收",
	workflows.ActProgress:            "报告进展",
	workflows.ActExtensionRequested:  "申请延期",
	workflows.ActExtensionApproved:   "同意延期",
	workflows.ActExtensionDenied:     "不同意延期",
	workflows.ActCompletionSubmitted: "报送办结",
	workflows.ActCompletionAccepted:  "审核通过（销号）",
	workflows.ActCompletionRejected:  "退回重办",
	workflows.ActReminder:            "到期提醒",
	workflows.ActOverdue:             "逾期通知",
	workflows.ActEscalation:          "督办",
	workflows.ActNoticeFailed:        "通知投递失败",
}

// ActionName is a timeline action in Chinese.
func ActionName(a string) string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return a
}

func roleInItem(r string) string {
	switch r {
	case relay.RoleLead:
		return "牵头"
	case relay.RoleCo:
		return "配合"
	}
	return r
}

func countyTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(relay.County).Format("2006-01-02 15:04")
}

var funcs = template.FuncMap{
	"state":    StateName,
	"light":    LightName,
	"lightFor": LightFor,
	"action":   ActionName,
	"roleName": accounts.RoleName,
	"itemRole": roleInItem,
	"time":     countyTime,
	"taskURL":  TaskURL,
	"meetURL":  MeetingURL,
	"join":     strings.Join,
	"lightClass": func(l relay.Light) string {
		switch l {
		case relay.Red, relay.Yellow, relay.Green:
			return "light-" + string(l)
		}
		return "light-none"
	},
	"timeptr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return countyTime(*t)
	},
	"add": func(a, b int) int { return a + b },
}
