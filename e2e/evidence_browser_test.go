package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"taskrelay/internal/relay"
)

// TestBrowserEvidenceAndHeadSignOff: 责任到人 and 佐证材料 in a real browser. The unit
// head names an officer responsible; the officer finds the task first on the page,
// reports completion with two files; the completion waits for the head, who sees the
// files and signs it off; only then does the inspection office see it submitted, and
// its files download as attachments with their types and bytes.
func TestBrowserEvidenceAndHeadSignOff(t *testing.T) {
	c := newCounty(t)
	c.env = []string{"TASKRELAY_DATA=" + c.data}
	c.start()
	c.ok("submit", sample, "--adopt")
	con := startConsole(t, c)
	userAdd(t, c, "Jingban-pass-1", "rsj1", "--role", "unit", "--unit", "rsj", "--name", "人社局张三", "--password-stdin")
	userAdd(t, c, "Fuzeren-pass-1", "rsjhead", "--role", "unit_head", "--unit", "rsj", "--name", "人社局李局长", "--password-stdin")
	userAdd(t, c, "Ducha-pass-1", "duban", "--role", "inspection", "--name", "督查室王五", "--password-stdin")
	pdf, photo, _ := evidenceFiles(t)
	const task = "cwh-2026-12:1"
	taskPath := "/tasks/" + task
	p := newBrowser(t, con.URL)

	// The head names the officer responsible.
	p.login("rsjhead", "Fuzeren-pass-1", "人社局李局长")
	p.open(taskPath)
	p.set("#person", "rsj1")
	p.click("#assign")
	p.see(".flash", "已确定责任人")
	p.see("#task-assignee", "人社局张三（rsj1）")
	p.logout()

	// The officer: the task heads the page, completion with two files.
	p.login("rsj1", "Jingban-pass-1", "人社局张三")
	p.seeAfterReload("/my", "#mine", "推进社保医保")
	p.open(taskPath)
	p.set("#complete-note", "两险缴费已在一个窗口办结，验收报告和现场照片附后")
	p.do("choose files", chromedp.SetUploadFiles(chromedp.CSS("#complete-files"), []string{pdf, photo}))
	p.click("#submit-completion")
	p.see(".flash", "已报单位负责人审核")
	p.see("#task-state", relay.StateLabel(relay.StateHeadReview))
	p.see("#files", "验收报告.pdf")
	p.see("#files", "现场照片.png")
	p.logout()

	// The inspection office does not see it yet.
	api := c.api()
	if v, err := api.Task(context.Background(), task); err != nil || v.State != relay.StateHeadReview {
		t.Fatalf("before the sign-off: %v %s", err, v.State)
	}

	// The head signs off.
	p.login("rsjhead", "Fuzeren-pass-1", "人社局李局长")
	p.open(taskPath)
	p.see("#form-head-review", "审核办结报告")
	p.see("#files", "验收报告.pdf")
	p.shot("evidence-head-review")
	p.click("#h-approve")
	p.set("#head-note", "材料齐全，同意报送")
	p.click("#head-sign")
	p.see(".flash", "审核意见已记录")
	p.see("#task-state", relay.StateLabel(relay.StateCompletionSubmitted))
	p.see("#timeline", "人社局李局长（rsjhead）")
	p.logout()

	// The inspection office sees the submitted completion and downloads its files.
	p.login("duban", "Ducha-pass-1", "督查室王五")
	p.seeAfterReload("/board?state=completion_submitted", "main table", "推进社保医保")
	p.open(taskPath)
	p.see("#form-verify", "审核结果")
	p.see("#files", "验收报告.pdf")
	p.shot("evidence-inspection")
	for name, want := range map[string]struct {
		path, mime string
	}{"验收报告.pdf": {pdf, "application/pdf"}, "现场照片.png": {photo, "image/png"}} {
		got := p.download(`#files a[download]`, name)
		if got.Type != want.mime || !strings.HasPrefix(got.Disposition, "attachment;") || !bytes.Equal(got.Bytes, mustRead(t, want.path)) {
			t.Errorf("download of %s: %q %q, %d bytes", name, got.Type, got.Disposition, len(got.Bytes))
		}
	}
}

// fetched is a file the page downloaded: its headers and bytes.
type fetched struct {
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Bytes       []byte `json:"bytes"`
}

// download follows, with the page's own session, the link among css whose text is
// name, as the browser's download would, and returns what the console served.
func (p *page) download(css, name string) fetched {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async function(css, name) {
		const a = [...document.querySelectorAll(css)].find(e => e.textContent.trim() === name);
		if (!a) return "";
		const r = await fetch(a.href, {credentials: "same-origin"});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (const x of b) s += String.fromCharCode(x);
		return JSON.stringify({type: r.headers.get("Content-Type"), disposition: r.headers.get("Content-Disposition"), bytes: btoa(s)});
	})(`+jsString(css)+`, `+jsString(name)+`)`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("download %s: %v", name, err)
	}
	var f fetched
	if raw == "" || json.Unmarshal([]byte(raw), &f) != nil {
		p.t.Fatalf("no link %q among %s", name, css)
	}
	return f
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
