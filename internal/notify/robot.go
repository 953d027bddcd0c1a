package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/relay"
)

// Channel sends notices to one configured destination: a robot, mailboxes, a webhook.
type Channel interface {
	// Prepare shapes a notice into the messages the destination takes, in order.
	// It is deterministic, so a delivery resumed after a crash sends the same parts.
	Prepare(o Outgoing) ([][]byte, error)
	// Send sends one prepared message.
	Send(ctx context.Context, o Outgoing, msg []byte) error
	// Rate names the receiving robot and its platform's limits (key "": none).
	Rate() (key string, ws []Window)
}

// The platforms' robot endpoints, used when a directory entry names none.
const (
	DingTalkURL = "https://oapi.dingtalk.com/robot/send"
	WeComURL    = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
	FeishuURL   = "https://open.feishu.cn/open-apis/bot/v2/hook"
)

// The platforms' documented limits.
const (
	// WeComMarkdownMax is the most bytes a WeCom markdown content may hold, and
	// WeComTextMax a text content.
	WeComMarkdownMax = 4096
	WeComTextMax     = 2048
	// FeishuBodyMax is the largest request body a Feishu custom bot takes (20 KB).
	FeishuBodyMax = 20 << 10
	// DingTalkTextMax bounds the markdown text of one DingTalk message. DingTalk
	// documents no markdown limit we could confirm; this keeps messages readable
	// on a phone and far below any body limit.
	DingTalkTextMax = 5000
	// SignWindow is how far a signed request's timestamp may be from the
	// platform's clock (DingTalk and Feishu: one hour).
	SignWindow = time.Hour
)

// DefaultWindows are the platforms' documented rate limits per robot: DingTalk and
// WeCom 20 messages a minute, Feishu 100 a minute and 5 a second.
func DefaultWindows(channel string) []Window {
	switch channel {
	case relay.ChannelDingTalk, relay.ChannelWeCom:
		return []Window{{N: 20, Per: time.Minute}}
	case relay.ChannelFeishu:
		return []Window{{N: 100, Per: time.Minute}, {N: 5, Per: time.Second}}
	}
	return nil
}

// DefaultPenalty is how long a robot is left alone after its platform answered
// "too fast": DingTalk throttles a robot for 10 minutes, the others for the minute.
func DefaultPenalty(channel string) time.Duration {
	if channel == relay.ChannelDingTalk {
		return 10 * time.Minute
	}
	return time.Minute
}

// PlatformError is a refusal a platform reports in the body of an HTTP 200 answer
// (DingTalk and WeCom "errcode", Feishu "code").
type PlatformError struct {
	Channel string
	Code    int
	Message string
}

func (e *PlatformError) Error() string {
	return fmt.Sprintf("%s拒收：错误码 %d（%s）", relay.ChannelLabel(e.Channel), e.Code, e.Message)
}

// RateLimitError is a platform saying the robot sends too fast; the robot rests
// for Retry before its next message.
type RateLimitError struct {
	*PlatformError
	Retry time.Duration
}

func (e *RateLimitError) Unwrap() error { return e.PlatformError }

// The platforms' error codes that mean "too fast" and those no retry cures (wrong
// token or key, signature, keyword or IP check, malformed or too long message).
var (
	rateCodes = map[string][]int{
		relay.ChannelDingTalk: {130101},
		relay.ChannelWeCom:    {45009},
		relay.ChannelFeishu:   {11232},
	}
	permanentCodes = map[string][]int{
		relay.ChannelDingTalk: {300001, 300005, 310000, 400013, 40035},
		relay.ChannelWeCom:    {93000, 40008, 40058, 44004, 93017},
		relay.ChannelFeishu:   {9499, 19001, 19021, 19022, 19024},
	}
)

// Robot is a Channel to a DingTalk, WeCom or Feishu group robot.
type Robot struct {
	channel  string
	endpoint string // with its token or key: never shown
	secret   string // signing secret (DingTalk, Feishu); "" when unsigned
	client   *http.Client
	// Now is the clock signatures are made with.
	Now func() time.Time
	// Windows are the robot's rate limits; Penalty how long it rests after "too fast".
	Windows []Window
	Penalty time.Duration
}

func newRobot(channel, endpoint, secret string, client *http.Client) *Robot {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Robot{channel: channel, endpoint: endpoint, secret: secret, client: client, Now: time.Now,
		Windows: DefaultWindows(channel), Penalty: DefaultPenalty(channel)}
}

// NewDingTalk is a DingTalk custom robot at base (DingTalkURL when empty) with its
// access token and, when the robot has 加签 security, its signing secret.
func NewDingTalk(base, token, secret string, client *http.Client) *Robot {
	return newRobot(relay.ChannelDingTalk, withQuery(orDefault(base, DingTalkURL), "access_token", token), secret, client)
}

// NewWeCom is a WeCom group robot at base (WeComURL when empty) with its key.
func NewWeCom(base, key string, client *http.Client) *Robot {
	return newRobot(relay.ChannelWeCom, withQuery(orDefault(base, WeComURL), "key", key), "", client)
}

// NewFeishu is a Feishu/Lark custom bot: base (FeishuURL when empty; Lark's is
// https://open.larksuite.com/open-apis/bot/v2/hook), its hook token and, when the
// bot checks signatures, its secret.
func NewFeishu(base, token, secret string, client *http.Client) *Robot {
	return newRobot(relay.ChannelFeishu, strings.TrimRight(orDefault(base, FeishuURL), "/")+"/"+url.PathEscape(token), secret, client)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func withQuery(base, name, value string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + name + "=" + url.QueryEscape(value)
}

// Rate implements Channel: the robot is its endpoint.
func (r *Robot) Rate() (string, []Window) { return r.channel + " " + r.endpoint, r.Windows }

// DingTalkSign is DingTalk's signature of a request made at timestamp (ms):
// Base64(HMAC-SHA256(secret, "timestamp\nsecret")), before URL encoding.
func DingTalkSign(secret string, timestampMS int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d\n%s", timestampMS, secret)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// FeishuSign is Feishu's signature of a request made at timestamp (s): the string
// "timestamp\nsecret" is the HMAC-SHA256 key, the message is empty, Base64.
func FeishuSign(secret string, timestamp int64) string {
	m := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Message bodies, as the platforms define them.
type (
	dingTalkMsg struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Title string `json:"title"`
			Text  string `json:"text"`
		} `json:"markdown"`
		At struct {
			AtMobiles []string `json:"atMobiles,omitempty"`
			IsAtAll   bool     `json:"isAtAll"`
		} `json:"at"`
	}
	weComMsg struct {
		MsgType  string        `json:"msgtype"`
		Markdown *weComContent `json:"markdown,omitempty"`
		Text     *weComContent `json:"text,omitempty"`
	}
	weComContent struct {
		Content             string   `json:"content"`
		MentionedMobileList []string `json:"mentioned_mobile_list,omitempty"`
	}
	feishuMsg struct {
		Timestamp string     `json:"timestamp,omitempty"`
		Sign      string     `json:"sign,omitempty"`
		MsgType   string     `json:"msg_type"`
		Card      feishuCard `json:"card"`
	}
	feishuCard struct {
		Config   map[string]bool `json:"config"`
		Header   feishuHeader    `json:"header"`
		Elements []feishuElement `json:"elements"`
	}
	feishuHeader struct {
		Title    feishuText `json:"title"`
		Template string     `json:"template"`
	}
	feishuText struct {
		Tag     string `json:"tag"`
		Content string `json:"content"`
	}
	feishuElement struct {
		Tag     string         `json:"tag"`
		Content string         `json:"content,omitempty"`
		Actions []feishuButton `json:"actions,omitempty"`
	}
	feishuButton struct {
		Tag  string     `json:"tag"`
		Text feishuText `json:"text"`
		Type string     `json:"type"`
		URL  string     `json:"url"`
	}
)

func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // plain structs of strings: cannot fail
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// Prepare implements Channel: Markdown messages within the platform's size limit,
// split into numbered parts or summarised when the notice is too long.
func (r *Robot) Prepare(o Outgoing) ([][]byte, error) {
	var build func(p part) []byte
	var fits func(p part) bool
	switch r.channel {
	case relay.ChannelDingTalk:
		build = func(p part) []byte {
			var m dingTalkMsg
			m.MsgType = "markdown"
			m.Markdown.Title = p.Title
			m.Markdown.Text = p.markdown("###", o.Link, o.Mobiles)
			m.At.AtMobiles = o.Mobiles
			return encodeJSON(m)
		}
		fits = func(p part) bool { return len(p.markdown("###", o.Link, o.Mobiles)) <= DingTalkTextMax }
	case relay.ChannelWeCom:
		build = func(p part) []byte {
			return encodeJSON(weComMsg{MsgType: "markdown", Markdown: &weComContent{Content: p.markdown("###", o.Link, nil)}})
		}
		fits = func(p part) bool { return len(p.markdown("###", o.Link, nil)) <= WeComMarkdownMax }
	case relay.ChannelFeishu:
		build = func(p part) []byte { return encodeJSON(r.feishuCard(p, o.Link)) }
		// Room for the timestamp and signature added when sending.
		fits = func(p part) bool { return len(build(p))+100 <= FeishuBodyMax }
	default:
		return nil, permanent(fmt.Errorf("notify: unknown robot channel %q", r.channel))
	}
	parts, err := split(o.Notice, o.Link, fits)
	if err != nil {
		return nil, permanent(err)
	}
	out := make([][]byte, 0, len(parts)+1)
	for _, p := range parts {
		out = append(out, build(p))
	}
	// WeCom mentions by mobile only in text messages: one short text after the card.
	if r.channel == relay.ChannelWeCom && len(o.Mobiles) > 0 {
		text := "请查收：" + parts[0].Title
		if len(text) > WeComTextMax-100 {
			text = shorten(text, func(s string) bool { return len(s) <= WeComTextMax-100 })
		}
		out = append(out, encodeJSON(weComMsg{MsgType: "text", Text: &weComContent{Content: text, MentionedMobileList: o.Mobiles}}))
	}
	return out, nil
}

func (r *Robot) feishuCard(p part, link string) feishuMsg {
	m := feishuMsg{MsgType: "interactive", Card: feishuCard{
		Config:   map[string]bool{"wide_screen_mode": true},
		Header:   feishuHeader{Title: feishuText{Tag: "plain_text", Content: p.Title}, Template: "blue"},
		Elements: []feishuElement{{Tag: "markdown", Content: part{Lines: p.Lines}.markdown("", "", nil)}},
	}}
	if link != "" {
		m.Card.Elements = append(m.Card.Elements, feishuElement{Tag: "action", Actions: []feishuButton{{
			Tag: "button", Text: feishuText{Tag: "plain_text", Content: ConsoleLinkText}, Type: "primary", URL: link,
		}}})
	}
	return m
}

// Send implements Channel: signs the request (DingTalk in the URL, Feishu in the
// body) with the current time, posts it, and reads the platform's verdict: an HTTP
// 200 with an error code is a failure, "too fast" a *RateLimitError, a wrong token,
// signature or message a permanent one.
func (r *Robot) Send(ctx context.Context, o Outgoing, msg []byte) error {
	endpoint := r.endpoint
	now := r.Now()
	switch {
	case r.channel == relay.ChannelDingTalk && r.secret != "":
		ts := now.UnixMilli()
		endpoint += "&timestamp=" + strconv.FormatInt(ts, 10) + "&sign=" + url.QueryEscape(DingTalkSign(r.secret, ts))
	case r.channel == relay.ChannelFeishu && r.secret != "":
		var m feishuMsg
		if err := json.Unmarshal(msg, &m); err != nil {
			return permanent(fmt.Errorf("notify: feishu: %w", err))
		}
		m.Timestamp = strconv.FormatInt(now.Unix(), 10)
		m.Sign = FeishuSign(r.secret, now.Unix())
		msg = encodeJSON(m)
	}
	if r.client.Timeout <= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	where := relay.ChannelLabel(r.channel) + "机器人 " + hostOf(r.endpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(msg))
	if err != nil {
		return permanent(fmt.Errorf("notify: %s: 地址无效", where))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "taskrelay-notify/1")
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: %s: %w", where, scrub(err, endpoint, where))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		herr := &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, Body: validPrefix(body[:min(len(body), errBodyLimit)])}
		err := fmt.Errorf("notify: %s: %w", where, herr)
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return permanent(err)
		}
		return err
	}
	return r.verdict(where, body)
}

// verdict reads a platform's answer body: {"errcode":0,...} (DingTalk, WeCom),
// {"code":0,...} or {"StatusCode":0,...} (Feishu).
func (r *Robot) verdict(where string, body []byte) error {
	var ans struct {
		ErrCode    *int   `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
		Code       *int   `json:"code"`
		Msg        string `json:"msg"`
		StatusCode *int   `json:"StatusCode"`
		StatusMsg  string `json:"StatusMessage"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return fmt.Errorf("notify: %s: 无法识别的应答 %q", where, validPrefix(body[:min(len(body), errBodyLimit)]))
	}
	code, msg := -1, ""
	switch {
	case ans.ErrCode != nil:
		code, msg = *ans.ErrCode, ans.ErrMsg
	case ans.Code != nil:
		code, msg = *ans.Code, ans.Msg
	case ans.StatusCode != nil:
		code, msg = *ans.StatusCode, ans.StatusMsg
	default:
		return fmt.Errorf("notify: %s: 应答中没有结果码 %q", where, validPrefix(body[:min(len(body), errBodyLimit)]))
	}
	if code == 0 {
		return nil
	}
	perr := &PlatformError{Channel: r.channel, Code: code, Message: msg}
	switch {
	case slices.Contains(rateCodes[r.channel], code):
		return &RateLimitError{PlatformError: perr, Retry: r.Penalty}
	case slices.Contains(permanentCodes[r.channel], code):
		return permanent(perr)
	}
	return perr
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(地址无效)"
	}
	return u.Host
}

// IsRateLimited reports whether err is a platform's "too fast", and for how long the
// robot should rest.
func IsRateLimited(err error) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl.Retry, true
	}
	return 0, false
}
