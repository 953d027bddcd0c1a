package relayclient

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/google/uuid"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
)

// KeysPushed is what a key push did: the open workflows that took the new key set,
// and those that refused it, each with the engine's reason.
type KeysPushed struct {
	Keys    int      `json:"keys"`
	Updated []string `json:"updated"`
	Refused []string `json:"refused,omitempty"`
}

// keyedTypes are the workflows that trust keys: tasks, meetings waiting for adoption,
// monthly reports waiting for sign-off.
var keyedTypes = []string{relay.TaskWorkflowName, relay.MeetingWorkflowName, relay.MonthlyWorkflowName}

// PushKeys replaces the trusted keys of every open task, meeting and monthly report
// with keys (a key rotation without redeploying running workflows). Each workflow
// takes it only with an assertion, signed here by the client's operator key, for that
// workflow and that key set, by a key the workflow already trusts (or, for one
// started before signed actors, by one of the new keys).
func (c *Client) PushKeys(ctx context.Context, keys []actor.PublicKey) (KeysPushed, error) {
	out := KeysPushed{Keys: len(keys), Updated: []string{}}
	if c.Signer == nil || c.Signer.Kind != actor.Operator {
		return out, errors.New("推送受信任密钥须以操作员密钥签名（starter operator add，--operator 名称）")
	}
	if len(keys) == 0 {
		return out, errors.New("受信任密钥为空，不能推送")
	}
	ids, err := c.openKeyed(ctx)
	if err != nil {
		return out, err
	}
	digest := actor.Digest(keys)
	errs := make([]error, len(ids))
	g := c.queries()
	for i, wf := range ids {
		g.Go(func() error {
			id := uuid.NewString()
			errs[i] = c.quickUpdate(ctx, client.UpdateWorkflowOptions{
				UpdateID: id, WorkflowID: wf, UpdateName: relay.UpdateSetKeys,
				Args: []any{relay.KeysRequest{Keys: keys, Assertion: c.sign(nil, actor.Identity{}, wf, relay.UpdateSetKeys, id, digest)}},
			}, nil)
			return nil
		})
	}
	_ = g.Wait() // errs holds each update's error
	for i, err := range errs {
		switch {
		case err == nil:
			out.Updated = append(out.Updated, ids[i])
		case c.ended(ctx, ids[i], err): // ended meanwhile: nothing to trust any more
		default:
			out.Refused = append(out.Refused, fmt.Sprintf("%s：%v", ids[i], Reason(err)))
		}
	}
	sort.Strings(out.Refused)
	return out, nil
}

// openKeyed lists the open workflows that trust keys, from the visibility store.
func (c *Client) openKeyed(ctx context.Context) ([]string, error) {
	q := relay.And("ExecutionStatus = 'Running'", relay.In(relay.SAWorkflowType, keyedTypes...))
	var ids []string
	var token []byte
	for {
		resp, err := c.T.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token, PageSize: 1000})
		if err != nil {
			return nil, fmt.Errorf("列出在办流程（%s）: %w", q, err)
		}
		for _, e := range resp.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	sort.Strings(ids)
	return ids, nil
}
