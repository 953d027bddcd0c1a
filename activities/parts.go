package activities

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"taskrelay/internal/parts"
	"taskrelay/internal/relay"
)

// PartStart asks StartPart to start the tasks of one part of a big list. Plan is the
// meeting's header (meeting, units, leaders), without items.
type PartStart struct {
	Plan      relay.Plan     `json:"plan"`
	Part      relay.PlanPart `json:"part"`
	Deputies  map[int]string `json:"deputies,omitempty"` // this part's items only
	AdoptedAt time.Time      `json:"adopted_at"`
	// DocNos are the units' 交办单 numbers (NumberDispatch), put on each task's input.
	DocNos map[string]string `json:"doc_nos,omitempty"`
}

// Dispatch asks DeliverDispatch to send a big list's dispatch notices.
type Dispatch struct {
	Plan      relay.Plan       `json:"plan"`
	Parts     []relay.PlanPart `json:"parts"`
	Deputies  map[int]string   `json:"deputies,omitempty"`
	AdoptedAt time.Time        `json:"adopted_at"`
	// DocNos are the units' 交办单 numbers when numbered before the tasks started.
	DocNos map[string]string `json:"doc_nos,omitempty"`
}

// Dispatched is what DeliverDispatch did: one entry per unit (without the item refs,
// which would make the result as big as the list) and the notices a sink refused.
type Dispatched struct {
	Notices []relay.DispatchNotice `json:"notices"`
	Failed  []string               `json:"failed,omitempty"`
}

// StartPart reads one part of a list from the engine and starts its tasks.
// Idempotent as StartTasks is.
func (a *Activities) StartPart(ctx context.Context, req PartStart) (int, error) {
	items, err := parts.Read(ctx, a.Engine, req.Part)
	if err != nil {
		return 0, err
	}
	items = relay.ApplyDeputies(items, req.Deputies)
	batch := make([]relay.TaskInput, 0, len(items))
	for _, it := range items {
		in := req.Plan.TaskInput(it, req.AdoptedAt)
		in.DispatchDocNos = relay.DispatchNumbers(it, req.DocNos)
		batch = append(batch, in)
	}
	return a.StartTasks(ctx, batch)
}

// DeliverDispatch reads the whole list, builds one dispatch notice per unit and
// delivers them. A retry delivers again: the notifier recognises a notice by its
// stable id. A notice the sink refuses for good is reported, not retried.
func (a *Activities) DeliverDispatch(ctx context.Context, req Dispatch) (Dispatched, error) {
	notices, views, err := a.dispatchNotices(ctx, req)
	if err != nil {
		return Dispatched{}, err
	}
	for i := range notices {
		notices[i].DocNo = req.DocNos[notices[i].To]
		views[i].DocNo = notices[i].DocNo
	}
	var (
		mu  sync.Mutex
		out Dispatched
	)
	// Rendering a unit's notice (its record, Markdown and .docx) is processor work, and
	// a 10,000-item list's notices are big: as many at once as there are processors
	// (eight at once raised the worker's resident memory by about 100 MB within a
	// second, measured on 2 cores).
	g := new(errgroup.Group)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range notices {
		g.Go(func() error {
			err := a.Deliver(ctx, notices[i])
			var app *temporal.ApplicationError
			if errors.As(err, &app) && app.NonRetryable() {
				// Refused for good: reported, and the others still go out.
				mu.Lock()
				out.Failed = append(out.Failed, notices[i].ID+": "+err.Error())
				mu.Unlock()
				return nil
			}
			return err
		})
		activity.RecordHeartbeat(ctx, i)
	}
	if err := g.Wait(); err != nil {
		return Dispatched{}, err
	}
	sort.Strings(out.Failed)
	for _, v := range views {
		v.Items = nil
		out.Notices = append(out.Notices, v)
	}
	return out, nil
}

// NumberDispatch numbers a big list's dispatch notices before its tasks start (see
// NumberNotices): it reads the list to learn which units get one.
func (a *Activities) NumberDispatch(ctx context.Context, req Dispatch) (map[string]string, error) {
	notices, _, err := a.dispatchNotices(ctx, req)
	if err != nil {
		return nil, err
	}
	return a.NumberNotices(ctx, notices)
}

// dispatchNotices reads the whole list and builds its dispatch notices.
func (a *Activities) dispatchNotices(ctx context.Context, req Dispatch) ([]relay.Notice, []relay.DispatchNotice, error) {
	items, err := parts.ReadAll(ctx, a.Engine, req.Parts)
	if err != nil {
		return nil, nil, err
	}
	notices, views := req.Plan.DispatchNotices(relay.ApplyDeputies(items, req.Deputies), req.AdoptedAt)
	return notices, views, nil
}
