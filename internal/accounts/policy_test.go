package accounts

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func clockStore(t *testing.T) (*Store, *time.Time) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), UsersFile))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s, &now
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short-1":       false, // 7 characters
		"alllowercase":  false, // one kind
		"lower-and-":    false, // two kinds
		"lowerUPPER":    false,
		"lower-1234":    true, // lower, digit, other
		"Lower1234":     true, // lower, upper, digit
		"县财政局-Abc":      true,
		"xx-duban-2026": false, // contains the username
		"Duban-2026":    false,
	} {
		if err := CheckPassword("duban", pw); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", pw, err, ok)
		}
	}
	for i := 0; i < 200; i++ {
		if err := CheckPassword("admin", RandomPassword()); err != nil {
			t.Fatalf("a generated password fails the policy: %v", err)
		}
	}
}

func TestLastFivePasswordsNotReused(t *testing.T) {
	s, _ := clockStore(t)
	pws := []string{"first-pw-1", "second-pw-2", "third-pw-3", "fourth-pw-4", "fifth-pw-5", "sixth-pw-6"}
	if err := s.Add(User{Username: "duban", Role: RoleInspection}, pws[0]); err != nil {
		t.Fatal(err)
	}
	for _, pw := range pws[1:] {
		if err := s.SetPassword("duban", pw); err != nil {
			t.Fatal(err)
		}
	}
	// The current one and the four before it are refused; the sixth back is allowed.
	for _, pw := range pws[2:] {
		if err := s.SetPassword("duban", pw); err == nil || !strings.Contains(err.Error(), "最近 5 次") {
			t.Errorf("reuse of %s: %v", pw, err)
		}
	}
	if err := s.SetPassword("duban", pws[0]); err != nil {
		t.Errorf("the sixth password back: %v", err)
	}
	if _, err := s.Authenticate("duban", pws[0]); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordExpires(t *testing.T) {
	s, now := clockStore(t)
	if err := s.Add(User{Username: "duban", Role: RoleInspection}, "first-pw-1"); err != nil {
		t.Fatal(err)
	}
	u, _, _ := s.Get("duban")
	*now = now.Add(89 * 24 * time.Hour)
	if s.Expired(u) {
		t.Fatal("expired after 89 days")
	}
	*now = now.Add(24 * time.Hour)
	if !s.Expired(u) {
		t.Fatal("not expired after 90 days")
	}
	_ = s.SetPassword("duban", "second-pw-2")
	u, _, _ = s.Get("duban")
	if s.Expired(u) {
		t.Fatal("expired right after a change")
	}
	s.Policy.MaxAge = 0
	*now = now.Add(1000 * 24 * time.Hour)
	if s.Expired(u) {
		t.Fatal("TASKRELAY_PASSWORD_DAYS=0 still expires")
	}
}

// Brute force: five failures lock the account for 15 minutes, even against the right
// password; an unknown username gets the very same answers.
func TestBruteForceLocks(t *testing.T) {
	s, now := clockStore(t)
	if err := s.Add(User{Username: "duban", Role: RoleInspection}, "right-pw-1"); err != nil {
		t.Fatal(err)
	}
	answers := func(name string) []string {
		var out []string
		for i := 0; i < 6; i++ {
			_, err := s.Login(name, "wrong-pw-1")
			out = append(out, err.Error())
		}
		return out
	}
	real, ghost := answers("duban"), answers("nobody")
	for i := range real {
		if real[i] != ghost[i] {
			t.Fatalf("attempt %d: %q for the account, %q for an unknown name", i+1, real[i], ghost[i])
		}
	}
	if real[3] != ErrBadLogin.Error() || !strings.Contains(real[4], "已锁定") || !strings.Contains(real[5], "15 分钟") {
		t.Fatalf("answers %q", real)
	}
	_, err := s.Login("duban", "right-pw-1")
	var le *LockedError
	if !errors.As(err, &le) || le.Now {
		t.Fatalf("right password while locked: %v", err)
	}
	*now = now.Add(15 * time.Minute)
	if u, err := s.Login("duban", "right-pw-1"); err != nil || u.Failures != 0 {
		t.Fatalf("after the lock: %+v %v", u, err)
	}
	// The security administrator's unlock ends a lock early.
	for i := 0; i < 5; i++ {
		_, err = s.Login("duban", "wrong-pw-1")
	}
	if !errors.As(err, &le) || !le.Now {
		t.Fatalf("fifth failure: %v", err)
	}
	if err := s.Unlock("duban"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login("duban", "right-pw-1"); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	// A disabled or removed account answers as a wrong password does.
	_ = s.SetDisabled("duban", true)
	if _, err := s.Login("duban", "right-pw-1"); err != ErrBadLogin {
		t.Fatalf("disabled: %v", err)
	}
	_ = s.Remove("duban")
	if u, ok, _ := s.Get("duban"); !ok || u.Hash != "" || !u.Removed {
		t.Fatalf("removed account not kept by name: %+v", u)
	}
	if err := s.Add(User{Username: "duban", Role: RoleOffice}, "right-pw-1"); err == nil {
		t.Fatal("a removed username was reused")
	}
}

func TestSessionRecords(t *testing.T) {
	dir := t.TempDir()
	s, now := clockStore(t)
	_ = s.Add(User{Username: "duban", Role: RoleInspection}, "right-pw-1")
	u, _, _ := s.Get("duban")
	ss := NewSessions([]byte(strings.Repeat("k", 32)), 12*time.Hour)
	ss.Now = func() time.Time { return *now }
	if err := ss.KeepIn(filepath.Join(dir, SessionsFile)); err != nil {
		t.Fatal(err)
	}
	a, _, _ := ss.Issue(u, "10.0.0.1", "A")
	b, _, _ := ss.Issue(u, "10.0.0.2", "B")
	// Another console process on the same folder sees them.
	other := NewSessions([]byte(strings.Repeat("k", 32)), 12*time.Hour)
	other.Now = ss.Now
	_ = other.KeepIn(filepath.Join(dir, SessionsFile))
	if list, err := other.Of("duban"); err != nil || len(list) != 2 {
		t.Fatalf("sessions: %+v %v", list, err)
	}
	// Used every 20 minutes, a session lives on; left for 30, it ends.
	for i := 0; i < 4; i++ {
		*now = now.Add(20 * time.Minute)
		if _, err := ss.Check(a, s); err != nil {
			t.Fatalf("used session after %d×20 min: %v", i+1, err)
		}
	}
	if _, err := ss.Check(b, s); err != ErrSessionIdle {
		t.Fatalf("idle session: %v", err)
	}
	if _, err := ss.Check(b, s); err != ErrSessionEnded {
		t.Fatalf("idle session, again: %v", err)
	}
	// Ending from another process ends it here.
	c, _, _ := ss.Issue(u, "10.0.0.3", "C")
	if n, err := other.EndAll("duban", other.ID(c)); err != nil || n != 1 {
		t.Fatalf("end all but c: %d %v", n, err)
	}
	if _, err := ss.Check(a, s); err != ErrSessionEnded {
		t.Fatalf("ended session: %v", err)
	}
	if _, err := ss.Check(c, s); err != nil {
		t.Fatalf("kept session: %v", err)
	}
	// A disabled account's sessions stop at once.
	_ = s.SetDisabled("duban", true)
	if _, err := ss.Check(c, s); err != ErrSessionInvalid {
		t.Fatalf("disabled account's session: %v", err)
	}
}
