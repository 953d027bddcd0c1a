package console

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
	"taskrelay/internal/tasklist"
)

// postFiles posts a multipart form with files in the FilesField, as a browser does.
func (b *browser) postFiles(path string, fields url.Values, files map[string][]byte) resp {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields.Set(CSRFField, b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile(FilesField, name)
		_, _ = fw.Write(data)
	}
	mw.Close()
	r, _ := http.NewRequest("POST", b.e.srv.URL+path, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(r)
}

// TestEvidenceAndHeadReviewOnTheConsole: an officer uploads two files with a progress
// report; they are listed and downloaded as attachments by those who may see the task
// only; a disguised file refuses the whole action; the unit head assigns the task
// (shown on it, and first on the officer's page),
// returns the officer's completion and signs off the next one.
func TestEvidenceAndHeadReviewOnTheConsole(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	meeting := "cwh-evidence-" + time.Now().Format("150405.000")
	deadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 60).Format(relay.DateLayout)
	list := fmt.Sprintf("meeting: {id: %s, name: 佐证材料测试会议, date: 2026-09-15}\nitems:\n  - {no: 1, title: 佐证测试事项, lead: 公安局, leader: ld-chang, deadline: %s}\n", meeting, deadline)
	plan, err := tasklist.Parse(meeting+".yaml", []byte(list), e.s.cfg.Directory, tasklist.MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Submit(ctx, *plan); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Adopt(ctx, meeting, relay.AdoptRequest{By: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.WaitDispatched(ctx, meeting); err != nil {
		t.Fatal(err)
	}
	id := relay.TaskID(meeting, 1)
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4)))
	pdf := []byte("%PDF-1.4\n%%EOF\n")

	officer := e.login(t, "gaj1")
	officer.get(TaskURL(id))
	r := officer.postFiles(TaskURL(id)+"/progress", url.Values{"percent": {"30"}, "note": {"已部署"}},
		map[string][]byte{"现场.png": img.Bytes(), "方案.pdf": pdf})
	if r.status != http.StatusSeeOther {
		t.Fatalf("progress with files: %d\n%s", r.status, snippet(r.body))
	}
	v, _ := e.api.Task(ctx, id)
	if len(v.Attachments) != 2 {
		t.Fatalf("attachments %+v", v.Attachments)
	}
	page := officer.get(TaskURL(id))
	must(t, page, http.StatusOK, "现场.png", "方案.pdf", `id="files"`)
	var pngSHA string
	for _, a := range v.Attachments {
		if a.Type == "png" {
			pngSHA = a.SHA256
		}
	}
	dl := officer.get(FileURL(id, pngSHA))
	if dl.status != http.StatusOK || dl.header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") || dl.body != img.String() {
		t.Fatalf("download: %d %q %q", dl.status, dl.header.Get("Content-Type"), dl.header.Get("Content-Disposition"))
	}
	if r := e.login(t, "rsj1").get(FileURL(id, pngSHA)); r.status != http.StatusForbidden {
		t.Fatalf("another unit downloads: %d", r.status)
	}
	if r := e.login(t, "duban").get(FileURL(id, pngSHA)); r.status != http.StatusOK {
		t.Fatalf("the inspection office downloads: %d", r.status)
	}
	if r := officer.get(FileURL(id, strings.Repeat("0", 64))); r.status != http.StatusNotFound {
		t.Fatalf("a hash not on the task: %d", r.status)
	}

	// A disguised page among good files: refused, nothing changes.
	r = officer.postFiles(TaskURL(id)+"/progress", url.Values{"percent": {"50"}, "note": {"x"}},
		map[string][]byte{"好.pdf": []byte("%PDF-1.4 other\n"), "报告.pdf": []byte("<html><script>alert(1)</script>")})
	if r.status == http.StatusSeeOther || !strings.Contains(r.body, "报告.pdf") {
		t.Fatalf("disguised file: %d\n%s", r.status, snippet(r.body))
	}
	if after, _ := e.api.Task(ctx, id); len(after.Timeline) != len(v.Timeline) || after.Progress != 30 {
		t.Fatalf("a refused upload changed the task")
	}

	// The unit head assigns the task and reviews the officer's completion.
	head := e.login(t, "gajhead")
	head.get(TaskURL(id))
	if r := head.post(TaskURL(id)+"/assign", url.Values{"person": {"gaj1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("assign: %d\n%s", r.status, snippet(r.body))
	}
	if r := officer.post(TaskURL(id)+"/assign", url.Values{"person": {"gaj1"}}); r.status != http.StatusForbidden {
		t.Fatalf("an officer assigns: %d", r.status)
	}
	// The task shows its 责任人 by name; the officer's page lists it first, under 我负责的任务.
	must(t, head.get(TaskURL(id)), http.StatusOK, `<dd id="task-assignee">县公安局：公安局王五（gaj1）</dd>`)
	eventually(t, "the assigned task heads the officer's page", func() bool {
		body := officer.get("/my").body
		mine := strings.Index(body, `id="mine"`)
		all := strings.Index(body, `id="h-all"`)
		return mine >= 0 && all > mine && strings.Contains(body[mine:all], id)
	})
	if body := head.get("/my").body; strings.Contains(body, `id="mine"`) {
		t.Error("the unit head, who has no task of his own, gets a 我负责的任务 list")
	}
	if r := officer.postFiles(TaskURL(id)+"/complete", url.Values{"note": {"已办结"}}, map[string][]byte{"验收.pdf": pdf}); r.status != http.StatusSeeOther {
		t.Fatalf("complete: %d\n%s", r.status, snippet(r.body))
	}
	v, _ = e.api.Task(ctx, id)
	if v.State != relay.StateHeadReview || v.Assignee != "gaj1" {
		t.Fatalf("after the officer's completion: state %s, assignee %q", v.State, v.Assignee)
	}
	if r := officer.post(TaskURL(id)+"/head-review", url.Values{"decision": {"approve"}}); r.status != http.StatusForbidden {
		t.Fatalf("an officer signs off: %d", r.status)
	}
	must(t, head.get(TaskURL(id)), http.StatusOK, `id="form-head-review"`)
	if r := head.post(TaskURL(id)+"/head-review", url.Values{"decision": {"return"}, "note": {"请补充照片"}}); r.status != http.StatusSeeOther {
		t.Fatalf("return: %d\n%s", r.status, snippet(r.body))
	}
	officer.postFiles(TaskURL(id)+"/complete", url.Values{"note": {"已补充"}}, map[string][]byte{"照片.png": img.Bytes()})
	if r := head.post(TaskURL(id)+"/head-review", url.Values{"decision": {"approve"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign off: %d\n%s", r.status, snippet(r.body))
	}
	if v, _ = e.api.Task(ctx, id); v.State != relay.StateCompletionSubmitted {
		t.Fatalf("after sign-off: %s", v.State)
	}
}
