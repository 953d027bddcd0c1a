package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"taskrelay/internal/accounts"
)

// --- login, logout, password ---

type loginData struct {
	Username string
	Next     string
}

func (s *Server) loginPage(q *req) {
	if c, err := q.r.Cookie(SessionCookie); err == nil {
		if _, err := s.cfg.Sessions.Check(c.Value, s.cfg.Users); err == nil {
			s.redirect(q, safeNext(q.r.URL.Query().Get("next")))
			return
		}
	}
	flash := ""
	if q.r.URL.Query().Get("expired") == "1" {
		flash = "登录已过期，请重新登录。"
	}
	if q.r.URL.Query().Get("out") == "1" {
		flash = "已退出登录。"
	}
	s.render(q, http.StatusOK, "login", "登录", loginData{Next: q.r.URL.Query().Get("next")}, flash, "")
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
	u, err := s.cfg.Users.Authenticate(username, password)
	if err != nil {
		msg := err.Error()
		if !errors.Is(err, accounts.ErrBadLogin) {
			msg = "暂时无法登录：" + msg
		}
		// The name tried, never the password.
		s.cfg.Log.Warn("console refused login", zap.Int("status", http.StatusUnauthorized), zap.String("user", username),
			zap.String("method", q.r.Method), zap.String("path", q.r.URL.Path), zap.String("reason", msg))
		s.render(q, http.StatusUnauthorized, "login", "登录", loginData{Username: username, Next: next}, "", msg)
		return
	}
	value, exp := s.cfg.Sessions.Issue(u)
	http.SetCookie(q.w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", Expires: exp, HttpOnly: true,
		Secure: s.secure(q.r), SameSite: http.SameSiteLaxMode})
	if u.MustChange {
		s.redirect(q, "/password")
		return
	}
	s.redirect(q, safeNext(next))
}

func (s *Server) logout(q *req) {
	s.clearSession(q.w, q.r)
	s.redirect(q, "/login?out=1")
}

func (s *Server) home(q *req) {
	switch q.user.Role {
	case accounts.RoleUnit:
		s.redirect(q, "/my")
	case accounts.RoleLeader:
		s.redirect(q, "/leader")
	case accounts.RoleOffice:
		s.redirect(q, "/meetings")
	default:
		s.redirect(q, "/board")
	}
}

func (s *Server) passwordPage(q *req) {
	flash := ""
	if q.user.MustChange {
		flash = "这是首次登录：请先设置您自己的密码（初始密码只显示过一次）。"
	}
	if q.r.URL.Query().Get("done") == "1" {
		flash = "密码已修改。"
	}
	s.render(q, http.StatusOK, "password", "修改密码", nil, flash, "")
}

func (s *Server) changePassword(q *req) {
	cur := q.r.PostFormValue("current")
	pw := q.r.PostFormValue("new")
	if _, err := s.cfg.Users.Authenticate(q.user.Username, cur); err != nil {
		s.render(q, http.StatusUnprocessableEntity, "password", "修改密码", nil, "", "当前密码不正确")
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
	// The old session names the old password: issue a new one.
	u, _, err := s.cfg.Users.Get(q.user.Username)
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	value, exp := s.cfg.Sessions.Issue(u)
	http.SetCookie(q.w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", Expires: exp, HttpOnly: true,
		Secure: s.secure(q.r), SameSite: http.SameSiteLaxMode})
	s.redirect(q, "/password?done=1")
}

// --- users (administrator) ---

type usersData struct {
	Users   []accounts.User
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
	s.renderUsers(q, http.StatusOK, accounts.User{Role: accounts.RoleUnit}, flash, "")
}

func (s *Server) renderUsers(q *req, status int, form accounts.User, flash, errMsg string) {
	users, err := s.cfg.Users.List()
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	s.render(q, status, "users", "用户管理", usersData{Users: users, Roles: accounts.Roles,
		Units: s.cfg.Directory.Units, Leaders: s.cfg.Directory.Leaders, Form: form}, flash, errMsg)
}

func (s *Server) addUser(q *req) {
	f := q.r.PostForm
	u := accounts.User{Username: strings.TrimSpace(f.Get("username")), Name: strings.TrimSpace(f.Get("name")), Role: f.Get("role")}
	switch u.Role {
	case accounts.RoleUnit:
		if x, ok := s.cfg.Directory.ResolveUnit(f.Get("unit")); ok {
			u.Unit = x.ID
		} else if f.Get("unit") != "" {
			s.renderUsers(q, http.StatusUnprocessableEntity, u, "", "机构目录中没有这个单位")
			return
		}
	case accounts.RoleLeader:
		if l, ok := s.cfg.Directory.ResolveLeader(f.Get("leader")); ok {
			u.Leader = l.ID
		} else if f.Get("leader") != "" {
			s.renderUsers(q, http.StatusUnprocessableEntity, u, "", "机构目录中没有这位县领导")
			return
		}
	}
	if err := s.cfg.Users.Add(u, f.Get("password")); err != nil {
		s.renderUsers(q, http.StatusUnprocessableEntity, u, "", strings.ReplaceAll(err.Error(), "\n", "；"))
		return
	}
	s.redirect(q, "/users?added="+url.QueryEscape(u.Username))
}
