package accounts

import (
	"errors"
	"fmt"
	"time"
)

// Policy is the console's 等保 2.0 login policy.
type Policy struct {
	// Read from TASKRELAY_LOCK_AFTER, TASKRELAY_LOCK_MINUTES, TASKRELAY_PASSWORD_DAYS and
	// TASKRELAY_IDLE_MINUTES by package config.
	LockAfter int           // failed logins in a row that lock an account (TASKRELAY_LOCK_AFTER, 5)
	LockFor   time.Duration // how long it stays locked (TASKRELAY_LOCK_MINUTES, 15)
	MaxAge    time.Duration // a password older than this must be changed (TASKRELAY_PASSWORD_DAYS, 90; 0: never)
	Idle      time.Duration // a session unused this long ends (TASKRELAY_IDLE_MINUTES, 30)
}

// DefaultPolicy is 5 failures, 15 minutes locked, 90 days, 30 minutes idle.
func DefaultPolicy() Policy {
	return Policy{LockAfter: 5, LockFor: 15 * time.Minute, MaxAge: 90 * 24 * time.Hour, Idle: 30 * time.Minute}
}

// LockedError is the answer while an account is locked. It reads the same whether or
// not the username exists.
type LockedError struct {
	Until time.Time
	Wait  time.Duration // from the refusal to Until
	// Now is true on the failure that locked it (the security log records a lock once).
	Now bool
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("连续登录失败次数过多，账号已锁定，请 %d 分钟后再试或联系安全管理员解锁",
		int((e.Wait+time.Minute-1)/time.Minute))
}

// ErrLocked matches any *LockedError with errors.Is.
var ErrLocked = errors.New("账号已锁定")

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Login checks a username and password as Authenticate does, and counts failures:
// at Policy.LockAfter failures in a row the name is locked for Policy.LockFor, and a
// locked name is refused even with the right password. Unknown usernames are counted
// (in memory) alike, so a lock says nothing about whether the account exists.
func (s *Store) Login(username, password string) (User, error) {
	now := s.Now()
	u, ok, err := s.Get(username)
	if err != nil {
		return User{}, err
	}
	real := ok && !u.Removed && !u.Disabled
	if !real {
		s.mu.Lock()
		u = s.ghosts[username]
		s.mu.Unlock()
	}
	if now.Before(u.LockedUntil) {
		return User{}, &LockedError{Until: u.LockedUntil, Wait: u.LockedUntil.Sub(now)}
	}
	if real {
		if got, err := s.Authenticate(username, password); err == nil {
			if u.Failures > 0 || !u.LockedUntil.IsZero() {
				err = s.Update(username, func(x *User) error { x.Failures, x.LockedUntil = 0, time.Time{}; return nil })
				if err != nil {
					return User{}, err
				}
				got.Failures, got.LockedUntil = 0, time.Time{}
			}
			return got, nil
		}
	} else {
		_, _ = s.Authenticate(username, password) // the same cost as a real check
	}
	fail := func(x *User) error {
		if !x.LockedUntil.IsZero() && !now.Before(x.LockedUntil) {
			x.Failures = 0 // a lock served starts a new count
		}
		x.Failures++
		x.LockedUntil = time.Time{}
		if x.Failures >= s.Policy.LockAfter {
			x.LockedUntil = now.Add(s.Policy.LockFor)
		}
		u = *x
		return nil
	}
	if real {
		if err := s.Update(username, fail); err != nil {
			return User{}, err
		}
	} else {
		s.mu.Lock()
		g := s.ghosts[username]
		_ = fail(&g)
		if len(s.ghosts) > 10000 { // bounded: forget old names rather than grow
			clear(s.ghosts)
		}
		s.ghosts[username] = g
		s.mu.Unlock()
	}
	if !u.LockedUntil.IsZero() {
		return User{}, &LockedError{Until: u.LockedUntil, Wait: u.LockedUntil.Sub(now), Now: true}
	}
	return User{}, ErrBadLogin
}

// Locked reports whether an account is locked now.
func (s *Store) Locked(u User) bool { return s.Now().Before(u.LockedUntil) }

// Unlock ends an account's lock and its count of failures.
func (s *Store) Unlock(username string) error {
	return s.Update(username, func(u *User) error { u.Failures, u.LockedUntil = 0, time.Time{}; return nil })
}

// Expired reports whether a user's password is older than Policy.MaxAge.
func (s *Store) Expired(u User) bool {
	if s.Policy.MaxAge <= 0 {
		return false
	}
	since := u.PasswordChanged
	if since.IsZero() {
		since = u.Created
	}
	return !since.IsZero() && s.Now().Sub(since) >= s.Policy.MaxAge
}

// SetDisabled disables or enables an account.
func (s *Store) SetDisabled(username string, disabled bool) error {
	return s.Update(username, func(u *User) error {
		if u.Removed {
			return fmt.Errorf("用户 %s 已删除", username)
		}
		u.Disabled = disabled
		return nil
	})
}

// Remove removes an account: it can no longer sign in and its password is dropped,
// but its name stays so that the history still says who did what.
func (s *Store) Remove(username string) error {
	return s.Update(username, func(u *User) error {
		if u.Removed {
			return fmt.Errorf("用户 %s 已删除", username)
		}
		u.Removed, u.Disabled, u.Hash, u.History = true, true, "", nil
		return nil
	})
}

// SetRole gives an account a role (with its unit or leader for those roles).
func (s *Store) SetRole(username, role, unit, leader string) error {
	return s.Update(username, func(u *User) error {
		if u.Removed {
			return fmt.Errorf("用户 %s 已删除", username)
		}
		u.Role, u.Unit, u.Leader = role, unit, leader
		return nil
	})
}
