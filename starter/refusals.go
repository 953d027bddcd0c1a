package main

import (
	"errors"
	"fmt"
	"strings"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relayclient"
)

// readCommands only read: asking again changes nothing.
var readCommands = map[string]bool{"status": true, "task": true, "notices": true, "deliveries": true, "audit": true,
	"reports": true, "score": true, "followup": true, "security-log": true, "attachment": true}

// notConnected is a command that could not reach the engine at all: nothing was sent.
type notConnected struct{ err error }

func (e notConnected) Error() string { return e.err.Error() }
func (e notConnected) Unwrap() error { return e.err }

// submitted is a submit that failed after the list reached the engine: the meeting
// it started, and whether its adoption was asked for (--adopt).
type submitted struct {
	meeting  string
	adopting bool
	err      error
}

func (e submitted) Error() string { return e.err.Error() }
func (e submitted) Unwrap() error { return e.err }

// say is the line a command that failed prints after "错误: ": the refusal's own
// sentence, or, when the engine or the worker did not answer, what happened and what
// to do; never the engine's bare "context deadline exceeded".
// args are the command and its arguments (none when the command line was wrong).
func say(args []string, err error) string {
	if !errors.Is(err, refusal.ErrUnavailable) || len(args) == 0 {
		return oneLine(err.Error())
	}
	command, args := args[0], args[1:]
	// An adopted meeting still being dispatched (a worker just restarted catches up
	// first): its tasks' states and lights are not known yet.
	var d *relayclient.Dispatching
	if errors.As(err, &d) {
		started := ""
		if d.Started >= 0 {
			started = fmt.Sprintf("（已启动 %d/%d 项）", d.Started, d.Total)
		}
		return fmt.Sprintf("会议 %s 已通过，任务仍在交办中%s：引擎正在恢复或仍在交办，各项任务的状态和灯尚未更新，数据可能不完整，请稍后再试（再次运行本命令即可）。",
			d.Meeting, started)
	}
	line := "工作进程没有应答（worker 已停止、正在重启或过忙）。"
	var nc notConnected
	var sub submitted
	switch {
	case errors.As(err, &nc):
		// Nothing reached the engine: whatever the command, nothing changed.
		line = "无法连接引擎（worker 没有运行或正在启动），本命令没有执行任何操作：请启动 worker（或请运维人员检查引擎），待其启动完成后再次运行本命令。"
	case command == "submit" && !errors.As(err, &sub):
		// Not sent: the list check passed, the engine was not reached.
		line += "任务清单尚未提交：请确认 worker 正在运行后再次运行本命令（重复运行是安全的）。"
	case command == "submit" && !sub.adopting:
		line += "任务清单已提交（会议 " + sub.meeting + "），但分解结果无法显示：请确认 worker 正在运行后用 starter status " + sub.meeting + " 查看，再用 starter adopt " + sub.meeting + " 通过并交办。"
	case command == "adopt" || command == "submit":
		meeting := sub.meeting
		if command == "adopt" && len(args) > 0 {
			meeting = args[0]
		}
		line += "已记录的通过会在工作进程恢复后继续交办，不会重复：请启动 worker，再用 starter status " + meeting + " 查看；若显示尚未通过，再次运行本命令即可（重复运行是安全的）。"
	case readCommands[command]:
		line += "请确认 worker 正在运行后再次运行本命令（只读，重复运行是安全的）。"
	case len(args) > 0 && !strings.HasPrefix(args[0], "-") && command != "chase" && command != "user" && command != "keys":
		// An action on a task: the engine may still apply it when the worker is back.
		line += "本次操作可能在工作进程恢复后才记录：请确认 worker 正在运行，先用 starter task " + args[0] + " 查看是否已记录，未记录再运行本命令。"
	default:
		line += "请确认 worker 正在运行后再次运行本命令，或用 starter status 查看当前状态。"
	}
	// A failed connection names the engine's address; a timeout says nothing more.
	var r *refusal.Error
	if errors.As(err, &r) && r.Reason != "" {
		line += "（" + oneLine(r.Reason) + "）"
	}
	return line
}
