package e2e

import (
	"bytes"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"taskrelay/internal/evidence"
	"taskrelay/internal/relay"
)

// evidenceFiles writes real files to attach: a PDF, a PNG and an HTML page named .pdf.
func evidenceFiles(t *testing.T) (pdf, pngPath, fake string) {
	dir := t.TempDir()
	pdf = filepath.Join(dir, "验收报告.pdf")
	pngPath = filepath.Join(dir, "现场照片.png")
	fake = filepath.Join(dir, "伪装.pdf")
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string][]byte{
		pdf:     []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"),
		pngPath: img.Bytes(),
		fake:    []byte("<html><script>alert(1)</script></html>"),
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pdf, pngPath, fake
}

// blobFiles lists the evidence files in the default blob store under data (the store
// also keeps the notices' and reports' records, under their own prefixes).
func blobFiles(t *testing.T, data string) []string {
	var out []string
	filepath.WalkDir(filepath.Join(data, "blobs", "sha256"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// TestEvidenceThroughTheStarter: files attached with --attach reach the blob store and
// the task; refused actions store nothing; downloads give the bytes back; the audit
// names a file that was altered or removed; `starter assign` names the officer
// responsible; TASKRELAY_REQUIRE_EVIDENCE refuses a bare completion.
func TestEvidenceThroughTheStarter(t *testing.T) {
	c := newCounty(t)
	c.env = []string{"TASKRELAY_DATA=" + c.data}
	c.start()
	c.ok("submit", sample, "--adopt")
	task := "cwh-2026-12:1"
	pdf, pngPath, fake := evidenceFiles(t)

	c.ok("progress", task, "--unit", "rsj", "--percent", "40", "--note", "窗口已设立", "--attach", pngPath, "--attach", pdf)
	var v relay.TaskView
	c.jsonOf(&v, "task", task, "--json")
	if len(v.Attachments) != 2 || v.Attachments[0].Name != "现场照片.png" || v.Attachments[0].Type != "png" ||
		v.Attachments[1].Type != "pdf" || v.Attachments[1].Action != "progress" || v.Attachments[1].By != "rsj" {
		t.Fatalf("attachments %+v", v.Attachments)
	}
	stored := blobFiles(t, c.data)
	if len(stored) != 2 {
		t.Fatalf("store holds %v", stored)
	}

	// Refusals change nothing: a disguised file, and a valid file on an action the
	// task refuses (a unit not on it) — its upload is removed again.
	c.refused("伪装.pdf", "progress", task, "--unit", "rsj", "--percent", "50", "--note", "x", "--attach", pdf, "--attach", fake)
	other := filepath.Join(t.TempDir(), "另一份.pdf")
	os.WriteFile(other, []byte("%PDF-1.4\nother\n%%EOF\n"), 0o644)
	c.refused("无权操作", "progress", task, "--unit", "wjj", "--percent", "50", "--note", "x", "--attach", other)
	var after relay.TaskView
	c.jsonOf(&after, "task", task, "--json")
	if len(after.Timeline) != len(v.Timeline) || len(after.Attachments) != 2 {
		t.Fatalf("a refused action changed the task: %d entries, %d files", len(after.Timeline), len(after.Attachments))
	}
	if got := blobFiles(t, c.data); len(got) != 2 {
		t.Fatalf("after refusals the store holds %v", got)
	}

	// Download.
	out := filepath.Join(t.TempDir(), "下载.pdf")
	c.ok("attachment", "get", task, v.Attachments[1].SHA256, "--out", out)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, mustRead(t, pdf)) {
		t.Fatal("downloaded bytes differ")
	}
	c.refused("没有附件", "attachment", "get", "cwh-2026-12:2", v.Attachments[1].SHA256, "--out", out)

	// The officer responsible (责任人), named with the starter: a person of the unit,
	// never one of another unit.
	userAdd(t, c, "Jingban-pass-1", "rsj1", "--role", "unit", "--unit", "rsj", "--name", "人社局张三", "--password-stdin")
	userAdd(t, c, "Jingban-pass-2", "czj1", "--role", "unit", "--unit", "czj", "--name", "财政局李四", "--password-stdin")
	c.refused("不是单位", "assign", task, "--unit", "rsj", "--person", "czj1")
	c.ok("assign", task, "--unit", "rsj", "--person", "rsj1")
	var assigned relay.TaskView
	c.jsonOf(&assigned, "task", task, "--json")
	if assigned.Assignee != "rsj1" || !assigned.AssignedTo("rsj", "rsj1") {
		t.Fatalf("after assign: assignee %q, assignees %v", assigned.Assignee, assigned.Assignees)
	}

	// Evidence required for a completion.
	c.env = append(c.env, "TASKRELAY_REQUIRE_EVIDENCE=1")
	c.refused("佐证材料", "complete", task, "--unit", "rsj", "--note", "已办结")
	c.ok("complete", task, "--unit", "rsj", "--note", "已办结", "--attach", pdf)

	outbox := filepath.Join(c.data, "outbox")
	if got := c.ok("audit", "cwh-2026-12", "--outbox", outbox); !strings.Contains(got, "附件 3 个") || !strings.Contains(got, "记录完整") {
		t.Fatalf("audit of intact files:\n%s", got)
	}
	// One file altered, then one missing: the audit names each.
	key := filepath.Join(c.data, "blobs", filepath.FromSlash(evidence.Key(v.Attachments[0].SHA256)))
	if err := os.WriteFile(key, []byte("\x89PNG altered"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.refused("现场照片.png", "audit", "cwh-2026-12", "--outbox", outbox)
	os.Remove(filepath.Join(c.data, "blobs", filepath.FromSlash(evidence.Key(v.Attachments[1].SHA256))))
	r := c.starter("audit", "cwh-2026-12", "--outbox", outbox)
	if r.code == 0 || !strings.Contains(r.out, "验收报告.pdf") || !strings.Contains(r.out, "缺失") {
		t.Fatalf("audit with a missing file: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	c.record(relay.TaskWorkflowID(task), "task-evidence")
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
