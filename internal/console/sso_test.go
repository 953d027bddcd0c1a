package console

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"taskrelay/internal/accounts"
	"taskrelay/internal/config"
	"taskrelay/internal/imapp/imapptest"
	"taskrelay/internal/notify"
	"taskrelay/internal/report"
	"taskrelay/internal/seclog"
)

// ssoWorld is a console with every office app and the single sign-on configured,
// against fake platforms and a real OIDC provider run in-process.
type ssoWorld struct {
	e     *testEnv
	srv   *httptest.Server
	ding  *imapptest.DingTalk
	wecom *imapptest.WeCom
	fs    *imapptest.Feishu
	oidc  *mockoidc.MockOIDC
	tamp  *tamper
	log   string
}

// tamper changes the OIDC provider's token answers on their way to the console:
// an ID token for another audience (validly signed), or one whose signature is
// not the provider's.
type tamper struct {
	mu   sync.Mutex
	mode string // "", "audience", "signature"
	key  *mockoidc.Keypair
}

func (tp *tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	tp.mu.Lock()
	mode := tp.mode
	tp.mu.Unlock()
	if err != nil || mode == "" || !strings.HasSuffix(r.URL.Path, mockoidc.TokenEndpoint) {
		return res, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var tok map[string]any
	_ = json.Unmarshal(body, &tok)
	raw, _ := tok["id_token"].(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 { // an error answer: passed on as it is
		res.Body = io.NopCloser(strings.NewReader(string(body)))
		return res, nil
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims jwt.MapClaims
	_ = json.Unmarshal(payload, &claims)
	switch mode {
	case "audience":
		claims["aud"] = "another-system"
		tok["id_token"], _ = tp.key.SignJWT(claims)
	case "signature":
		other, _ := mockoidc.RandomKeypair(2048)
		forged, _ := other.SignJWT(claims)
		parts[2] = strings.Split(forged, ".")[2]
		tok["id_token"] = strings.Join(parts, ".")
	}
	body, _ = json.Marshal(tok)
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	res.ContentLength = int64(len(body))
	res.Header.Del("Content-Length")
	return res, nil
}

func newSSOWorld(t *testing.T, passwordLogin string) *ssoWorld {
	e := setup(t)
	w := &ssoWorld{e: e}
	w.ding = imapptest.NewDingTalk(t, 2*time.Hour)
	w.wecom = imapptest.NewWeCom(t, 2*time.Hour)
	w.fs = imapptest.NewFeishu(t, 2*time.Hour)
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	w.oidc = m
	w.tamp = &tamper{key: m.Keypair}
	for _, u := range []accounts.User{
		{Username: "ssoding", Name: "钉钉用户", Role: accounts.RoleUnit, Unit: "rsj",
			Links: accounts.Links{DingTalk: "d-sso", DingTalkUnion: "u-sso", WeCom: "w-sso", Feishu: "ou_sso"}},
		{Username: "ssooff", Name: "停用用户", Role: accounts.RoleUnit, Unit: "rsj", Links: accounts.Links{DingTalk: "d-off", DingTalkUnion: "u-off"}},
	} {
		if _, ok, _ := e.users.Get(u.Username); ok {
			continue
		}
		if err := e.users.Add(u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.users.SetDisabled("ssooff", true); err != nil {
		t.Fatal(err)
	}
	dir, err := LoadDirectory("")
	if err != nil {
		t.Fatal(err)
	}
	w.log = filepath.Join(t.TempDir(), seclog.File)
	d, wc, f := w.ding.App(), w.wecom.App(), w.fs.App()
	s, err := New(Config{API: e.api, Users: e.users, Sessions: e.s.cfg.Sessions, Directory: dir,
		Reports: report.NewArchive(e.node.Shared), Deliveries: notify.NewLedger(e.node.Shared, ""), SecurityLog: seclog.Open(w.log),
		TodoStore: e.node.Shared,
		Apps: config.Apps{DingTalk: &d, WeCom: &wc, Feishu: &f, PasswordLogin: passwordLogin,
			OIDC: &config.OIDC{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret, UsernameClaim: "preferred_username"}},
		AppClient: &http.Client{Transport: w.tamp, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(s.Handler())
	t.Cleanup(w.srv.Close)
	return w
}

// visit follows a browser's redirects from path, across hosts, and returns the
// last answer with the URLs visited.
type ssoBrowser struct {
	c    *http.Client
	hops []string
}

func newSSOBrowser() *ssoBrowser {
	jar, _ := cookiejar.New(nil)
	b := &ssoBrowser{}
	b.c = &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		b.hops = append(b.hops, r.URL.String())
		return nil
	}}
	return b
}

func (b *ssoBrowser) visit(t *testing.T, u string) (int, string, string) {
	t.Helper()
	b.hops = nil
	res, err := b.c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Request.URL.Path, string(body)
}

func (b *ssoBrowser) callback() string {
	for _, h := range b.hops {
		if strings.Contains(h, "/callback?") {
			return h
		}
	}
	return ""
}

// TestSSOLoginEachPlatform: the login page links each app; each redirect flow
// (DingTalk OAuth2, WeCom snsapi_base, Feishu, OIDC with PKCE and nonce) lands a
// linked person on 我的任务, logged in; a message's link (next) lands on its page.
func TestSSOLoginEachPlatform(t *testing.T) {
	w := newSSOWorld(t, "")
	w.ding.AddUser("d-sso", "u-sso", "")
	w.ding.LoginAs = "u-sso"
	w.wecom.AddMember("w-sso")
	w.wecom.LoginAs = "w-sso"
	w.fs.AddUser("ou_sso")
	w.fs.LoginAs = "ou_sso"
	st, _, body := newSSOBrowser().visit(t, w.srv.URL+"/login")
	for _, want := range []string{`href="/login/dingtalk"`, "钉钉登录", "企业微信登录", "飞书登录", "统一身份认证登录", `href="/login/oidc"`} {
		if st != 200 || !strings.Contains(body, want) {
			t.Fatalf("login page lacks %s (status %d)", want, st)
		}
	}
	for _, platform := range []string{"dingtalk", "wecom", "feishu", "oidc"} {
		if platform == "oidc" {
			w.oidc.QueueUser(&mockoidc.MockUser{Subject: "sub-sso", PreferredUsername: "ssoding"})
		}
		b := newSSOBrowser()
		st, path, body := b.visit(t, w.srv.URL+"/login/"+platform)
		if st != 200 || path != "/my" || !strings.Contains(body, "我的任务") {
			t.Fatalf("%s: landed on %s (%d), hops %v\n%s", platform, path, st, b.hops, snippet(body))
		}
		if platform == "oidc" {
			auth := b.hops[0]
			for _, want := range []string{"code_challenge=", "code_challenge_method=S256", "nonce=", "state="} {
				if !strings.Contains(auth, want) {
					t.Errorf("OIDC authorisation request lacks %s: %s", want, auth)
				}
			}
		}
		// Logged in already: a message's link goes straight to its page.
		if st, path, _ := b.visit(t, w.srv.URL+"/login/"+platform+"?next=/notices"); st != 200 || path != "/notices" {
			t.Errorf("%s: next: %d %s", platform, st, path)
		}
	}
	entries, err := seclog.Read(w.log, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	logins := 0
	for _, e := range entries {
		if e.Event == seclog.SSOLogin && e.User == "ssoding" {
			logins++
		}
	}
	if logins != 4 {
		t.Errorf("security log: %d SSO logins, want 4", logins)
	}
}

// TestSSORefusals: a replayed callback, a forged state, a state from another
// browser, an unlinked identity, a disabled account, an ID token for another
// audience or with a bad signature: each refused in Chinese, logged, no session.
func TestSSORefusals(t *testing.T) {
	w := newSSOWorld(t, "")
	w.ding.AddUser("d-sso", "u-sso", "")
	w.ding.LoginAs = "u-sso"
	before, _ := w.e.users.List()

	b := newSSOBrowser()
	if st, path, _ := b.visit(t, w.srv.URL+"/login/dingtalk"); st != 200 || path != "/my" {
		t.Fatalf("first login: %d %s", st, path)
	}
	replay := b.callback()
	refused := func(what string, b *ssoBrowser, u, want string) {
		t.Helper()
		st, path, body := b.visit(t, u)
		if st != http.StatusForbidden || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s, want 403 with %q\n%s", what, st, path, want, snippet(body))
		}
	}
	fresh := newSSOBrowser()
	refused("replayed callback", fresh, replay, "登录请求无效或已使用过")
	refused("forged state", fresh, w.srv.URL+"/login/dingtalk/callback?authCode=x&state=forged", "登录请求无效或已使用过")

	// Another browser opens the platform's redirect started by the first.
	starter := newSSOBrowser()
	starter.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := starter.c.Get(w.srv.URL + "/login/dingtalk")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	refused("state of another browser", newSSOBrowser(), res.Header.Get("Location"), "登录请求无效或已使用过")

	w.ding.LoginAs = "u-stranger"
	refused("unlinked identity", newSSOBrowser(), w.srv.URL+"/login/dingtalk", "未关联本系统的用户")
	w.ding.LoginAs = "u-off"
	refused("disabled account", newSSOBrowser(), w.srv.URL+"/login/dingtalk", "已停用")

	w.tamp.mode = "audience"
	w.oidc.QueueUser(&mockoidc.MockUser{Subject: "s", PreferredUsername: "ssoding"})
	refused("wrong audience", newSSOBrowser(), w.srv.URL+"/login/oidc", "身份令牌无效")
	w.tamp.mode = "signature"
	w.oidc.QueueUser(&mockoidc.MockUser{Subject: "s", PreferredUsername: "ssoding"})
	refused("bad signature", newSSOBrowser(), w.srv.URL+"/login/oidc", "身份令牌无效")
	w.tamp.mode = ""
	w.oidc.QueueUser(&mockoidc.MockUser{Subject: "s", PreferredUsername: "nobody-here"})
	refused("OIDC user without an account", newSSOBrowser(), w.srv.URL+"/login/oidc", "未关联本系统的用户")

	after, _ := w.e.users.List()
	if len(after) != len(before) {
		t.Errorf("accounts: %d before, %d after: a refused login created one", len(before), len(after))
	}
	entries, _ := seclog.Read(w.log, time.Time{})
	n := 0
	var details []string
	for _, e := range entries {
		if e.Event == seclog.SSORefused {
			n++
			details = append(details, e.Detail)
		}
	}
	if n != 8 {
		t.Errorf("security log: %d SSO refusals, want 8: %v", n, details)
	}
	joined := strings.Join(details, "\n")
	for _, want := range []string{"audience", "signature", "u-stranger"} {
		if !strings.Contains(joined, want) {
			t.Errorf("security log lacks %q:\n%s", want, joined)
		}
	}
}

// TestPasswordLoginAdminOnly: TASKRELAY_PASSWORD_LOGIN=admin-only refuses the
// password to everyone but the three administrators.
func TestPasswordLoginAdminOnly(t *testing.T) {
	w := newSSOWorld(t, config.PasswordAdminOnly)
	for user, want := range map[string]int{"rsj1": http.StatusForbidden, "duban": http.StatusForbidden, "root": http.StatusSeeOther, "aud1": http.StatusSeeOther} {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(w.srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfRE.FindSubmatch(page)
		if m == nil {
			t.Fatal("no csrf token on the login page")
		}
		res, err = c.PostForm(w.srv.URL+"/login", url.Values{"username": {user}, "password": {testPassword}, CSRFField: {string(m[1])}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: status %d, want %d\n%s", user, res.StatusCode, want, snippet(string(body)))
		}
		if want == http.StatusForbidden && !strings.Contains(string(body), "密码登录仅限") {
			t.Errorf("%s: refusal not explained", user)
		}
	}
}

// TestUsersPageLinks: the system administrator links an account on 用户管理; the
// DingTalk unionId is looked up and kept; a userid DingTalk does not know is
// refused and changes nothing.
func TestUsersPageLinks(t *testing.T) {
	w := newSSOWorld(t, "")
	w.ding.AddUser("d-link", "u-link", "")
	if _, ok, _ := w.e.users.Get("ssolink"); !ok {
		if err := w.e.users.Add(accounts.User{Username: "ssolink", Role: accounts.RoleUnit, Unit: "rsj"}, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := func(path string) string {
		res, err := c.Get(w.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfRE.FindSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no csrf token", path)
		}
		return string(m[1])
	}
	res, err := c.PostForm(w.srv.URL+"/login", url.Values{"username": {"root"}, "password": {testPassword}, CSRFField: {token("/login")}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin login: %v %v", res.StatusCode, err)
	}
	post := func(form url.Values) (int, string) {
		form.Set(CSRFField, token("/users"))
		res, err := c.PostForm(w.srv.URL+"/users/ssolink/links", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(body)
	}
	if st, body := post(url.Values{"dingtalk": {"d-link"}, "wecom": {"w-link"}}); st != http.StatusSeeOther {
		t.Fatalf("link: %d\n%s", st, snippet(body))
	}
	u, _, _ := w.e.users.Get("ssolink")
	if u.DingTalk != "d-link" || u.DingTalkUnion != "u-link" || u.WeCom != "w-link" {
		t.Fatalf("links: %+v", u.Links)
	}
	if st, body := post(url.Values{"dingtalk": {"d-unknown"}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "找不到该用户") {
		t.Errorf("unknown userid: %d\n%s", st, snippet(body))
	}
	if u2, _, _ := w.e.users.Get("ssolink"); u2.Links != u.Links {
		t.Errorf("a refused link changed the account: %+v", u2.Links)
	}
}

// TestAssignBringsTodosInStep: a unit head naming the 责任人 in the console gives
// that person a DingTalk 待办 at once (not at the task's next notice).
func TestAssignBringsTodosInStep(t *testing.T) {
	w := newSSOWorld(t, "")
	e := w.e
	for _, name := range []string{"gaj1", "gajhead"} {
		w.ding.AddUser("d-"+name, "u-"+name, "")
		if err := e.users.Update(name, func(u *accounts.User) error {
			u.Links = accounts.Links{DingTalk: "d-" + name, DingTalkUnion: "u-" + name}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	meeting := "cwh-todo-1"
	e.adopted(t, meeting)
	task := meeting + ":3" // 县公安局 supports it
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := func(path string) string {
		res, err := c.Get(w.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfRE.FindSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no csrf token (%d)", path, res.StatusCode)
		}
		return string(m[1])
	}
	res, err := c.PostForm(w.srv.URL+"/login", url.Values{"username": {"gajhead"}, "password": {testPassword}, CSRFField: {token("/login")}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v %v", res.StatusCode, err)
	}
	res, err = c.PostForm(w.srv.URL+TaskURL(task)+"/assign", url.Values{"person": {"gaj1"}, CSRFField: {token(TaskURL(task))}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("assign: %v %v\n%s", res.StatusCode, err, snippet(string(body)))
	}
	eventually(t, "gaj1's 待办", func() bool {
		for _, td := range w.ding.Todos() {
			if td.UnionID == "u-gaj1" && td.SourceID == task && !td.Done {
				return true
			}
		}
		return false
	})
	for _, td := range w.ding.Todos() {
		if td.UnionID == "u-gajhead" && td.SourceID == task && !td.Done {
			t.Errorf("the head keeps a 待办 though gaj1 is responsible: %+v", td)
		}
	}
}
