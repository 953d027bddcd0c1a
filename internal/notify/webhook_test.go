package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

type recorded struct {
	method, contentType, key string
	body                     []byte
}

// recorder answers with the given statuses in turn (the last one repeats) and
// records each request.
type recorder struct {
	mu       sync.Mutex
	statuses []int
	answer   string
	reqs     []recorded
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), body})
	i := min(len(rec.reqs)-1, len(rec.statuses)-1)
	status := rec.statuses[i]
	rec.mu.Unlock()
	w.WriteHeader(status)
	io.WriteString(w, rec.answer)
}

func TestWebhookHeadersAndBody(t *testing.T) {
	rec := &recorder{statuses: []int{200}, answer: `{"errcode":0}`}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	n := sampleNotice()
	if err := NewWebhook(srv.URL+"/robot?key=secret", srv.Client()).Deliver(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if len(rec.reqs) != 1 {
		t.Fatalf("%d requests", len(rec.reqs))
	}
	r := rec.reqs[0]
	if r.method != http.MethodPost || r.contentType != "application/json" || r.key != n.ID {
		t.Errorf("method %q, Content-Type %q, Idempotency-Key %q", r.method, r.contentType, r.key)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"msgtype", "markdown", "notice"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("body lacks %q: %s", k, r.body)
		}
	}
	var msg struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Title, Content, Text string
		} `json:"markdown"`
		Notice relay.Notice `json:"notice"`
	}
	if err := json.Unmarshal(r.body, &msg); err != nil {
		t.Fatal(err)
	}
	md := Render(n)
	if msg.MsgType != "markdown" || msg.Markdown.Title != n.Subject || msg.Markdown.Content != md || msg.Markdown.Text != md {
		t.Errorf("markdown part = %+v", msg)
	}
	if msg.Notice.ID != n.ID || msg.Notice.Items[0].Title != n.Items[0].Title || !msg.Notice.IssuedAt.Equal(n.IssuedAt) {
		t.Errorf("notice part = %+v", msg.Notice)
	}
}

func TestWebhookRetryKeepsIdempotencyKey(t *testing.T) {
	rec := &recorder{statuses: []int{500, 503, 200}, answer: "busy"}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	w := NewWebhook(srv.URL, nil)
	n := sampleNotice()
	var err error
	for range 3 {
		if err = w.Deliver(context.Background(), n); err == nil {
			break
		}
		if errors.Is(err, ErrPermanent) {
			t.Fatalf("5xx marked permanent: %v", err)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(rec.reqs))
	}
	for i, r := range rec.reqs {
		if r.key != n.ID {
			t.Errorf("request %d: Idempotency-Key %q, want %q", i, r.key, n.ID)
		}
		if string(r.body) != string(rec.reqs[0].body) {
			t.Errorf("request %d: body differs from the first", i)
		}
	}
}

func TestWebhookStatuses(t *testing.T) {
	long := strings.Repeat("错", 100) // 300 bytes, cut inside a rune at 200
	cases := []struct {
		status    int
		ok, perm  bool
		answerSub string
	}{
		{200, true, false, ""},
		{201, true, false, ""},
		{204, true, false, ""},
		{409, true, false, ""},
		{500, false, false, "500"},
		{502, false, false, "502"},
		{400, false, true, "400"},
		{401, false, true, "401"},
		{403, false, true, "403"},
		{404, false, true, "404"},
		{408, false, false, "408"},
		{429, false, false, "429"},
		{302, false, false, "302"}, // redirect without Location: not delivered
	}
	for _, c := range cases {
		srv := httptest.NewServer(&recorder{statuses: []int{c.status}, answer: long})
		err := NewWebhook(srv.URL+"?access_token=TOPSECRET", srv.Client()).Deliver(context.Background(), sampleNotice())
		srv.Close()
		if c.ok {
			if err != nil {
				t.Errorf("%d: %v", c.status, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%d: no error", c.status)
			continue
		}
		if got := errors.Is(err, ErrPermanent); got != c.perm {
			t.Errorf("%d: permanent = %v, want %v (%v)", c.status, got, c.perm, err)
		}
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != c.status {
			t.Errorf("%d: not an *HTTPError with the status: %v", c.status, err)
			continue
		}
		if len(he.Body) > 200 || !strings.HasPrefix(long, he.Body) || len(he.Body) < 190 {
			t.Errorf("%d: body excerpt %d bytes %q", c.status, len(he.Body), he.Body)
		}
		if !strings.Contains(err.Error(), c.answerSub) || !strings.Contains(err.Error(), "错错") {
			t.Errorf("%d: message lacks status or body: %v", c.status, err)
		}
		if strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("%d: error leaks the URL token: %v", c.status, err)
		}
	}
}

func TestWebhookServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/robot?key=TOPSECRET"
	srv.Close()
	err := NewWebhook(url, nil).Deliver(context.Background(), sampleNotice())
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if errors.Is(err, ErrPermanent) {
		t.Errorf("transport error marked permanent: %v", err)
	}
	if strings.Contains(err.Error(), "TOPSECRET") {
		t.Errorf("error leaks the URL token: %v", err)
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := NewWebhook(srv.URL, &http.Client{}).Deliver(ctx, sampleNotice())
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want a retryable timeout", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded in the chain", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("context deadline not honoured")
	}
}

func TestWebhookRejectsNoticeWithoutID(t *testing.T) {
	n := sampleNotice()
	n.ID = ""
	if err := NewWebhook("http://127.0.0.1:1", nil).Deliver(context.Background(), n); !errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want ErrPermanent", err)
	}
}
