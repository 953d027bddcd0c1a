// Package imapptest runs fake DingTalk, WeCom and Feishu open platforms as
// httptest servers that behave like the documented APIs: access tokens that
// expire, the platforms' error codes in HTTP 200 answers, per-person rate limits,
// and OAuth redirects that come back with a code and the state.
package imapptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/config"
)

// tokens are a platform's issued access tokens and their expiry.
type tokens struct {
	ttl    time.Duration
	issued map[string]time.Time // token -> expires
	n      int
}

func (t *tokens) issue(prefix string) string {
	if t.issued == nil {
		t.issued = map[string]time.Time{}
	}
	t.n++
	tok := fmt.Sprintf("%s-%d", prefix, t.n)
	t.issued[tok] = time.Now().Add(t.ttl)
	return tok
}

// check: "" valid, "invalid" unknown, "expired".
func (t *tokens) check(tok string) string {
	exp, ok := t.issued[tok]
	switch {
	case !ok:
		return "invalid"
	case time.Now().After(exp):
		return "expired"
	}
	return ""
}

// Expire makes every issued token expired (the platform's clock moved on).
func (t *tokens) expireAll() {
	for k := range t.issued {
		t.issued[k] = time.Now().Add(-time.Second)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// codes are single-use login codes: code -> identity.
type codes struct {
	m map[string]string
	n int
}

func (c *codes) issue(id string) string {
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.n++
	code := fmt.Sprintf("code-%d-%d", c.n, time.Now().UnixNano())
	c.m[code] = id
	return code
}

func (c *codes) take(code string) (string, bool) {
	id, ok := c.m[code]
	delete(c.m, code)
	return id, ok
}

// loginRedirect answers a platform's authorisation page: signed in as who (""
// : the test set nobody, 403), it sends the browser back to redirect_uri with the
// code under codeParam and the state unchanged.
func loginRedirect(w http.ResponseWriter, r *http.Request, redirect, state, codeParam, who string, c *codes) {
	if who == "" {
		http.Error(w, "nobody signed in", http.StatusForbidden)
		return
	}
	u, err := url.Parse(redirect)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := u.Query()
	q.Set(codeParam, c.issue(who))
	q.Set("state", state)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Message is one message a person received.
type Message struct {
	To    string
	Title string
	Text  string
	URL   string
	At    time.Time
}

// DingTalk is a fake DingTalk open platform (oapi, api and login on one host).
type DingTalk struct {
	AppKey, AppSecret, AgentID string
	URL                        string

	mu sync.Mutex
	// Users: userid -> unionId; Mobiles: mobile -> userid.
	Users   map[string]string
	Mobiles map[string]string
	tok     tokens
	codes   codes
	userTok map[string]string // user access token -> unionId
	// LoginAs is the unionId of whoever signs in on the login page.
	LoginAs string
	// FailSends answers the next sends with errcode FailCode (HTTP 200).
	FailSends, FailCode int
	messages            []Message
	todos               []*Todo
	// TokenRequests counts /gettoken calls; Creates the 待办 created.
	TokenRequests, Creates int
	// Duplicates counts identical work notices to one person (DingTalk shows only the first of a day).
	Duplicates int
}

// Todo is a 待办 the fake holds.
type Todo struct {
	ID, UnionID, SourceID, Subject, URL string
	Due                                 int64
	Done                                bool
}

// NewDingTalk starts a fake DingTalk whose tokens live ttl.
func NewDingTalk(t testing.TB, ttl time.Duration) *DingTalk {
	d := &DingTalk{AppKey: "dingappkey", AppSecret: "dingsecret", AgentID: "2001", Users: map[string]string{},
		Mobiles: map[string]string{}, userTok: map[string]string{}}
	d.tok.ttl = ttl
	d.URL = newServer(t, d).URL
	return d
}

// App is the app's configuration pointing at the fake.
func (d *DingTalk) App() config.DingTalkApp {
	return config.DingTalkApp{AppKey: d.AppKey, AppSecret: d.AppSecret, AgentID: d.AgentID, OAPI: d.URL, API: d.URL, Login: d.URL}
}

// AddUser puts a member in the enterprise's directory.
func (d *DingTalk) AddUser(userid, unionID, mobile string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Users[userid] = unionID
	if mobile != "" {
		d.Mobiles[mobile] = userid
	}
}

// ExpireTokens expires every token issued.
func (d *DingTalk) ExpireTokens() { d.mu.Lock(); d.tok.expireAll(); d.mu.Unlock() }

// Messages are the work notices received, in order.
func (d *DingTalk) Messages() []Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Message(nil), d.messages...)
}

// Todos are the 待办 held, in order of creation.
func (d *DingTalk) Todos() []Todo {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Todo, 0, len(d.todos))
	for _, t := range d.todos {
		out = append(out, *t)
	}
	return out
}

// PutTodo makes a 待办 directly (one created by a worker killed before it recorded it).
func (d *DingTalk) PutTodo(unionID, sourceID, subject string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.newTodo(unionID, sourceID, subject, "", 0).ID
}

func (d *DingTalk) newTodo(unionID, sourceID, subject, link string, due int64) *Todo {
	t := &Todo{ID: fmt.Sprintf("todo-%d", len(d.todos)+1), UnionID: unionID, SourceID: sourceID, Subject: subject, URL: link, Due: due}
	d.todos = append(d.todos, t)
	return t
}

// Counts returns the token requests and 待办 creations.
func (d *DingTalk) Counts() (tokenRequests, creates int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.TokenRequests, d.Creates
}

func (d *DingTalk) oapiErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"errcode": code, "errmsg": msg, "request_id": "fake"})
}

func (d *DingTalk) apiErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "requestid": "fake"})
}

func (d *DingTalk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := r.URL.Path
	switch {
	case p == "/gettoken":
		d.TokenRequests++
		if r.URL.Query().Get("appkey") != d.AppKey || r.URL.Query().Get("appsecret") != d.AppSecret {
			d.oapiErr(w, 40089, "不合法的corpid或corpsecret")
			return
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": d.tok.issue("ding"), "expires_in": int(d.tok.ttl / time.Second)})
	case strings.HasPrefix(p, "/topapi/"):
		switch d.tok.check(r.URL.Query().Get("access_token")) {
		case "invalid":
			d.oapiErr(w, 40014, "不合法的access_token")
			return
		case "expired":
			d.oapiErr(w, 42001, "access_token已过期")
			return
		}
		var body map[string]any
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
			d.oapiErr(w, 40035, "缺少参数 json")
			return
		}
		d.topapi(w, p, body)
	case p == "/oauth2/auth":
		q := r.URL.Query()
		if q.Get("client_id") != d.AppKey || q.Get("response_type") != "code" || q.Get("scope") != "openid" || q.Get("state") == "" {
			http.Error(w, "bad authorisation request", http.StatusBadRequest)
			return
		}
		loginRedirect(w, r, q.Get("redirect_uri"), q.Get("state"), "authCode", d.LoginAs, &d.codes)
	case p == "/v1.0/oauth2/userAccessToken":
		var b struct{ ClientID, ClientSecret, Code, GrantType string }
		_ = json.NewDecoder(r.Body).Decode(&b)
		if b.ClientID != d.AppKey || b.ClientSecret != d.AppSecret {
			d.apiErr(w, 400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
			return
		}
		union, ok := d.codes.take(b.Code)
		if !ok || b.GrantType != "authorization_code" {
			d.apiErr(w, 400, "invalidAuthCode", "不合法的临时授权码")
			return
		}
		tok := fmt.Sprintf("user-%s-%d", union, time.Now().UnixNano())
		d.userTok[tok] = union
		writeJSON(w, 200, map[string]any{"accessToken": tok, "refreshToken": "r", "expireIn": 7200})
	case p == "/v1.0/contact/users/me":
		union, ok := d.userTok[r.Header.Get("x-acs-dingtalk-access-token")]
		if !ok {
			d.apiErr(w, 401, "InvalidAuthentication", "不合法的access_token")
			return
		}
		writeJSON(w, 200, map[string]any{"unionId": union, "nick": "fake"})
	case strings.HasPrefix(p, "/v1.0/todo/users/"):
		switch d.tok.check(r.Header.Get("x-acs-dingtalk-access-token")) {
		case "invalid", "expired":
			d.apiErr(w, 401, "InvalidAuthentication", "不合法的access_token")
			return
		}
		d.todo(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (d *DingTalk) topapi(w http.ResponseWriter, p string, body map[string]any) {
	switch p {
	case "/topapi/v2/user/get":
		id, _ := body["userid"].(string)
		union, ok := d.Users[id]
		if !ok {
			d.oapiErr(w, 60121, "找不到该用户")
			return
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "result": map[string]any{"userid": id, "unionid": union, "name": id}})
	case "/topapi/v2/user/getbymobile":
		m, _ := body["mobile"].(string)
		id, ok := d.Mobiles[m]
		if !ok {
			d.oapiErr(w, 60121, "找不到该用户")
			return
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "result": map[string]any{"userid": id}})
	case "/topapi/message/corpconversation/asyncsend_v2":
		if fmt.Sprint(body["agent_id"]) != d.AgentID {
			d.oapiErr(w, 40078, "不存在的应用实例")
			return
		}
		if d.FailSends > 0 {
			d.FailSends--
			d.oapiErr(w, d.FailCode, "系统繁忙")
			return
		}
		msg, _ := body["msg"].(map[string]any)
		card, _ := msg["action_card"].(map[string]any)
		title, _ := card["title"].(string)
		text, _ := card["markdown"].(string)
		link, _ := card["single_url"].(string)
		if msg["msgtype"] != "action_card" || title == "" || text == "" {
			d.oapiErr(w, 40035, "缺少参数 msg")
			return
		}
		list, _ := body["userid_list"].(string)
		for _, u := range strings.Split(list, ",") {
			if _, ok := d.Users[u]; !ok {
				continue // DingTalk skips unknown users silently
			}
			for _, m := range d.messages {
				if m.To == u && m.Title == title && m.Text == text {
					d.Duplicates++
				}
			}
			d.messages = append(d.messages, Message{To: u, Title: title, Text: text, URL: link, At: time.Now()})
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "task_id": 1000 + len(d.messages), "request_id": "fake"})
	default:
		d.oapiErr(w, 40035, "unknown api")
	}
}

func (d *DingTalk) todo(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1.0/todo/users/")
	parts := strings.Split(rest, "/")
	union := parts[0]
	known := false
	for _, u := range d.Users {
		known = known || u == union
	}
	if !known {
		d.apiErr(w, 400, "invalidParameter", "unionId 不存在")
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	switch {
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "tasks":
		subject, _ := body["subject"].(string)
		source, _ := body["sourceId"].(string)
		if subject == "" || r.URL.Query().Get("operatorId") == "" {
			d.apiErr(w, 400, "invalidParameter", "subject 不能为空")
			return
		}
		due, _ := body["dueTime"].(float64)
		link := ""
		if du, ok := body["detailUrl"].(map[string]any); ok {
			link, _ = du["appUrl"].(string)
		}
		d.Creates++
		t := d.newTodo(union, source, subject, link, int64(due))
		writeJSON(w, 200, map[string]any{"id": t.ID, "subject": subject, "sourceId": source, "done": false})
	case r.Method == http.MethodPost && len(parts) == 4 && parts[1] == "org" && parts[3] == "query":
		// Two a page, to walk nextToken.
		var open []*Todo
		for _, t := range d.todos {
			if t.UnionID == union && !t.Done {
				open = append(open, t)
			}
		}
		start := 0
		if s, ok := body["nextToken"].(string); ok {
			fmt.Sscan(s, &start)
		}
		end := min(start+2, len(open))
		var cards []map[string]any
		for _, t := range open[min(start, len(open)):end] {
			cards = append(cards, map[string]any{"taskId": t.ID, "subject": t.Subject, "sourceId": t.SourceID, "isDone": false})
		}
		ans := map[string]any{"todoCards": cards}
		if end < len(open) {
			ans["nextToken"] = fmt.Sprint(end)
		}
		writeJSON(w, 200, ans)
	case r.Method == http.MethodPut && len(parts) == 3 && parts[1] == "tasks":
		for _, t := range d.todos {
			if t.ID == parts[2] && t.UnionID == union {
				if done, ok := body["done"].(bool); ok {
					t.Done = done
				}
				writeJSON(w, 200, map[string]any{"result": true})
				return
			}
		}
		d.apiErr(w, 404, "taskNotExist", "待办不存在")
	default:
		d.apiErr(w, 404, "notFound", "unknown api")
	}
}
