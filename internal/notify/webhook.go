package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"taskrelay/internal/relay"
)

// DefaultTimeout bounds one webhook request when the http.Client sets no timeout of
// its own.
const DefaultTimeout = 10 * time.Second

// errBodyLimit is how much of a failed response's body an error quotes.
const errBodyLimit = 200

// Webhook is a Notifier that POSTs each notice as JSON to a URL, in the shape of a
// WeCom/DingTalk-style "markdown" robot message with the notice itself attached:
//
//	{"msgtype":"markdown",
//	 "markdown":{"title":<subject>,"content":Render(n),"text":Render(n)},
//	 "notice":<relay.Notice>}
//
// with the headers Content-Type: application/json and Idempotency-Key: <notice ID>,
// the same on every retry. A 2xx or 409 (already received) answer is success; any
// other answer or a transport error is an *HTTPError or a transport error; a 4xx other
// than 408, 409 and 429 is also marked ErrPermanent.
type Webhook struct {
	url    string
	client *http.Client
}

// NewWebhook returns a Webhook posting to url with client; a nil client means one
// with a 10 s timeout. If client has no timeout, each request is bounded by 10 s
// through its context.
func NewWebhook(url string, client *http.Client) *Webhook {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Webhook{url: url, client: client}
}

// WebhookMessage is the JSON body a Webhook posts.
type WebhookMessage struct {
	MsgType  string          `json:"msgtype"` // "markdown"
	Markdown WebhookMarkdown `json:"markdown"`
	Notice   relay.Notice    `json:"notice"`
}

// WebhookMarkdown is the robot-facing part of a WebhookMessage. Content (WeCom) and
// Text (DingTalk) both carry Render(n).
type WebhookMarkdown struct {
	Title   string `json:"title"`
	Content string `json:"content"`
	Text    string `json:"text"`
}

// NewWebhookMessage builds the body a Webhook posts for n.
func NewWebhookMessage(n relay.Notice) WebhookMessage {
	md := Render(n)
	title := oneLine(n.Subject)
	if title == "" {
		title = relay.NoticeKindLabel(n.Kind)
	}
	return WebhookMessage{
		MsgType:  "markdown",
		Markdown: WebhookMarkdown{Title: title, Content: md, Text: md},
		Notice:   n,
	}
}

// HTTPError is a non-2xx answer from the webhook (409 excepted).
type HTTPError struct {
	StatusCode int
	Status     string // e.g. "500 Internal Server Error"
	Body       string // the first 200 bytes of the response body
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return "webhook answered " + e.Status
	}
	return fmt.Sprintf("webhook answered %s: %q", e.Status, e.Body)
}

// Deliver implements Notifier: the notice with its ID as the Idempotency-Key.
func (w *Webhook) Deliver(ctx context.Context, n relay.Notice) error {
	o := Outgoing{Notice: n, Key: n.ID}
	msgs, err := w.Prepare(o)
	if err != nil {
		return err
	}
	return w.Send(ctx, o, msgs[0])
}

// Rate implements Channel: a generic receiver has no documented limit.
func (w *Webhook) Rate() (string, []Window) { return "", nil }

// Prepare implements Channel: one WebhookMessage.
func (w *Webhook) Prepare(o Outgoing) ([][]byte, error) {
	if o.Notice.ID == "" {
		return nil, permanent(errors.New("notify: webhook: notice has no ID"))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(NewWebhookMessage(o.Notice)); err != nil {
		return nil, permanent(fmt.Errorf("notify: webhook: encode notice %q: %w", o.Notice.ID, err))
	}
	return [][]byte{buf.Bytes()}, nil
}

// Send implements Channel: POSTs msg with o.Key as the Idempotency-Key.
func (w *Webhook) Send(ctx context.Context, o Outgoing, msg []byte) error {
	where := redact(w.url)
	if w.client.Timeout <= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(msg))
	if err != nil {
		return permanent(fmt.Errorf("notify: webhook %s: %w", where, scrub(err, w.url, where)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", o.Key)
	req.Header.Set("User-Agent", "taskrelay-notify/1")

	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: webhook POST %s: %w", where, scrub(err, w.url, where))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, errBodyLimit))
	// Drain a little more so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusConflict {
		return nil
	}
	herr := &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, Body: validPrefix(head)}
	err = fmt.Errorf("notify: webhook POST %s (notice %q): %w", where, o.Notice.ID, herr)
	if resp.StatusCode/100 == 4 &&
		resp.StatusCode != http.StatusRequestTimeout &&
		resp.StatusCode != http.StatusTooManyRequests {
		return permanent(err)
	}
	return err
}

// validPrefix returns b as valid UTF-8 text: a rune cut in half at the end is
// dropped, other invalid bytes become U+FFFD.
func validPrefix(b []byte) string {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				b = b[:i]
			}
			break
		}
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// redact returns the URL without its query, fragment and password: robot webhook
// URLs carry their access token in the query (?key=, ?access_token=), which must not
// end up in error messages, logs or Temporal history.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// scrub removes the full URL from transport errors (net/http quotes it).
func scrub(err error, full, redacted string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redacted
		return err
	}
	if msg := err.Error(); full != "" {
		if r := strings.ReplaceAll(msg, full, redacted); r != msg {
			return errors.New(r)
		}
	}
	return err
}
