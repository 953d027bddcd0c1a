// Package seclog is the console's security log (等保 2.0 安全审计): logins, failures,
// locks, logouts, account and role changes and every refused action, one JSON line
// each, appended only, every line carrying the hash of the one before it, so an edited,
// removed or reordered line breaks the chain that Verify (and `starter audit`) checks.
package seclog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// File is the security log's name inside the data folder.
const File = "security.log"

// Retention is how long lines must be kept (等保 2.0: at least six months). The log is
// never pruned by taskrelay; an operator archiving it must keep this much.
const Retention = 180 * 24 * time.Hour

// Events.
const (
	Login           = "login"            // 登录成功
	LoginFailed     = "login_failed"     // 登录失败
	Locked          = "locked"           // 账号锁定
	Throttled       = "throttled"        // 登录过于频繁
	Logout          = "logout"           // 退出登录
	SessionTimeout  = "session_timeout"  // 会话超时
	SessionEnded    = "session_ended"    // 结束会话
	PasswordChanged = "password_changed" // 修改密码
	AccountAdded    = "account_added"    // 添加账号
	AccountDisabled = "account_disabled" // 停用账号
	AccountEnabled  = "account_enabled"  // 启用账号
	AccountRemoved  = "account_removed"  // 删除账号
	RoleChanged     = "role_changed"     // 变更角色
	Unlocked        = "unlocked"         // 解除锁定
	Refused         = "refused"          // 拒绝的操作
	AccountLinked   = "account_linked"   // 关联平台账号
	SSOLogin        = "sso_login"        // 单点登录成功（钉钉、企业微信、飞书、统一身份认证）
	SSORefused      = "sso_refused"      // 单点登录被拒
	// PrivilegeRevoked: an administrator's (三员) or the province account's role taken
	// away or the account disabled or removed, on the server; shown apart to the auditor.
	PrivilegeRevoked = "privilege_revoked" // 特权账号降级或停用
)

// Label is an event's Chinese name.
func Label(event string) string {
	switch event {
	case Login:
		return "登录成功"
	case LoginFailed:
		return "登录失败"
	case Locked:
		return "账号锁定"
	case Throttled:
		return "登录过于频繁"
	case Logout:
		return "退出登录"
	case SessionTimeout:
		return "会话超时"
	case SessionEnded:
		return "结束会话"
	case PasswordChanged:
		return "修改密码"
	case AccountAdded:
		return "添加账号"
	case AccountDisabled:
		return "停用账号"
	case AccountEnabled:
		return "启用账号"
	case AccountRemoved:
		return "删除账号"
	case RoleChanged:
		return "变更角色"
	case Unlocked:
		return "解除锁定"
	case Refused:
		return "拒绝的操作"
	case AccountLinked:
		return "关联平台账号"
	case SSOLogin:
		return "单点登录成功"
	case SSORefused:
		return "单点登录被拒"
	case PrivilegeRevoked:
		return "特权账号降级或停用"
	}
	return event
}

// Entry is one line as readers see it.
type Entry struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	IP     string    `json:"ip"`
	Event  string    `json:"event"`
	Detail string    `json:"detail"`
}

// line is one line as written: the entry and its place in the chain.
type line struct {
	Entry
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// maxDetail bounds a line (a refused path can be long).
const maxDetail = 1000

// hash links an entry to the previous line's hash. The fields go in as a JSON array
// of strings, so no choice of field values can make two entries hash alike.
func hash(prev string, e Entry) string {
	b, _ := json.Marshal([]string{prev, e.At.UTC().Format(time.RFC3339Nano), e.User, e.IP, e.Event, e.Detail})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Log appends to a security log file. Appends from several processes are serialised
// by an exclusive lock on the file.
type Log struct {
	path string
	mu   sync.Mutex
	Now  func() time.Time
}

// Open returns the log at path (created on the first Append).
func Open(path string) *Log { return &Log{path: path, Now: time.Now} }

// Path is the log file.
func (l *Log) Path() string { return l.path }

// Append writes one entry (At is set to now when zero).
func (l *Log) Append(e Entry) error {
	if e.At.IsZero() {
		e.At = l.Now()
	}
	e.At = e.At.UTC()
	if r := []rune(e.Detail); len(r) > maxDetail {
		e.Detail = string(r[:maxDetail]) + "…"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return fmt.Errorf("安全日志目录: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("安全日志 %s: %w", l.path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("安全日志 %s 加锁: %w", l.path, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	prev, err := lastHash(f)
	if err != nil {
		return fmt.Errorf("安全日志 %s: %w", l.path, err)
	}
	ln := line{Entry: e, Prev: prev, Hash: hash(prev, e)}
	b, err := json.Marshal(ln)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("写安全日志 %s: %w", l.path, err)
	}
	return nil
}

// lastHash reads the hash of the file's last line ("" for an empty file).
func lastHash(f *os.File) (string, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return "", err
	}
	n := min(st.Size(), 64<<10)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, st.Size()-n); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	buf = bytes.TrimRight(buf, "\n")
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	}
	var ln line
	if err := json.Unmarshal(buf, &ln); err != nil {
		return "", fmt.Errorf("最后一行无法读取: %w", err)
	}
	return ln.Hash, nil
}

// ChainError says where the chain breaks.
type ChainError struct {
	Line   int
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("安全日志第 %d 行%s（哈希链断裂，日志被改动）", e.Line, e.Reason)
}

// Read returns the entries at or after since (zero: all), checking the chain as it
// goes. A broken chain is an error (a *ChainError) returned with the entries before
// the break: what is still trustworthy stays readable, and nothing after it is.
func Read(path string, since time.Time) ([]Entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("安全日志 %s: %w", path, err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	prev, n := "", 0
	for sc.Scan() {
		n++
		var ln line
		if err := json.Unmarshal(sc.Bytes(), &ln); err != nil {
			return out, &ChainError{n, "不是有效的记录"}
		}
		if ln.Prev != prev {
			return out, &ChainError{n, "与上一行不相连"}
		}
		if hash(ln.Prev, ln.Entry) != ln.Hash {
			return out, &ChainError{n, "内容与其哈希不符"}
		}
		prev = ln.Hash
		if !ln.At.Before(since) {
			out = append(out, ln.Entry)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("安全日志 %s: %w", path, err)
	}
	return out, nil
}

// Verify checks the whole chain and returns how many lines it holds.
func Verify(path string) (int, error) {
	all, err := Read(path, time.Time{})
	return len(all), err
}
