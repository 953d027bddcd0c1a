package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// KeyFile is the session key's file name inside the data folder.
const KeyFile = "console.key"

// DefaultSessionTTL is how long a login lasts: one working day.
const DefaultSessionTTL = 12 * time.Hour

// LoadKey returns the key that signs sessions and CSRF tokens: the environment value
// (hex or base64, at least 32 bytes) when given, so several stateless console
// processes share it; otherwise the key file in the data folder, created on first use.
func LoadKey(envValue, dataDir string) ([]byte, error) {
	if v := strings.TrimSpace(envValue); v != "" {
		if k, err := hex.DecodeString(v); err == nil && len(k) >= 32 {
			return k, nil
		}
		if k, err := base64.StdEncoding.DecodeString(v); err == nil && len(k) >= 32 {
			return k, nil
		}
		return nil, errors.New("TASKRELAY_SESSION_KEY 应为至少 32 字节的十六进制或 base64 字符串")
	}
	path := filepath.Join(dataDir, KeyFile)
	if k, err := os.ReadFile(path); err == nil {
		if len(k) < 32 {
			return nil, fmt.Errorf("会话密钥文件 %s 过短", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("会话密钥文件 %s: %w", path, err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting together agree on the first key written.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadKey("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("会话密钥文件 %s: %w", path, err)
	}
	if _, err := f.Write(k); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}

// Sessions signs and checks session cookies and CSRF tokens, and keeps a record of
// every session on the server: a cookie is only good while its record exists, so a
// session can be ended (logout, idle, by its user, a password change, a disabled
// account) even though its cookie is still signed.
type Sessions struct {
	key []byte
	TTL time.Duration
	// Idle ends a session not used for this long (DefaultPolicy().Idle unless set).
	Idle time.Duration
	Now  func() time.Time
	rec  *records
}

// NewSessions uses key (see LoadKey) for logins lasting ttl at most. The records are
// kept in memory until KeepIn names a file.
func NewSessions(key []byte, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Sessions{key: key, TTL: ttl, Idle: DefaultPolicy().Idle, Now: time.Now, rec: &records{}}
}

// KeepIn keeps the session records in a file (the data folder's SessionsFile), which
// every console process on that folder shares.
func (s *Sessions) KeepIn(path string) error {
	r := &records{path: path}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.reload(); err != nil {
		return err
	}
	s.rec = r
	return nil
}

// Session is what a session cookie says.
type Session struct {
	ID          string `json:"i"` // its record
	Username    string `json:"u"`
	Expires     int64  `json:"e"` // unix seconds
	Fingerprint string `json:"f"` // of the password hash: a changed password ends old sessions
}

// Errors of Check.
var (
	ErrNoSession      = errors.New("未登录")
	ErrSessionExpired = errors.New("登录已过期，请重新登录")
	ErrSessionIdle    = errors.New("长时间未操作，登录已结束，请重新登录")
	ErrSessionEnded   = errors.New("此登录已结束，请重新登录")
	ErrSessionInvalid = errors.New("登录信息无效，请重新登录")
)

func (s *Sessions) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func (s *Sessions) fingerprint(u User) string {
	return hex.EncodeToString(s.mac("fp", u.Username, u.Hash)[:8])
}

// MaxSessions is how many live sessions one account may have at once (等保 2.0: a
// bound on concurrent sessions); a further login ends the least recently used.
const MaxSessions = 5

// Issue starts a session for u, signed in from ip with the browser agent, and returns
// the cookie value and when it expires at the latest.
func (s *Sessions) Issue(u User, ip, agent string) (string, time.Time, error) {
	v, exp, _, err := s.Start(u, ip, agent)
	return v, exp, err
}

// Start is Issue that also returns the sessions it ended to keep the account within
// MaxSessions (the least recently used first).
func (s *Sessions) Start(u User, ip, agent string) (string, time.Time, []SessionRecord, error) {
	now := s.Now()
	var ended []SessionRecord
	exp := now.Add(s.TTL).Truncate(time.Second)
	id := NewCSRFSecret()
	if r := []rune(agent); len(r) > 200 {
		agent = string(r[:200])
	}
	rec := SessionRecord{ID: id, Username: u.Username, Created: now.UTC(), LastSeen: now.UTC(), Expires: exp.UTC(), IP: ip, Agent: agent}
	if err := s.rec.change(func(m map[string]SessionRecord) bool {
		for k, r := range m { // the file keeps live sessions only
			if !now.Before(r.Expires) || now.Sub(r.LastSeen) >= s.Idle {
				delete(m, k)
			}
		}
		var mine []SessionRecord
		for _, r := range m {
			if r.Username == u.Username {
				mine = append(mine, r)
			}
		}
		sort.Slice(mine, func(i, j int) bool { return mine[i].LastSeen.Before(mine[j].LastSeen) })
		ended = nil
		for len(mine) >= MaxSessions {
			delete(m, mine[0].ID)
			ended = append(ended, mine[0])
			mine = mine[1:]
		}
		m[id] = rec
		return true
	}); err != nil {
		return "", time.Time{}, nil, err
	}
	payload, _ := json.Marshal(Session{ID: id, Username: u.Username, Expires: exp.Unix(), Fingerprint: s.fingerprint(u)})
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac("session", p)), exp, ended, nil
}

// parse verifies a cookie's signature and returns what it says.
func (s *Sessions) parse(value string) (Session, error) {
	var sess Session
	if value == "" {
		return sess, ErrNoSession
	}
	p, sig, ok := strings.Cut(value, ".")
	if !ok {
		return sess, ErrSessionInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac("session", p)) {
		return sess, ErrSessionInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return sess, ErrSessionInvalid
	}
	if err := json.Unmarshal(raw, &sess); err != nil || sess.ID == "" {
		return sess, ErrSessionInvalid
	}
	return sess, nil
}

// Username is the user a validly signed cookie value names, whether or not its
// session is still live (to say whose session ended).
func (s *Sessions) Username(value string) (string, error) {
	sess, err := s.parse(value)
	return sess.Username, err
}

// ID is the session id in a cookie value ("" when it is not a valid cookie).
func (s *Sessions) ID(value string) string {
	sess, err := s.parse(value)
	if err != nil {
		return ""
	}
	return sess.ID
}

// touchEvery: the record's LastSeen is written at most this often (a page view
// would otherwise rewrite the file).
const touchEvery = 30 * time.Second

// Check verifies a cookie value and returns the user it names, read from store. A
// session idle for Idle is ended (ErrSessionIdle); a used one is kept alive.
func (s *Sessions) Check(value string, store *Store) (User, error) {
	sess, err := s.parse(value)
	if err != nil {
		return User{}, err
	}
	now := s.Now()
	if now.Unix() >= sess.Expires {
		return User{}, ErrSessionExpired
	}
	rec, ok, err := s.rec.get(sess.ID)
	if err != nil {
		return User{}, err
	}
	if !ok || rec.Username != sess.Username {
		return User{}, ErrSessionEnded
	}
	if now.Sub(rec.LastSeen) >= s.Idle {
		if err := s.End(sess.ID); err != nil {
			return User{}, err
		}
		return User{}, ErrSessionIdle
	}
	u, ok, err := store.Get(sess.Username)
	if err != nil {
		return User{}, err
	}
	if !ok || u.Disabled || u.Removed || !hmac.Equal([]byte(s.fingerprint(u)), []byte(sess.Fingerprint)) {
		return User{}, ErrSessionInvalid
	}
	if now.Sub(rec.LastSeen) >= touchEvery {
		err := s.rec.change(func(m map[string]SessionRecord) bool {
			r, ok := m[sess.ID]
			if ok {
				r.LastSeen = now.UTC()
				m[sess.ID] = r
			}
			return ok
		})
		if err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// End ends one session.
func (s *Sessions) End(id string) error {
	return s.rec.change(func(m map[string]SessionRecord) bool {
		_, ok := m[id]
		delete(m, id)
		return ok
	})
}

// EndAll ends every session of a user but keep (which may be ""), and says how many.
func (s *Sessions) EndAll(username, keep string) (int, error) {
	n := 0
	err := s.rec.change(func(m map[string]SessionRecord) bool {
		for id, r := range m {
			if r.Username == username && id != keep {
				delete(m, id)
				n++
			}
		}
		return n > 0
	})
	return n, err
}

// Of lists a user's live sessions, the most recently used first.
func (s *Sessions) Of(username string) ([]SessionRecord, error) {
	now := s.Now()
	var out []SessionRecord
	err := s.rec.read(func(m map[string]SessionRecord) {
		for _, r := range m {
			if r.Username == username && now.Before(r.Expires) && now.Sub(r.LastSeen) < s.Idle {
				out = append(out, r)
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].LastSeen.After(out[j].LastSeen) })
	return out, err
}

// Sign is a signature (with the session key, so every console process agrees) of a
// value the console hands out and must get back unaltered, such as a page position.
func (s *Sessions) Sign(purpose, value string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("sign", purpose, value)[:16])
}

// Verify reports whether sig is Sign(purpose, value).
func (s *Sessions) Verify(purpose, value, sig string) bool {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, s.mac("sign", purpose, value)[:16])
}

// NewCSRFSecret is the random value kept in the browser's CSRF cookie.
func NewCSRFSecret() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CSRFToken is the form token for a CSRF cookie value: a signature of it, so a page
// on another site can neither read nor forge it (signed double submit).
func (s *Sessions) CSRFToken(secret string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", secret))
}

// SessionCSRFToken is the form token of a signed-in browser: a signature of its session
// id, so a token (or a CSRF cookie planted beside it) from another session is refused.
func (s *Sessions) SessionCSRFToken(sessionID string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf-session", sessionID))
}

// CheckSessionCSRF reports whether token belongs to the session.
func (s *Sessions) CheckSessionCSRF(sessionID, token string) bool {
	if sessionID == "" || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && hmac.Equal(got, s.mac("csrf-session", sessionID))
}

// CheckCSRF reports whether token belongs to the cookie's secret.
func (s *Sessions) CheckCSRF(secret, token string) bool {
	if secret == "" || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && hmac.Equal(got, s.mac("csrf", secret))
}
