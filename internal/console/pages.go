package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/accounts"
	"taskrelay/internal/directory"
	"taskrelay/internal/seclog"
)

// --- login, logout, password ---

type loginData struct {
	Username string
	Next     string
	// Apps are the office apps' and single sign-on's login links (sso.go);
	// AdminOnly: password login is for the three administrators only.
	Apps      []ssoLink
	AdminOnly bool
}

func (s *Server) loginPage(q *req) {
	if c := s.cookie(q.r, SessionCookie); c != "" {
		if _, err := s.cfg.Sessions.Check(c, s.cfg.Users); err == nil {
			s.redirect(q, safeNext(q.r.URL.Query().Get("next")))
			return
		}
	}
	flash := ""
	switch q.r.URL.Query().Get("expired") {
	case "1":
		flash = "登录已过期，请重新登录。"
	case "idle":
		flash = fmt.Sprintf("%d 分钟无操作，登录已结束，请重新登录。", int(s.cfg.Sessions.Idle/time.Minute))
	}
	if q.r.URL.Query().Get("out") == "1" {
		flash = "已退出登录。"
	}
	s.render(q, http.StatusOK, "login", "登录", s.loginData("", q.r.URL.Query().Get("next")), flash, "")
}

// safeNext keeps a post-login redirect on this site. Browsers drop tabs and newlines
// from a URL and read '\' as '/', so "/\t/evil" would leave: no control characters
// and no backslashes at all.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	return next
}

func (s *Server) login(q *req) {
	username := strings.TrimSpace(q.r.PostFormValue("username"))
	password := q.r.PostFormValue("password")
	next := q.r.PostFormValue("next")
	ip := clientIP(q.r)
	refuse := func(status int, event, msg string) {
		// The name tried, never the password.
		s.cfg.Log.Warn("console refused login", zap.Int("status", status), zap.String("user", username),
			zap.String("method", q.r.Method), zap.String("path", q.r.URL.Path), zap.String("reason", msg))
		s.secLog(q, username, event, msg)
		s.render(q, status, "login", "登录", s.loginData(username, next), "", msg)
	}
	if !s.passwordAllowed(username) {
		s.throttle.failed(ip, username)
		refuse(http.StatusForbidden, seclog.LoginFailed, "密码登录仅限系统管理员、安全管理员和审计管理员，请使用页面上的钉钉、企业微信、飞书或统一身份认证登录")
		return
	}
	if wait := s.throttle.wait(ip, username); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		q.w.Header().Set("Retry-After", strconv.Itoa(secs))
		refuse(http.StatusTooManyRequests, seclog.Throttled, fmt.Sprintf("登录失败次数过多，请 %d 秒后再试", secs))
		return
	}
	u, err := s.cfg.Users.Login(username, password)
	if err != nil {
		var locked *accounts.LockedError
		switch {
		case errors.As(err, &locked):
			s.throttle.failed(ip, username)
			if locked.Now {
				s.secLog(q, username, seclog.Locked, fmt.Sprintf("连续 %d 次登录失败，锁定至 %s", s.cfg.Users.Policy.LockAfter, locked.Until.UTC().Format(time.RFC3339)))
			}
			refuse(http.StatusUnauthorized, seclog.LoginFailed, err.Error())
		case errors.Is(err, accounts.ErrBadLogin):
			s.throttle.failed(ip, username)
			refuse(http.StatusUnauthorized, seclog.LoginFailed, err.Error())
		default:
			refuse(http.StatusServiceUnavailable, seclog.LoginFailed, "暂时无法登录："+err.Error())
		}
		return
	}
	s.throttle.succeeded(ip, username)
	if err := s.startSession(q, u); err != nil {
		s.fail(q, http.StatusInternalServerError, "暂时无法登录："+err.Error())
		return
	}
	s.secLog(q, u.Username, seclog.Login, "")
	if u.MustChange || s.cfg.Users.Expired(u) {
		s.redirect(q, "/password")
		return
	}
	s.redirect(q, safeNext(next))
}

// startSession signs u in on this browser. Beyond accounts.MaxSessions at once, the
// least recently used of the account's sessions ends (logged).
func (s *Server) startSession(q *req, u accounts.User) error {
	value, exp, ended, err := s.cfg.Sessions.Start(u, clientIP(q.r), q.r.UserAgent())
	if err != nil {
		return err
	}
	for _, e := range ended {
		s.secLog(q, u.Username, seclog.SessionEnded, fmt.Sprintf("同时登录超过 %d 个，结束最早使用的登录（%s 自 %s 登录）",
			accounts.MaxSessions, countyTime(e.Created), e.IP))
	}
	s.setCookie(q.w, q.r, SessionCookie, value, exp)
	return nil
}

func (s *Server) logout(q *req) {
	value := s.cookie(q.r, SessionCookie)
	if name, err := s.sessionUser(value); err == nil {
		if err := s.cfg.Sessions.End(s.cfg.Sessions.ID(value)); err != nil {
			s.cfg.Log.Error("logout", zap.Error(err))
		}
		s.secLog(q, name, seclog.Logout, "")
	}
	s.clearSession(q.w, q.r)
	s.redirect(q, "/login?out=1")
}

func (s *Server) home(q *req) {
	switch q.user.Role {
	case accounts.RoleUnit, accounts.RoleUnitHead:
		s.redirect(q, "/my")
	case accounts.RoleLeader:
		s.redirect(q, "/leader")
	case accounts.RoleOffice:
		s.redirect(q, "/meetings")
	case accounts.RoleSecurity:
		s.redirect(q, "/security")
	case accounts.RoleAuditor:
		s.redirect(q, "/security-log")
	default:
		s.redirect(q, "/board")
	}
}

func (s *Server) passwordPage(q *req) {
	flash := ""
	switch {
	case q.user.MustChange:
		flash = "这是首次登录：请先设置您自己的密码（初始密码只显示过一次）。"
	case s.cfg.Users.Expired(q.user):
		flash = fmt.Sprintf("您的密码已使用超过 %d 天，请修改密码后继续。", int(s.cfg.Users.Policy.MaxAge/(24*time.Hour)))
	}
	if q.r.URL.Query().Get("done") == "1" {
		flash = "密码已修改。"
	}
	s.render(q, http.StatusOK, "password", "修改密码", nil, flash, "")
}

func (s *Server) changePassword(q *req) {
	cur := q.r.PostFormValue("current")
	pw := q.r.PostFormValue("new")
	// The current password is checked as a login is: a wrong one counts against the
	// account's lock and is logged, so a live session is no way round the lock.
	if _, err := s.cfg.Users.Login(q.user.Username, cur); err != nil {
		s.refuseCurrentPassword(q, err)
		return
	}
	if pw != q.r.PostFormValue("confirm") {
		s.render(q, http.StatusUnprocessableEntity, "password", "修改密码", nil, "", "两次输入的新密码不一致")
		return
	}
	if pw == cur {
		s.render(q, http.StatusUnprocessableEntity, "password", "修改密码", nil, "", "新密码不能与当前密码相同")
		return
	}
	if err := s.cfg.Users.SetPassword(q.user.Username, pw); err != nil {
		s.render(q, http.StatusUnprocessableEntity, "password", "修改密码", nil, "", err.Error())
		return
	}
	// A changed password ends every session of the user; this browser gets a new one.
	n, err := s.cfg.Sessions.EndAll(q.user.Username, "")
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	s.secLog(q, q.user.Username, seclog.PasswordChanged, fmt.Sprintf("结束其全部登录 %d 个", n))
	u, _, err := s.cfg.Users.Get(q.user.Username)
	if err == nil {
		err = s.startSession(q, u)
	}
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	s.redirect(q, "/password?done=1")
}

// refuseCurrentPassword answers a wrong current password on the password form. At the
// lock the session ends (all of the account's do): whoever holds it may be guessing.
func (s *Server) refuseCurrentPassword(q *req, err error) {
	name := q.user.Username
	var locked *accounts.LockedError
	switch {
	case errors.As(err, &locked):
		s.secLog(q, name, seclog.LoginFailed, "修改密码："+err.Error())
		if locked.Now {
			s.secLog(q, name, seclog.Locked, fmt.Sprintf("连续 %d 次密码错误（修改密码），锁定至 %s", s.cfg.Users.Policy.LockAfter, locked.Until.UTC().Format(time.RFC3339)))
		}
		n, endErr := s.cfg.Sessions.EndAll(name, "")
		if endErr != nil {
			s.cfg.Log.Error("end sessions at lock", zap.String("user", name), zap.Error(endErr))
		}
		s.secLog(q, name, seclog.SessionEnded, fmt.Sprintf("账号已锁定，结束其登录 %d 个", n))
		s.clearSession(q.w, q.r)
		q.user = accounts.User{}
		s.render(q, http.StatusUnauthorized, "login", "登录", loginData{Username: name}, "", err.Error())
	case errors.Is(err, accounts.ErrBadLogin):
		s.secLog(q, name, seclog.LoginFailed, "修改密码时当前密码不正确")
		s.render(q, http.StatusUnprocessableEntity, "password", "修改密码", nil, "", "当前密码不正确")
	default:
		s.fail(q, http.StatusServiceUnavailable, "暂时无法修改密码："+err.Error())
	}
}

// --- users (administrator) ---

type usersData struct {
	Users []accounts.User
	// Scopes are the accounts' units or leaders by name (username -> name).
	Scopes  map[string]string
	Roles   []string
	Units   any
	Leaders any
	Form    accounts.User
}

func (s *Server) usersPage(q *req) {
	flash := ""
	if u := q.r.URL.Query().Get("added"); u != "" {
		flash = "已添加用户 " + u + "。"
	}
	if d := q.r.URL.Query().Get("done"); d != "" {
		flash = "已" + d + "。"
	}
	s.renderUsers(q, http.StatusOK, accounts.User{Role: accounts.RoleUnit}, flash, "")
}

func (s *Server) renderUsers(q *req, status int, form accounts.User, flash, errMsg string) {
	users, err := s.ourUsers()
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	s.render(q, status, "users", "用户管理", usersData{Users: users, Scopes: s.scopeNames(users), Roles: accounts.BusinessRoles,
		Units: s.cfg.Directory.Units, Leaders: s.leaderChoices(), Form: form}, flash, errMsg)
}

func (s *Server) addUser(q *req) {
	f := q.r.PostForm
	// The administrator knows the initial password: the person sets their own at the
	// first login (等保 2.0 身份鉴别).
	u := accounts.User{Username: strings.TrimSpace(f.Get("username")), Name: strings.TrimSpace(f.Get("name")), Role: f.Get("role"),
		Namespace: s.cfg.Namespace, MustChange: true} // the administrator's county, when the console serves several
	if !slices.Contains(accounts.BusinessRoles, u.Role) && accounts.RoleName(u.Role) != u.Role {
		// 三员分立: the administrators' roles are the security administrator's to give.
		s.fail(q, http.StatusForbidden, "系统管理员只能添加业务账号；管理员角色由安全管理员授予")
		return
	}
	u.Signoff = f.Get("signoff")
	if msg := signoffProblem(u); msg != "" {
		s.renderUsers(q, http.StatusUnprocessableEntity, u, "", msg)
		return
	}
	if msg := s.resolveScope(&u, f.Get("unit"), f.Get("leader")); msg != "" {
		s.renderUsers(q, http.StatusUnprocessableEntity, u, "", msg)
		return
	}
	if err := s.formLinks(q.r.Context(), &u.Links, f); err != nil {
		s.renderUsers(q, http.StatusUnprocessableEntity, u, "", strings.ReplaceAll(err.Error(), "\n", "；"))
		return
	}
	if err := s.cfg.Users.Add(u, f.Get("password")); err != nil {
		s.renderUsers(q, http.StatusUnprocessableEntity, u, "", strings.ReplaceAll(err.Error(), "\n", "；"))
		return
	}
	s.secLog(q, q.user.Username, seclog.AccountAdded, fmt.Sprintf("添加账号 %s（%s）", u.Username, accounts.RoleName(u.Role)))
	s.redirect(q, "/users?added="+url.QueryEscape(u.Username))
}

// signoffProblem refuses a sign-off duty the account's role cannot take, worded for
// the form (accounts.User.Check words it for starter user add's flags).
func signoffProblem(u accounts.User) string {
	if u.Signoff == "" || accounts.SignoffRole(u.Signoff) == u.Role {
		return ""
	}
	return fmt.Sprintf("签发职责无效：审核只能给%s账户，签发只能给%s账户（所选角色为%s）",
		accounts.RoleName(accounts.RoleInspection), accounts.RoleName(accounts.RoleOffice), accounts.RoleName(u.Role))
}

// scopeNames names each account's unit or leader from the directory (username ->
// name), for the account tables: a clerk reads 县财政局, not czj.
func (s *Server) scopeNames(users []accounts.User) map[string]string {
	out := make(map[string]string, len(users))
	for _, u := range users {
		switch {
		case u.Unit != "":
			out[u.Username] = s.unitName(u.Unit)
		case u.Leader != "":
			out[u.Username] = s.leaderName(u.Leader)
		}
	}
	return out
}

// leaderChoices are the leaders an account may be given on the users and roles forms:
// the deputies and the county head (县长, who writes instructions on any task). The
// forms offer exactly these and resolveScope accepts exactly these.
func (s *Server) leaderChoices() []directory.Leader {
	out := slices.Clone(s.cfg.Directory.Leaders)
	if h := s.cfg.Directory.Head; h != nil && h.ID != "" {
		head := *h
		if head.Title == "" {
			head.Title = "县长"
		}
		out = append(out, head)
	}
	return out
}

// resolveScope sets a unit's or a leader's account scope from the form, which sends
// ids from its lists: anything the form does not offer is refused (its message).
// Worded for the form's fields (accounts.User.Check words the same rules for
// starter user add's flags, which a console user never sees).
func (s *Server) resolveScope(u *accounts.User, unit, leader string) string {
	switch u.Role {
	case accounts.RoleUnit, accounts.RoleUnitHead:
		if x, ok := s.cfg.Directory.Unit(unit); ok {
			u.Unit = x.ID
		} else if unit != "" {
			return "机构目录中没有这个单位"
		} else {
			return "角色为" + accounts.RoleName(u.Role) + "时须选择“所属单位”"
		}
	case accounts.RoleLeader:
		if i := slices.IndexFunc(s.leaderChoices(), func(l directory.Leader) bool { return l.ID == leader }); i >= 0 {
			u.Leader = leader
		} else if leader != "" {
			return "机构目录中没有这位县领导"
		} else {
			return "角色为" + accounts.RoleName(u.Role) + "时须选择“县领导”"
		}
	}
	// The other field is left out: a unit's account has no leader and the reverse;
	// the offices' accounts have neither.
	return ""
}
