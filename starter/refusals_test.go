package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"taskrelay/internal/refusal"
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
	if got := say([]string{"progress", "t-1"}, timeout); !strings.Contains(got, "确认 worker 正在运行") || strings.Contains(got, "交办") {
		t.Errorf("progress: %q", got)
	}
	nf := &refusal.Error{Kind: refusal.ErrNotFound, Subject: refusal.Task, ID: "t-9"}
	if got := say([]string{"task", "t-9"}, nf); got != "找不到任务 t-9" {
		t.Errorf("not found: %q", got)
	}
	if got := say(nil, timeout); got == "" {
		t.Error("no command: empty line")
	}
}
