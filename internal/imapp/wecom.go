package imapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"taskrelay/internal/config"
)

// WeCom's error codes: token (invalid, expired), too fast (API frequency, and
// 45033 concurrency), and refusals no retry cures (wrong secret or agent, no user,
// bad message, unauthorised).
var weComCodes = codes{
	token:     []string{"40014", "42001"},
	rate:      []string{"45009", "45033", "45047"},
	permanent: []string{"40001", "40013", "40056", "40003", "81013", "40008", "60020", "48002", "82001", "40029", "40031"},
}

// WeCom is a client of a WeCom self-built app (自建应用).
type WeCom struct {
	cfg    config.WeComApp
	client *http.Client
	tokens *tokenCache
}

// NewWeCom is a client of app.
func NewWeCom(app config.WeComApp, client *http.Client) *WeCom {
	w := &WeCom{cfg: app, client: client}
	w.tokens = &tokenCache{fetch: w.fetchToken, now: time.Now}
	return w
}

// TokenFetches is how many access tokens the client fetched.
func (w *WeCom) TokenFetches() int { return w.tokens.Fetches() }

func (w *WeCom) check(name string, status int, data []byte) error {
	var a errcodeAnswer
	_ = json.Unmarshal(data, &a)
	return errcodeError("wecom", weComCodes, name, status, data, a)
}

func (w *WeCom) fetchToken(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"corpid": {w.cfg.CorpID}, "corpsecret": {w.cfg.Secret}}
	status, data, err := call{client: w.client, platform: "wecom", method: http.MethodGet,
		url: joinURL(w.cfg.API, "/cgi-bin/gettoken?"+q.Encode()), name: "/cgi-bin/gettoken"}.do(ctx)
	if err != nil {
		return "", 0, err
	}
	if err := w.check("/cgi-bin/gettoken", status, data); err != nil {
		return "", 0, err
	}
	var a struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.Unmarshal(data, &a)
	return a.AccessToken, time.Duration(a.ExpiresIn) * time.Second, nil
}

// do calls path with the app's token (query access_token); method GET takes no body.
func (w *WeCom) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := w.tokens.get(ctx)
		if err != nil {
			return err
		}
		qq := url.Values{"access_token": {tok}}
		for k, v := range q {
			qq[k] = v
		}
		status, data, err := call{client: w.client, platform: "wecom", method: method,
			url: joinURL(w.cfg.API, path+"?"+qq.Encode()), name: path, body: body}.do(ctx)
		if err != nil {
			return err
		}
		if err := w.check(path, status, data); err != nil {
			if err.(*APIError).Kind == KindToken && attempt == 0 {
				w.tokens.drop(tok)
				continue
			}
			return err
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("企业微信 %s: 应答无法解析: %w", path, err)
			}
		}
		return nil
	}
}

// TextCard is one 应用消息 of type textcard.
type TextCard struct {
	Title       string // at most 128 bytes
	Description string // at most 512 bytes; WeCom's <div class="gray"> etc. allowed
	URL         string
	Button      string // at most 4 characters
}

// SendTextCard sends c to the members userids (/cgi-bin/message/send). A member
// WeCom does not know comes back in invaliduser: that is a permanent refusal.
func (w *WeCom) SendTextCard(ctx context.Context, userids []string, c TextCard) error {
	agent, err := strconv.ParseInt(w.cfg.AgentID, 10, 64)
	if err != nil {
		return &APIError{Platform: "wecom", Call: "/cgi-bin/message/send", Code: "agentid", Message: "TASKRELAY_WECOM_AGENT_ID 应为数字", Kind: KindPermanent}
	}
	to := ""
	for i, u := range userids {
		if i > 0 {
			to += "|"
		}
		to += u
	}
	body := map[string]any{"touser": to, "msgtype": "textcard", "agentid": agent,
		"textcard":               map[string]string{"title": c.Title, "description": c.Description, "url": c.URL, "btntxt": c.Button},
		"enable_duplicate_check": 1, "duplicate_check_interval": 1800}
	var a struct {
		InvalidUser string `json:"invaliduser"`
	}
	if err := w.do(ctx, http.MethodPost, "/cgi-bin/message/send", nil, body, &a); err != nil {
		return err
	}
	if a.InvalidUser != "" {
		return &APIError{Platform: "wecom", Call: "/cgi-bin/message/send", Code: "invaliduser", Message: "企业微信中没有成员 " + a.InvalidUser, Kind: KindPermanent}
	}
	return nil
}

// AuthURL is the web authorisation (网页授权, snsapi_base) the browser goes to
// inside WeCom.
func (w *WeCom) AuthURL(redirect, state string) string {
	q := url.Values{"appid": {w.cfg.CorpID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"snsapi_base"}, "state": {state}, "agentid": {w.cfg.AgentID}}
	return joinURL(w.cfg.Login, "/connect/oauth2/authorize?"+q.Encode()+"#wechat_redirect")
}

// UserIDByCode turns the authorisation's code into the member's userid
// (/cgi-bin/auth/getuserinfo). A person outside the enterprise has none.
func (w *WeCom) UserIDByCode(ctx context.Context, code string) (string, error) {
	var a struct {
		UserID string `json:"userid"`
		OpenID string `json:"openid"`
	}
	if err := w.do(ctx, http.MethodGet, "/cgi-bin/auth/getuserinfo", url.Values{"code": {code}}, nil, &a); err != nil {
		return "", err
	}
	if a.UserID == "" {
		return "", &APIError{Platform: "wecom", Call: "/cgi-bin/auth/getuserinfo", Code: "userid", Message: "不是本企业成员", Kind: KindPermanent}
	}
	return a.UserID, nil
}
