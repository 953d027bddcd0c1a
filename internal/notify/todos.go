package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"taskrelay/internal/accounts"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/imapp"
	"taskrelay/internal/relay"
)

// Todos keeps each task's DingTalk 待办 in step with the task: one per person
// responsible while the task is open (its 责任人 per unit, else the unit's head and
// officers), marked done when the task is closed or withdrawn, when the unit is
// taken off it, or when another 责任人 is named. It runs on every notice about a
// task, as a delivery (retried and set aside like any), and looks at the task as
// it is then, so a notice missed or repeated changes nothing.
//
// The platform's task ids are kept in the store every worker shares
// (todos/<task>/<username>.json), so a restart or a second worker never makes a
// second 待办; a create whose record was lost (the worker killed in between) is
// found again on the platform by its sourceId, the task id.
type Todos struct {
	DingTalk *imapp.DingTalk
	People   People
	Store    *blob.Bucket
	// PublicURL is the console as people reach it: the 待办's detail link.
	PublicURL string
	// ClaimStale is how long a create claimed by another worker may stay unfinished
	// before this one makes it (finding the other's by sourceId if it got through).
	ClaimStale time.Duration
	Now        func() time.Time
}

// TodoRecord is one person's 待办 of one task.
type TodoRecord struct {
	Task     string    `json:"task"`
	Username string    `json:"username"`
	UnionID  string    `json:"union_id"`
	TodoID   string    `json:"todo_id,omitempty"` // "" : being created (claimed)
	Claimed  time.Time `json:"claimed"`
	Done     bool      `json:"done,omitempty"`
	DoneAt   time.Time `json:"done_at,omitzero"`
}

func todoKey(task, username string) string {
	return "todos/" + FileName(task) + "/" + FileName(username) + ".json"
}

func (t *Todos) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Records are a task's 待办 records.
func (t *Todos) Records(ctx context.Context, task string) ([]TodoRecord, error) {
	var out []TodoRecord
	err := blobstore.Each(ctx, t.Store, "todos/"+FileName(task)+"/", func(key string) error {
		r, ok, err := t.read(ctx, key)
		if err == nil && ok {
			out = append(out, r)
		}
		return err
	})
	return out, err
}

func (t *Todos) read(ctx context.Context, key string) (TodoRecord, bool, error) {
	rd, err := t.Store.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return TodoRecord{}, false, nil
	}
	if err != nil {
		return TodoRecord{}, false, err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return TodoRecord{}, false, err
	}
	var r TodoRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return TodoRecord{}, false, fmt.Errorf("待办记录 %s: %w", key, err)
	}
	return r, true, nil
}

func (t *Todos) write(ctx context.Context, r TodoRecord) error {
	data, _ := json.Marshal(r)
	return t.Store.WriteAll(ctx, todoKey(r.Task, r.Username), data, &blob.WriterOptions{ContentType: "application/json"})
}

// Sync brings the 待办 of task v in step with it.
func (t *Todos) Sync(ctx context.Context, v relay.TaskView) error {
	want, err := t.People.ForTask(v)
	if err != nil {
		return err
	}
	have, err := t.Records(ctx, v.ID)
	if err != nil {
		return err
	}
	wanted := map[string]accounts.User{}
	for _, u := range want {
		if u.DingTalkUnion != "" {
			wanted[u.Username] = u
		}
	}
	var errs []error
	for _, r := range have {
		u, keep := wanted[r.Username]
		if r.Done || r.TodoID == "" || (keep && u.DingTalkUnion == r.UnionID) {
			continue
		}
		if err := t.DingTalk.DoneTodo(ctx, r.UnionID, r.TodoID); err != nil {
			errs = append(errs, err)
			continue
		}
		r.Done, r.DoneAt = true, t.now().UTC()
		if err := t.write(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	byUser := map[string]TodoRecord{}
	for _, r := range have {
		byUser[r.Username] = r
	}
	for _, u := range want {
		if _, ok := wanted[u.Username]; !ok {
			continue
		}
		r, ok := byUser[u.Username]
		if ok && r.UnionID == u.DingTalkUnion && r.TodoID != "" && !r.Done {
			continue // has one; one done before (made responsible again) is made anew
		}
		if err := t.create(ctx, v, u, r, ok); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// create makes u's 待办 of task v: it claims the record first, so of two workers
// one creates; a claim left by a worker killed before it recorded the id is taken
// over once stale, and the platform's 待办 found by its sourceId.
func (t *Todos) create(ctx context.Context, v relay.TaskView, u accounts.User, prev TodoRecord, had bool) error {
	key := todoKey(v.ID, u.Username)
	claim := TodoRecord{Task: v.ID, Username: u.Username, UnionID: u.DingTalkUnion, Claimed: t.now().UTC()}
	data, _ := json.Marshal(claim)
	switch {
	case !had:
		won, err := blobstore.WriteIfAbsent(ctx, t.Store, key, data, "application/json")
		if err != nil {
			return err
		}
		if !won {
			return fmt.Errorf("待办 %s/%s 正由另一进程创建，稍后再看", v.ID, u.Username)
		}
	case prev.TodoID == "" && t.now().Sub(prev.Claimed) < t.claimStale():
		return fmt.Errorf("待办 %s/%s 正由另一进程创建，稍后再看", v.ID, u.Username)
	default:
		if err := t.write(ctx, claim); err != nil {
			return err
		}
	}
	todo := imapp.Todo{SourceID: v.ID, Subject: todoSubject(v), Description: v.Requirements, URL: t.link(v.ID)}
	if d, err := time.ParseInLocation("2006-01-02", v.Deadline, shanghai()); err == nil {
		todo.Due = d.Add(18 * time.Hour) // the end of the working day
	}
	id, err := t.DingTalk.CreateTodo(ctx, u.DingTalkUnion, todo)
	if err != nil {
		return err
	}
	claim.TodoID = id
	return t.write(ctx, claim)
}

func (t *Todos) claimStale() time.Duration {
	if t.ClaimStale > 0 {
		return t.ClaimStale
	}
	return 2 * time.Minute
}

func (t *Todos) link(task string) string {
	if t.PublicURL == "" {
		return ""
	}
	base := strings.TrimRight(t.PublicURL, "/")
	return base + "/login/dingtalk?next=" + "/tasks/" + pathEscape(task)
}

// todoSubject is the 待办's title: the task's number and title.
func todoSubject(v relay.TaskView) string {
	s := fmt.Sprintf("【督办】%s", v.Title)
	if v.No > 0 {
		s = fmt.Sprintf("【督办 %d】%s", v.No, v.Title)
	}
	return shorten(s, func(x string) bool { return len([]rune(x)) <= 100 })
}

func shanghai() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

// todoChannel is the 待办's delivery: one message per task of the notice, each a
// Sync of that task.
type todoChannel struct{ todos *Todos }

type todoMessage struct {
	Task string `json:"task"`
}

// Prepare implements Channel.
func (c todoChannel) Prepare(o Outgoing) ([][]byte, error) {
	var out [][]byte
	for _, id := range noticeTasks(o.Notice) {
		out = append(out, encodeJSON(todoMessage{Task: id}))
	}
	return out, nil
}

// Send implements Channel: reads the task and syncs its 待办.
func (c todoChannel) Send(ctx context.Context, o Outgoing, msg []byte) error {
	var m todoMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return permanent(err)
	}
	if c.todos.People.Task == nil {
		return permanent(errors.New("待办: 无法读取任务"))
	}
	v, err := c.todos.People.Task(ctx, m.Task)
	if err != nil {
		return fmt.Errorf("读取任务 %s: %w", m.Task, err)
	}
	return appError(ChannelDingTalkTodo, c.todos.Sync(ctx, v))
}

// Rate implements Channel: the 待办 API's calls are few; no window.
func (c todoChannel) Rate() (string, []Window) { return "", nil }
