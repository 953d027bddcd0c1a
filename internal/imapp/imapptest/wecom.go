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

// WeCom is a fake WeCom open platform. A member receives at most PerMember
// messages a minute from the app: like WeCom, the rest are silently dropped
// (Dropped counts them), so a sender must queue, not rely on an error.
type WeCom struct {
	CorpID, AgentID, Secret string
	URL                     string
	PerMember               int

	mu       sync.Mutex
	Members  map[string]bool
	tok      tokens
	codes    codes
	LoginAs  string
	messages []Message
	// TokenRequests counts /cgi-bin/gettoken calls; Dropped the messages over the limit.
	TokenRequests, Dropped int
}

// NewWeCom starts a fake WeCom whose tokens live ttl.
func NewWeCom(t testing.TB, ttl time.Duration) *WeCom {
	w := &WeCom{CorpID: "wwcorp", AgentID: "1000002", Secret: "wesecret", PerMember: 30, Members: map[string]bool{}}
	w.tok.ttl = ttl
	w.URL = newServer(t, w).URL
	return w
}

// App is the app's configuration pointing at the fake.
func (f *WeCom) App() config.WeComApp {
	return config.WeComApp{CorpID: f.CorpID, AgentID: f.AgentID, Secret: f.Secret, API: f.URL, Login: f.URL}
}

// AddMember puts a member in the enterprise.
func (f *WeCom) AddMember(userid string) { f.mu.Lock(); f.Members[userid] = true; f.mu.Unlock() }

// Messages are the messages members received (not the dropped ones).
func (f *WeCom) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.messages...)
}

// Counts returns token requests and dropped messages.
func (f *WeCom) Counts() (tokenRequests, dropped int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.TokenRequests, f.Dropped
}

func (f *WeCom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	errc := func(code int, msg string) { writeJSON(w, 200, map[string]any{"errcode": code, "errmsg": msg}) }
	if strings.HasPrefix(r.URL.Path, "/cgi-bin/") && r.URL.Path != "/cgi-bin/gettoken" {
		switch f.tok.check(q.Get("access_token")) {
		case "invalid":
			errc(40014, "invalid access_token")
			return
		case "expired":
			errc(42001, "access_token expired")
			return
		}
	}
	switch r.URL.Path {
	case "/cgi-bin/gettoken":
		f.TokenRequests++
		if q.Get("corpid") != f.CorpID || q.Get("corpsecret") != f.Secret {
			errc(40001, "invalid credential")
			return
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": f.tok.issue("wecom"), "expires_in": int(f.tok.ttl / time.Second)})
	case "/cgi-bin/message/send":
		var b struct {
			ToUser   string `json:"touser"`
			MsgType  string `json:"msgtype"`
			AgentID  int64  `json:"agentid"`
			TextCard struct {
				Title, Description, URL, BtnTxt string
			} `json:"textcard"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&b) != nil {
			errc(40008, "invalid message type")
			return
		}
		if fmt.Sprint(b.AgentID) != f.AgentID {
			errc(40056, "invalid agentid")
			return
		}
		if b.MsgType != "textcard" || b.TextCard.Title == "" || b.TextCard.Description == "" || b.TextCard.URL == "" {
			errc(40008, "invalid message type")
			return
		}
		if len(b.TextCard.Title) > 128 || len(b.TextCard.Description) > 512 {
			errc(40058, "textcard too long")
			return
		}
		var invalid []string
		now := time.Now()
		for _, u := range strings.Split(b.ToUser, "|") {
			if !f.Members[u] {
				invalid = append(invalid, u)
				continue
			}
			n := 0
			for _, m := range f.messages {
				if m.To == u && now.Sub(m.At) < time.Minute {
					n++
				}
			}
			if n >= f.PerMember {
				f.Dropped++
				continue
			}
			f.messages = append(f.messages, Message{To: u, Title: b.TextCard.Title, Text: b.TextCard.Description, URL: b.TextCard.URL, At: now})
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": strings.Join(invalid, "|"), "msgid": "m"})
	case "/connect/oauth2/authorize":
		if q.Get("appid") != f.CorpID || q.Get("scope") != "snsapi_base" || q.Get("response_type") != "code" || q.Get("state") == "" {
			http.Error(w, "bad authorisation request", http.StatusBadRequest)
			return
		}
		loginRedirect(w, r, q.Get("redirect_uri"), q.Get("state"), "code", f.LoginAs, &f.codes)
	case "/cgi-bin/auth/getuserinfo":
		id, ok := f.codes.take(q.Get("code"))
		if !ok {
			errc(40029, "invalid code")
			return
		}
		writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "userid": id})
	default:
		http.NotFound(w, r)
	}
}
