package console

import (
	"net/http"
	"slices"

	"taskrelay/internal/accounts"
)

// CountyCookie keeps the county a province account is reading.
const CountyCookie = "tr_county"

// County is one county a console serves, for the province role's menu.
type County struct{ Namespace, Name string }

// ours reports whether an account belongs to this console's county (always, when the
// console serves one county).
func (s *Server) ours(u accounts.User) bool {
	if s.cfg.Namespace == "" {
		return true
	}
	ns := u.Namespace
	if ns == "" {
		ns = s.cfg.DefaultNamespace
	}
	return ns == s.cfg.Namespace
}

// countyRefusal is why an account may not make this request in this county ("" when
// it may): an account of another county is refused everything; a province account
// reads (GET) and changes only its own password and sessions.
func (s *Server) countyRefusal(u accounts.User, r *http.Request) string {
	if u.Role == accounts.RoleProvince {
		if r.Method != http.MethodGet && r.URL.Path != "/password" && r.URL.Path != "/sessions/end" {
			return "省级督查只能查阅各县的看板和任务，不能办理"
		}
		return ""
	}
	if !s.ours(u) {
		return "您的账号属于其他县，不能访问本县的页面"
	}
	return ""
}

// unitHead is the head (单位负责人) of a unit of this county, if it has an account.
func (s *Server) unitHead(unit string) (bool, error) {
	users, err := s.ourUsers()
	return slices.ContainsFunc(users, func(u accounts.User) bool { return u.Role == accounts.RoleUnitHead && u.Unit == unit }), err
}

// ourUsers are the accounts of this console's county.
func (s *Server) ourUsers() ([]accounts.User, error) {
	users, err := s.cfg.Users.List()
	return slices.DeleteFunc(users, func(u accounts.User) bool { return !s.ours(u) }), err
}

// countyNav is the province account's menu of counties, the one read marked.
func (s *Server) countyNav() []navItem {
	var items []navItem
	for _, k := range s.cfg.Counties {
		name := k.Name
		if name == "" {
			name = k.Namespace
		}
		items = append(items, navItem{"/county?ns=" + k.Namespace, name, k.Namespace == s.cfg.Namespace})
	}
	return items
}

// switchCounty: a province account picks the county it reads.
func (s *Server) switchCounty(q *req) {
	ns := q.r.URL.Query().Get("ns")
	if !slices.ContainsFunc(s.cfg.Counties, func(k County) bool { return k.Namespace == ns }) {
		s.fail(q, http.StatusNotFound, "没有这个县："+ns)
		return
	}
	s.setCookie(q.w, q.r, CountyCookie, ns, s.cfg.Now().AddDate(0, 0, 1))
	s.redirect(q, "/board")
}

// Front serves several counties' consoles on one address, sharing accounts, sessions
// and the security log: a request goes to the console of the signed-in account's
// county, a province account's to the county it chose (the first until it chooses),
// and one without a session (login, static files) to the first. Each console checks
// the account again (countyRefusal).
type Front struct {
	servers []*Server
	byNS    map[string]*Server
}

// NewFront routes between the counties' consoles, the first being the default.
func NewFront(servers []*Server) *Front {
	f := &Front{servers: servers, byNS: map[string]*Server{}}
	for _, s := range servers {
		f.byNS[s.cfg.Namespace] = s
	}
	return f
}

func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := f.servers[0]
	// Only read the account here: the console's own check ends idle sessions and logs.
	if name, err := s.sessionUser(s.cookie(r, SessionCookie)); err == nil && name != "" {
		if u, ok, err := s.cfg.Users.Get(name); err == nil && ok {
			ns := u.Namespace
			if u.Role == accounts.RoleProvince {
				ns = s.cookie(r, CountyCookie)
			}
			if k, ok := f.byNS[ns]; ok {
				s = k
			}
		}
	}
	s.Handler().ServeHTTP(w, r)
}
