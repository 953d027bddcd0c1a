package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
)

// 三员分立: the system administrator keeps accounts (add, disable, enable, remove),
// the security administrator roles and locks, the audit administrator reads the
// security log. Each one's pages refuse the other two (see the route table).

// isAdministrator: the three administrators' roles.
func isAdministrator(role string) bool {
	return role == accounts.RoleAdmin || role == accounts.RoleSecurity || role == accounts.RoleAuditor
}

// privilegedRefusal answers any console act on a privileged role (accounts.IsPrivileged).
const privilegedRefusal = "系统管理员、安全管理员、审计管理员和省级督查账号的角色及停用、删除只能在服务器上用 starter user 命令办理（并记入安全日志），不能在控制台操作"

// target is the account a management form acts on; refused (false) when it does not
// exist, has been removed, or is the actor's own.
func (s *Server) target(q *req) (accounts.User, bool) {
	name := q.r.PathValue("name")
	u, ok, err := s.cfg.Users.Get(name)
	switch {
	case err != nil:
		s.fail(q, http.StatusInternalServerError, err.Error())
	case !ok || u.Removed || !s.ours(u): // another county's account is not this one's to manage
		s.fail(q, http.StatusNotFound, "没有用户 "+name)
	case u.Username == q.user.Username:
		s.fail(q, http.StatusForbidden, "不能对自己的账号做此操作")
	default:
		return u, true
	}
	return u, false
}

// accountOp: the system administrator disables, enables or removes an account.
// Disabling or removing ends its sessions at once.
func (s *Server) accountOp(q *req) {
	op := q.r.PathValue("op")
	if op != "disable" && op != "enable" && op != "remove" {
		s.fail(q, http.StatusNotFound, "没有操作 "+op)
		return
	}
	u, ok := s.target(q)
	if !ok {
		return
	}
	if accounts.IsPrivileged(u.Role) {
		s.fail(q, http.StatusForbidden, privilegedRefusal)
		return
	}
	var err error
	event, words := seclog.AccountDisabled, "停用"
	switch op {
	case "disable":
		err = s.cfg.Users.SetDisabled(u.Username, true)
	case "enable":
		event, words = seclog.AccountEnabled, "启用"
		err = s.cfg.Users.SetDisabled(u.Username, false)
	case "remove":
		event, words = seclog.AccountRemoved, "删除"
		err = s.cfg.Users.Remove(u.Username)
	}
	if err != nil {
		s.fail(q, http.StatusConflict, err.Error())
		return
	}
	ended := 0
	if op != "enable" {
		if ended, err = s.cfg.Sessions.EndAll(u.Username, ""); err != nil {
			s.fail(q, http.StatusInternalServerError, err.Error())
			return
		}
	}
	s.secLog(q, q.user.Username, event, fmt.Sprintf("%s账号 %s，结束其登录 %d 个", words, u.Username, ended))
	s.redirect(q, "/users?done="+url.QueryEscape(words+"账号 "+u.Username))
}

type securityData struct {
	Users   []securityRow
	Scopes  map[string]string // the accounts' units or leaders by name
	Roles   []string
	Units   any
	Leaders any
}

type securityRow struct {
	accounts.User
	Locked bool
}

func (s *Server) securityPage(q *req) {
	s.renderSecurity(q, http.StatusOK, q.r.URL.Query().Get("done"), "")
}

func (s *Server) renderSecurity(q *req, status int, flash, errMsg string) {
	users, err := s.ourUsers()
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	var rows []securityRow
	for _, u := range users {
		if !u.Removed {
			rows = append(rows, securityRow{u, s.cfg.Users.Locked(u)})
		}
	}
	s.render(q, status, "security", "角色与锁定", securityData{Users: rows, Scopes: s.scopeNames(users), Roles: accounts.BusinessRoles,
		Units: s.cfg.Directory.Units, Leaders: s.leaderChoices()}, flash, errMsg)
}

// securityOp: the security administrator changes an account's role or unlocks it.
func (s *Server) securityOp(q *req) {
	op := q.r.PathValue("op")
	if op != "role" && op != "unlock" {
		s.fail(q, http.StatusNotFound, "没有操作 "+op)
		return
	}
	u, ok := s.target(q)
	if !ok {
		return
	}
	if op == "unlock" {
		if err := s.cfg.Users.Unlock(u.Username); err != nil {
			s.fail(q, http.StatusConflict, err.Error())
			return
		}
		s.secLog(q, q.user.Username, seclog.Unlocked, "解除账号 "+u.Username+" 的锁定")
		s.redirect(q, "/security?done="+url.QueryEscape("已解除 "+u.Username+" 的锁定"))
		return
	}
	f := q.r.PostForm
	next := accounts.User{Username: u.Username, Role: f.Get("role")}
	// 三员分立: no administrator can take another's role away, nor give one, from here.
	if accounts.IsPrivileged(u.Role) || accounts.IsPrivileged(next.Role) {
		s.fail(q, http.StatusForbidden, privilegedRefusal)
		return
	}
	if !slices.Contains(accounts.BusinessRoles, next.Role) {
		s.renderSecurity(q, http.StatusUnprocessableEntity, "", "请选择有效的角色")
		return
	}
	if msg := s.resolveScope(&next, f.Get("unit"), f.Get("leader")); msg != "" {
		s.renderSecurity(q, http.StatusUnprocessableEntity, "", msg)
		return
	}
	if err := s.cfg.Users.SetRole(u.Username, next.Role, next.Unit, next.Leader); err != nil {
		s.renderSecurity(q, http.StatusUnprocessableEntity, "", err.Error())
		return
	}
	// A new role is a new set of rights: sessions under the old one end.
	ended, err := s.cfg.Sessions.EndAll(u.Username, "")
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	s.secLog(q, q.user.Username, seclog.RoleChanged, fmt.Sprintf("账号 %s 的角色由 %s%s 改为 %s%s，结束其登录 %d 个",
		u.Username, accounts.RoleName(u.Role), u.Unit+u.Leader, accounts.RoleName(next.Role), next.Unit+next.Leader, ended))
	s.redirect(q, "/security?done="+url.QueryEscape("已变更 "+u.Username+" 的角色"))
}

type securityLogData struct {
	Since   string
	Entries []seclog.Entry
	Total   int
	// Broken says where the chain breaks ("": it holds); Entries are then the lines
	// before the break, and nothing after it is shown.
	Broken string
	// Privileged are the demotions and disablings of privileged accounts, newest first,
	// whatever the date filter: the auditor sees each one.
	Privileged []seclog.Entry
}

// securityLogPage: the audit administrator reads the security log, newest first,
// from a date (county time) on; the chain is checked on every read.
func (s *Server) securityLogPage(q *req) {
	since := q.r.URL.Query().Get("since")
	var from time.Time
	if since != "" {
		d, err := time.ParseInLocation(relay.DateLayout, since, relay.TimeZone)
		if err != nil {
			s.fail(q, http.StatusBadRequest, "起始日期 "+since+" 无效，应为 YYYY-MM-DD")
			return
		}
		from = d
	}
	whole, err := seclog.Read(s.cfg.SecurityLog.Path(), time.Time{})
	d := securityLogData{Since: since}
	status := http.StatusOK
	if err != nil {
		var broken *seclog.ChainError
		if !errors.As(err, &broken) {
			s.render(q, http.StatusInternalServerError, "security-log", "安全日志", d, "", err.Error())
			return
		}
		d.Broken, status = broken.Error(), http.StatusConflict
	}
	var shown []seclog.Entry
	for _, e := range whole {
		if !e.At.Before(from) {
			shown = append(shown, e)
		}
		if e.Event == seclog.PrivilegeRevoked {
			d.Privileged = append(d.Privileged, e)
		}
	}
	slices.Reverse(shown)
	slices.Reverse(d.Privileged)
	d.Total, d.Entries = len(shown), shown
	if len(shown) > 500 {
		d.Entries = shown[:500]
	}
	s.render(q, status, "security-log", "安全日志", d, "", d.Broken)
}
