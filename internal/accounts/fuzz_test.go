package accounts

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for what the accounts package reads from outside: the users file, a
// session cookie, a CSRF token and the session key's environment value. Their seed
// corpus (testdata/fuzz/<FuzzName>/) runs in `go test`; `go test -fuzz=FuzzX` explores.

// FuzzUsersFile: a users file is read whole or refused with an error naming the file;
// a store whose file went bad refuses to write, so nothing on disk is lost.
func FuzzUsersFile(f *testing.F) {
	f.Add([]byte(`{"users":[{"username":"a","role":"office","hash":"x"}]}`))
	f.Add([]byte("not-json")) // eight bytes: the write check runs on it
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, UsersFile)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
		} else {
			users, err := s.List()
			if err != nil {
				t.Fatal(err)
			}
			var shape fileShape
			if err := json.Unmarshal(data, &shape); err != nil {
				t.Fatalf("accepted a file JSON refuses: %v", err)
			}
			if len(users) != len(shape.Users) {
				t.Fatalf("the file has %d users, the store %d: an account was dropped silently", len(shape.Users), len(users))
			}
			for _, u := range users {
				if err := u.Check(); err != nil {
					t.Fatalf("accepted an invalid account %+v: %v", u, err)
				}
			}
		}
		// A running store whose file is replaced by these bytes.
		good := filepath.Join(dir, "good.json")
		g, err := Open(good)
		if err != nil {
			t.Fatal(err)
		}
		g.mu.Lock()
		g.users = map[string]User{"keep": {Username: "keep", Role: RoleOffice, Hash: "h"}}
		err = g.save(g.users)
		g.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
		if err := os.WriteFile(good, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := g.Get("keep"); err != nil && len(data)%8 == 0 {
			// Refused: a write must refuse too and leave the file as it is. (A write
			// hashes a password first, ~60 ms: checked on every eighth length only.)
			if err := g.SetPassword("keep", "another-password-9"); err == nil {
				t.Fatal("a store with a bad file accepted a write")
			}
			if now, _ := os.ReadFile(good); !bytes.Equal(now, data) {
				t.Fatal("a store with a bad file rewrote it")
			}
		}
	})
}

// FuzzSessionCookie: only a value the console issued signs anyone in.
func FuzzSessionCookie(f *testing.F) {
	dir := f.TempDir()
	s, err := Open(filepath.Join(dir, UsersFile))
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Add(User{Username: "a", Role: RoleOffice}, "password-1!"); err != nil {
		f.Fatal(err)
	}
	u, _, _ := s.Get("a")
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	ss := NewSessions([]byte(strings.Repeat("k", 32)), time.Hour)
	ss.Now = func() time.Time { return now }
	issued, _, err := ss.Issue(u, "", "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(issued)
	dec := func(v string) (string, string) {
		p, sig, _ := strings.Cut(v, ".")
		pb, _ := base64.RawURLEncoding.DecodeString(p)
		sb, _ := base64.RawURLEncoding.DecodeString(sig)
		return string(pb), string(sb)
	}
	ip, isig := dec(issued)
	const secret = "csrf-secret"
	token := ss.CSRFToken(secret)
	tb, _ := base64.RawURLEncoding.DecodeString(token)
	f.Fuzz(func(t *testing.T, value string) {
		got, err := ss.Check(value, s)
		if err == nil {
			if p, sig := dec(value); p != ip || sig != isig || got.Username != "a" {
				t.Fatalf("a forged cookie %q signed in %q", value, got.Username)
			}
		} else if err != ErrNoSession && err != ErrSessionExpired && err != ErrSessionInvalid && err != ErrSessionEnded {
			t.Fatalf("unexpected error %v", err)
		}
		if ss.CheckCSRF(secret, value) {
			if b, _ := base64.RawURLEncoding.DecodeString(value); !bytes.Equal(b, tb) {
				t.Fatalf("a forged form token %q passed", value)
			}
		}
		if ss.CheckCSRF(value, token) && value != secret {
			t.Fatalf("the token of another secret passed for %q", value)
		}
	})
}

// FuzzLoadKey: the session key's environment value is used, or refused clearly; it
// never falls back silently to the key file.
func FuzzLoadKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, env string) {
		dir := t.TempDir()
		k, err := LoadKey(env, dir)
		if err == nil && len(k) < 32 {
			t.Fatalf("a key of %d bytes", len(k))
		}
		if strings.TrimSpace(env) != "" {
			if err != nil && !strings.Contains(err.Error(), "TASKRELAY_SESSION_KEY") {
				t.Fatalf("error does not name the variable: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFile)); err == nil {
				t.Fatal("a key given in the environment wrote a key file")
			}
		}
	})
}

// FuzzAddAccount: `starter user add` and the users page both end in Store.Add; a
// refusal writes nothing, an account added signs in with its password and nothing
// longer (bcrypt reads only 72 bytes).
func FuzzAddAccount(f *testing.F) {
	f.Fuzz(func(t *testing.T, username, name, role, unit, leader, password string) {
		path := filepath.Join(t.TempDir(), UsersFile)
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		u := User{Username: username, Name: name, Role: role, Unit: unit, Leader: leader}
		if err := s.Add(u, password); err != nil {
			if _, err := os.Stat(path); err == nil {
				t.Fatalf("a refused account (%v) wrote the users file", err)
			}
			return
		}
		if u.Check() != nil || CheckPassword(username, password) != nil {
			t.Fatalf("accepted %+v with password %q", u, password)
		}
		s2, err := Open(path)
		if err != nil {
			t.Fatalf("the file written does not read back: %v", err)
		}
		if _, err := s2.Authenticate(username, password); err != nil {
			t.Fatalf("the account does not sign in: %v", err)
		}
		if _, err := s2.Authenticate(username, password+"x"); err == nil {
			t.Fatal("a longer password signs in")
		}
	})
}
