// Package accounts keeps the console's users and their sessions: a users file in the
// data folder (username, name, role, unit or leader id, bcrypt hash), HMAC-signed
// session cookies with an expiry, and the CSRF tokens every form carries.
package accounts

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles.
const (
	RoleOffice     = "office"     // 县政府办公室: uploads and adopts task lists
	RoleInspection = "inspection" // 县政府督查室: tracks, verifies, decides extensions, reports
	RoleUnit       = "unit"       // 责任单位: acts on its own tasks
	RoleLeader     = "leader"     // 分管副县长: the portfolio's tasks and extensions
	RoleAdmin      = "admin"      // 管理员: accounts, and everything the two offices can do
)

// Roles lists every role, in the order forms show them.
var Roles = []string{RoleOffice, RoleInspection, RoleUnit, RoleLeader, RoleAdmin}

// RoleName is a role's Chinese name.
func RoleName(role string) string {
	switch role {
	case RoleOffice:
		return "县政府办公室"
	case RoleInspection:
		return "县政府督查室"
	case RoleUnit:
		return "责任单位"
	case RoleLeader:
		return "分管县领导"
	case RoleAdmin:
		return "系统管理员"
	}
	return role
}

// UsersFile is the users file's name inside the data folder.
const UsersFile = "users.json"

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// bcryptCost: the library default (10) keeps a login near 50 ms on a small machine.
const bcryptCost = bcrypt.DefaultCost

// User is one account.
type User struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Unit     string `json:"unit,omitempty"`   // role unit: the directory's unit id
	Leader   string `json:"leader,omitempty"` // role leader: the directory's leader id
	Hash     string `json:"hash"`             // bcrypt
	// MustChange is set on the generated administrator: its password was printed once
	// and must be replaced at the first login.
	MustChange bool      `json:"must_change,omitempty"`
	Created    time.Time `json:"created"`
}

// DisplayName is the person's name, or the username when none was given.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Check reports what is wrong with an account's fields (not the password).
func (u User) Check() error {
	var errs []error
	if !usernameRE.MatchString(u.Username) {
		errs = append(errs, fmt.Errorf("用户名 %q 无效：只能用字母、数字、点、下划线和短横线，以字母或数字开头，最长 64 个字符", u.Username))
	}
	switch u.Role {
	case RoleUnit:
		if u.Unit == "" {
			errs = append(errs, errors.New("角色 unit 须用 --unit 指定所属单位"))
		}
		if u.Leader != "" {
			errs = append(errs, errors.New("角色 unit 不能指定 --leader"))
		}
	case RoleLeader:
		if u.Leader == "" {
			errs = append(errs, errors.New("角色 leader 须用 --leader 指定县领导"))
		}
		if u.Unit != "" {
			errs = append(errs, errors.New("角色 leader 不能指定 --unit"))
		}
	case RoleOffice, RoleInspection, RoleAdmin:
		if u.Unit != "" || u.Leader != "" {
			errs = append(errs, fmt.Errorf("角色 %s 不属于某个单位或县领导，不能指定 --unit 或 --leader", u.Role))
		}
	default:
		errs = append(errs, fmt.Errorf("角色 %q 无效，应为 office、inspection、unit、leader 或 admin", u.Role))
	}
	if len([]rune(u.Name)) > 64 {
		errs = append(errs, errors.New("姓名过长（最多 64 个字符）"))
	}
	return errors.Join(errs...)
}

// CheckPassword refuses passwords too short to be one.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return fmt.Errorf("密码至少 %d 个字符", MinPasswordLen)
	}
	if len(pw) > 72 { // bcrypt reads at most 72 bytes
		return errors.New("密码不能超过 72 字节")
	}
	return nil
}

// ErrBadLogin is the one answer to a wrong username or a wrong password.
var ErrBadLogin = errors.New("用户名或密码不正确")

// Store is the users file. It re-reads the file when it changes on disk, so that
// `starter user add` takes effect in a running console.
type Store struct {
	path string

	mu    sync.Mutex
	users map[string]User
	mod   time.Time
	size  int64
}

type fileShape struct {
	Users []User `json:"users"`
}

// Open reads the users file at path; a missing file is an empty store.
func Open(path string) (*Store, error) {
	s := &Store{path: path}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the users file.
func (s *Store) Path() string { return s.path }

// reload re-reads the file if it changed; s.mu held.
func (s *Store) reload() error {
	st, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.users, s.mod, s.size = map[string]User{}, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("用户文件 %s: %w", s.path, err)
	}
	if s.users != nil && st.ModTime().Equal(s.mod) && st.Size() == s.size {
		return nil
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("用户文件 %s: %w", s.path, err)
	}
	var f fileShape
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("用户文件 %s 格式错误: %w", s.path, err)
	}
	users := make(map[string]User, len(f.Users))
	for i, u := range f.Users {
		if err := u.Check(); err != nil {
			return fmt.Errorf("用户文件 %s 第 %d 个用户: %w", s.path, i+1, err)
		}
		// A repeated name would silently shadow an account (and the next save drop it).
		if _, dup := users[u.Username]; dup {
			return fmt.Errorf("用户文件 %s 第 %d 个用户: 用户名 %s 重复", s.path, i+1, u.Username)
		}
		users[u.Username] = u
	}
	s.users, s.mod, s.size = users, st.ModTime(), st.Size()
	return nil
}

// save writes every user atomically (a temporary file renamed over the old one); s.mu held.
func (s *Store) save(users map[string]User) error {
	f := fileShape{Users: make([]User, 0, len(users))}
	for _, u := range users {
		f.Users = append(f.Users, u)
	}
	sort.Slice(f.Users, func(i, j int) bool { return f.Users[i].Username < f.Users[j].Username })
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("用户文件目录: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".users-*.json")
	if err != nil {
		return fmt.Errorf("写用户文件: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("写用户文件: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("写用户文件: %w", err)
	}
	s.users = users
	s.mod, s.size = time.Time{}, 0 // read back on next access (mtime granularity)
	return nil
}

// Get returns a user by username.
func (s *Store) Get(username string) (User, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return User{}, false, err
	}
	u, ok := s.users[username]
	return u, ok, nil
}

// List returns every user, by username.
func (s *Store) List() ([]User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return nil, err
	}
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, nil
}

// Add creates an account. An existing username is refused.
func (s *Store) Add(u User, password string) error {
	if err := u.Check(); err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("密码加密: %w", err)
	}
	u.Hash = string(hash)
	if u.Created.IsZero() {
		u.Created = time.Now().UTC().Truncate(time.Second)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return err
	}
	if _, ok := s.users[u.Username]; ok {
		return fmt.Errorf("用户 %s 已存在", u.Username)
	}
	next := make(map[string]User, len(s.users)+1)
	for k, v := range s.users {
		next[k] = v
	}
	next[u.Username] = u
	return s.save(next)
}

// SetPassword replaces a user's password and clears MustChange. Sessions signed for
// the old password stop working (they carry a fingerprint of the hash).
func (s *Store) SetPassword(username, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("密码加密: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return err
	}
	u, ok := s.users[username]
	if !ok {
		return fmt.Errorf("用户 %s 不存在", username)
	}
	u.Hash, u.MustChange = string(hash), false
	next := make(map[string]User, len(s.users))
	for k, v := range s.users {
		next[k] = v
	}
	next[username] = u
	return s.save(next)
}

// dummyHash makes a login with an unknown username cost as much as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("taskrelay-dummy-password"), bcryptCost)

// Authenticate checks a username and password.
func (s *Store) Authenticate(username, password string) (User, error) {
	u, ok, err := s.Get(username)
	if err != nil {
		return User{}, err
	}
	if !ok {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadLogin
	}
	// bcrypt reads only the first 72 bytes: a longer password (never one we set) must
	// not sign in on its prefix.
	if bcrypt.CompareHashAndPassword([]byte(u.Hash), []byte(password)) != nil || len(password) > 72 {
		return User{}, ErrBadLogin
	}
	return u, nil
}

// EnsureAdmin creates the administrator "admin" with a random password when the store
// has no user at all, and returns that password (to be printed once). It returns ""
// when users exist already.
func (s *Store) EnsureAdmin() (string, error) {
	users, err := s.List()
	if err != nil {
		return "", err
	}
	if len(users) > 0 {
		return "", nil
	}
	pw := RandomPassword()
	if err := s.Add(User{Username: "admin", Name: "系统管理员", Role: RoleAdmin, MustChange: true}, pw); err != nil {
		return "", err
	}
	return pw, nil
}

// RandomPassword is 16 characters from a URL-safe alphabet (96 bits).
func RandomPassword() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
