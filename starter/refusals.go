package main

import (
	"errors"

	"taskrelay/internal/refusal"
)

// say is the line a command that failed prints after "错误: ": the refusal's own
// sentence, or, when the engine or the worker did not answer, what happened and what
// to do; never the engine's bare "context deadline exceeded".
// args are the command and its arguments (none when the command line was wrong).
func say(args []string, err error) string {
	if !errors.Is(err, refusal.ErrUnavailable) || len(args) == 0 {
		return oneLine(err.Error())
	}
	command, args := args[0], args[1:]
	line := "工作进程没有应答（worker 已停止、正在重启或过忙，引擎暂时不可用）。"
	switch command {
	case "adopt", "submit":
		meeting := "会议编号"
		if command == "adopt" && len(args) > 0 {
			meeting = args[0]
		}
		line += "已记录的通过会在工作进程恢复后继续交办，不会重复：请启动 worker，再用 starter status " + meeting + " 查看；若显示尚未通过，再次运行本命令即可（重复运行是安全的）。"
	default:
		line += "请确认 worker 正在运行后再次运行本命令（重复运行是安全的），或用 starter status 查看当前状态。"
	}
	// A failed connection names the engine's address; a timeout says nothing more.
	var r *refusal.Error
	if errors.As(err, &r) && r.Reason != "" {
		line += "（" + oneLine(r.Reason) + "）"
	}
	return line
}
