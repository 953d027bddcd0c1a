// Package activities holds every side effect of taskrelay's workflows: delivering
// notices and starting task workflows. Each activity is idempotent, because the engine
// retries it after any failure.
package activities

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"taskrelay/internal/actor"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/notify"
	"taskrelay/internal/parts"
	"taskrelay/internal/relay"
)

// Notifier delivers one notice; delivering the same notice twice must be harmless.
type Notifier interface {
	Deliver(ctx context.Context, n relay.Notice) error
}

// Engine is what the activities ask of the engine itself: start a task, hand a
// notice to a digest, read a part of a big list (client.Client is one).
type Engine interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow interface{}, args ...interface{}) (client.WorkflowRun, error)
	SignalWithStartWorkflow(ctx context.Context, workflowID, signalName string, signalArg interface{},
		options client.StartWorkflowOptions, workflow interface{}, workflowArgs ...interface{}) (client.WorkflowRun, error)
	parts.History
}

// Records is what the activities write through the engine's own workflows
// (relayclient.Client is one): a document's number from its counter, a 催办单 on each
// of its tasks.
type Records interface {
	DocNumber(ctx context.Context, prefix string, year int, requestID string) (int, error)
	RecordChase(ctx context.Context, in relay.ChaseInput) (relay.ChaseRecord, error)
}

var _ Engine = client.Client(nil)

// Activities are registered on the worker; their dependencies are injected.
type Activities struct {
	Notifier Notifier
	Engine   Engine
	// Records numbers documents and records chases; nil: documents go unnumbered.
	Records Records
	// TaskConfig is the deadline watch fixed into every task this worker starts.
	TaskConfig relay.TaskConfig
	// StartConcurrency bounds parallel starts inside one StartTasks call.
	StartConcurrency int
	// DocPrefix is the 发文字号 prefix of the 交办单 and 督办单; empty: no numbers.
	DocPrefix string
	// Contacts finds the 联络员 a notice to a unit or leader prints (the directory's
	// NoticeContact); nil: none.
	Contacts func(toKind, id string) *relay.Contact
	// Keys reads the public keys the tasks this worker starts trust (the trusted-keys
	// file, read at each start so a key added since counts); nil: none.
	Keys func() ([]actor.PublicKey, error)
}

// Deliver sends one notice through the notifier.
func (a *Activities) Deliver(ctx context.Context, n relay.Notice) error {
	if n.Hash == "" {
		n.Hash = relay.SealNotice(n) // every notice on record is sealed for the audit
	}
	if n.DocNo == "" {
		no, err := a.DocNumber(ctx, n)
		if err != nil {
			return err
		}
		n.DocNo = no
	}
	if n.Contact == nil && a.Contacts != nil {
		n.Contact = a.Contacts(n.ToKind, n.To) // outside the seal, like the number
	}
	if err := a.Notifier.Deliver(ctx, n); err != nil {
		if errors.Is(err, notify.ErrPermanent) {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("notice %s: %v", n.ID, err), "PermanentDelivery", err)
		}
		return fmt.Errorf("notice %s: %w", n.ID, err)
	}
	return nil
}

// DocNumber is the 发文字号 of an official document (交办单, 督办单): numbered by the
// engine's counter, keyed by the notice id, so a retry, or Deliver after DocNumber,
// gets the same number and none is skipped or given twice. Empty for other notices,
// or when numbering is off.
func (a *Activities) DocNumber(ctx context.Context, n relay.Notice) (string, error) {
	if !notify.Documented(n.Kind) || a.DocPrefix == "" || a.Records == nil {
		return "", nil
	}
	year := relay.DocYear(n.IssuedAt)
	seq, err := a.Records.DocNumber(ctx, a.DocPrefix, year, n.ID)
	if err != nil {
		return "", err
	}
	return gongwen.Number(a.DocPrefix, year, seq), nil
}

// NumberNotices numbers the dispatch notices (交办单) of a meeting before its tasks
// start, one after another in the order given (unit id order), and returns each
// unit's number (the notice's To). The counter is keyed by notice id, so a retry, and
// Deliver later, get the same numbers. Only ID, Kind, To and IssuedAt are read: the
// workflow passes the notices without their items.
func (a *Activities) NumberNotices(ctx context.Context, notices []relay.Notice) (map[string]string, error) {
	out := map[string]string{}
	for i, n := range notices {
		no, err := a.DocNumber(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("notice %s: %w", n.ID, err)
		}
		if no != "" {
			out[n.To] = no
		}
		activity.RecordHeartbeat(ctx, i)
	}
	return out, nil
}

// StartTasks starts the task workflows of a batch. A task that already exists (a retry,
// or a relay restarted after a crash) is left as it is: the workflow id is the task's
// business key, so a task can never be started twice.
func (a *Activities) StartTasks(ctx context.Context, batch []relay.TaskInput) (int, error) {
	conc := a.StartConcurrency
	if conc <= 0 {
		conc = 16
	}
	var keys []actor.PublicKey
	if a.Keys != nil {
		var err error
		if keys, err = a.Keys(); err != nil {
			return 0, err
		}
	}
	var started atomic.Int64
	g := new(errgroup.Group)
	g.SetLimit(conc)
	for i := range batch {
		in := batch[i]
		in.Config = a.TaskConfig
		in.Keys = keys
		g.Go(func() error {
			fresh, err := a.startTask(ctx, in)
			if fresh {
				started.Add(1)
			}
			return err
		})
		activity.RecordHeartbeat(ctx, i)
	}
	err := g.Wait()
	return int(started.Load()), err
}

func (a *Activities) startTask(ctx context.Context, in relay.TaskInput) (bool, error) {
	units := append([]string{in.Item.Lead}, in.Item.Co...)
	attrs := []temporal.SearchAttributeUpdate{
		relay.SAMeeting.ValueSet(in.Meeting.ID),
		relay.SALeadUnit.ValueSet(in.Item.Lead),
		relay.SAUnits.ValueSet(units),
		relay.SADeputy.ValueSet(in.Item.Deputy),
		relay.SAState.ValueSet(string(relay.StateDispatched)),
		relay.SALight.ValueSet(string(relay.Green)),
	}
	// A standing task (长期) has no deadline, and so no RelayDeadline.
	if !in.Item.Standing {
		deadline, err := relay.DeadlineEnd(in.Item.Deadline)
		if err != nil {
			return false, temporal.NewNonRetryableApplicationError("task "+in.TaskID+": "+err.Error(), "BadDeadline", err)
		}
		attrs = append(attrs, relay.SADeadline.ValueSet(deadline))
	}
	opts := client.StartWorkflowOptions{
		ID:                                       relay.TaskWorkflowID(in.TaskID),
		TaskQueue:                                relay.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		// The memo lets list views (the console's board, reports) show a task
		// without querying it; the workflow keeps it current.
		Memo:                  relay.TaskMemo(in),
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
	}
	_, err := a.Engine.ExecuteWorkflow(ctx, opts, relay.TaskWorkflowName, in)
	var (
		already *serviceerror.WorkflowExecutionAlreadyStarted
		invalid *serviceerror.InvalidArgument
	)
	switch {
	case errors.As(err, &already):
		return false, nil
	case errors.As(err, &invalid):
		// The engine refuses the request itself (a value over its limits, say): the
		// same request cannot succeed later.
		return false, temporal.NewNonRetryableApplicationError(fmt.Sprintf("start task %s: %v", in.TaskID, err), "StartRefused", err)
	case err != nil:
		return false, fmt.Errorf("start task %s: %w", in.TaskID, err)
	}
	return true, nil
}

// RecordChase records a 催办单 on each of its tasks (see relayclient.RecordChase).
func (a *Activities) RecordChase(ctx context.Context, in relay.ChaseInput) (relay.ChaseRecord, error) {
	if a.Records == nil {
		return relay.ChaseRecord{}, fmt.Errorf("chase %s: no Records to record it with", in.ID)
	}
	return a.Records.RecordChase(ctx, in)
}

// Digest hands one notice to its recipient's digest workflow, starting it if need be
// (relay/digest.go). A retry signals again; the digest drops a notice id it has taken.
func (a *Activities) Digest(ctx context.Context, s relay.DigestSignal) error {
	n := s.Notice
	_, err := a.Engine.SignalWithStartWorkflow(ctx, relay.DigestWorkflowID(n.ToKind, n.To), relay.SignalDigest, s,
		client.StartWorkflowOptions{ID: relay.DigestWorkflowID(n.ToKind, n.To), TaskQueue: relay.TaskQueue},
		relay.DigestWorkflowName, relay.DigestState{ToKind: n.ToKind, To: n.To, ToName: n.ToName, Window: s.Window})
	if err != nil {
		return fmt.Errorf("notice %s to the digest of %s: %w", n.ID, n.To, err)
	}
	return nil
}
