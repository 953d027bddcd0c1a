package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// fakePlatform answers like DingTalk, WeCom or Feishu robots: it checks what the
// platform checks (token or key, signature and its one-hour window, the body's
// schema, size limits, the rate limit) and answers HTTP 200 with the platform's
// error code when a check fails.
type fakePlatform struct {
	t       *testing.T
	channel string
	token   string
	secret  string
	limit   Window // the platform's rate limit (N per Per)

	mu   sync.Mutex
	down bool // answer 502 like a proxy whose upstream is gone
	// afterAccept, if set, runs (under the lock) after each accepted message.
	afterAccept func(f *fakePlatform)
	arrivals    []time.Time
	accepted    []acceptedMsg
	refused     []int // error codes answered
	maxBurst    int   // most arrivals seen in any window
}

type acceptedMsg struct {
	Title, Text string
	Mobiles     []string
	Type        string
}

func newFakePlatform(t *testing.T, channel, token, secret string) (*fakePlatform, *httptest.Server) {
	f := &fakePlatform{t: t, channel: channel, token: token, secret: secret, limit: Window{N: 20, Per: time.Minute}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakePlatform) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *fakePlatform) snapshot() ([]acceptedMsg, []int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]acceptedMsg(nil), f.accepted...), append([]int(nil), f.refused...), f.maxBurst
}

func (f *fakePlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		http.Error(w, "method or content type", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var code int
	var msg string
	var got acceptedMsg
	switch f.channel {
	case relay.ChannelDingTalk:
		code, msg, got = f.dingTalk(r, body)
	case relay.ChannelWeCom:
		code, msg, got = f.weCom(r, body)
	case relay.ChannelFeishu:
		code, msg, got = f.feishu(r, body)
	}
	if code == 0 {
		// The rate limit counts accepted messages, as the platforms do.
		now := time.Now()
		n := 0
		for _, a := range f.arrivals {
			if now.Sub(a) < f.limit.Per {
				n++
			}
		}
		if n >= f.limit.N {
			code, msg = rateCodes[f.channel][0], "send too fast"
		} else {
			f.arrivals = append(f.arrivals, now)
			f.maxBurst = max(f.maxBurst, n+1)
			f.accepted = append(f.accepted, got)
			if f.afterAccept != nil {
				f.afterAccept(f)
			}
		}
	}
	if code != 0 {
		f.refused = append(f.refused, code)
	}
	w.Header().Set("Content-Type", "application/json")
	if f.channel == relay.ChannelFeishu {
		fmt.Fprintf(w, `{"code":%d,"msg":%q,"data":{}}`, code, msg)
		return
	}
	fmt.Fprintf(w, `{"errcode":%d,"errmsg":%q}`, code, msg)
}

// strict decodes a body the way a schema check would: no unknown fields.
func strict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func withinWindow(ts int64, unit time.Duration) bool {
	d := time.Since(time.Unix(0, ts*int64(unit)))
	return d < SignWindow && d > -SignWindow
}

func (f *fakePlatform) dingTalk(r *http.Request, body []byte) (int, string, acceptedMsg) {
	q := r.URL.Query()
	if q.Get("access_token") != f.token {
		return 300001, "token is not exist", acceptedMsg{}
	}
	if f.secret != "" {
		ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || !withinWindow(ts, time.Millisecond) {
			return 310000, "timestamp is invalid", acceptedMsg{}
		}
		if q.Get("sign") != DingTalkSign(f.secret, ts) {
			return 310000, "sign not match", acceptedMsg{}
		}
	}
	var m dingTalkMsg
	if err := strict(body, &m); err != nil || m.MsgType != "markdown" || m.Markdown.Title == "" || m.Markdown.Text == "" {
		return 40035, "缺少参数 json", acceptedMsg{}
	}
	for _, mob := range m.At.AtMobiles {
		if !strings.Contains(m.Markdown.Text, "@"+mob) {
			f.t.Errorf("dingtalk: @%s in atMobiles but not in the text", mob)
		}
	}
	return 0, "ok", acceptedMsg{Title: m.Markdown.Title, Text: m.Markdown.Text, Mobiles: m.At.AtMobiles, Type: m.MsgType}
}

func (f *fakePlatform) weCom(r *http.Request, body []byte) (int, string, acceptedMsg) {
	if r.URL.Query().Get("key") != f.token {
		return 93000, "invalid webhook url", acceptedMsg{}
	}
	var m weComMsg
	if err := strict(body, &m); err != nil {
		return 40008, "invalid message type", acceptedMsg{}
	}
	switch {
	case m.MsgType == "markdown" && m.Markdown != nil && m.Text == nil:
		if len(m.Markdown.Content) > WeComMarkdownMax {
			return 40058, "markdown.content exceed max length 4096", acceptedMsg{}
		}
		if m.Markdown.MentionedMobileList != nil {
			return 40008, "markdown takes no mentioned_mobile_list", acceptedMsg{}
		}
		return 0, "ok", acceptedMsg{Text: m.Markdown.Content, Type: "markdown"}
	case m.MsgType == "text" && m.Text != nil && m.Markdown == nil:
		if len(m.Text.Content) > WeComTextMax {
			return 40058, "text.content exceed max length 2048", acceptedMsg{}
		}
		return 0, "ok", acceptedMsg{Text: m.Text.Content, Mobiles: m.Text.MentionedMobileList, Type: "text"}
	}
	return 40008, "invalid message type", acceptedMsg{}
}

func (f *fakePlatform) feishu(r *http.Request, body []byte) (int, string, acceptedMsg) {
	if r.URL.Path != "/hook/"+f.token {
		return 19001, "param invalid: incoming webhook access token invalid", acceptedMsg{}
	}
	if len(body) > FeishuBodyMax {
		return 9499, "request body too large", acceptedMsg{}
	}
	var m feishuMsg
	if err := strict(body, &m); err != nil || m.MsgType != "interactive" || m.Card.Header.Title.Content == "" || len(m.Card.Elements) == 0 {
		return 9499, "Bad Request", acceptedMsg{}
	}
	if f.secret != "" {
		ts, err := strconv.ParseInt(m.Timestamp, 10, 64)
		if err != nil || !withinWindow(ts, time.Second) || m.Sign != FeishuSign(f.secret, ts) {
			return 19021, "sign match fail or timestamp is not within one hour from current time", acceptedMsg{}
		}
	}
	var text strings.Builder
	for _, e := range m.Card.Elements {
		text.WriteString(e.Content)
		for _, a := range e.Actions {
			fmt.Fprintf(&text, "\n[%s](%s)", a.Text.Content, a.URL)
		}
	}
	return 0, "ok", acceptedMsg{Title: m.Card.Header.Title.Content, Text: text.String(), Type: m.MsgType}
}
