// Package imapp is a small client of the office platforms' open APIs the county's
// enterprise apps use: DingTalk (工作通知, 待办, contact, OAuth2 login), WeCom (应用消息,
// web authorisation) and Feishu (messages, login). Hosts are configurable because 政务
// deployments run their own. Access tokens are cached until shortly before they
// expire and shared by every caller of one client.
package imapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds one API call when the caller's client sets none.
const DefaultTimeout = 15 * time.Second

// TokenMargin is how long before its expiry a cached token is replaced: a token
// must not expire between being read and being used.
const TokenMargin = 5 * time.Minute

// APIError is a platform's refusal: an error code in the body of an HTTP 200
// answer (errcode, code) or an HTTP error with the platform's code.
type APIError struct {
	Platform string // dingtalk, wecom, feishu
	Call     string // the API path
	HTTP     int
	Code     string
	Message  string
	// Kind classifies it: KindToken (refresh the token and repeat), KindRate (too
	// fast: wait), KindPermanent (no retry cures it), or "" (retry later).
	Kind string
}

// Error kinds.
const (
	KindToken     = "token"
	KindRate      = "rate"
	KindPermanent = "permanent"
)

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s 拒绝：错误码 %s（%s）", platformLabel(e.Platform), e.Call, e.Code, e.Message)
	if e.HTTP != 0 && e.HTTP != http.StatusOK {
		s += fmt.Sprintf("，HTTP %d", e.HTTP)
	}
	return s
}

// Permanent: no retry cures the refusal.
func (e *APIError) Permanent() bool { return e.Kind == KindPermanent }

// RateLimited: the platform says too fast.
func (e *APIError) RateLimited() bool { return e.Kind == KindRate }

// IsPermanent reports whether err is a refusal no retry cures.
func IsPermanent(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Permanent()
}

func platformLabel(p string) string {
	switch p {
	case "dingtalk":
		return "钉钉"
	case "wecom":
		return "企业微信"
	case "feishu":
		return "飞书"
	}
	return p
}

// codes classifies a platform's error codes.
type codes struct {
	token, rate, permanent []string
}

func (c codes) kind(code string) string {
	switch {
	case slices.Contains(c.token, code):
		return KindToken
	case slices.Contains(c.rate, code):
		return KindRate
	case slices.Contains(c.permanent, code):
		return KindPermanent
	}
	return ""
}

// tokenCache holds one access token until TokenMargin before it expires; fetch
// gets a new one. Concurrent callers wait for one fetch.
type tokenCache struct {
	fetch func(ctx context.Context) (string, time.Duration, error)
	now   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	// Fetches counts the tokens fetched (tests: not one per message).
	fetches int
}

func (t *tokenCache) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.token != "" && now.Before(t.expires) {
		return t.token, nil
	}
	tok, ttl, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", errors.New("平台返回了空的 access token")
	}
	t.fetches++
	// Keep it until the margin before expiry; a short-lived token is kept half its life.
	keep := ttl - TokenMargin
	if keep < ttl/2 {
		keep = ttl / 2
	}
	t.token, t.expires = tok, now.Add(keep)
	return tok, nil
}

// drop forgets tok (the platform said it is invalid or expired), unless a newer
// one replaced it meanwhile.
func (t *tokenCache) drop(tok string) {
	t.mu.Lock()
	if t.token == tok {
		t.token = ""
	}
	t.mu.Unlock()
}

// Fetches is how many tokens were fetched so far.
func (t *tokenCache) Fetches() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fetches
}

// call is one HTTP exchange with a JSON body (nil: none) decoded into out.
type call struct {
	client   *http.Client
	platform string
	method   string
	url      string
	name     string // the API path, for errors (never the query: it may hold a token)
	header   map[string]string
	body     any
}

// do sends c and returns the answer's status and body; transport failures are
// wrapped without the URL (it may carry a token).
func (c call) do(ctx context.Context) (int, []byte, error) {
	var rd io.Reader
	if c.body != nil {
		data, err := json.Marshal(c.body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(data)
	}
	client := c.client
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	if client.Timeout <= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: 地址无效", platformLabel(c.platform), c.name)
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("User-Agent", "taskrelay-imapp/1")
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // *url.Error names the URL, and with it the token
		}
		return 0, nil, fmt.Errorf("%s %s: %w", platformLabel(c.platform), c.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %w", platformLabel(c.platform), c.name, err)
	}
	return resp.StatusCode, body, nil
}

// httpKind classifies an HTTP failure: 429 rate, other 4xx permanent, 5xx retried.
func httpKind(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return KindRate
	case status == http.StatusUnauthorized:
		return KindToken
	case status/100 == 4 && status != http.StatusRequestTimeout:
		return KindPermanent
	}
	return ""
}

func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), 200)]), "")
	return strings.TrimSpace(s)
}

// joinURL puts a path on a host.
func joinURL(host, path string) string { return strings.TrimRight(host, "/") + path }

// errcodeAnswer is the envelope of every DingTalk oapi and WeCom answer: HTTP 200
// with errcode 0 is success, anything else a failure.
type errcodeAnswer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// errcodeError is the failure an errcode answer stands for (nil on success), its kind
// read from the platform's table of codes.
func errcodeError(platform string, table codes, name string, status int, body []byte, a errcodeAnswer) error {
	if status/100 != 2 {
		return &APIError{Platform: platform, Call: name, HTTP: status, Code: strconv.Itoa(status), Message: snippet(body), Kind: httpKind(status)}
	}
	if a.ErrCode == nil {
		return &APIError{Platform: platform, Call: name, HTTP: status, Code: "?", Message: "应答中没有 errcode：" + snippet(body)}
	}
	if *a.ErrCode == 0 {
		return nil
	}
	code := strconv.Itoa(*a.ErrCode)
	return &APIError{Platform: platform, Call: name, HTTP: status, Code: code, Message: a.ErrMsg, Kind: table.kind(code)}
}
