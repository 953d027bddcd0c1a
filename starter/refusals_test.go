package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relayclient"
)

// The line of a command the engine did not answer says in Chinese what happened and
// what to do, not the engine's bare words; a refusal reads as its own sentence.
func TestSayUnavailable(t *testing.T) {
	timeout := fmt.Errorf("等待会议 cwh-1 交办完成: %w", &refusal.Error{Kind: refusal.ErrUnavailable, Err: context.DeadlineExceeded})
	got := say([]string{"adopt", "cwh-1"}, timeout)
	for _, want := range []string{"工作进程没有应答", "恢复后继续交办", "starter status cwh-1", "重复运行是安全的"} {
		if !strings.Contains(got, want) {
			t.Errorf("adopt: %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "deadline") {
		t.Errorf("adopt: %q shows the engine's words", got)
	}
	if got := say([]string{"progress", "t-1"}, timeout); !strings.Contains(got, "确认 worker 正在运行") || !strings.Contains(got, "starter task t-1") ||
		strings.Contains(got, "交办") || strings.Contains(got, "重复运行是安全的") {
		t.Errorf("progress: %q", got)
	}
	if got := say([]string{"status", "cwh-1"}, timeout); !strings.Contains(got, "工作进程没有应答") || !strings.Contains(got, "再次运行本命令") {
		t.Errorf("status: %q", got)
	}
	nf := &refusal.Error{Kind: refusal.ErrNotFound, Subject: refusal.Task, ID: "t-9"}
	if got := say([]string{"task", "t-9"}, nf); got != "找不到任务 t-9" {
		t.Errorf("not found: %q", got)
	}
	if got := say(nil, timeout); got == "" {
		t.Error("no command: empty line")
	}
}

// status on a meeting adopted but still being dispatched (the engine catching up after
// a restart) says so in Chinese, with how far it got, instead of drawing a board.
func TestSayDispatching(t *testing.T) {
	got := say([]string{"status", "cwh-1"}, &relayclient.Dispatching{Meeting: "cwh-1", Started: 120, Total: 300})
	for _, want := range []string{"会议 cwh-1 已通过", "120/300", "引擎正在恢复", "数据可能不完整，请稍后再试"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := say([]string{"status", "cwh-1"}, &relayclient.Dispatching{Meeting: "cwh-1", Started: -1, Total: 300}); strings.Contains(got, "/300") {
		t.Errorf("unknown count shown: %q", got)
	}
}

// A command that could not reach the engine says nothing was done, whatever the
// command: no "恢复后继续" for an adoption that was never sent.
func TestSayNotConnected(t *testing.T) {
	dial := notConnected{&refusal.Error{Kind: refusal.ErrUnavailable, Reason: "连接引擎 127.0.0.1:7233（命名空间 default）失败"}}
	for _, args := range [][]string{{"adopt", "cwh-1"}, {"progress", "cwh-1:1"}, {"status", "cwh-1"}} {
		got := say(args, dial)
		if !strings.Contains(got, "无法连接引擎") || !strings.Contains(got, "没有执行任何操作") || !strings.Contains(got, "127.0.0.1:7233") ||
			strings.Contains(got, "恢复后") || strings.Contains(got, "可能在工作进程恢复后才记录") {
			t.Errorf("%v: %q", args, got)
		}
	}
}

// submit: not sent, submitted but its proposal not shown, or submitted with --adopt,
// each says what happened to the list.
func TestSaySubmit(t *testing.T) {
	timeout := &refusal.Error{Kind: refusal.ErrUnavailable, Err: context.DeadlineExceeded}
	for _, c := range []struct {
		err  error
		want string
	}{
		{timeout, "任务清单尚未提交"},
		{submitted{meeting: "cwh-9", err: timeout}, "任务清单已提交（会议 cwh-9），但分解结果无法显示：请确认 worker 正在运行后用 starter status cwh-9 查看，再用 starter adopt cwh-9 通过并交办"},
		{submitted{meeting: "cwh-9", adopting: true, err: timeout}, "恢复后继续交办，不会重复：请启动 worker，再用 starter status cwh-9 查看"},
	} {
		if got := say([]string{"submit", "list.yaml"}, c.err); !strings.Contains(got, c.want) || !strings.Contains(got, "工作进程没有应答") {
			t.Errorf("%v: %q lacks %q", c.err, got, c.want)
		}
	}
}
