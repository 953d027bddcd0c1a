// Package app assembles one taskrelay process: the embedded engine when no cluster is
// configured, the client, the search attributes, the notifier and the Temporal worker.
// The worker main and the end-to-end tests start exactly this.
package app

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"taskrelay/activities"
	"taskrelay/internal/config"
	"taskrelay/internal/engine"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/workflows"
)

// App is a running taskrelay process.
type App struct {
	Config config.Config
	Engine *engine.Engine // nil when a cluster is used
	Client client.Client
	Worker worker.Worker
	Outbox *notify.Outbox
	// Pusher forwards notices to the webhook, when one is configured.
	Pusher   *notify.Pusher
	stopPush context.CancelFunc
	// EngineStart is how long the embedded engine took to come up.
	EngineStart time.Duration
	log         *zap.Logger
}

// Start brings a node up; Stop takes it down.
func Start(ctx context.Context, cfg config.Config, log *zap.Logger) (*App, error) {
	n := &App{Config: cfg, log: log}
	dialCfg := cfg
	if cfg.TemporalAddress == "" {
		t0 := time.Now()
		e, err := engine.Start(engine.Options{
			DataDir: cfg.DataDir, Addr: cfg.EngineAddr, Namespace: cfg.Namespace,
			Logger: log.Named("engine").WithOptions(zap.IncreaseLevel(zap.WarnLevel)),
		})
		if err != nil {
			return nil, err
		}
		n.Engine, n.EngineStart = e, time.Since(t0)
		dialCfg.EngineAddr = e.Addr()
		log.Info("embedded engine started", zap.String("addr", e.Addr()), zap.String("data", cfg.DataDir), zap.Duration("took", n.EngineStart))
	}
	rc, err := relayclient.Dial(ctx, dialCfg, log, 30*time.Second)
	if err != nil {
		n.Stop()
		return nil, err
	}
	c := rc.T
	n.Client = c
	if n.Engine == nil {
		if err := EnsureSearchAttributes(ctx, c, cfg.Namespace); err != nil {
			n.Stop()
			return nil, err
		}
	}

	n.Outbox = notify.NewOutbox(cfg.OutboxDir())
	var sinks activities.Notifier = n.Outbox
	if cfg.WebhookURL != "" {
		// Notices are recorded in the outbox and spooled; the pusher forwards them to
		// the webhook in the background, so a receiver that is down holds up nothing.
		n.Pusher = notify.NewPusher(filepath.Join(cfg.DataDir, "webhook"),
			notify.NewWebhook(cfg.WebhookURL, &http.Client{Timeout: notify.DefaultTimeout}))
		n.Pusher.OnError = func(id string, err error) {
			log.Warn("webhook push failed, will retry", zap.String("notice", id), zap.Error(err))
		}
		sinks = notify.Spooled{Outbox: n.Outbox, Pusher: n.Pusher}
		pushCtx, stopPush := context.WithCancel(context.Background())
		n.stopPush = stopPush
		go n.Pusher.Run(pushCtx)
	}
	w := worker.New(c, relay.TaskQueue, worker.Options{})
	Register(w, &activities.Activities{Notifier: sinks, Client: c, TaskConfig: cfg.Task})
	if err := startFollowUp(ctx, w, c, cfg, sinks, log); err != nil {
		n.Stop()
		return nil, err
	}
	if err := startReports(ctx, w, c, cfg, log); err != nil {
		n.Stop()
		return nil, err
	}
	if err := w.Start(); err != nil {
		n.Stop()
		return nil, fmt.Errorf("worker start: %w", err)
	}
	n.Worker = w
	return n, nil
}

// Register puts taskrelay's workflows and activities on a worker (or a replayer).
func Register(r worker.Registry, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.MeetingRelay, workflow.RegisterOptions{Name: relay.MeetingWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Task, workflow.RegisterOptions{Name: relay.TaskWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.MeetingPlanPart, workflow.RegisterOptions{Name: relay.PartWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.FollowUp, workflow.RegisterOptions{Name: relay.FollowUpWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.MonthlyInspection, workflow.RegisterOptions{Name: relay.MonthlyWorkflowName})
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

// Stop stops the worker, the client and the engine, in that order.
func (n *App) Stop() {
	if n.stopPush != nil {
		n.stopPush()
	}
	if n.Worker != nil {
		n.Worker.Stop()
	}
	if n.Client != nil {
		n.Client.Close()
	}
	if n.Engine != nil {
		if err := n.Engine.Stop(); err != nil {
			n.log.Warn("engine stop", zap.Error(err))
		}
	}
}

// EnsureSearchAttributes registers taskrelay's search attributes on a cluster's
// namespace, adding only the missing ones (so it is safe on every start).
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, k := range relay.SearchAttributeKeys() {
		if _, ok := resp.GetCustomAttributes()[k.GetName()]; !ok {
			missing[k.GetName()] = k.GetValueType()
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}
