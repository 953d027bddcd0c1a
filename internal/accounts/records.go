package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// SessionsFile is the session records' file name inside the data folder.
const SessionsFile = "sessions.json"

// SessionRecord is one live session as the server keeps it.
type SessionRecord struct {
	ID       string    `json:"id"`
	Username string    `json:"username"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Expires  time.Time `json:"expires"`
	IP       string    `json:"ip"`
	Agent    string    `json:"agent"`
}

// records holds the session records: in memory, or in a file (path set) re-read when
// another process changed it and rewritten under an exclusive lock.
type records struct {
	path string
	mu   sync.Mutex
	m    map[string]SessionRecord
	mod  time.Time
	size int64
}

// reload re-reads the file if it changed; r.mu held.
func (r *records) reload() error {
	if r.path == "" {
		if r.m == nil {
			r.m = map[string]SessionRecord{}
		}
		return nil
	}
	st, err := os.Stat(r.path)
	if errors.Is(err, os.ErrNotExist) {
		r.m, r.mod, r.size = map[string]SessionRecord{}, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("会话记录 %s: %w", r.path, err)
	}
	if r.m != nil && st.ModTime().Equal(r.mod) && st.Size() == r.size {
		return nil
	}
	data, err := os.ReadFile(r.path)
	if err != nil {
		return fmt.Errorf("会话记录 %s: %w", r.path, err)
	}
	var list []SessionRecord
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("会话记录 %s 格式错误: %w", r.path, err)
	}
	m := make(map[string]SessionRecord, len(list))
	for _, x := range list {
		m[x.ID] = x
	}
	r.m, r.mod, r.size = m, st.ModTime(), st.Size()
	return nil
}

func (r *records) get(id string) (SessionRecord, bool, error) {
	var rec SessionRecord
	var ok bool
	err := r.read(func(m map[string]SessionRecord) { rec, ok = m[id] })
	return rec, ok, err
}

func (r *records) read(f func(map[string]SessionRecord)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.reload(); err != nil {
		return err
	}
	f(r.m)
	return nil
}

// change applies f to the records and saves them when f reports a change. Across
// processes, a lock file serialises read-modify-write.
func (r *records) change(f func(map[string]SessionRecord) bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path != "" {
		if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
			return fmt.Errorf("会话记录目录: %w", err)
		}
		lock, err := os.OpenFile(r.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("会话记录 %s: %w", r.path, err)
		}
		defer lock.Close()
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return fmt.Errorf("会话记录 %s 加锁: %w", r.path, err)
		}
		defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		r.m = nil // read afresh under the lock
	}
	if err := r.reload(); err != nil {
		return err
	}
	if !f(r.m) || r.path == "" {
		return nil
	}
	list := make([]SessionRecord, 0, len(r.m))
	for _, x := range r.m {
		list = append(list, x)
	}
	data, err := json.MarshalIndent(list, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(r.path), ".sessions-*.json")
	if err != nil {
		return fmt.Errorf("写会话记录: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("写会话记录: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), r.path); err != nil {
		return fmt.Errorf("写会话记录: %w", err)
	}
	r.mod, r.size = time.Time{}, 0 // read back on next access (mtime granularity)
	return nil
}
