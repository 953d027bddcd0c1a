// Package parts keeps a big task list in parts on the engine: splitting a plan,
// storing its parts as MeetingPlanPart workflows and reading them back. The engine is
// the one store every worker replica and every client shares, so nothing of a list
// lives on one machine's disk.
package parts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"golang.org/x/sync/errgroup"

	"taskrelay/internal/relay"
)

// Part is one part to store: the meeting's reference and the workflow's input.
type Part struct {
	Ref   relay.PlanPart
	Input relay.PartInput
}

// Needed reports whether a plan is too big to travel inline in the meeting's input.
func Needed(p relay.Plan) bool {
	if len(p.Items) > relay.InlineMaxItems {
		return true
	}
	b, _ := json.Marshal(p)
	return len(b) > relay.InlineMaxBytes
}

// Split cuts a plan's items, in list order, into parts of at most PartMaxItems
// items and PartMaxBytes bytes, and returns the plan without its items.
func Split(p relay.Plan) (relay.Plan, []Part) {
	all, _ := json.Marshal(p.Items)
	sum := sha256.Sum256(all)
	digest := hex.EncodeToString(sum[:6])
	header := p
	header.Items = nil
	var out []Part
	var cur []relay.Item
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		k := len(out)
		out = append(out, Part{
			Ref:   relay.PlanPart{WorkflowID: relay.PartWorkflowID(p.Meeting.ID, digest, k), Count: len(cur), Nos: relay.NoRanges(cur)},
			Input: relay.PartInput{MeetingID: p.Meeting.ID, Index: k, Items: cur},
		})
		cur, size = nil, 0
	}
	for _, it := range p.Items {
		b, _ := json.Marshal(it)
		if len(cur) == relay.PartMaxItems || (len(cur) > 0 && size+len(b) > relay.PartMaxBytes) {
			flush()
		}
		cur = append(cur, it)
		size += len(b) + 1
	}
	flush()
	return header, out
}

// Store starts every part's workflow. A part that exists already (a retried submit of
// the same list) is kept as it is: its id names its content.
func Store(ctx context.Context, c client.Client, ps []Part) ([]relay.PlanPart, error) {
	refs := make([]relay.PlanPart, len(ps))
	g := new(errgroup.Group)
	g.SetLimit(8)
	for i := range ps {
		refs[i] = ps[i].Ref
		g.Go(func() error { return start(ctx, c, i, ps[i]) })
	}
	return refs, g.Wait()
}

func start(ctx context.Context, c client.Client, i int, p Part) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       p.Ref.WorkflowID,
		TaskQueue:                                relay.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, relay.PartWorkflowName, p.Input)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &already) {
		return fmt.Errorf("保存任务清单第 %d 部分: %w", i+1, err)
	}
	return nil
}

// History is what reading a part asks of the engine: a workflow's history
// (client.Client is one).
type History interface {
	GetWorkflowHistory(ctx context.Context, workflowID, runID string, isLongPoll bool, filterType enumspb.HistoryEventFilterType) client.HistoryEventIterator
}

// Read returns a part's items: the input of its workflow's first event.
func Read(ctx context.Context, c History, ref relay.PlanPart) ([]relay.Item, error) {
	it := c.GetWorkflowHistory(ctx, ref.WorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return nil, fmt.Errorf("任务清单分片 %s 不存在", ref.WorkflowID)
	}
	ev, err := it.Next()
	if err != nil {
		return nil, fmt.Errorf("读取任务清单分片 %s: %w", ref.WorkflowID, err)
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil {
		return nil, fmt.Errorf("任务清单分片 %s: 首个事件不是启动事件", ref.WorkflowID)
	}
	var in relay.PartInput
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return nil, fmt.Errorf("任务清单分片 %s: %w", ref.WorkflowID, err)
	}
	if len(in.Items) != ref.Count {
		return nil, fmt.Errorf("任务清单分片 %s: %d 项，应为 %d 项", ref.WorkflowID, len(in.Items), ref.Count)
	}
	return in.Items, nil
}

// ReadAll returns the items of every part, in list order.
func ReadAll(ctx context.Context, c History, refs []relay.PlanPart) ([]relay.Item, error) {
	got := make([][]relay.Item, len(refs))
	g := new(errgroup.Group)
	g.SetLimit(8)
	for i := range refs {
		g.Go(func() (err error) {
			got[i], err = Read(ctx, c, refs[i])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var items []relay.Item
	for _, g := range got {
		items = append(items, g...)
	}
	return items, nil
}
