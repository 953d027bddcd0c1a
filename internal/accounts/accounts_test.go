package accounts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAddAuthenticateAndReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), UsersFile)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(User{Username: "rsj1", Name: "王五", Role: RoleUnit, Unit: "rsj"}, "correct-horse-9"); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(User{Username: "rsj1", Role: RoleOffice}, "another-one-9"); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Fatalf("duplicate username: %v", err)
	}
	if _, err := s.Authenticate("rsj1", "wrong-password"); err != ErrBadLogin {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.Authenticate("nobody", "correct-horse-9"); err != ErrBadLogin {
		t.Fatalf("unknown user: %v", err)
	}
	u, err := s.Authenticate("rsj1", "correct-horse-9")
	if err != nil || u.Unit != "rsj" || u.Name != "王五" {
		t.Fatalf("login: %+v %v", u, err)
	}
	// A second store (another process, e.g. `starter user add`) writes; the first sees it.
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Add(User{Username: "duban", Role: RoleInspection}, "inspect-pass-9"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if _, ok, _ := s.Get("duban"); !ok {
		t.Fatal("the first store does not see a user added by another")
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("users file mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "correct-horse-9") {
		t.Fatal("password stored in clear")
	}
}

func TestCheckRefusesBadAccounts(t *testing.T) {
	for _, u := range []User{
		{Username: "x", Role: "boss"},
		{Username: "x", Role: RoleUnit},
		{Username: "x", Role: RoleLeader, Unit: "rsj"},
		{Username: "x", Role: RoleOffice, Unit: "rsj"},
		{Username: "bad name", Role: RoleOffice},
		{Username: "", Role: RoleOffice},
	} {
		if u.Check() == nil {
			t.Errorf("%+v accepted", u)
		}
	}
	s, _ := Open(filepath.Join(t.TempDir(), UsersFile))
	if err := s.Add(User{Username: "a", Role: RoleOffice}, "short"); err == nil {
		t.Error("short password accepted")
	}
	if users, _ := s.List(); len(users) != 0 {
		t.Errorf("refused add wrote %v", users)
	}
}

func TestEnsureAdminOnce(t *testing.T) {
	s, _ := Open(filepath.Join(t.TempDir(), UsersFile))
	pw, err := s.EnsureAdmin()
	if err != nil || len(pw) < MinPasswordLen {
		t.Fatalf("first: %q %v", pw, err)
	}
	u, err := s.Authenticate("admin", pw)
	if err != nil || u.Role != RoleAdmin || !u.MustChange {
		t.Fatalf("admin: %+v %v", u, err)
	}
	if again, err := s.EnsureAdmin(); err != nil || again != "" {
		t.Fatalf("second start created another admin: %q %v", again, err)
	}
	if err := s.SetPassword("admin", "a-new-password-9"); err != nil {
		t.Fatal(err)
	}
	if u, err := s.Authenticate("admin", "a-new-password-9"); err != nil || u.MustChange {
		t.Fatalf("after change: %+v %v", u, err)
	}
}

func TestSessions(t *testing.T) {
	dir := t.TempDir()
	key, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	key2, _ := LoadKey("", dir)
	if string(key) != string(key2) {
		t.Fatal("key file not reused")
	}
	s, _ := Open(filepath.Join(dir, UsersFile))
	_ = s.Add(User{Username: "a", Role: RoleOffice}, "password-1!")
	u, _, _ := s.Get("a")
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	ss := NewSessions(key, time.Hour)
	ss.Now = func() time.Time { return now }
	v, _, err := ss.Issue(u, "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ss.Check(v, s); err != nil || got.Username != "a" {
		t.Fatalf("fresh session: %v", err)
	}
	if _, err := ss.Check(v[:len(v)-2]+"xx", s); err != ErrSessionInvalid {
		t.Errorf("tampered: %v", err)
	}
	other := NewSessions([]byte(strings.Repeat("k", 32)), time.Hour)
	if _, err := other.Check(v, s); err != ErrSessionInvalid {
		t.Errorf("other key: %v", err)
	}
	ss.Idle = 2 * time.Hour // the absolute expiry first
	now = now.Add(time.Hour)
	if _, err := ss.Check(v, s); err != ErrSessionExpired {
		t.Errorf("expired: %v", err)
	}
	now = now.Add(-30 * time.Minute)
	_ = s.SetPassword("a", "password-2!")
	if _, err := ss.Check(v, s); err != ErrSessionInvalid {
		t.Errorf("after password change: %v", err)
	}
	sec := NewCSRFSecret()
	tok := ss.CSRFToken(sec)
	if !ss.CheckCSRF(sec, tok) || ss.CheckCSRF(NewCSRFSecret(), tok) || ss.CheckCSRF(sec, "") || ss.CheckCSRF("", tok) {
		t.Error("csrf check")
	}
	if _, err := LoadKey("too-short", dir); err == nil {
		t.Error("short env key accepted")
	}
}

// One name, one account: a username differing only in case or by look-alike
// characters from an existing one (removed ones included) is refused, whoever adds it.
func TestLookalikeUsernames(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), UsersFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []User{{Username: "admin", Role: RoleAdmin}, {Username: "wang.li", Role: RoleOffice}, {Username: "old", Role: RoleOffice}} {
		if err := s.Add(u, "Right-pw-2026"); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Remove("old")
	for _, name := range []string{"ADMIN", "Admin", "adm1n", "ADMlN", "wang.Ll", "WANG.LI", "0ld", "ａｄｍｉｎ"} {
		if err := s.Add(User{Username: name, Role: RoleOffice}, "Right-pw-2026"); err == nil {
			t.Errorf("%q added beside an existing account", name)
		}
	}
	if err := s.Add(User{Username: "admin2", Role: RoleOffice}, "Right-pw-2026"); err != nil {
		t.Errorf("a distinct name refused: %v", err)
	}
	if Skeleton("ＡＤＭＩＮ") != Skeleton("admin") {
		t.Error("full-width letters do not fold to their ASCII forms")
	}
}
