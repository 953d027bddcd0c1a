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
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// Roles.
const (
	RoleOffice     = "office"     // 县政府办公室: uploads and adopts task lists
	RoleInspection = "inspection" // 县政府督查室: tracks, verifies, decides extensions, reports
	RoleUnit       = "unit"       // 责任单位（经办人）: acts on its own tasks
	RoleUnitHead   = "unit_head"  // 单位负责人: assigns the unit's tasks, signs off completions
	RoleLeader     = "leader"     // 分管副县长: the portfolio's tasks and extensions
	RoleAdmin      = "admin"      // 系统管理员: accounts, and everything the two offices can do
	RoleSecurity   = "security"   // 安全管理员: roles and locks (三员分立)
	RoleAuditor    = "auditor"    // 审计管理员: reads the security log (三员分立)
	RoleProvince   = "province"   // 省级督查: reads every county's board and tasks, acts on none
)

// Roles lists every role, in the order forms show them.
var Roles = []string{RoleOffice, RoleInspection, RoleUnit, RoleUnitHead, RoleLeader, RoleAdmin, RoleSecurity, RoleAuditor, RoleProvince}

// BusinessRoles are the roles the system administrator may give a new account; the
// three administrators' roles are given by the security administrator or on the server.
var BusinessRoles = []string{RoleOffice, RoleInspection, RoleUnit, RoleUnitHead, RoleLeader}

// IsPrivileged: the three administrators (三员) and the province account, whose roles
// are given, changed and taken away only on the server (starter user …), never from the
// console; a demotion or disabling of one is shown to the auditor.
func IsPrivileged(role string) bool {
	return role == RoleAdmin || role == RoleSecurity || role == RoleAuditor || role == RoleProvince
}

// IsUnitRole: the role belongs to a unit (its officers and its head).
func IsUnitRole(role string) bool { return role == RoleUnit || role == RoleUnitHead }

// RoleName is a role's Chinese name.
func RoleName(role string) string {
	switch role {
	case RoleOffice:
		return "县政府办公室"
	case RoleInspection:
		return "县政府督查室"
	case RoleUnit:
		return "责任单位经办人"
	case RoleUnitHead:
		return "单位负责人"
	case RoleLeader:
		return "分管县领导"
	case RoleAdmin:
		return "系统管理员"
	case RoleSecurity:
		return "安全管理员"
	case RoleAuditor:
		return "审计管理员"
	case RoleProvince:
		return "省级督查"
	}
	return role
}

// UsersFile is the users file's name inside the data folder.
const UsersFile = "users.json"

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// PasswordHistory is how many passwords (the current one included) a new one may not repeat.
const PasswordHistory = 5

// bcryptCost: the library default (10) keeps a login near 50 ms on a small machine.
const bcryptCost = bcrypt.DefaultCost

// User is one account.
type User struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Unit     string `json:"unit,omitempty"`    // role unit: the directory's unit id
	Leader   string `json:"leader,omitempty"`  // role leader: the directory's leader id
	Section  string `json:"section,omitempty"` // unit roles: the section (股室) of the unit, optional
	// Namespace is the county the account belongs to when one console serves several
	// (TEMPORAL_NAMESPACES); empty: the first county. A province account reads them all.
	Namespace string `json:"namespace,omitempty"`
	// Signoff names the step of the monthly report's sign-off this person takes:
	// SignoffReview on an inspection account (督查室主任, 审核), SignoffSign on an office
	// account (办公室主任, 签发). A duty, not a role: the person keeps the role's pages.
	Signoff string `json:"signoff,omitempty"`
	Hash    string `json:"hash"` // bcrypt
	// MustChange is set on the generated administrator: its password was printed once
	// and must be replaced at the first login.
	MustChange bool      `json:"must_change,omitempty"`
	Created    time.Time `json:"created"`
	// PasswordChanged starts the password's age (zero: Created).
	PasswordChanged time.Time `json:"password_changed,omitempty"`
	// History holds the previous passwords' hashes, newest first, so that none of the
	// last PasswordHistory passwords (with the current one) is chosen again.
	History []string `json:"history,omitempty"`
	// Failures counts failed logins since the last success; at Policy.LockAfter the
	// account is locked until LockedUntil.
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitempty"`
	// Disabled accounts cannot sign in; Removed ones are kept (without a password)
	// so that the history still names the person, and their username is not reused.
	Disabled bool `json:"disabled,omitempty"`
	Removed  bool `json:"removed,omitempty"`
	// Links are the person's identities on the county's office apps (see links.go).
	Links
}

// Sign-off duties (User.Signoff): the step of the monthly report's sign-off an
// account takes, and the role it must have.
const (
	SignoffReview = "review" // 审核: the inspection office's head, role inspection
	SignoffSign   = "sign"   // 签发: the government office's head, role office
)

// SignoffRole is the role a sign-off duty goes with ("" for an unknown duty).
func SignoffRole(duty string) string {
	switch duty {
	case SignoffReview:
		return RoleInspection
	case SignoffSign:
		return RoleOffice
	}
	return ""
}

// Takes reports whether the account takes the sign-off step (review or sign).
func (u User) Takes(step string) bool {
	return step != "" && u.Signoff == step && SignoffRole(step) == u.Role
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
	case RoleUnit, RoleUnitHead:
		if u.Unit == "" {
			errs = append(errs, fmt.Errorf("角色 %s 须用 --unit 指定所属单位", u.Role))
		}
		if u.Leader != "" {
			errs = append(errs, fmt.Errorf("角色 %s 不能指定 --leader", u.Role))
		}
	case RoleLeader:
		if u.Leader == "" {
			errs = append(errs, errors.New("角色 leader 须用 --leader 指定县领导"))
		}
		if u.Unit != "" {
			errs = append(errs, errors.New("角色 leader 不能指定 --unit"))
		}
	case RoleOffice, RoleInspection, RoleAdmin, RoleSecurity, RoleAuditor, RoleProvince:
		if u.Unit != "" || u.Leader != "" {
			errs = append(errs, fmt.Errorf("角色 %s 不属于某个单位或县领导，不能指定 --unit 或 --leader", u.Role))
		}
	default:
		errs = append(errs, fmt.Errorf("角色 %q 无效，应为 office、inspection、unit、unit_head、leader、admin、security、auditor 或 province", u.Role))
	}
	if u.Signoff != "" && SignoffRole(u.Signoff) != u.Role {
		errs = append(errs, fmt.Errorf("--signoff %q 无效：review（审核）只能给 inspection 账户，sign（签发）只能给 office 账户", u.Signoff))
	}
	if len([]rune(u.Name)) > 64 {
		errs = append(errs, errors.New("姓名过长（最多 64 个字符）"))
	}
	errs = append(errs, u.Links.Check())
	return errors.Join(errs...)
}

// CheckPassword applies the password policy (等保 2.0 身份鉴别): at least
// MinPasswordLen characters of at least three kinds (lower case, upper case, digits,
// others), and not the username (nor containing it).
func CheckPassword(username, pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return fmt.Errorf("密码至少 %d 个字符", MinPasswordLen)
	}
	if len(pw) > 72 { // bcrypt reads at most 72 bytes
		return errors.New("密码不能超过 72 字节")
	}
	var lower, upper, digit, other int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return errors.New("密码须包含小写字母、大写字母、数字、其他符号中的至少三类")
	}
	// Containing a name of one or two letters is no weakness: only longer ones count.
	lp, lu := strings.ToLower(pw), strings.ToLower(username)
	if username != "" && (lp == lu || (len(lu) >= 3 && strings.Contains(lp, lu))) {
		return errors.New("密码不能是用户名，也不能包含用户名")
	}
	return nil
}

// ErrBadLogin is the one answer to a wrong username or a wrong password.
var ErrBadLogin = errors.New("用户名或密码不正确")

// Store is the users file. It re-reads the file when it changes on disk, so that
// `starter user add` takes effect in a running console.
type Store struct {
	path string
	// Policy is the lockout and password-age policy (DefaultPolicy unless set).
	Policy Policy
	Now    func() time.Time

	mu    sync.Mutex
	users map[string]User
	mod   time.Time
	size  int64
	// ghosts counts failed logins of usernames that do not exist, so that they lock
	// exactly as a real account does and the answer never tells the two apart.
	ghosts map[string]User
}

type fileShape struct {
	Users []User `json:"users"`
}

// Open reads the users file at path; a missing file is an empty store.
func Open(path string) (*Store, error) {
	s := &Store{path: path, Policy: DefaultPolicy(), Now: time.Now, ghosts: map[string]User{}}
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
	if err := checkLinksUnique(f.Users); err != nil {
		return fmt.Errorf("用户文件 %s: %w", s.path, err)
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
	if err := checkLinksUnique(f.Users); err != nil {
		return err
	}
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
	if err := CheckPassword(u.Username, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("密码加密: %w", err)
	}
	u.Hash = string(hash)
	if u.Created.IsZero() {
		u.Created = s.Now().UTC().Truncate(time.Second)
	}
	u.PasswordChanged = u.Created
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return err
	}
	// Unique case-insensitively and by look-alikes: ADMIN or adm1n beside admin is refused.
	if other, ok := lookalike(s.users, u.Username); ok {
		return &ErrLookalike{Name: u.Username, Existing: other}
	}
	next := make(map[string]User, len(s.users)+1)
	for k, v := range s.users {
		next[k] = v
	}
	next[u.Username] = u
	return s.save(next)
}

// SetPassword is a user's own change of password: the policy applies, and none of
// the last PasswordHistory passwords may come back. It clears MustChange and restarts
// the password's age. Sessions signed for the old password stop working (they carry
// a fingerprint of the hash).
func (s *Store) SetPassword(username, password string) error {
	return s.setPassword(username, password, true)
}

// ResetPassword is the server operator's reset (`starter user passwd`): the policy
// applies but not the history, which it keeps.
func (s *Store) ResetPassword(username, password string) error {
	return s.setPassword(username, password, false)
}

func (s *Store) setPassword(username, password string, checkHistory bool) error {
	if err := CheckPassword(username, password); err != nil {
		return err
	}
	cur, ok, err := s.Get(username)
	if err != nil {
		return err
	}
	if !ok || cur.Removed {
		return fmt.Errorf("用户 %s 不存在", username)
	}
	if checkHistory {
		for _, h := range append([]string{cur.Hash}, cur.History...) {
			if bcrypt.CompareHashAndPassword([]byte(h), []byte(password)) == nil {
				return fmt.Errorf("新密码不能与最近 %d 次使用过的密码相同", PasswordHistory)
			}
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("密码加密: %w", err)
	}
	now := s.Now().UTC().Truncate(time.Second)
	return s.Update(username, func(u *User) error {
		u.History = append([]string{u.Hash}, u.History...)
		if len(u.History) > PasswordHistory-1 {
			u.History = u.History[:PasswordHistory-1]
		}
		u.Hash, u.MustChange, u.PasswordChanged = string(hash), false, now
		return nil
	})
}

// Update changes one account under the store's lock and saves it; f's error changes nothing.
func (s *Store) Update(username string, f func(*User) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return err
	}
	u, ok := s.users[username]
	if !ok {
		return fmt.Errorf("用户 %s 不存在", username)
	}
	if err := f(&u); err != nil {
		return err
	}
	if err := u.Check(); err != nil {
		return err
	}
	next := make(map[string]User, len(s.users))
	for k, v := range s.users {
		next[k] = v
	}
	next[username] = u
	return s.save(next)
}

// dummyHash makes a login with an unknown username cost as much as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("taskrelay-dummy-password"), bcryptCost)

// Authenticate checks a username and password without counting a failure (the
// current password when changing it). A disabled or removed account never matches.
func (s *Store) Authenticate(username, password string) (User, error) {
	u, ok, err := s.Get(username)
	if err != nil {
		return User{}, err
	}
	if !ok || u.Removed || u.Disabled {
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

// RandomPassword is 16 characters from a URL-safe alphabet (96 bits) that meet the
// password policy.
func RandomPassword() string {
	for {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		if pw := base64.RawURLEncoding.EncodeToString(b); CheckPassword("admin", pw) == nil {
			return pw
		}
	}
}

// UnitHead returns the head (单位负责人) account of a unit, if it has one.
func (s *Store) UnitHead(unit string) (User, bool, error) {
	users, err := s.List()
	if err != nil {
		return User{}, false, err
	}
	for _, u := range users {
		if u.Role == RoleUnitHead && u.Unit == unit {
			return u, true, nil
		}
	}
	return User{}, false, nil
}
