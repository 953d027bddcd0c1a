package workflows

import (
	"crypto/ed25519"
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
	return checkActor(ctx, t.in.Keys, t.c.Used, update, a, id)
}

// checkActor verifies the assertion of an update of the running workflow against the
// keys it trusts (none: nothing to check, a workflow from before signed actors); used
// are the assertions it has taken (nil: it remembers none, one run and the request id
// suffice).
func checkActor(ctx workflow.Context, keys []actor.PublicKey, used map[string]time.Time, update string, a *actor.Assertion, id actor.Identity) error {
	if len(keys) == 0 {
		return nil
	}
	return verifyActor(ctx, keys, used, a, actor.Expect{Identity: id, Action: update})
}

// verifyActor fills in what every assertion must name (this workflow, the update's
// request id) and refuses one taken before.
func verifyActor(ctx workflow.Context, keys []actor.PublicKey, used map[string]time.Time, a *actor.Assertion, want actor.Expect) error {
	want.Workflow = workflow.GetInfo(ctx).WorkflowExecution.ID
	if u := workflow.GetCurrentUpdateInfo(ctx); u != nil {
		want.Request = u.ID
	}
	if _, err := actor.Verify(a, keys, want, workflow.Now(ctx)); err != nil {
		return fmt.Errorf("身份核验未通过：%w", err)
	}
	if _, ok := used[a.Fingerprint()]; ok {
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

// validateKeys admits a new key set signed by an operator key the workflow trusts
// (current; a workflow that trusts none yet: by one of the new keys, which is how keys
// first reach workflows started before signed actors).
func validateKeys(ctx workflow.Context, current []actor.PublicKey, used map[string]time.Time, req relay.KeysRequest) error {
	if len(req.Keys) == 0 {
		return errors.New("受信任密钥为空：至少需要一把密钥")
	}
	for i, k := range req.Keys {
		if !k.Kind.Valid() || len(k.Key) != ed25519.PublicKeySize || k.Name == "" {
			return fmt.Errorf("第%d把密钥无效（类型、名称或公钥）", i+1)
		}
	}
	if len(current) == 0 {
		current = req.Keys
	}
	return verifyActor(ctx, current, used, req.Assertion, actor.Expect{Action: relay.UpdateSetKeys,
		Digest: actor.Digest(req.Keys), Kinds: []actor.Kind{actor.Operator}})
}

// setKeysHandler registers UpdateSetKeys on a workflow whose trusted keys are *keys
// and which remembers no assertion (one run: the request id suffices); view is the
// update's result.
func setKeysHandler(ctx workflow.Context, keys *[]actor.PublicKey, view func() any) error {
	return setKeysHandlerUsed(ctx, keys, nil, nil, view)
}

// setKeysHandlerUsed is setKeysHandler for a workflow that remembers the assertions
// it took (used) and notes each (took).
func setKeysHandlerUsed(ctx workflow.Context, keys *[]actor.PublicKey, used func() map[string]time.Time,
	took func(workflow.Context, *actor.Assertion), view func() any) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, relay.UpdateSetKeys,
		func(ctx workflow.Context, req relay.KeysRequest) (any, error) {
			*keys = req.Keys
			if took != nil {
				took(ctx, req.Assertion)
			}
			return view(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req relay.KeysRequest) error {
			var u map[string]time.Time
			if used != nil {
				u = used()
			}
			return validateKeys(ctx, *keys, u, req)
		}})
}

func (t *task) registerKeys(ctx workflow.Context) error {
	return setKeysHandlerUsed(ctx, &t.in.Keys, func() map[string]time.Time { return t.c.Used },
		func(ctx workflow.Context, a *actor.Assertion) { t.took(ctx, a); t.operator = "" },
		func() any { return t.view() })
}
