package console

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/evidence"
	"taskrelay/internal/evidence/evidencetest"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/tasklist"
)

// BenchmarkUpload20MiB: an officer reports progress on the console with a 20 MiB
// file, through the whole path (the multipart form, the evidence store, the engine's
// update), and the benchmark reports how far the process's resident memory rose at
// its peak (rss-growth-MiB): the form parser spools the file to disk and the store
// streams it, so the growth stays far under the file's size. The engine, the worker
// and the console share this process, so the figure bounds the console's and the
// worker's growth together. The client streams its request, never holding the file.
func BenchmarkUpload20MiB(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	s, err := New(Config{API: e.api, Users: e.users, Sessions: accounts.NewSessions(e.key, time.Hour),
		Directory: e.s.cfg.Directory, PageSize: 5, Reports: e.s.cfg.Reports, Deliveries: e.s.cfg.Deliveries, SecurityLog: e.s.cfg.SecurityLog,
		Evidence: relayclient.Evidence{Store: evidence.New(e.s.cfg.Evidence.Store.Bucket, 20)}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	meeting := "cwh-memory-" + time.Now().Format("150405.000")
	deadline := time.Now().In(relay.TimeZone).AddDate(0, 0, 60).Format(relay.DateLayout)
	list := fmt.Sprintf("meeting: {id: %s, name: 内存测试会议, date: 2026-09-15}\nitems:\n  - {no: 1, title: 大文件上传, lead: 公安局, deadline: %s}\n", meeting, deadline)
	plan, err := tasklist.Parse(meeting+".yaml", []byte(list), e.s.cfg.Directory, tasklist.MeetingFlags{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.api.Submit(ctx, *plan); err != nil {
		b.Fatal(err)
	}
	if _, err := e.api.Adopt(ctx, meeting, relay.AdoptRequest{By: "test"}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.api.WaitDispatched(ctx, meeting); err != nil {
		b.Fatal(err)
	}
	id := relay.TaskID(meeting, 1)
	c := signIn(b, srv.URL, "gaj1")

	var worst int64
	for i := 0; i < b.N; i++ {
		csrf := c.token(b, TaskURL(id))
		var status int
		grew := evidencetest.PeakGrowth(func() {
			status = c.postFile(b, TaskURL(id)+"/progress", csrf, url.Values{"percent": {fmt.Sprint(i % 100)}, "note": {"附大文件"}},
				"大文件.pdf", &evidencetest.PDF{N: 20 << 20, Seed: int64(i) + time.Now().UnixNano()%26})
		})
		if status != http.StatusSeeOther {
			b.Fatalf("upload answered %d", status)
		}
		worst = max(worst, grew)
	}
	v, err := e.api.Task(ctx, id)
	if err != nil || len(v.Attachments) != b.N || v.Attachments[0].Size != 20<<20 {
		b.Fatalf("files on the task: %v %+v", err, v.Attachments)
	}
	b.ReportMetric(float64(worst)/(1<<20), "rss-growth-MiB")
	b.SetBytes(20 << 20)
}

// client is a signed-in HTTP client of the console (the benchmark has no *testing.T
// for the tests' browser).
type client struct {
	base string
	c    *http.Client
}

var tokenRE = regexp.MustCompile(`name="` + CSRFField + `" value="([^"]+)"`)

func signIn(tb testing.TB, base, user string) *client {
	jar, _ := cookiejar.New(nil)
	c := &client{base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	res, err := c.c.PostForm(base+"/login", url.Values{"username": {user}, "password": {testPassword}, CSRFField: {c.token(tb, "/login")}})
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login %s: %d", user, res.StatusCode)
	}
	return c
}

// token is the form token on the page at path.
func (c *client) token(tb testing.TB, path string) string {
	res, err := c.c.Get(c.base + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := tokenRE.FindSubmatch(body)
	if m == nil {
		tb.Fatalf("no form token on %s (%d)", path, res.StatusCode)
	}
	return string(m[1])
}

// postFile posts a multipart form with one file streamed from r, and returns the status.
func (c *client) postFile(tb testing.TB, path, csrf string, fields url.Values, name string, r io.Reader) int {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fields.Set(CSRFField, csrf)
		for k, vs := range fields {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		fw, err := mw.CreateFormFile(FilesField, name)
		if err == nil {
			_, err = io.Copy(fw, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", c.base+path, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
