package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"taskrelay/internal/relay"

	"taskrelay/internal/task"
)

// TestActRefusesOverlongNoteBeforeSending: the command line applies the engine's cap
// itself, so an overlong note is refused with a Chinese reason without any connection.
func TestActRefusesOverlongNoteBeforeSending(t *testing.T) {
	req := task.Request{Unit: "rsj", Percent: 10, Note: strings.Repeat("进", relay.MaxNoteRunes+1)}
	err := act(context.Background(), "cwh-2026-12:1", relay.UpdateProgress, req, false)
	var ee exitError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "进展情况过长") {
		t.Fatalf("want exitError naming the note, got %v", err)
	}
}
