package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
)

// Signed actors (package actor, relay/actor.go): a task that trusts keys (t.in.Keys)
// takes an action only with an assertion, signed by one of them, that names this task,
// this update and its request id, is within its validity at workflow.Now, and signs
// the identity the request acts as; the validators then check, as before, that this
// identity may take the action. The assertions taken are remembered (TaskCarry.Used)
// until they expire, so the same one cannot act again even in a later run.
//
// A task started before signed actors trusts no key and accepts actions as before,
// until keys are pushed to it (UpdateSetKeys, `starter keys push`). None of this
// issues commands, so recorded histories replay unchanged (validators are not run on
// replay, and the handlers only add state).

// checkActor verifies an update's assertion; nil when the task trusts no key.
func (t *task) checkActor(ctx workflow.Context, update string, a *actor.Assertion, id actor.Identity) error {
	if len(t.in.Keys) == 0 {
		return nil
	}
	return t.verifyActor(ctx, t.in.Keys, a, actor.Expect{Identity: id, Action: update})
}

// verifyActor fills in what every assertion must name (this workflow, the update's request
// id) and refuses one the task has taken before.
func (t *task) verifyActor(ctx workflow.Context, keys []actor.PublicKey, a *actor.Assertion, want actor.Expect) error {
	want.Workflow = workflow.GetInfo(ctx).WorkflowExecution.ID
	if u := workflow.GetCurrentUpdateInfo(ctx); u != nil {
		want.Request = u.ID
	}
	if _, err := actor.Verify(a, keys, want, workflow.Now(ctx)); err != nil {
		return fmt.Errorf("身份核验未通过：%w", err)
	}
	if _, used := t.c.Used[a.Fingerprint()]; used {
		return fmt.Errorf("身份核验未通过：%w：该签名已使用过（重放）", actor.ErrMismatch)
	}
	return nil
}

// took remembers an accepted assertion until it expires, forgets the expired ones,
// and notes the operator acting (for the entries the update records).
func (t *task) took(ctx workflow.Context, a *actor.Assertion) {
	t.operator = ""
	if a == nil || len(t.in.Keys) == 0 {
		return
	}
	t.forgetExpired(workflow.Now(ctx))
	if t.c.Used == nil {
		t.c.Used = map[string]time.Time{}
	}
	t.c.Used[a.Fingerprint()] = a.ExpiresAt
	if a.Kind == actor.Operator {
		t.operator = a.Signer
	}
}

// forgetExpired drops remembered assertions that have expired: they are refused as
// expired anyway.
func (t *task) forgetExpired(now time.Time) {
	for fp, exp := range t.c.Used {
		if !now.Before(exp) {
			delete(t.c.Used, fp)
		}
	}
}

// validateSetKeys admits a new key set signed by an operator key the task trusts (a
// task that trusts none yet: by one of the new keys, which is how keys first reach
// tasks started before signed actors).
func (t *task) validateSetKeys(ctx workflow.Context, req relay.KeysRequest) error {
	if len(req.Keys) == 0 {
		return errors.New("受信任密钥为空：至少需要一把密钥")
	}
	for i, k := range req.Keys {
		if !k.Kind.Valid() || len(k.Key) != 32 || k.Name == "" {
			return fmt.Errorf("第%d把密钥无效（类型、名称或公钥）", i+1)
		}
	}
	trusted := t.in.Keys
	if len(trusted) == 0 {
		trusted = req.Keys
	}
	return t.verifyActor(ctx, trusted, req.Assertion, actor.Expect{Action: relay.UpdateSetKeys,
		Digest: actor.Digest(req.Keys), Kinds: []actor.Kind{actor.Operator}})
}

func (t *task) registerKeys(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, relay.UpdateSetKeys,
		func(ctx workflow.Context, req relay.KeysRequest) (relay.TaskView, error) {
			t.in.Keys = req.Keys
			t.took(ctx, req.Assertion)
			t.operator = ""
			return t.view(), nil
		},
		workflow.UpdateHandlerOptions{Validator: t.validateSetKeys})
}
