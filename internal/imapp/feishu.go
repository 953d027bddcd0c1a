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

// Feishu's error codes: tokens (invalid, expired), too fast, and refusals no retry
// cures (no permission, bad receiver or content, the bot not available to the user).
var feishuCodes = codes{
	token:     []string{"99991661", "99991663", "99991668", "99991671"},
	rate:      []string{"99991400", "230020", "11232"},
	permanent: []string{"10003", "10014", "99991672", "99991679", "230001", "230002", "230006", "230013", "230017", "230099", "20014"},
}

// Feishu is a client of a Feishu enterprise self-built app (企业自建应用).
type Feishu struct {
	cfg    config.FeishuApp
	client *http.Client
	tenant *tokenCache // tenant_access_token: the app acting in the enterprise
	app    *tokenCache // app_access_token: exchanging a login's code
}

// NewFeishu is a client of app.
func NewFeishu(app config.FeishuApp, client *http.Client) *Feishu {
	f := &Feishu{cfg: app, client: client}
	f.tenant = &tokenCache{fetch: func(ctx context.Context) (string, time.Duration, error) {
		return f.fetchToken(ctx, "/open-apis/auth/v3/tenant_access_token/internal", "tenant_access_token")
	}, now: time.Now}
	f.app = &tokenCache{fetch: func(ctx context.Context) (string, time.Duration, error) {
		return f.fetchToken(ctx, "/open-apis/auth/v3/app_access_token/internal", "app_access_token")
	}, now: time.Now}
	return f
}

// TokenFetches is how many tenant tokens the client fetched.
func (f *Feishu) TokenFetches() int { return f.tenant.Fetches() }

func (f *Feishu) check(name string, status int, data []byte) error {
	var a struct {
		Code *int   `json:"code"`
		Msg  string `json:"msg"`
	}
	_ = json.Unmarshal(data, &a)
	if a.Code == nil {
		if status/100 != 2 {
			return &APIError{Platform: "feishu", Call: name, HTTP: status, Code: strconv.Itoa(status), Message: snippet(data), Kind: httpKind(status)}
		}
		return &APIError{Platform: "feishu", Call: name, HTTP: status, Code: "?", Message: "应答中没有 code：" + snippet(data)}
	}
	if *a.Code == 0 && status/100 == 2 {
		return nil
	}
	code := strconv.Itoa(*a.Code)
	kind := feishuCodes.kind(code)
	if kind == "" && status/100 != 2 {
		kind = httpKind(status)
	}
	return &APIError{Platform: "feishu", Call: name, HTTP: status, Code: code, Message: a.Msg, Kind: kind}
}

func (f *Feishu) fetchToken(ctx context.Context, path, field string) (string, time.Duration, error) {
	status, data, err := call{client: f.client, platform: "feishu", method: http.MethodPost, url: joinURL(f.cfg.API, path), name: path,
		body: map[string]string{"app_id": f.cfg.AppID, "app_secret": f.cfg.AppSecret}}.do(ctx)
	if err != nil {
		return "", 0, err
	}
	if err := f.check(path, status, data); err != nil {
		return "", 0, err
	}
	var a map[string]any
	_ = json.Unmarshal(data, &a)
	tok, _ := a[field].(string)
	exp, _ := a["expire"].(float64)
	return tok, time.Duration(exp) * time.Second, nil
}

// do calls path with a bearer token from tokens (or the user's token).
func (f *Feishu) do(ctx context.Context, tokens *tokenCache, userToken, method, path string, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok := userToken
		if tok == "" {
			var err error
			if tok, err = tokens.get(ctx); err != nil {
				return err
			}
		}
		status, data, err := call{client: f.client, platform: "feishu", method: method, url: joinURL(f.cfg.API, path),
			name: path, header: map[string]string{"Authorization": "Bearer " + tok}, body: body}.do(ctx)
		if err != nil {
			return err
		}
		if err := f.check(path, status, data); err != nil {
			if err.(*APIError).Kind == KindToken && userToken == "" && attempt == 0 {
				tokens.drop(tok)
				continue
			}
			return err
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("飞书 %s: 应答无法解析: %w", path, err)
			}
		}
		return nil
	}
}

// SendCard sends an interactive card (its JSON) to the user openID; uuid makes a
// repeated request within an hour one message.
func (f *Feishu) SendCard(ctx context.Context, openID string, card []byte, uuid string) error {
	body := map[string]string{"receive_id": openID, "msg_type": "interactive", "content": string(card)}
	if uuid != "" {
		body["uuid"] = uuid
	}
	return f.do(ctx, f.tenant, "", http.MethodPost, "/open-apis/im/v1/messages?receive_id_type=open_id", body, nil)
}

// AuthURL is where the browser goes to sign in with Feishu.
func (f *Feishu) AuthURL(redirect, state string) string {
	q := url.Values{"app_id": {f.cfg.AppID}, "redirect_uri": {redirect}, "state": {state}}
	return joinURL(f.cfg.API, "/open-apis/authen/v1/authorize?"+q.Encode())
}

// OpenIDByCode turns a login's code into the person's open_id: a user access token
// (/open-apis/authen/v1/oidc/access_token), then /open-apis/authen/v1/user_info.
func (f *Feishu) OpenIDByCode(ctx context.Context, code string) (string, error) {
	var tok struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := f.do(ctx, f.app, "", http.MethodPost, "/open-apis/authen/v1/oidc/access_token",
		map[string]string{"grant_type": "authorization_code", "code": code}, &tok); err != nil {
		return "", err
	}
	var info struct {
		Data struct {
			OpenID string `json:"open_id"`
		} `json:"data"`
	}
	if err := f.do(ctx, nil, tok.Data.AccessToken, http.MethodGet, "/open-apis/authen/v1/user_info", nil, &info); err != nil {
		return "", err
	}
	if info.Data.OpenID == "" {
		return "", fmt.Errorf("飞书 /open-apis/authen/v1/user_info: 应答中没有 open_id")
	}
	return info.Data.OpenID, nil
}
