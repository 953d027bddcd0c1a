package console

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// TestClerkSeesNames: the console as a clerk reads it. The users table names each
// account's unit and leader; meetings are offered and headed by their names; the
// adoption says who adopted by name and role; a unit's received notices show their
// 文号 (never a dispatch:… id) and download as the official .docx, which another
// unit is refused.
func TestClerkSeesNames(t *testing.T) {
	e := setup(t)
	const m = "cwh-clerk"
	name := "县委常委会测试会议" + m
	e.adopted(t, m)

	admin := e.login(t, "root")
	r := admin.get("/users")
	must(t, r, http.StatusOK, `<td data-label="单位或县领导">`+e.s.unitName("rsj")+`</td>`,
		`<td data-label="单位或县领导">`+e.s.leaderName("ld-wang")+`</td>`)
	for _, id := range []string{"rsj", "czj", "ld-wang", "ld-chang"} {
		if strings.Contains(r.body, `<td data-label="单位或县领导">`+id+`</td>`) {
			t.Errorf("users table shows the id %s", id)
		}
	}

	duban := e.login(t, "duban")
	opt := regexp.MustCompile(`<option value="` + m + `"[^>]*>([^<]*)</option>`)
	eventually(t, "meeting named in the board's filter", func() bool {
		got := opt.FindStringSubmatch(duban.get("/board").body)
		return got != nil && got[1] == name
	})
	must(t, duban.get(MeetingURL(m)), http.StatusOK, "由 办公室甲（县政府办公室）通过")
	must(t, duban.get(TaskURL(relay.TaskID(m, 1))), http.StatusOK, "<h1>"+name+" 第1项</h1>")

	v, err := e.api.Meeting(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	var rsjNotice, docNo string
	for _, n := range v.Notices {
		if n.Unit == "rsj" {
			rsjNotice, docNo = n.NoticeID, n.DocNo
		}
	}
	if rsjNotice == "" || docNo == "" {
		t.Fatalf("no numbered notice for rsj: %+v", v.Notices)
	}
	rsj := e.login(t, "rsj1")
	r = rsj.get("/notices")
	must(t, r, http.StatusOK, "<h2>"+name+"交办单</h2>", docNo, "下载交办单")
	if main := r.body[strings.Index(r.body, "<main"):]; strings.Contains(stripTags(main), "dispatch:") {
		t.Errorf("the notices page shows a dispatch: id:\n%s", snippet(r.body))
	}
	link := "/notices/" + url.PathEscape(rsjNotice) + "/docx"
	var doc resp
	eventually(t, "交办单 recorded", func() bool { doc = rsj.get(link); return doc.status == http.StatusOK })
	if ct := doc.header.Get("Content-Type"); !strings.Contains(ct, "wordprocessingml") {
		t.Fatalf("content type %q", ct)
	}
	xml := docxText(t, []byte(doc.body))
	for _, want := range []string{docNo, "交办单", e.s.unitName("rsj"), "推进两险同宣同征"} {
		if !strings.Contains(xml, want) {
			t.Errorf("the .docx lacks %q", want)
		}
	}
	eventually(t, "the download read for the unit", func() bool { return strings.Contains(rsj.get("/notices").body, `class="read"`) })
	must(t, e.login(t, "czj1").get(link), http.StatusForbidden, "不是发给本单位的")
	must(t, duban.get(link), http.StatusOK)
}

// stripTags leaves a page's text (attributes such as links' hrefs dropped).
func stripTags(s string) string { return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ") }

// docxText is the text of a .docx's main part.
func docxText(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a .docx: %v", err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			x, _ := io.ReadAll(rc)
			rc.Close()
			return stripTags(string(x))
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestConsoleErrorsNameNoFlags: a console user never reads a command-line flag. The
// add-user form without a unit or leader is refused in the form's words, and no
// message the console writes (its Go strings and templates) or takes from the rules it
// shares with the command line (a return without a note) names a --flag.
func TestConsoleErrorsNameNoFlags(t *testing.T) {
	e := pageSetup(t)
	flag := regexp.MustCompile(`--[a-z]`)
	admin := e.login(t, "root")
	for _, c := range []struct{ role, want string }{
		{"unit", "须选择“所属单位”"}, {"unit_head", "须选择“所属单位”"}, {"leader", "须选择“县领导”"},
	} {
		r := admin.post("/users", url.Values{"username": {"noscope-" + c.role}, "role": {c.role}, "password": {"Noscope-pass-1"}})
		must(t, r, http.StatusUnprocessableEntity, c.want)
		if flag.MatchString(stripTags(r.body)) { // the text a person reads (tokens in attributes aside)
			t.Errorf("role %s: the refusal names a flag:\n%s", c.role, snippet(r.body))
		}
	}
	r := admin.post("/users/rsj1/links", url.Values{"dingtalk": {"不是 userid"}})
	must(t, r, http.StatusUnprocessableEntity, "钉钉 userid")
	if flag.MatchString(stripTags(r.body)) {
		t.Errorf("a malformed platform identity is refused naming a flag:\n%s", snippet(r.body))
	}
	err := relay.CheckSignoff("2026-11", relay.ReportDraft, relay.SignoffRequest{Step: relay.StepReview})
	if err == nil || strings.Contains(err.Error(), "--") {
		t.Errorf("return without a note: %v", err)
	}
	str := regexp.MustCompile("\"(?:[^\"\\\\\\n]|\\\\.)*\"|`[^`]*`")
	files, _ := filepath.Glob("*.go")
	tmpls, _ := filepath.Glob("templates/*.html")
	for _, f := range append(files, tmpls...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts := []string{string(b)}
		if strings.HasSuffix(f, ".go") {
			texts = str.FindAllString(string(b), -1)
		}
		for _, s := range texts {
			if loc := flag.FindStringIndex(s); loc != nil {
				t.Errorf("%s: a message names a flag: %s", f, s[max(0, loc[0]-30):min(len(s), loc[1]+30)])
			}
		}
	}
}
