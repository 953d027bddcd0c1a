package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// signedTask is a task trusting one operator key, with helpers to send updates at a
// virtual time, signed or not.
type signedTask struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	start time.Time
	id    string // the task's workflow id
	op    *actor.Signer
	in    relay.TaskInput
}

func newSignedTask(t *testing.T, trusted bool) *signedTask {
	t.Helper()
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	op, err := actor.NewSigner(actor.Operator, "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	op.Now = env.Now
	in := sampleTaskInput("2026-10-10")
	if trusted {
		in.Keys = []actor.PublicKey{op.Public()}
	}
	id := relay.TaskWorkflowID(in.TaskID)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	return &signedTask{t: t, env: env, start: start, id: id, op: op, in: in}
}

// signed is req signed by s for this task, action and request id.
func (st *signedTask) signed(s *actor.Signer, action, requestID string, req model.Request) model.Request {
	a := s.Sign(req.Identity(), st.id, action, requestID, "")
	req.Assertion = &a
	return req
}

// lazy is a request made when it is sent (signed at that virtual time).
type lazy func() any

// send sends an update (arg: a request, or a lazy one) with an id at start + after.
func (st *signedTask) send(after time.Duration, name, id string, arg any) *outcome {
	o := &outcome{}
	st.env.RegisterDelayedCallback(func() {
		if f, ok := arg.(lazy); ok {
			arg = f()
		}
		st.env.UpdateWorkflow(name, id, o.callbacks(), arg)
	}, after)
	return o
}

// run runs the task until start + end, then cancels it, and returns its last view.
func (st *signedTask) run(end time.Duration) relay.TaskView {
	st.t.Helper()
	var last relay.TaskView
	st.env.RegisterDelayedCallback(func() { last = queryTask(st.t, st.env); st.env.CancelWorkflow() }, end)
	st.env.ExecuteWorkflow(relay.TaskWorkflowName, st.in)
	return last
}

func refusedWith(t *testing.T, name string, o *outcome, want string) {
	t.Helper()
	if !o.done || o.err == nil {
		t.Errorf("%s: want refusal %q, got done=%v err=%v", name, want, o.done, o.err)
		return
	}
	if !strings.Contains(o.err.Error(), want) {
		t.Errorf("%s: refusal %q does not say %q", name, o.err, want)
	}
}

// From the attacker's side: every update without a valid assertion for this task,
// this action, this request and an identity allowed to act is refused by the
// validator, and the task is as it was; a valid one acts once, naming the operator.
func TestSignedActorRefusals(t *testing.T) {
	st := newSignedTask(t, true)
	progress := model.Request{Unit: "czj", Percent: 30, Note: "已拨付资金"}
	stranger, _ := actor.NewSigner(actor.Operator, "zhangsan") // same name, another key
	stranger.Now = st.env.Now
	late, _ := actor.NewSigner(actor.Operator, "zhangsan")
	late.Key = st.op.Key
	late.Now = func() time.Time { return st.env.Now().Add(-actor.DefaultTTL - time.Second) }

	forged := lazy(func() any {
		r := st.signed(st.op, relay.UpdateProgress, "r-forged", model.Request{Unit: "czj", Percent: 30, Note: "已拨付资金"})
		r.Assertion.Identity.Unit, r.Unit = "rsj", "rsj" // the lead's name on the czj-signed assertion
		return r
	})

	h := time.Hour
	cases := []struct {
		name, update, id string
		arg              any
		want             string
	}{
		{"unsigned", relay.UpdateProgress, "r-unsigned", progress, "未附签名"},
		{"forged", relay.UpdateProgress, "r-forged", forged, "签名无效"},
		{"unknown key", relay.UpdateProgress, "r-unknown", lazy(func() any { return st.signed(stranger, relay.UpdateProgress, "r-unknown", progress) }), "不受信任"},
		{"expired", relay.UpdateProgress, "r-expired", lazy(func() any { return st.signed(late, relay.UpdateProgress, "r-expired", progress) }), "已过期"},
		{"other workflow", relay.UpdateProgress, "r-wf", lazy(func() any {
			a := st.op.Sign(progress.Identity(), relay.TaskWorkflowID("cwh-2026-12:2"), relay.UpdateProgress, "r-wf", "")
			r := progress
			r.Assertion = &a
			return r
		}), "不是 " + st.id},
		{"other action", relay.UpdateProgress, "r-act", lazy(func() any { return st.signed(st.op, relay.UpdateAck, "r-act", progress) }), "签名针对操作 ack"},
		{"replayed under another request", relay.UpdateProgress, "r-replay", lazy(func() any { return st.signed(st.op, relay.UpdateProgress, "r-ok", progress) }), "重放"},
		{"other identity", relay.UpdateProgress, "r-id", lazy(func() any {
			r := st.signed(st.op, relay.UpdateProgress, "r-id", model.Request{Unit: "czj"})
			r.Unit, r.Percent, r.Note = "rsj", 30, "已拨付资金"
			return r
		}), "不是请求的身份"},
		{"unit of another task", relay.UpdateProgress, "r-gaj", lazy(func() any {
			return st.signed(st.op, relay.UpdateProgress, "r-gaj", model.Request{Unit: "gaj", Percent: 30, Note: "x"})
		}), "不是任务"},
		{"unit verifying", relay.UpdateVerify, "r-verify", lazy(func() any {
			return st.signed(st.op, relay.UpdateVerify, "r-verify", model.Request{By: "czj", Approve: true})
		}), "无权审核"},
		{"unsigned change", relay.UpdateWithdraw, "r-withdraw", model.Request{By: relay.Office, Reason: "不再需要"}, "未附签名"},
		{"unsigned key set", relay.UpdateSetKeys, "r-keys", relay.KeysRequest{Keys: []actor.PublicKey{stranger.Public()}}, "未附签名"},
	}
	outs := make([]*outcome, len(cases))
	for i, c := range cases {
		outs[i] = st.send(h+time.Duration(i)*time.Minute, c.update, c.id, c.arg)
	}
	var before relay.TaskView
	st.env.RegisterDelayedCallback(func() { before = queryTask(t, st.env) }, h-time.Minute)
	var okSigned *model.Request // signed once: the second send is the very same request
	okReq := lazy(func() any {
		if okSigned == nil {
			r := st.signed(st.op, relay.UpdateProgress, "r-ok", progress)
			okSigned = &r
		}
		return *okSigned
	})
	ok := st.send(2*h, relay.UpdateProgress, "r-ok", okReq)
	again := st.send(2*h+time.Minute, relay.UpdateProgress, "r-ok", okReq) // the same request twice acts once
	var afterRefusals relay.TaskView
	st.env.RegisterDelayedCallback(func() { afterRefusals = queryTask(t, st.env) }, 2*h-time.Minute)
	last := st.run(3 * h)

	for i, c := range cases {
		refusedWith(t, c.name, outs[i], c.want)
	}
	if afterRefusals.State != before.State || afterRefusals.Progress != before.Progress || len(afterRefusals.Timeline) != len(before.Timeline) {
		t.Errorf("refused updates changed the task: before %s %d%% %d entries, after %s %d%% %d entries",
			before.State, before.Progress, len(before.Timeline), afterRefusals.State, afterRefusals.Progress, len(afterRefusals.Timeline))
	}
	if !ok.done || ok.err != nil {
		t.Fatalf("signed progress: done=%v err=%v", ok.done, ok.err)
	}
	if again.err != nil && !strings.Contains(again.err.Error(), "重放") {
		t.Errorf("the same request again: %v", again.err)
	}
	var entries []relay.Event
	for _, e := range last.Timeline {
		if e.Action == relay.ActProgress {
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 || last.Progress != 30 {
		t.Fatalf("want one progress entry at 30%%, got %d entries, progress %d", len(entries), last.Progress)
	}
	if e := entries[0]; e.Operator != "zhangsan" || e.ActorLabel("县财政局") != "操作员 zhangsan 代 县财政局" {
		t.Errorf("entry names operator %q: %q", e.Operator, e.ActorLabel("县财政局"))
	}
	prev := relay.ItemRoot(st.in.Meeting, st.in.Item) // the operator is sealed in the chain
	for i, e := range last.Timeline {
		h := e.Hash
		e.Hash = ""
		if relay.ChainEvent(prev, e) != h {
			t.Errorf("timeline entry %d (%s) does not chain", i, e.Action)
		}
		prev = h
	}
}

// A key rotation: a new key set signed by a trusted operator key replaces the task's
// keys at once (the old key is refused after it); one signed by an untrusted key, or
// by the console's, is refused.
func TestSignedActorKeyRotation(t *testing.T) {
	st := newSignedTask(t, true)
	console, _ := actor.NewSigner(actor.Console, actor.ConsoleName)
	st.in.Keys = append(st.in.Keys, console.Public())
	next, _ := actor.NewSigner(actor.Operator, "lisi")
	next.Now = st.env.Now
	console.Now = st.env.Now
	newSet := []actor.PublicKey{next.Public()}
	keysBy := func(s *actor.Signer, id string, keys []actor.PublicKey) relay.KeysRequest {
		a := s.Sign(actor.Identity{}, st.id, relay.UpdateSetKeys, id, actor.Digest(keys))
		return relay.KeysRequest{Keys: keys, Assertion: &a}
	}
	h := time.Hour
	byUntrusted := st.send(h, relay.UpdateSetKeys, "k1", lazy(func() any { return keysBy(next, "k1", newSet) }))
	byConsole := st.send(h+time.Minute, relay.UpdateSetKeys, "k2", lazy(func() any { return keysBy(console, "k2", newSet) }))
	bySwap := st.send(h+2*time.Minute, relay.UpdateSetKeys, "k3", lazy(func() any {
		r := keysBy(st.op, "k3", newSet)
		r.Keys = []actor.PublicKey{console.Public()} // the digest signed another set
		return r
	}))
	rotate := st.send(h+3*time.Minute, relay.UpdateSetKeys, "k4", lazy(func() any { return keysBy(st.op, "k4", newSet) }))
	ack := model.Request{Unit: "rsj"}
	oldKey := st.send(h+4*time.Minute, relay.UpdateAck, "a1", lazy(func() any { return st.signed(st.op, relay.UpdateAck, "a1", ack) }))
	newKey := st.send(h+5*time.Minute, relay.UpdateAck, "a2", lazy(func() any { return st.signed(next, relay.UpdateAck, "a2", ack) }))
	st.run(2 * h)

	refusedWith(t, "set by an untrusted key", byUntrusted, "不受信任")
	refusedWith(t, "set by the console", byConsole, "无权进行此操作")
	refusedWith(t, "another set than signed", bySwap, "摘要不符")
	if rotate.err != nil {
		t.Fatalf("rotation: %v", rotate.err)
	}
	refusedWith(t, "the old key after rotation", oldKey, "不受信任")
	if newKey.err != nil || newKey.view.State != relay.StateAcknowledged {
		t.Errorf("the new key: err %v, state %s", newKey.err, newKey.view.State)
	}
}

// A task started before signed actors trusts no key: it accepts unsigned actions as
// before, until a key set reaches it (signed by one of its own keys); from then on it
// refuses them.
func TestSignedActorLegacyTask(t *testing.T) {
	st := newSignedTask(t, false)
	ack := model.Request{Unit: "czj"}
	h := time.Hour
	before := st.send(h, relay.UpdateAck, "a1", ack)
	set := st.send(h+time.Minute, relay.UpdateSetKeys, "k1", lazy(func() any {
		a := st.op.Sign(actor.Identity{}, st.id, relay.UpdateSetKeys, "k1", actor.Digest([]actor.PublicKey{st.op.Public()}))
		return relay.KeysRequest{Keys: []actor.PublicKey{st.op.Public()}, Assertion: &a}
	}))
	after := st.send(h+2*time.Minute, relay.UpdateProgress, "p1", model.Request{Unit: "rsj", Percent: 10, Note: "启动"})
	st.run(2 * h)
	if before.err != nil || set.err != nil {
		t.Fatalf("unsigned ack on a legacy task: %v; keys: %v", before.err, set.err)
	}
	refusedWith(t, "unsigned after keys", after, "未附签名")
}

// The office's adoption of a meeting's list is signed too: unsigned, or signed for
// another meeting, it is refused and nothing starts; signed, the tasks start.
func TestSignedActorAdoption(t *testing.T) {
	env, rec := meetingEnv(t)
	office, _ := actor.NewSigner(actor.Console, actor.ConsoleName)
	office.Now = env.Now
	plan := samplePlan(3)
	wf := relay.MeetingWorkflowID(plan.Meeting.ID)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: wf})
	send := func(d time.Duration, id, signFor string) *outcome {
		o := &outcome{}
		env.RegisterDelayedCallback(func() {
			req := relay.AdoptRequest{By: relay.Office}
			if signFor != "" {
				a := office.Sign(req.Identity(), signFor, relay.UpdateAdopt, id, "")
				req.Assertion = &a
			}
			env.UpdateWorkflow(relay.UpdateAdopt, id, o.callbacks(), req)
		}, d)
		return o
	}
	unsigned := send(time.Hour, "a1", "")
	other := send(2*time.Hour, "a2", relay.MeetingWorkflowID("cwh-other"))
	started := 0
	env.RegisterDelayedCallback(func() { started = len(rec.started) }, 3*time.Hour)
	ok := send(4*time.Hour, "a3", wf)
	env.ExecuteWorkflow(relay.MeetingWorkflowName, relay.MeetingInput{Plan: plan, Keys: []actor.PublicKey{office.Public()}})
	refusedWith(t, "unsigned adoption", unsigned, "未附签名")
	refusedWith(t, "adoption signed for another meeting", other, "签名针对流程")
	if started != 0 {
		t.Errorf("refused adoptions started %d tasks", started)
	}
	if !ok.done || ok.err != nil || len(rec.started) != 3 {
		t.Errorf("signed adoption: err %v, %d tasks started", ok.err, len(rec.started))
	}
}
