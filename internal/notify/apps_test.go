package notify

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/imapp"
	"taskrelay/internal/imapp/imapptest"
	"taskrelay/internal/relay"
)

// appWorld is a county with linked accounts, the three fake platforms and a task
// whose view the test changes.
type appWorld struct {
	users *accounts.Store
	ding  *imapptest.DingTalk
	wecom *imapptest.WeCom
	fs    *imapptest.Feishu
	apps  *Apps
	mu    sync.Mutex
	tasks map[string]relay.TaskView
}

func (w *appWorld) task(_ context.Context, id string) (relay.TaskView, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tasks[id], nil
}

func (w *appWorld) setTask(v relay.TaskView) { w.mu.Lock(); w.tasks[v.ID] = v; w.mu.Unlock() }

func newAppWorld(t *testing.T) *appWorld {
	t.Helper()
	store, err := accounts.Open(filepath.Join(t.TempDir(), "users.json"))
	if err != nil {
		t.Fatal(err)
	}
	add := func(u accounts.User) {
		if err := store.Add(u, "Passw0rd-Xy9"); err != nil {
			t.Fatal(err)
		}
	}
	add(accounts.User{Username: "head", Role: accounts.RoleUnitHead, Unit: "rsj", Links: accounts.Links{DingTalk: "d-head", DingTalkUnion: "u-head", WeCom: "w-head", Feishu: "ou_head"}})
	add(accounts.User{Username: "clerk", Role: accounts.RoleUnit, Unit: "rsj", Links: accounts.Links{DingTalk: "d-clerk", DingTalkUnion: "u-clerk", WeCom: "w-clerk"}})
	add(accounts.User{Username: "nolink", Role: accounts.RoleUnit, Unit: "rsj"})
	add(accounts.User{Username: "off", Role: accounts.RoleUnit, Unit: "rsj", Links: accounts.Links{DingTalk: "d-off", DingTalkUnion: "u-off"}})
	_ = store.Update("off", func(u *accounts.User) error { u.Disabled = true; return nil })
	add(accounts.User{Username: "other", Role: accounts.RoleUnit, Unit: "czj", Links: accounts.Links{DingTalk: "d-other", DingTalkUnion: "u-other"}})
	add(accounts.User{Username: "li", Role: accounts.RoleLeader, Leader: "ld-li", Links: accounts.Links{DingTalk: "d-li", DingTalkUnion: "u-li"}})
	w := &appWorld{users: store, tasks: map[string]relay.TaskView{}}
	w.ding = imapptest.NewDingTalk(t, 2*time.Hour)
	for _, id := range []string{"head", "clerk", "off", "other", "li"} {
		w.ding.AddUser("d-"+id, "u-"+id, "")
	}
	w.wecom = imapptest.NewWeCom(t, 2*time.Hour)
	w.wecom.AddMember("w-head")
	w.wecom.AddMember("w-clerk")
	w.fs = imapptest.NewFeishu(t, 2*time.Hour)
	w.fs.AddUser("ou_head")
	w.apps = &Apps{DingTalk: imapp.NewDingTalk(w.ding.App(), nil), WeCom: imapp.NewWeCom(w.wecom.App(), nil), Feishu: imapp.NewFeishu(w.fs.App(), nil)}
	return w
}

func (w *appWorld) pusher(t *testing.T) *Pusher {
	people := People{Users: w.users, Task: w.task}
	b, err := blobstore.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	w.apps.Todos = &Todos{DingTalk: w.apps.DingTalk, People: people, Store: b, PublicURL: "https://dc.example.gov.cn"}
	r := &AppRouter{Base: &Routes{PublicURL: "https://dc.example.gov.cn"}, Apps: w.apps, People: people, PublicURL: "https://dc.example.gov.cn"}
	p := fastPusher(filepath.Join(t.TempDir(), "deliveries"), r)
	p.Ledger = NewLedger(b, "w1")
	return p
}

func dispatchNotice(id string, tasks ...string) relay.Notice {
	n := relay.Notice{ID: id, Kind: relay.NoticeDispatch, ToKind: relay.ToUnit, To: "rsj", ToName: "县人社局", Subject: "交办单：县人社局", Body: "请按时办理。", IssuedAt: time.Now()}
	for i, tk := range tasks {
		n.Items = append(n.Items, relay.NoticeItem{No: i + 1, TaskID: tk, Title: "任务" + tk, Deadline: "2027-03-31"})
	}
	return n
}

// TestWorkNoticeReachesEachLinkedPersonOnce: a dispatch to a unit reaches its head
// and officers linked on each platform once (not the unlinked, the disabled nor
// another unit's), each message naming its notice, on one cached token per app;
// a leader's notice reaches the leader; the deliveries are in the ledger under
// their channels; an errcode answer (HTTP 200) is a failure, retried.
func TestWorkNoticeReachesEachLinkedPersonOnce(t *testing.T) {
	w := newAppWorld(t)
	p := w.pusher(t)
	w.ding.FailSends, w.ding.FailCode = 1, -1 // 系统繁忙, in an HTTP 200
	runPusher(t, p)
	w.setTask(relay.TaskView{ID: "T1", Title: "任务T1", LeadUnit: "rsj", State: relay.StateDispatched})
	for _, n := range []relay.Notice{dispatchNotice("N1", "T1"), dispatchNotice("N1", "T1"), // recorded twice: sent once
		{ID: "N2", Kind: relay.NoticeEscalation, ToKind: relay.ToLeader, To: "ld-li", Subject: "督办：任务T1", TaskID: "T1", IssuedAt: time.Now()}} {
		if err := p.EnqueueContext(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "work notices", func() bool {
		return len(w.ding.Messages()) == 3 && len(w.wecom.Messages()) == 2 && len(w.fs.Messages()) == 1
	})
	got := map[string]int{}
	for _, m := range w.ding.Messages() {
		got[m.To]++
		if !strings.Contains(m.Text, "通知编号：N") {
			t.Errorf("message does not name its notice: %q", m.Text)
		}
		if !strings.HasPrefix(m.URL, "https://dc.example.gov.cn/login/dingtalk?next=") {
			t.Errorf("link %q does not sign in through the app", m.URL)
		}
	}
	if got["d-head"] != 1 || got["d-clerk"] != 1 || got["d-li"] != 1 {
		t.Errorf("DingTalk work notices per person: %v", got)
	}
	if w.ding.Duplicates != 0 {
		t.Errorf("%d identical messages to one person", w.ding.Duplicates)
	}
	if w.apps.DingTalk.TokenFetches() != 1 || w.apps.WeCom.TokenFetches() != 1 || w.apps.Feishu.TokenFetches() != 1 {
		t.Errorf("tokens fetched: %d %d %d, want one each", w.apps.DingTalk.TokenFetches(), w.apps.WeCom.TokenFetches(), w.apps.Feishu.TokenFetches())
	}
	waitFor(t, "ledger", func() bool {
		ds, _ := p.Ledger.Deliveries(context.Background(), false)
		n := 0
		for _, d := range ds {
			if d.State == relay.DeliveryDelivered {
				n++
			}
		}
		return n == 8 // 3 DingTalk, 2 WeCom, 1 Feishu, 2 待办
	})
	ds, _ := p.Ledger.Deliveries(context.Background(), false)
	channels := map[string]int{}
	retried := false
	for _, d := range ds {
		channels[d.Channel]++
		if d.Channel == ChannelDingTalkWork && d.Attempts > 1 {
			retried = true
		}
	}
	if channels[ChannelDingTalkWork] != 3 || channels[ChannelWeComApp] != 2 || channels[ChannelFeishuApp] != 1 || channels[ChannelDingTalkTodo] != 2 {
		t.Errorf("deliveries by channel: %v", channels)
	}
	if !retried {
		t.Error("the errcode answer was not retried")
	}
}

// TestWeComPerMemberLimitQueues: 40 notices to one member within a minute stay
// within WeCom's 30 a minute per member (the rest wait in the queue; WeCom would
// drop them silently), none lost.
func TestWeComPerMemberLimitQueues(t *testing.T) {
	w := newAppWorld(t)
	w.apps.DingTalk, w.apps.Feishu = nil, nil
	p := w.pusher(t)
	w.apps.Todos = nil
	runPusher(t, p)
	for i := 0; i < 40; i++ {
		n := relay.Notice{ID: "R" + string(rune('A'+i)), Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj", Subject: "提醒", IssuedAt: time.Now()}
		if err := p.EnqueueContext(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "30 to each member", func() bool { return len(w.wecom.Messages()) >= 60 })
	time.Sleep(300 * time.Millisecond)
	if n := len(w.wecom.Messages()); n != 60 {
		t.Errorf("%d messages within the minute, want 60 (30 each)", n)
	}
	if _, dropped := w.wecom.Counts(); dropped != 0 {
		t.Errorf("%d messages dropped by the platform", dropped)
	}
	if p.Pending() != 20 {
		t.Errorf("pending = %d, want 20 waiting for the next minute", p.Pending())
	}
}

func openTodos(d *imapptest.DingTalk) map[string]int {
	out := map[string]int{}
	for _, t := range d.Todos() {
		if !t.Done {
			out[t.UnionID+"/"+t.SourceID]++
		}
	}
	return out
}

// TestTodosFollowTheTask: a started task gives each person responsible one 待办;
// a 责任人 named later keeps one and the others' are done; the unit taken off the
// task (reassigned) has its 待办 done and the new unit's people get one; closing
// and withdrawing mark every one done. A second worker, and a worker killed
// between creating and recording, make no second 待办.
func TestTodosFollowTheTask(t *testing.T) {
	w := newAppWorld(t)
	p := w.pusher(t)
	todos := w.apps.Todos
	ctx := context.Background()
	sync := func(v relay.TaskView) {
		t.Helper()
		w.setTask(v)
		if err := todos.Sync(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	_ = p
	v := relay.TaskView{ID: "T1", No: 3, Title: "稳就业", LeadUnit: "rsj", Deadline: "2027-03-31", State: relay.StateDispatched}
	sync(v)
	sync(v) // again (a retry, another notice): nothing new
	if got := openTodos(w.ding); len(got) != 2 || got["u-head/T1"] != 1 || got["u-clerk/T1"] != 1 {
		t.Fatalf("after start: %v", got)
	}
	if _, creates := w.ding.Counts(); creates != 2 {
		t.Fatalf("creates = %d", creates)
	}
	for _, td := range w.ding.Todos() {
		if !strings.Contains(td.Subject, "稳就业") || td.Due == 0 || !strings.Contains(td.URL, "/tasks/T1") {
			t.Errorf("待办: %+v", td)
		}
	}
	v.Assignees = map[string]string{"rsj": "clerk"}
	v.State = relay.StateInProgress
	sync(v)
	if got := openTodos(w.ding); len(got) != 1 || got["u-clerk/T1"] != 1 {
		t.Fatalf("after naming the 责任人: %v", got)
	}
	// Reassigned: czj leads instead.
	v.LeadUnit, v.Assignees = "czj", nil
	sync(v)
	if got := openTodos(w.ding); len(got) != 1 || got["u-other/T1"] != 1 {
		t.Fatalf("after reassigning: %v", got)
	}
	v.State = relay.StateClosed
	sync(v)
	if got := openTodos(w.ding); len(got) != 0 {
		t.Fatalf("after closing: %v", got)
	}

	// Withdrawn.
	v2 := relay.TaskView{ID: "T2", Title: "乡村振兴", LeadUnit: "rsj", State: relay.StateDispatched}
	sync(v2)
	now := time.Now()
	v2.State, v2.WithdrawnAt = relay.StateWithdrawn, &now
	sync(v2)
	if got := openTodos(w.ding); len(got) != 0 {
		t.Fatalf("after withdrawing: %v", got)
	}

	// A worker killed after the platform made the 待办 and before recording it: its
	// claim stays, then goes stale; the next sync finds the 待办 by its sourceId.
	v3 := relay.TaskView{ID: "T3", Title: "招商引资", LeadUnit: "rsj", Assignees: map[string]string{"rsj": "head"}, State: relay.StateDispatched}
	lost := w.ding.PutTodo("u-head", "T3", "【督办】招商引资")
	claim := TodoRecord{Task: "T3", Username: "head", UnionID: "u-head", Claimed: time.Now().Add(-time.Hour)}
	if err := todos.write(ctx, claim); err != nil {
		t.Fatal(err)
	}
	_, before := w.ding.Counts()
	second := *todos // another worker on the shared store
	w.setTask(v3)
	if err := second.Sync(ctx, v3); err != nil {
		t.Fatal(err)
	}
	if _, after := w.ding.Counts(); after != before {
		t.Errorf("a second 待办 was created after the kill")
	}
	recs, _ := todos.Records(ctx, "T3")
	if len(recs) != 1 || recs[0].TodoID != lost {
		t.Errorf("records of T3: %+v, want the 待办 %s", recs, lost)
	}
	// A fresh claim of another worker is left to it (retried later), not doubled.
	v4 := relay.TaskView{ID: "T4", Title: "x", LeadUnit: "rsj", Assignees: map[string]string{"rsj": "head"}, State: relay.StateDispatched}
	if err := todos.write(ctx, TodoRecord{Task: "T4", Username: "head", UnionID: "u-head", Claimed: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := todos.Sync(ctx, v4); err == nil {
		t.Error("a fresh claim of another worker was not respected")
	}
	if got := openTodos(w.ding); got["u-head/T4"] != 0 {
		t.Errorf("T4 created under another's claim")
	}
}

// TestFeishuPerUserLimitQueues: twelve notices to one Feishu user go out at most
// five a second (Feishu refuses more with 230020): none refused, none lost.
func TestFeishuPerUserLimitQueues(t *testing.T) {
	w := newAppWorld(t)
	w.apps.DingTalk, w.apps.WeCom = nil, nil
	p := w.pusher(t)
	w.apps.Todos = nil
	runPusher(t, p)
	for i := 0; i < 12; i++ {
		n := relay.Notice{ID: "F" + string(rune('A'+i)), Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj", Subject: "提醒", IssuedAt: time.Now()}
		if err := p.EnqueueContext(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "twelve messages", func() bool { return len(w.fs.Messages()) == 12 })
	if _, refused := w.fs.Counts(); refused != 0 {
		t.Errorf("%d messages refused as too fast", refused)
	}
}

// TestUnreadableTaskStillNotifies: a task notice whose task cannot be read goes to
// the unit's head and officers instead of holding up the notice.
func TestUnreadableTaskStillNotifies(t *testing.T) {
	w := newAppWorld(t)
	people := People{Users: w.users, Task: func(context.Context, string) (relay.TaskView, error) {
		return relay.TaskView{}, errors.New("workflow not found")
	}}
	got, err := people.ForNotice(context.Background(), relay.Notice{ID: "x", ToKind: relay.ToUnit, To: "rsj", TaskID: "T9"})
	if err != nil || len(got) != 3 { // head, clerk, nolink (off is disabled)
		t.Fatalf("people: %v %v", len(got), err)
	}
}
