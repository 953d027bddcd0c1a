package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"go.uber.org/zap"
	"golang.org/x/oauth2"

	"taskrelay/internal/accounts"
	"taskrelay/internal/config"
	"taskrelay/internal/imapp"
	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
)

// Logging in from the office apps and the county's single sign-on: each is a plain
// link (GET /login/<platform>) that redirects to the platform, which sends the
// browser back to /login/<platform>/callback with a code. The code names a person;
// the person must be linked to an existing, enabled account, else nothing happens.
//
// The state sent out is single-use, lives stateTTL, and is bound to the browser
// that started the login by a cookie holding a secret whose hash the state keeps:
// a callback replayed, forged, or opened in another browser is refused.

// stateTTL is how long a login may take at the platform.
const stateTTL = 10 * time.Minute

// maxPending bounds the logins in flight (a flood of starts cannot grow memory).
const maxPending = 10000

// ssoCookie binds a login in flight to its browser.
const ssoCookie = "taskrelay_sso"

// sso holds the office apps' clients the console logs people in with.
type sso struct {
	dingtalk *imapp.DingTalk
	wecom    *imapp.WeCom
	feishu   *imapp.Feishu
	oidc     *config.OIDC
	client   *http.Client

	mu       sync.Mutex
	pending  map[string]pendingLogin // state -> login
	provider *oidc.Provider
}

type pendingLogin struct {
	platform string
	next     string
	binding  [32]byte // sha256 of the browser's cookie secret
	nonce    string
	verifier string
	expires  time.Time
}

func newSSO(cfg Config) *sso {
	client := cfg.AppClient
	if client == nil {
		client = &http.Client{Timeout: imapp.DefaultTimeout}
	}
	x := &sso{client: client, pending: map[string]pendingLogin{}, oidc: cfg.Apps.OIDC}
	if a := cfg.Apps.DingTalk; a != nil {
		x.dingtalk = imapp.NewDingTalk(*a, client)
	}
	if a := cfg.Apps.WeCom; a != nil {
		x.wecom = imapp.NewWeCom(*a, client)
	}
	if a := cfg.Apps.Feishu; a != nil {
		x.feishu = imapp.NewFeishu(*a, client)
	}
	return x
}

// ssoLink is one login button.
type ssoLink struct{ Path, Label string }

// links are the login page's buttons, one per configured app.
func (x *sso) links() []ssoLink {
	var out []ssoLink
	if x.dingtalk != nil {
		out = append(out, ssoLink{"/login/" + accounts.PlatformDingTalk, "钉钉登录"})
	}
	if x.wecom != nil {
		out = append(out, ssoLink{"/login/" + accounts.PlatformWeCom, "企业微信登录"})
	}
	if x.feishu != nil {
		out = append(out, ssoLink{"/login/" + accounts.PlatformFeishu, "飞书登录"})
	}
	if x.oidc != nil {
		out = append(out, ssoLink{"/login/" + accounts.PlatformOIDC, "统一身份认证登录"})
	}
	return out
}

func (x *sso) configured(platform string) bool {
	switch platform {
	case accounts.PlatformDingTalk:
		return x.dingtalk != nil
	case accounts.PlatformWeCom:
		return x.wecom != nil
	case accounts.PlatformFeishu:
		return x.feishu != nil
	case accounts.PlatformOIDC:
		return x.oidc != nil
	}
	return false
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// put records a login in flight; take removes and returns it (single use).
func (x *sso) put(state string, p pendingLogin, now time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, v := range x.pending {
		if now.After(v.expires) {
			delete(x.pending, k)
		}
	}
	if len(x.pending) >= maxPending {
		return errors.New("同时进行的登录过多，请稍后再试")
	}
	x.pending[state] = p
	return nil
}

func (x *sso) take(state string) (pendingLogin, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	p, ok := x.pending[state]
	delete(x.pending, state)
	return p, ok
}

// oidcProvider discovers the issuer once (again after a failure).
func (x *sso) oidcProvider(ctx context.Context) (*oidc.Provider, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.provider != nil {
		return x.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, x.client), x.oidc.Issuer)
	if err != nil {
		return nil, fmt.Errorf("统一身份认证 %s 的发现文档: %w", x.oidc.Issuer, err)
	}
	x.provider = p
	return p, nil
}

func (x *sso) oauth2Config(p *oidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: x.oidc.ClientID, ClientSecret: x.oidc.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "profile"}}
}

// callbackURL is where the platform sends the browser back: under
// TASKRELAY_PUBLIC_URL when set (what is registered with the platform), else
// this request's own origin.
func (s *Server) callbackURL(r *http.Request, platform string) string {
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if s.secure(r) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/login/" + platform + "/callback"
}

// ssoStart: GET /login/{platform}. Signed in already, the person goes straight on
// (a message's link opened again inside the app).
func (s *Server) ssoStart(q *req) {
	platform := q.r.PathValue("platform")
	if !s.sso.configured(platform) {
		s.fail(q, http.StatusNotFound, "未配置"+accounts.PlatformName(platform)+"登录")
		return
	}
	next := safeNext(q.r.URL.Query().Get("next"))
	if c := s.cookie(q.r, SessionCookie); c != "" {
		if _, err := s.cfg.Sessions.Check(c, s.cfg.Users); err == nil {
			s.redirect(q, next)
			return
		}
	}
	secret, state := randomToken(), randomToken()
	p := pendingLogin{platform: platform, next: next, binding: sha256.Sum256([]byte(secret)), expires: s.cfg.Now().Add(stateTTL)}
	redirect := s.callbackURL(q.r, platform)
	var to string
	switch platform {
	case accounts.PlatformDingTalk:
		to = s.sso.dingtalk.AuthURL(redirect, state)
	case accounts.PlatformWeCom:
		to = s.sso.wecom.AuthURL(redirect, state)
	case accounts.PlatformFeishu:
		to = s.sso.feishu.AuthURL(redirect, state)
	case accounts.PlatformOIDC:
		prov, err := s.sso.oidcProvider(q.r.Context())
		if err != nil {
			s.fail(q, http.StatusBadGateway, err.Error())
			return
		}
		p.nonce, p.verifier = randomToken(), oauth2.GenerateVerifier()
		to = s.sso.oauth2Config(prov, redirect).AuthCodeURL(state, oidc.Nonce(p.nonce), oauth2.S256ChallengeOption(p.verifier))
	}
	if err := s.sso.put(state, p, s.cfg.Now()); err != nil {
		s.fail(q, http.StatusServiceUnavailable, err.Error())
		return
	}
	http.SetCookie(q.w, &http.Cookie{Name: s.cookieName(q.r, ssoCookie), Value: secret, Path: "/", MaxAge: int(stateTTL / time.Second),
		HttpOnly: true, Secure: s.secure(q.r), SameSite: http.SameSiteLaxMode})
	http.Redirect(q.w, q.r, to, http.StatusFound)
}

// ssoRefusal is a login refused: the person reads why, the security log keeps it.
type ssoRefusal struct {
	status int
	msg    string
	detail string // for the log: the identity tried
}

func (e *ssoRefusal) Error() string { return e.msg }

// ssoCallback: GET /login/{platform}/callback?code=…&state=….
func (s *Server) ssoCallback(q *req) {
	platform := q.r.PathValue("platform")
	who, u, err := s.ssoIdentify(q, platform)
	if err != nil {
		var rf *ssoRefusal
		if !errors.As(err, &rf) {
			rf = &ssoRefusal{status: http.StatusBadGateway, msg: accounts.PlatformName(platform) + "登录失败：" + err.Error()}
		}
		detail := accounts.PlatformName(platform) + "登录被拒：" + rf.msg
		if rf.detail != "" {
			detail += "（" + rf.detail + "）"
		}
		s.cfg.Log.Warn("console refused sso login", zap.String("platform", platform), zap.String("reason", detail))
		s.secLog(q, who, seclog.SSORefused, detail)
		s.render(q, rf.status, "login", "登录", s.loginData("", ""), "", rf.msg)
		return
	}
	if err := s.startSession(q, u); err != nil {
		s.fail(q, http.StatusInternalServerError, "暂时无法登录："+err.Error())
		return
	}
	s.secLog(q, u.Username, seclog.SSOLogin, accounts.PlatformName(platform)+"登录")
	s.redirect(q, who)
}

// ssoIdentify checks the callback's state and the browser, exchanges the code for
// the person's identity and finds the account. It returns the next page (or, on a
// refusal, the username tried, for the log) and the account.
func (s *Server) ssoIdentify(q *req, platform string) (string, accounts.User, error) {
	expired := &ssoRefusal{status: http.StatusForbidden, msg: "登录请求无效或已使用过，请重新点击登录按钮"}
	query := q.r.URL.Query()
	if !s.sso.configured(platform) {
		return "", accounts.User{}, &ssoRefusal{status: http.StatusNotFound, msg: "未配置" + accounts.PlatformName(platform) + "登录"}
	}
	state := query.Get("state")
	p, ok := s.sso.take(state)
	secret := s.cookie(q.r, ssoCookie)
	http.SetCookie(q.w, &http.Cookie{Name: s.cookieName(q.r, ssoCookie), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(q.r), SameSite: http.SameSiteLaxMode})
	if state == "" || !ok || p.platform != platform || s.cfg.Now().After(p.expires) {
		expired.detail = "state 未知、已使用或已过期"
		return "", accounts.User{}, expired
	}
	if sum := sha256.Sum256([]byte(secret)); secret == "" || subtle.ConstantTimeCompare(sum[:], p.binding[:]) != 1 {
		expired.detail = "state 不属于此浏览器"
		return "", accounts.User{}, expired
	}
	if e := query.Get("error"); e != "" {
		return "", accounts.User{}, &ssoRefusal{status: http.StatusForbidden, msg: accounts.PlatformName(platform) + "未授权登录：" + e}
	}
	code := query.Get("authCode") // DingTalk's name
	if code == "" {
		code = query.Get("code")
	}
	if code == "" {
		return "", accounts.User{}, &ssoRefusal{status: http.StatusBadRequest, msg: "平台没有返回授权码，请重新登录"}
	}
	ctx := q.r.Context()
	var id string
	var err error
	switch platform {
	case accounts.PlatformDingTalk:
		var union string
		if union, err = s.sso.dingtalk.UnionIDByAuthCode(ctx, code); err == nil {
			id = union
		}
	case accounts.PlatformWeCom:
		id, err = s.sso.wecom.UserIDByCode(ctx, code)
	case accounts.PlatformFeishu:
		id, err = s.sso.feishu.OpenIDByCode(ctx, code)
	case accounts.PlatformOIDC:
		id, err = s.oidcUsername(ctx, q.r, code, p)
	}
	if err != nil {
		var rf *ssoRefusal
		if errors.As(err, &rf) {
			return "", accounts.User{}, err
		}
		return "", accounts.User{}, &ssoRefusal{status: http.StatusBadGateway, msg: accounts.PlatformName(platform) + "登录失败：" + err.Error()}
	}
	u, found, err := s.findLinked(platform, id)
	if err != nil {
		return "", accounts.User{}, err
	}
	switch {
	case !found || u.Removed || !s.ours(u):
		return "", accounts.User{}, &ssoRefusal{status: http.StatusForbidden, detail: id,
			msg: "该" + accounts.PlatformName(platform) + "账号未关联本系统的用户，请联系系统管理员在“用户管理”中关联"}
	case u.Disabled:
		return u.Username, accounts.User{}, &ssoRefusal{status: http.StatusForbidden, detail: id, msg: "账号 " + u.Username + " 已停用，不能登录"}
	case s.cfg.Now().Before(u.LockedUntil):
		return u.Username, accounts.User{}, &ssoRefusal{status: http.StatusForbidden, detail: id, msg: "账号 " + u.Username + " 已锁定，请稍后再试"}
	}
	return p.next, u, nil
}

// findLinked is the account of a platform identity; DingTalk's login names the
// person by unionId, kept with the link.
func (s *Server) findLinked(platform, id string) (accounts.User, bool, error) {
	if platform != accounts.PlatformDingTalk {
		return s.cfg.Users.ByLink(platform, id)
	}
	users, err := s.cfg.Users.List()
	if err != nil {
		return accounts.User{}, false, err
	}
	for _, u := range users {
		if !u.Removed && u.DingTalkUnion != "" && u.DingTalkUnion == id {
			return u, true, nil
		}
	}
	return accounts.User{}, false, nil
}

// oidcUsername exchanges the code (with the PKCE verifier), verifies the ID token
// (signature, issuer, audience, expiry, nonce) and reads the username claim.
func (s *Server) oidcUsername(ctx context.Context, r *http.Request, code string, p pendingLogin) (string, error) {
	ctx = oidc.ClientContext(ctx, s.sso.client)
	prov, err := s.sso.oidcProvider(ctx)
	if err != nil {
		return "", err
	}
	tok, err := s.sso.oauth2Config(prov, s.callbackURL(r, accounts.PlatformOIDC)).Exchange(ctx, code, oauth2.VerifierOption(p.verifier))
	if err != nil {
		return "", fmt.Errorf("换取令牌: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("令牌应答中没有 id_token")
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: s.sso.oidc.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", &ssoRefusal{status: http.StatusForbidden, msg: "统一身份认证的身份令牌无效", detail: err.Error()}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.nonce)) != 1 {
		return "", &ssoRefusal{status: http.StatusForbidden, msg: "统一身份认证的身份令牌无效", detail: "nonce 不符"}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", err
	}
	name, _ := claims[s.sso.oidc.UsernameClaim].(string)
	if name == "" {
		return "", &ssoRefusal{status: http.StatusForbidden, msg: fmt.Sprintf("统一身份认证的身份令牌中没有 %s（TASKRELAY_OIDC_USERNAME_CLAIM）", s.sso.oidc.UsernameClaim)}
	}
	return name, nil
}

// passwordAllowed: with TASKRELAY_PASSWORD_LOGIN=admin-only, only the three
// administrators log in with a password.
func (s *Server) passwordAllowed(username string) bool {
	if s.cfg.Apps.PasswordLogin != config.PasswordAdminOnly {
		return true
	}
	u, ok, err := s.cfg.Users.Get(username)
	return err == nil && ok && isAdministrator(u.Role)
}

// loginData is the login page's data: the form and the apps' buttons.
func (s *Server) loginData(username, next string) loginData {
	d := loginData{Username: username, Next: next, AdminOnly: s.cfg.Apps.PasswordLogin == config.PasswordAdminOnly}
	for _, l := range s.sso.links() {
		if next != "" {
			l.Path += "?next=" + url.QueryEscape(safeNext(next))
		}
		d.Apps = append(d.Apps, l)
	}
	return d
}

// syncTodos brings a task's DingTalk 待办 in step right after an action (a 责任人
// named gets one, the others' are done) instead of at the task's next notice. It
// runs in the background: the worker's sync on every notice catches up any miss.
func (s *Server) syncTodos(v relay.TaskView) {
	if s.todos == nil || v.ID == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.todos.Sync(ctx, v); err != nil {
			s.cfg.Log.Warn("dingtalk todo sync", zap.String("task", v.ID), zap.Error(err))
		}
	}()
}
