package console

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/accounts"
	"taskrelay/internal/seclog"
)

// --- cookies ---

// cookieName is name, prefixed "__Host-" over TLS.
func (s *Server) cookieName(r *http.Request, name string) string {
	if s.secure(r) {
		return hostPrefix + name
	}
	return name
}

// cookie is the value of one of the console's cookies ("" when absent).
func (s *Server) cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(s.cookieName(r, name)); err == nil {
		return c.Value
	}
	return ""
}

// setCookie sets one of the console's cookies: HttpOnly, SameSite=Lax, Path=/, no
// Domain, Secure over TLS (so "__Host-" holds). A zero exp is a browser-session cookie.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, name), Value: value, Path: "/", Expires: exp, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, SessionCookie), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// sessionUser is the username a signed cookie names, valid or not any more.
func (s *Server) sessionUser(value string) (string, error) {
	return s.cfg.Sessions.Username(value)
}

// --- the security log ---

// clientIP is the address a request came from (the proxy's, behind one).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secLog appends to the security log; a failure to write is logged loudly but does
// not turn a page into an error.
func (s *Server) secLog(q *req, user, event, detail string) {
	if err := s.cfg.SecurityLog.Append(seclog.Entry{At: s.cfg.Now(), User: user, IP: clientIP(q.r), Event: event, Detail: detail}); err != nil {
		s.cfg.Log.Error("security log", zap.String("event", event), zap.Error(err))
	}
}

// --- slowing repeated login failures ---

// throttle counts failed logins per address and account: from the third failure in a
// row of one account from one address, each further attempt at that account from that
// address waits 1 s, 2 s, 4 s … (at most a minute) after the last one; colleagues
// behind the same gateway sign in unhindered (each account keeps its own lock too).
// An address that fails across many accounts (password spraying) is slowed alike
// from its addressSlowAfter-th failure. A success clears the pair and the address;
// fifteen quiet minutes too.
type throttle struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]failures
}

type failures struct {
	n    int
	last time.Time
}

const (
	slowAfter        = 3
	addressSlowAfter = 20
	slowMax          = time.Minute
	slowForgets      = 15 * time.Minute
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, m: map[string]failures{}}
}

func pairKey(ip, username string) string { return ip + "\x00" + strings.ToLower(username) }

// wait is how long the address must still wait before trying the account again (0: go ahead).
func (t *throttle) wait(ip, username string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.waitFor(pairKey(ip, username), slowAfter), t.waitFor(ip, addressSlowAfter))
}

// waitFor: t.mu held.
func (t *throttle) waitFor(key string, after int) time.Duration {
	f, ok := t.m[key]
	now := t.now()
	if !ok || now.Sub(f.last) >= slowForgets {
		delete(t.m, key)
		return 0
	}
	if f.n < after {
		return 0
	}
	d := time.Duration(math.Min(float64(time.Second)*math.Pow(2, float64(f.n-after)), float64(slowMax)))
	if left := f.last.Add(d).Sub(now); left > 0 {
		return left
	}
	return 0
}

func (t *throttle) failed(ip, username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) > 100000 {
		clear(t.m)
	}
	for _, k := range []string{pairKey(ip, username), ip} {
		f := t.m[k]
		f.n++
		f.last = t.now()
		t.m[k] = f
	}
}

func (t *throttle) succeeded(ip, username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, pairKey(ip, username))
	delete(t.m, ip)
}

// --- one action per form ---

// onceTable remembers, per user and form request id, where a POST that succeeded
// sent the browser: the same form posted again (a double click, a resent request) is
// sent there too without acting again. A repeat arriving while the first is still at
// work waits for it.
type onceTable struct {
	mu sync.Mutex
	m  map[string]*onceEntry
}

type onceEntry struct {
	done chan struct{}
	loc  string // where the first sent the browser ("": it did not succeed)
	at   time.Time
}

const onceKeep = time.Hour

// redirectRecorder notes the redirect a handler answers with.
type redirectRecorder struct {
	http.ResponseWriter
	status int
}

func (w *redirectRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (o *onceTable) run(q *req, h handler) {
	id := q.r.PostFormValue(RequestIDField)
	if q.r.Method != http.MethodPost || id == "" {
		h(q)
		return
	}
	key := q.user.Username + "\x00" + q.r.URL.Path + "\x00" + id
	o.mu.Lock()
	e, seen := o.m[key]
	if !seen {
		e = &onceEntry{done: make(chan struct{}), at: time.Now()}
		if len(o.m) > 10000 {
			for k, x := range o.m {
				if time.Since(x.at) > onceKeep {
					delete(o.m, k)
				}
			}
		}
		o.m[key] = e
	}
	o.mu.Unlock()
	if seen {
		select {
		case <-e.done:
		case <-q.ctx.Done():
		}
		if e.loc != "" {
			http.Redirect(q.w, q.r, e.loc, http.StatusSeeOther)
			return
		}
		// The first did not succeed: this one tries for itself.
		h(q)
		return
	}
	rec := &redirectRecorder{ResponseWriter: q.w}
	q.w = rec
	defer func() {
		if rec.status == http.StatusSeeOther {
			e.loc = rec.Header().Get("Location")
		} else {
			o.mu.Lock()
			delete(o.m, key)
			o.mu.Unlock()
		}
		close(e.done)
	}()
	h(q)
}

// requestID is the form's own id, scoped to its user, as an engine update id.
func requestID(q *req) string {
	if id := q.r.PostFormValue(RequestIDField); id != "" {
		return "console:" + q.user.Username + ":" + id
	}
	return ""
}

// --- the user's own sessions ---

type sessionRow struct {
	accounts.SessionRecord
	Current bool
}

func (s *Server) sessionsPage(q *req) {
	list, err := s.cfg.Sessions.Of(q.user.Username)
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	cur := s.cfg.Sessions.ID(s.cookie(q.r, SessionCookie))
	rows := make([]sessionRow, 0, len(list))
	for _, r := range list {
		rows = append(rows, sessionRow{r, r.ID == cur})
	}
	flash := ""
	if n := q.r.URL.Query().Get("ended"); n != "" {
		flash = "已结束 " + n + " 个其他登录。"
	}
	s.render(q, http.StatusOK, "sessions", "我的登录", rows, flash, "")
}

// endSession ends one of the user's other sessions, or all of them ("all").
func (s *Server) endSession(q *req) {
	cur := s.cfg.Sessions.ID(s.cookie(q.r, SessionCookie))
	id := q.r.PostFormValue("id")
	n := 0
	if id == "all" {
		var err error
		if n, err = s.cfg.Sessions.EndAll(q.user.Username, cur); err != nil {
			s.fail(q, http.StatusInternalServerError, err.Error())
			return
		}
	} else {
		list, err := s.cfg.Sessions.Of(q.user.Username)
		if err != nil {
			s.fail(q, http.StatusInternalServerError, err.Error())
			return
		}
		found := false
		for _, r := range list {
			found = found || (r.ID == id && id != cur)
		}
		if !found {
			s.fail(q, http.StatusNotFound, "没有这个登录（它可能已结束，或不是您的其他登录）")
			return
		}
		if err := s.cfg.Sessions.End(id); err != nil {
			s.fail(q, http.StatusInternalServerError, err.Error())
			return
		}
		n = 1
	}
	s.secLog(q, q.user.Username, seclog.SessionEnded, fmt.Sprintf("本人结束其他登录 %d 个", n))
	s.redirect(q, fmt.Sprintf("/sessions?ended=%d", n))
}
