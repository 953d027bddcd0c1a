package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"taskrelay/internal/notify"
)

// TestAuditDetectsAnEditedRecord: the audit passes on the record the engine wrote,
// and fails, naming the notice, once a stored notice is edited.
func TestAuditDetectsAnEditedRecord(t *testing.T) {
	c := newCounty(t)
	c.start()
	c.ok("submit", sample, "--adopt")
	c.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "40", "--note", "窗口已设立")
	c.ok("extend", "cwh-2026-12:1", "--unit", "rsj", "--until", "2027-01-31", "--reason", "等待省级文件")
	outbox := filepath.Join(c.data, "outbox")
	out := c.ok("audit", "cwh-2026-12", "--outbox", outbox)
	if !strings.Contains(out, "记录完整") {
		t.Fatalf("audit of an intact record:\n%s", out)
	}

	// Someone edits what the finance bureau "received".
	path := filepath.Join(outbox, notify.FileName("dispatch:cwh-2026-12:czj")+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "推进社保医保", "暂缓社保医保", 1)
	if edited == string(b) {
		t.Fatal("fixture: the notice does not contain the text to edit")
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	c.refused("dispatch:cwh-2026-12:czj", "audit", "cwh-2026-12", "--outbox", outbox)
}
