package imapptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/config"
)

// Feishu is a fake Feishu open platform: messages to a user are limited to
// PerSecond a second (code 230020 past it).
type Feishu struct {
	AppID, AppSecret string
	URL              string
	PerSecond        int

	mu       sync.Mutex
	Users    map[string]bool // open_id
	tenant   tokens
	app      tokens
	codes    codes
	userTok  map[string]string
	LoginAs  string
	messages []Message
	uuids    map[string]bool
	// TokenRequests counts tenant token requests; Refused the messages answered 230020.
	TokenRequests, Refused int
}

// NewFeishu starts a fake Feishu whose tokens live ttl.
func NewFeishu(t testing.TB, ttl time.Duration) *Feishu {
	f := &Feishu{AppID: "cli_fake", AppSecret: "fssecret", PerSecond: 5, Users: map[string]bool{}, userTok: map[string]string{}, uuids: map[string]bool{}}
	f.tenant.ttl, f.app.ttl = ttl, ttl
	f.URL = newServer(t, f).URL
	return f
}

// App is the app's configuration pointing at the fake.
func (f *Feishu) App() config.FeishuApp {
	return config.FeishuApp{AppID: f.AppID, AppSecret: f.AppSecret, API: f.URL}
}

// AddUser puts a user (open_id) in the enterprise.
func (f *Feishu) AddUser(openID string) { f.mu.Lock(); f.Users[openID] = true; f.mu.Unlock() }

// Messages are the messages users received.
func (f *Feishu) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.messages...)
}

// Counts returns tenant token requests and refused messages.
func (f *Feishu) Counts() (tokenRequests, refused int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.TokenRequests, f.Refused
}

func (f *Feishu) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(status, code int, msg string) { writeJSON(w, status, map[string]any{"code": code, "msg": msg}) }
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	var body map[string]any
	if r.Method == http.MethodPost {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	switch r.URL.Path {
	case "/open-apis/auth/v3/tenant_access_token/internal", "/open-apis/auth/v3/app_access_token/internal":
		if body["app_id"] != f.AppID || body["app_secret"] != f.AppSecret {
			fail(400, 10014, "app secret invalid")
			return
		}
		if strings.Contains(r.URL.Path, "tenant") {
			f.TokenRequests++
			writeJSON(w, 200, map[string]any{"code": 0, "msg": "ok", "tenant_access_token": f.tenant.issue("t"), "expire": int(f.tenant.ttl / time.Second)})
			return
		}
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "ok", "app_access_token": f.app.issue("a"), "expire": int(f.app.ttl / time.Second)})
	case "/open-apis/im/v1/messages":
		if f.tenant.check(bearer) != "" {
			fail(400, 99991663, "Invalid access token for authorization")
			return
		}
		if r.URL.Query().Get("receive_id_type") != "open_id" {
			fail(400, 230001, "invalid receive_id_type")
			return
		}
		to, _ := body["receive_id"].(string)
		content, _ := body["content"].(string)
		var card struct {
			Header struct {
				Title struct{ Content string } `json:"title"`
			} `json:"header"`
			Elements []struct {
				Tag     string `json:"tag"`
				Content string `json:"content"`
				Actions []struct {
					URL string `json:"url"`
				} `json:"actions"`
			} `json:"elements"`
		}
		if body["msg_type"] != "interactive" || json.Unmarshal([]byte(content), &card) != nil || card.Header.Title.Content == "" {
			fail(400, 230001, "invalid content")
			return
		}
		if !f.Users[to] {
			fail(400, 230013, "Bot has NO availability to this user")
			return
		}
		if u, _ := body["uuid"].(string); u != "" && f.uuids[u] {
			writeJSON(w, 200, map[string]any{"code": 0, "msg": "success", "data": map[string]any{}})
			return
		}
		now := time.Now()
		n := 0
		for _, m := range f.messages {
			if m.To == to && now.Sub(m.At) < time.Second {
				n++
			}
		}
		if n >= f.PerSecond {
			f.Refused++
			fail(400, 230020, "This operation triggers the frequency limit")
			return
		}
		if u, _ := body["uuid"].(string); u != "" {
			f.uuids[u] = true
		}
		m := Message{To: to, Title: card.Header.Title.Content, At: now}
		for _, e := range card.Elements {
			m.Text += e.Content
			for _, a := range e.Actions {
				m.URL = a.URL
			}
		}
		f.messages = append(f.messages, m)
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"message_id": fmt.Sprintf("om_%d", len(f.messages))}})
	case "/open-apis/authen/v1/authorize":
		q := r.URL.Query()
		if q.Get("app_id") != f.AppID || q.Get("state") == "" {
			http.Error(w, "bad authorisation request", http.StatusBadRequest)
			return
		}
		loginRedirect(w, r, q.Get("redirect_uri"), q.Get("state"), "code", f.LoginAs, &f.codes)
	case "/open-apis/authen/v1/oidc/access_token":
		if f.app.check(bearer) != "" {
			fail(400, 99991663, "Invalid access token for authorization")
			return
		}
		code, _ := body["code"].(string)
		id, ok := f.codes.take(code)
		if !ok || body["grant_type"] != "authorization_code" {
			fail(400, 20003, "invalid code")
			return
		}
		tok := fmt.Sprintf("u-%d", time.Now().UnixNano())
		f.userTok[tok] = id
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"access_token": tok, "expires_in": 6900}})
	case "/open-apis/authen/v1/user_info":
		id, ok := f.userTok[bearer]
		if !ok {
			fail(400, 99991668, "Invalid access token")
			return
		}
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"open_id": id, "name": "fake"}})
	default:
		http.NotFound(w, r)
	}
}
