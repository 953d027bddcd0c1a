// Package console is taskrelay's web console: server-rendered pages (html/template,
// Simplified Chinese) for the government office, the inspection office, the units,
// the deputy county heads and the administrator. Every read and action goes through
// API (relayclient.Client), each action under the signed-in user's name; roles are
// enforced here, on the server, for every page and every action. Templates, styles
// and the few lines of script are embedded.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
	"gocloud.dev/blob"

	"taskrelay/internal/accounts"
	"taskrelay/internal/actor"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/seclog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names (over TLS prefixed "__Host-": the browser then keeps them to this host,
// Secure, for every path). RequestIDField is every form's own id.
const (
	SessionCookie  = "tr_session"
	CSRFCookie     = "tr_csrf"
	CSRFField      = "csrf_token"
	RequestIDField = "request_id"
	hostPrefix     = "__Host-"
)

// Limits of request bodies: a task list upload, and every other form.
const (
	MaxFormBytes = 64 << 10
)

// Config is what a console needs.
type Config struct {
	// API is the engine as the pages use it (relayclient.Client; a fake in tests).
	API API
	// TrustedKeys are the keys the county's workflows trust (the trusted-keys file):
	// an operator's among them names who adopted a meeting from the command line.
	TrustedKeys []actor.PublicKey
	Users       *accounts.Store
	Sessions    *accounts.Sessions
	Directory   *directory.Directory
	// SecurityLog records logins, failures, locks, logouts, account and role changes
	// and every refusal.
	SecurityLog *seclog.Log
	// SecureCookies marks cookies Secure (set it behind HTTPS); requests arriving
	// over TLS or with X-Forwarded-Proto: https get Secure cookies anyway.
	SecureCookies bool
	// Reports is the monthly reports' archive, Deliveries the notices' deliveries on
	// their channels, both in the blob store every worker and console share.
	Reports    *report.Archive
	Deliveries *notify.Ledger
	// Notices are the notices' records in that store, from which a unit downloads its
	// 交办单 as the official document laid out with Documents (nil: the defaults).
	Notices   *notify.Records
	Documents *gongwen.Settings
	// PageSize is how many tasks a list page shows (default 50).
	PageSize int
	// Timeout bounds each request's calls to the engine (default 60 s: a report run
	// waits for the reports to be written).
	Timeout time.Duration
	Now     func() time.Time
	Log     *zap.Logger
	// Evidence is where attached files are kept; without a store, uploads are refused.
	Evidence relayclient.Evidence
	// PushbackDays is the worker's TASKRELAY_PUSHBACK_DAYS: the task page offers a unit
	// the push back form that long after it received the task (0: the default).
	PushbackDays int
	// Namespace is this console's county when one process serves several (see Front;
	// empty: the only one); accounts of other counties are refused. DefaultNamespace is
	// the county of accounts without one (the first); Counties, every county served,
	// make the province account's menu.
	Namespace        string
	DefaultNamespace string
	Counties         []County
	// Apps are the office apps and the single sign-on people log in with (sso.go).
	Apps config.Apps
	// AppClient calls the office platforms (nil: a client with imapp.DefaultTimeout).
	AppClient *http.Client
	// TodoStore is the store the DingTalk 待办 records are shared in (with the
	// workers): an action that names a new 责任人 brings the 待办 in step at once.
	TodoStore *blob.Bucket
	// PublicURL is the console as people reach it (TASKRELAY_PUBLIC_URL): the
	// platforms send the browser back under it.
	PublicURL string
}

// Server serves the console.
type Server struct {
	cfg      Config
	sso      *sso
	todos    *notify.Todos
	pages    map[string]*template.Template
	mux      *http.ServeMux
	throttle *throttle
	once     *onceTable
	names    meetingNames
}

// New builds a console from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.API == nil || cfg.Users == nil || cfg.Sessions == nil || cfg.Directory == nil || cfg.SecurityLog == nil || cfg.Reports == nil || cfg.Deliveries == nil {
		return nil, errors.New("console: API, Users, Sessions, Directory, SecurityLog, Reports and Deliveries are required")
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 50
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), throttle: newThrottle(cfg.Now), once: &onceTable{m: map[string]*onceEntry{}}}
	s.sso = newSSO(cfg)
	if s.sso.dingtalk != nil && cfg.TodoStore != nil {
		s.todos = &notify.Todos{DingTalk: s.sso.dingtalk, People: notify.People{Users: cfg.Users}, Store: cfg.TodoStore, PublicURL: cfg.PublicURL}
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Handler is the console's HTTP handler. Every answer carries the security headers,
// the router's own redirects and the static files' included.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.securityHeaders(w, r)
		s.mux.ServeHTTP(w, r)
	})
}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	// Files named _*.html hold parts shared by pages, parsed with every page.
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return fmt.Errorf("模板 %s: %w", n, err)
		}
		s.pages[base] = t
	}
	return nil
}

// who may open what: a route is a role set; empty means any signed-in user.
type roles []string

var (
	anyone      roles
	officeRoles = roles{accounts.RoleOffice, accounts.RoleAdmin}
	boardRoles  = roles{accounts.RoleInspection, accounts.RoleOffice, accounts.RoleAdmin, accounts.RoleProvince}
	unitRoles   = roles{accounts.RoleUnit, accounts.RoleUnitHead}
	leaderRoles = roles{accounts.RoleLeader}
	// 三员分立: the system, security and audit administrators, each alone on their pages.
	adminRoles    = roles{accounts.RoleAdmin}
	securityRoles = roles{accounts.RoleSecurity}
	auditorRoles  = roles{accounts.RoleAuditor}
)

func (rs roles) allow(role string) bool {
	if len(rs) == 0 {
		return true
	}
	for _, r := range rs {
		if r == role {
			return true
		}
	}
	return false
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /static/", s.staticFile)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	s.mux.Handle("GET /login", s.public(s.loginPage))
	s.mux.Handle("POST /login", s.public(s.login))
	s.mux.Handle("POST /logout", s.public(s.logout))
	s.mux.Handle("GET /login/{platform}", s.public(s.ssoStart))
	s.mux.Handle("GET /login/{platform}/callback", s.public(s.ssoCallback))
	// Anything else: a refusal in Chinese, not the router's English one.
	s.mux.Handle("/", s.public(func(q *req) { s.fail(q, http.StatusNotFound, "没有这个页面："+q.r.URL.Path) }))

	s.mux.Handle("GET /{$}", s.auth(anyone, s.home))
	s.mux.Handle("GET /password", s.auth(anyone, s.passwordPage))
	s.mux.Handle("POST /password", s.auth(anyone, s.changePassword))

	s.mux.Handle("GET /board", s.auth(boardRoles, s.board))
	s.mux.Handle("GET /county", s.auth(roles{accounts.RoleProvince}, s.switchCounty))
	s.mux.Handle("GET /my", s.auth(unitRoles, s.myTasks))
	s.mux.Handle("GET /notices", s.auth(unitRoles, s.notices))
	s.mux.Handle("GET /leader", s.auth(leaderRoles, s.leader))
	s.mux.Handle("GET /tasks/{id}", s.auth(anyone, s.taskPage))
	s.mux.Handle("POST /tasks/{id}/{action}", s.auth(anyone, s.taskAction))
	s.mux.Handle("GET /tasks/{id}/files/{sha}", s.auth(anyone, s.download))

	s.mux.Handle("GET /meetings", s.auth(boardRoles, s.meetings))
	s.mux.Handle("GET /meetings/{id}", s.auth(boardRoles, s.meetingPage))
	s.mux.Handle("POST /meetings/{id}/adopt", s.auth(officeRoles, s.adopt))
	s.mux.Handle("GET /upload", s.auth(officeRoles, s.uploadPage))
	s.mux.Handle("POST /upload", s.auth(officeRoles, s.upload))

	s.mux.Handle("GET /users", s.auth(adminRoles, s.usersPage))
	s.mux.Handle("POST /users", s.auth(adminRoles, s.addUser))
	s.mux.Handle("POST /users/{name}/{op}", s.auth(adminRoles, s.accountOp))
	s.mux.Handle("POST /users/{name}/links", s.auth(adminRoles, s.linkUser))
	s.mux.Handle("GET /security", s.auth(securityRoles, s.securityPage))
	s.mux.Handle("POST /security/{name}/{op}", s.auth(securityRoles, s.securityOp))
	s.mux.Handle("GET /security-log", s.auth(auditorRoles, s.securityLogPage))
	s.mux.Handle("GET /sessions", s.auth(anyone, s.sessionsPage))
	s.mux.Handle("POST /sessions/end", s.auth(anyone, s.endSession))
	s.reportRoutes()
	s.deliveryRoutes()
	s.mux.Handle("POST /meetings/{id}/instruct", s.auth(roles{accounts.RoleInspection, accounts.RoleAdmin}, s.instructMeeting))
}

// staticFile serves one embedded file (styles, script, images); a folder, or a
// name that is none of them, is "not found": no listing of what is there.
func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) {
	name := "static/" + strings.TrimPrefix(r.URL.Path, "/static/")
	f, err := staticFS.Open(name)
	var st fs.FileInfo
	if err == nil {
		defer f.Close()
		st, err = f.Stat()
	}
	rs, seekable := f.(io.ReadSeeker)
	if err != nil || st.IsDir() || !seekable {
		s.public(func(q *req) { s.fail(q, http.StatusNotFound, "没有这个文件："+r.URL.Path) }).ServeHTTP(w, r)
		return
	}
	s.securityHeaders(w, r)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, st.Name(), st.ModTime(), rs)
}

// req is one request as handlers see it.
type req struct {
	w     http.ResponseWriter
	r     *http.Request
	user  accounts.User
	csrf  string // the form token for this browser
	start time.Time
	ctx   context.Context
}

type handler func(q *req)

// securityHeaders: no framing, no sniffing, no third-party anything; over TLS, HSTS.
func (s *Server) securityHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if s.secure(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// prepare sets the CSRF cookie if the browser has none, limits the body, and on a
// POST refuses a missing or wrong CSRF token before anything else happens. A signed-in
// browser's token is bound to its session (a signature of the session id), so neither
// another session's token nor a CSRF cookie planted beside the session carries one;
// before signing in (and on the login form), the token is bound to the CSRF cookie.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, limit int64) (*req, bool) {
	s.securityHeaders(w, r)
	q := &req{w: w, r: r, start: time.Now()}
	secret := s.cookie(r, CSRFCookie)
	if secret == "" {
		secret = accounts.NewCSRFSecret()
		s.setCookie(w, r, CSRFCookie, secret, time.Time{})
	}
	sid := s.cfg.Sessions.ID(s.cookie(r, SessionCookie))
	if sid != "" {
		q.csrf = s.cfg.Sessions.SessionCSRFToken(sid)
	} else {
		q.csrf = s.cfg.Sessions.CSRFToken(secret)
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.fail(q, http.StatusRequestEntityTooLarge, fmt.Sprintf("提交的内容过大（上限 %d KiB）", limit>>10))
			} else {
				s.fail(q, http.StatusBadRequest, "无法读取提交的表单")
			}
			return q, false
		}
		token := r.PostFormValue(CSRFField)
		ok := sid != "" && s.cfg.Sessions.CheckSessionCSRF(sid, token)
		// Signed out, the cookie's token. So too on the login form, which may have been
		// opened before signing in (another tab): signing in replaces the session anyway.
		if !ok && (sid == "" || r.URL.Path == "/login") {
			ok = s.cfg.Sessions.CheckCSRF(secret, token)
		}
		if !ok {
			s.fail(q, http.StatusForbidden, "表单已失效（缺少或错误的安全令牌），请返回刷新页面后重试")
			return q, false
		}
	}
	return q, true
}

func (s *Server) secure(r *http.Request) bool {
	return s.cfg.SecureCookies || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func (s *Server) limitFor(r *http.Request) int64 {
	if r.URL.Path == "/upload" {
		return uploadLimit
	}
	if strings.HasPrefix(r.URL.Path, "/tasks/") && s.cfg.Evidence.Store != nil {
		// Up to the files an action may carry, each at the size limit, plus the form.
		return relay.MaxAttachments*s.cfg.Evidence.Store.MaxBytes + MaxFormBytes
	}
	return MaxFormBytes
}

// public serves a page that needs no login.
func (s *Server) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, ok := s.prepare(w, r, s.limitFor(r))
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
		defer cancel()
		q.ctx = ctx
		s.once.run(q, h)
	})
}

// auth serves a page to a signed-in user of one of rs. Without a valid session a GET
// goes to the login page (and comes back afterwards); anything else is refused.
func (s *Server) auth(rs roles, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, ok := s.prepare(w, r, s.limitFor(r))
		if !ok {
			return
		}
		value := s.cookie(r, SessionCookie)
		u, err := s.cfg.Sessions.Check(value, s.cfg.Users)
		if err != nil {
			if value != "" {
				s.clearSession(w, r)
			}
			if errors.Is(err, accounts.ErrSessionIdle) {
				if sess, perr := s.sessionUser(value); perr == nil {
					s.secLog(q, sess, seclog.SessionTimeout, "会话空闲超过 "+s.cfg.Sessions.Idle.String()+"，已结束")
				}
			}
			if r.Method == http.MethodGet {
				v := url.Values{"next": {r.URL.RequestURI()}}
				switch {
				case errors.Is(err, accounts.ErrSessionExpired):
					v.Set("expired", "1")
				case errors.Is(err, accounts.ErrSessionIdle):
					v.Set("expired", "idle")
				}
				// A rejected cookie is a refusal (Warn); no cookie is a first visit (Info).
				log := s.cfg.Log.Info
				if value != "" {
					log = s.cfg.Log.Warn
				}
				log("console sent to login", zap.String("method", r.Method), zap.String("path", r.URL.Path),
					zap.String("reason", err.Error()))
				http.Redirect(w, r, "/login?"+v.Encode(), http.StatusSeeOther)
				return
			}
			s.fail(q, http.StatusUnauthorized, err.Error())
			return
		}
		q.user = u
		if (u.MustChange || s.cfg.Users.Expired(u)) && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/password", http.StatusSeeOther)
				return
			}
			s.fail(q, http.StatusForbidden, "请先修改密码（初始密码或已到期的密码）")
			return
		}
		if why := s.countyRefusal(u, r); why != "" {
			s.fail(q, http.StatusForbidden, why)
			return
		}
		if !rs.allow(u.Role) {
			s.fail(q, http.StatusForbidden, fmt.Sprintf("您的角色（%s）无权访问此页面", accounts.RoleName(u.Role)))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
		defer cancel()
		q.ctx = ctx
		s.once.run(q, h)
	})
}

// page is what every template gets.
type page struct {
	Title   string
	User    *accounts.User
	CSRF    string
	Nav     []navItem
	Flash   string
	Error   string
	Elapsed string
	Data    any
}

type navItem struct {
	Href, Label string
	Current     bool
}

func (s *Server) nav(q *req) []navItem {
	if q.user.Username == "" {
		return nil
	}
	var items []navItem
	add := func(href, label string) {
		cur := q.r.URL.Path == href || (href != "/" && strings.HasPrefix(q.r.URL.Path, href+"/"))
		items = append(items, navItem{href, label, cur})
	}
	switch q.user.Role {
	case accounts.RoleOffice:
		add("/meetings", "任务清单")
		add("/upload", "上传清单")
		add("/board", "督查看板")
	case accounts.RoleInspection:
		add("/board", "督查看板")
		add("/meetings", "任务清单")
	case accounts.RoleUnit, accounts.RoleUnitHead:
		add("/my", "我的任务")
		add("/notices", "收到的通知")
	case accounts.RoleLeader:
		add("/leader", "分管任务")
	case accounts.RoleAdmin:
		add("/board", "督查看板")
		add("/meetings", "任务清单")
		add("/upload", "上传清单")
		add("/users", "用户管理")
	case accounts.RoleSecurity:
		add("/security", "角色与锁定")
	case accounts.RoleAuditor:
		add("/security-log", "安全日志")
	case accounts.RoleProvince:
		add("/board", "督查看板")
		add("/meetings", "任务清单")
		items = append(items, s.countyNav()...)
	}
	for _, l := range extraNav {
		if l.roles.allow(q.user.Role) {
			add(l.href, l.label)
		}
	}
	return items
}

// navLink is a menu entry of an optional page, shown to the roles given.
type navLink struct {
	href, label string
	roles       roles
}

// extraNav lets optional pages (the reports, the deliveries) join the menu.
var extraNav []navLink

// render writes a page with status.
func (s *Server) render(q *req, status int, name, title string, data any, flash, errMsg string) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(q.w, "no template "+name, http.StatusInternalServerError)
		return
	}
	p := page{Title: title, CSRF: q.csrf, Nav: s.nav(q), Flash: flash, Error: errMsg, Data: data,
		Elapsed: fmt.Sprintf("%.0f", float64(time.Since(q.start).Microseconds())/1000)}
	if q.user.Username != "" {
		u := q.user
		p.User = &u
	}
	var b strings.Builder
	if err := t.Execute(&b, p); err != nil {
		s.cfg.Log.Error("render", zap.String("page", name), zap.Error(err))
		http.Error(q.w, "页面生成失败", http.StatusInternalServerError)
		return
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.WriteHeader(status)
	_, _ = q.w.Write([]byte(b.String()))
	s.cfg.Log.Debug("page", zap.String("path", q.r.URL.Path), zap.String("user", q.user.Username),
		zap.Int("status", status), zap.Duration("took", time.Since(q.start)))
}

// fail shows a refusal as a page of its own, and records it (a refusal, 4xx, in the
// security log too).
func (s *Server) fail(q *req, status int, msg string) {
	s.logRefusal(q, status, msg)
	if status < 500 {
		u := q.user
		if u.Username == "" {
			u, _ = s.cfg.Sessions.Check(s.cookie(q.r, SessionCookie), s.cfg.Users)
		}
		s.secLog(q, u.Username, seclog.Refused, fmt.Sprintf("%d %s %s：%s", status, q.r.Method, q.r.URL.Path, msg))
	}
	s.render(q, status, "error", http.StatusText(status), nil, "", msg)
}

// logRefusal records who was refused what and why: a refusal (4xx) at Warn, a failure
// (5xx) at Error. Only names and ids go in: never a password, a cookie, a form token
// or the session key. Before the session is read (a CSRF refusal) the user is taken
// from a valid session cookie, if any.
func (s *Server) logRefusal(q *req, status int, reason string) {
	u := q.user
	if u.Username == "" {
		if c := s.cookie(q.r, SessionCookie); c != "" {
			u, _ = s.cfg.Sessions.Check(c, s.cfg.Users)
		}
	}
	fields := []zap.Field{zap.Int("status", status), zap.String("user", u.Username), zap.String("role", u.Role),
		zap.String("method", q.r.Method), zap.String("path", q.r.URL.Path), zap.String("reason", reason)}
	if u.Unit != "" {
		fields = append(fields, zap.String("unit", u.Unit))
	}
	if u.Leader != "" {
		fields = append(fields, zap.String("leader", u.Leader))
	}
	if id := q.r.PathValue("id"); id != "" {
		key := "task"
		switch {
		case strings.HasPrefix(q.r.URL.Path, "/meetings/"):
			key = "meeting"
		case strings.HasPrefix(q.r.URL.Path, "/notices/"):
			key = "notice"
		}
		fields = append(fields, zap.String(key, id))
	}
	if status >= 500 {
		s.cfg.Log.Error("console request failed", fields...)
		return
	}
	s.cfg.Log.Warn("console refused", fields...)
}

func (s *Server) redirect(q *req, to string) {
	http.Redirect(q.w, q.r, to, http.StatusSeeOther)
}

// TaskURL is a task page's path; the id's ':' is kept (an absolute path is unambiguous).
func TaskURL(id string) string { return "/tasks/" + url.PathEscape(id) }

// MeetingURL is a meeting page's path.
func MeetingURL(id string) string { return "/meetings/" + url.PathEscape(id) }
