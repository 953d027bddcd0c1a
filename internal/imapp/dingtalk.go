package imapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/config"
)

// DingTalk's error codes: the token's (invalid, expired), "too fast" and those no
// retry cures (wrong app credentials or agent, unknown user, no permission, bad
// message). HTTP 200 with another errcode is a failure retried later.
var dingTalkCodes = codes{
	token:     []string{"40001", "40014", "42001", "InvalidAuthentication"},
	rate:      []string{"90018", "88", "Throttling", "Forbidden.AccessDenied.QpsLimitForApi"},
	permanent: []string{"40089", "40035", "60011", "60020", "60121", "33012", "40078", "43004", "invalidParameter", "param.invalid"},
}

// DingTalk is a client of a DingTalk enterprise internal app (企业内部应用).
type DingTalk struct {
	cfg    config.DingTalkApp
	client *http.Client
	tokens *tokenCache
}

// NewDingTalk is a client of app, its hosts as configured.
func NewDingTalk(app config.DingTalkApp, client *http.Client) *DingTalk {
	d := &DingTalk{cfg: app, client: client}
	d.tokens = &tokenCache{fetch: d.fetchToken, now: time.Now}
	return d
}

// TokenFetches is how many access tokens the client fetched.
func (d *DingTalk) TokenFetches() int { return d.tokens.Fetches() }

// AgentID is the app's agent id.
func (d *DingTalk) AgentID() string { return d.cfg.AgentID }

// oapiAnswer is every oapi answer's envelope.
type oapiAnswer = errcodeAnswer

func (d *DingTalk) oapiError(name string, status int, body []byte, a oapiAnswer) error {
	return errcodeError("dingtalk", dingTalkCodes, name, status, body, a)
}

func (d *DingTalk) fetchToken(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"appkey": {d.cfg.AppKey}, "appsecret": {d.cfg.AppSecret}}
	status, body, err := call{client: d.client, platform: "dingtalk", method: http.MethodGet,
		url: joinURL(d.cfg.OAPI, "/gettoken?"+q.Encode()), name: "/gettoken"}.do(ctx)
	if err != nil {
		return "", 0, err
	}
	var a struct {
		oapiAnswer
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.Unmarshal(body, &a)
	if err := d.oapiError("/gettoken", status, body, a.oapiAnswer); err != nil {
		return "", 0, err
	}
	return a.AccessToken, time.Duration(a.ExpiresIn) * time.Second, nil
}

// oapi posts body to an oapi path with the app's token and decodes the answer
// into out; an invalid or expired token is replaced once.
func (d *DingTalk) oapi(ctx context.Context, path string, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := d.tokens.get(ctx)
		if err != nil {
			return err
		}
		status, data, err := call{client: d.client, platform: "dingtalk", method: http.MethodPost,
			url: joinURL(d.cfg.OAPI, path+"?access_token="+url.QueryEscape(tok)), name: path, body: body}.do(ctx)
		if err != nil {
			return err
		}
		var a oapiAnswer
		_ = json.Unmarshal(data, &a)
		if err := d.oapiError(path, status, data, a); err != nil {
			if ae := err.(*APIError); ae.Kind == KindToken && attempt == 0 {
				d.tokens.drop(tok)
				continue
			}
			return err
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("钉钉 %s: 应答无法解析: %w", path, err)
			}
		}
		return nil
	}
}

// api calls the new API host (api.dingtalk.com) with a token in its header:
// the app's (userToken "") or a user's. Errors come as HTTP 4xx/5xx with
// {"code","message"}.
func (d *DingTalk) api(ctx context.Context, method, path, userToken string, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok := userToken
		if tok == "" {
			var err error
			if tok, err = d.tokens.get(ctx); err != nil {
				return err
			}
		}
		name := path
		if i := strings.IndexByte(name, '?'); i >= 0 {
			name = name[:i]
		}
		status, data, err := call{client: d.client, platform: "dingtalk", method: method, url: joinURL(d.cfg.API, path),
			name: name, header: map[string]string{"x-acs-dingtalk-access-token": tok}, body: body}.do(ctx)
		if err != nil {
			return err
		}
		if status/100 != 2 {
			var a struct{ Code, Message string }
			_ = json.Unmarshal(data, &a)
			kind := dingTalkCodes.kind(a.Code)
			if kind == "" {
				kind = httpKind(status)
			}
			if a.Code == "" {
				a.Code, a.Message = strconv.Itoa(status), snippet(data)
			}
			if kind == KindToken && userToken == "" && attempt == 0 {
				d.tokens.drop(tok)
				continue
			}
			if kind == KindToken && userToken != "" {
				kind = KindPermanent
			}
			return &APIError{Platform: "dingtalk", Call: name, HTTP: status, Code: a.Code, Message: a.Message, Kind: kind}
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("钉钉 %s: 应答无法解析: %w", name, err)
			}
		}
		return nil
	}
}

// UnionID looks up the unionId of the directory's user userid (/topapi/v2/user/get).
func (d *DingTalk) UnionID(ctx context.Context, userid string) (string, error) {
	var a struct {
		Result struct {
			UnionID string `json:"unionid"`
			Name    string `json:"name"`
		} `json:"result"`
	}
	if err := d.oapi(ctx, "/topapi/v2/user/get", map[string]string{"userid": userid, "language": "zh_CN"}, &a); err != nil {
		return "", err
	}
	if a.Result.UnionID == "" {
		return "", fmt.Errorf("钉钉通讯录中用户 %s 没有 unionid", userid)
	}
	return a.Result.UnionID, nil
}

// UserByMobile looks up the userid of the directory's member with that mobile
// number (/topapi/v2/user/getbymobile); "" when none.
func (d *DingTalk) UserByMobile(ctx context.Context, mobile string) (string, error) {
	var a struct {
		Result struct {
			UserID string `json:"userid"`
		} `json:"result"`
	}
	err := d.oapi(ctx, "/topapi/v2/user/getbymobile", map[string]string{"mobile": mobile}, &a)
	if ae, ok := err.(*APIError); ok && ae.Code == "60121" { // 找不到该用户
		return "", nil
	}
	return a.Result.UserID, err
}

// WorkNotice is one 工作通知: an action card with one button to its page.
type WorkNotice struct {
	Title    string
	Markdown string
	Button   string // the button's text
	URL      string
}

// SendWorkNotice sends n to the directory's users (asyncsend_v2) and returns the
// platform's task id.
func (d *DingTalk) SendWorkNotice(ctx context.Context, userids []string, n WorkNotice) (int64, error) {
	agent, err := strconv.ParseInt(d.cfg.AgentID, 10, 64)
	if err != nil {
		return 0, &APIError{Platform: "dingtalk", Call: "asyncsend_v2", Code: "agent_id", Message: "TASKRELAY_DINGTALK_AGENT_ID 应为数字", Kind: KindPermanent}
	}
	card := map[string]string{"title": n.Title, "markdown": n.Markdown}
	if n.URL != "" {
		card["single_title"], card["single_url"] = n.Button, n.URL
	}
	body := map[string]any{
		"agent_id":    agent,
		"userid_list": strings.Join(userids, ","),
		"msg":         map[string]any{"msgtype": "action_card", "action_card": card},
	}
	var a struct {
		TaskID int64 `json:"task_id"`
	}
	if err := d.oapi(ctx, "/topapi/message/corpconversation/asyncsend_v2", body, &a); err != nil {
		return 0, err
	}
	return a.TaskID, nil
}

// Todo is one DingTalk 待办 as taskrelay makes it.
type Todo struct {
	SourceID    string // the task id: one 待办 per person and task
	Subject     string
	Description string
	Due         time.Time // zero: none
	URL         string
}

// FindTodo returns the id of unionID's open 待办 made from sourceID ("" : none), so
// a create whose answer was lost (the worker killed before recording it) is not
// made twice.
func (d *DingTalk) FindTodo(ctx context.Context, unionID, sourceID string) (string, error) {
	next := ""
	for page := 0; page < 50; page++ {
		body := map[string]any{"isDone": false, "roleTypes": [][]string{{"executor"}}}
		if next != "" {
			body["nextToken"] = next
		}
		var a struct {
			TodoCards []struct {
				TaskID   string `json:"taskId"`
				SourceID string `json:"sourceId"`
			} `json:"todoCards"`
			NextToken string `json:"nextToken"`
		}
		if err := d.api(ctx, http.MethodPost, "/v1.0/todo/users/"+url.PathEscape(unionID)+"/org/tasks/query", "", body, &a); err != nil {
			return "", err
		}
		for _, c := range a.TodoCards {
			if c.SourceID == sourceID {
				return c.TaskID, nil
			}
		}
		if a.NextToken == "" {
			return "", nil
		}
		next = a.NextToken
	}
	return "", nil
}

// CreateTodo makes unionID's 待办 t, or finds the one made before from the same
// source, and returns its id.
func (d *DingTalk) CreateTodo(ctx context.Context, unionID string, t Todo) (string, error) {
	if id, err := d.FindTodo(ctx, unionID, t.SourceID); err != nil || id != "" {
		return id, err
	}
	body := map[string]any{
		"sourceId": t.SourceID, "subject": t.Subject, "creatorId": unionID,
		"executorIds": []string{unionID}, "participantIds": []string{unionID},
		"isOnlyShowExecutor": true, "priority": 20,
	}
	if t.Description != "" {
		body["description"] = t.Description
	}
	if !t.Due.IsZero() {
		body["dueTime"] = t.Due.UnixMilli()
	}
	if t.URL != "" {
		body["detailUrl"] = map[string]string{"appUrl": t.URL, "pcUrl": t.URL}
	}
	var a struct {
		ID string `json:"id"`
	}
	if err := d.api(ctx, http.MethodPost, "/v1.0/todo/users/"+url.PathEscape(unionID)+"/tasks?operatorId="+url.QueryEscape(unionID), "", body, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", fmt.Errorf("钉钉创建待办: 应答中没有待办 id")
	}
	return a.ID, nil
}

// DoneTodo marks unionID's 待办 taskID done. One already gone counts as done.
func (d *DingTalk) DoneTodo(ctx context.Context, unionID, taskID string) error {
	err := d.api(ctx, http.MethodPut, "/v1.0/todo/users/"+url.PathEscape(unionID)+"/tasks/"+url.PathEscape(taskID)+"?operatorId="+url.QueryEscape(unionID),
		"", map[string]any{"done": true}, nil)
	if ae, ok := err.(*APIError); ok && ae.HTTP == http.StatusNotFound {
		return nil
	}
	return err
}

// AuthURL is where the browser goes to sign in with DingTalk (OAuth2, scope openid).
func (d *DingTalk) AuthURL(redirect, state string) string {
	q := url.Values{"client_id": {d.cfg.AppKey}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {redirect}, "state": {state}, "prompt": {"consent"}}
	return joinURL(d.cfg.Login, "/oauth2/auth?"+q.Encode())
}

// UnionIDByAuthCode turns the login's authCode into the person's unionId: a user
// access token (/v1.0/oauth2/userAccessToken), then /v1.0/contact/users/me.
func (d *DingTalk) UnionIDByAuthCode(ctx context.Context, code string) (string, error) {
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	body := map[string]string{"clientId": d.cfg.AppKey, "clientSecret": d.cfg.AppSecret, "code": code, "grantType": "authorization_code"}
	status, data, err := call{client: d.client, platform: "dingtalk", method: http.MethodPost,
		url: joinURL(d.cfg.API, "/v1.0/oauth2/userAccessToken"), name: "/v1.0/oauth2/userAccessToken", body: body}.do(ctx)
	if err != nil {
		return "", err
	}
	if status/100 != 2 || json.Unmarshal(data, &tok) != nil || tok.AccessToken == "" {
		var a struct{ Code, Message string }
		_ = json.Unmarshal(data, &a)
		return "", &APIError{Platform: "dingtalk", Call: "/v1.0/oauth2/userAccessToken", HTTP: status, Code: a.Code, Message: a.Message, Kind: KindPermanent}
	}
	var me struct {
		UnionID string `json:"unionId"`
	}
	if err := d.api(ctx, http.MethodGet, "/v1.0/contact/users/me", tok.AccessToken, nil, &me); err != nil {
		return "", err
	}
	if me.UnionID == "" {
		return "", fmt.Errorf("钉钉 /v1.0/contact/users/me: 应答中没有 unionId")
	}
	return me.UnionID, nil
}
