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

// Sessions signs and checks session cookies and CSRF tokens.
type Sessions struct {
	key []byte
	TTL time.Duration
	Now func() time.Time
}

// NewSessions uses key (see LoadKey) for logins lasting ttl.
func NewSessions(key []byte, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Sessions{key: key, TTL: ttl, Now: time.Now}
}

// Session is what a session cookie says.
type Session struct {
	Username    string `json:"u"`
	Expires     int64  `json:"e"` // unix seconds
	Fingerprint string `json:"f"` // of the password hash: a changed password ends old sessions
}

// Errors of Check.
var (
	ErrNoSession      = errors.New("未登录")
	ErrSessionExpired = errors.New("登录已过期，请重新登录")
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

// Issue returns a signed cookie value for u and when it expires.
func (s *Sessions) Issue(u User) (string, time.Time) {
	exp := s.Now().Add(s.TTL).Truncate(time.Second)
	payload, _ := json.Marshal(Session{Username: u.Username, Expires: exp.Unix(), Fingerprint: s.fingerprint(u)})
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac("session", p)), exp
}

// Check verifies a cookie value and returns the user it names, read from store.
func (s *Sessions) Check(value string, store *Store) (User, error) {
	if value == "" {
		return User{}, ErrNoSession
	}
	p, sig, ok := strings.Cut(value, ".")
	if !ok {
		return User{}, ErrSessionInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac("session", p)) {
		return User{}, ErrSessionInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return User{}, ErrSessionInvalid
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return User{}, ErrSessionInvalid
	}
	if s.Now().Unix() >= sess.Expires {
		return User{}, ErrSessionExpired
	}
	u, ok, err := store.Get(sess.Username)
	if err != nil {
		return User{}, err
	}
	if !ok || !hmac.Equal([]byte(s.fingerprint(u)), []byte(sess.Fingerprint)) {
		return User{}, ErrSessionInvalid
	}
	return u, nil
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

// CheckCSRF reports whether token belongs to the cookie's secret.
func (s *Sessions) CheckCSRF(secret, token string) bool {
	if secret == "" || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && hmac.Equal(got, s.mac("csrf", secret))
}
