package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/seclog"
)

// The privileged roles change on the server only: `starter user role|disable|enable`
// change them, end the account's sessions and write the security log, a demotion or
// disabling of a privileged account as its own event for the auditor. An account
// added here must change its password at its first login.
func TestUserRoleOnServerIsLogged(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TASKRELAY_DATA", dir)
	t.Setenv("TASKRELAY_DIRECTORY", "")
	t.Setenv("TEMPORAL_NAMESPACES", "")
	for _, add := range [][]string{
		{"add", "sec1", "--role", "security", "--password-stdin"},
		{"add", "aud1", "--role", "auditor", "--password-stdin"},
		{"add", "rsj1", "--role", "unit", "--unit", "rsj", "--password-stdin"},
	} {
		if err := cmdUser(add, strings.NewReader("Server-pass-2026\n")); err != nil {
			t.Fatal(err)
		}
	}
	store, err := accounts.Open(filepath.Join(dir, accounts.UsersFile))
	if err != nil {
		t.Fatal(err)
	}
	if u, _, _ := store.Get("rsj1"); !u.MustChange {
		t.Fatal("an account added on the server need not change its password")
	}
	ss := accounts.NewSessions([]byte(strings.Repeat("k", 32)), 0)
	if err := ss.KeepIn(filepath.Join(dir, accounts.SessionsFile)); err != nil {
		t.Fatal(err)
	}
	sec, _, _ := store.Get("sec1")
	v, _, err := ss.Issue(sec, "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{
		{"role", "sec1", "--role", "unit", "--unit", "rsj"},
		{"disable", "aud1"},
		{"role", "rsj1", "--role", "unit_head", "--unit", "rsj"},
	} {
		if err := cmdUser(c, nil); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
	}
	if err := cmdUser([]string{"role", "rsj1", "--role", "leader"}, nil); err == nil {
		t.Fatal("a leader role without --leader was accepted")
	}
	if u, _, _ := store.Get("sec1"); u.Role != accounts.RoleUnit || u.Unit != "rsj" {
		t.Fatalf("sec1: %+v", u)
	}
	if u, _, _ := store.Get("aud1"); !u.Disabled {
		t.Fatal("aud1 not disabled")
	}
	if _, err := ss.Check(v, store); err == nil {
		t.Fatal("the demoted account's session lives on")
	}
	all, err := seclog.Read(filepath.Join(dir, seclog.File), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range all {
		if !strings.HasPrefix(e.User, "host") || e.IP != "本机" {
			t.Errorf("entry not marked as made on the server: %+v", e)
		}
		got = append(got, e.Event)
	}
	want := "account_added account_added account_added privilege_revoked privilege_revoked role_changed"
	if strings.Join(got, " ") != want {
		t.Fatalf("security log: %v\nwant %s", got, want)
	}
}
