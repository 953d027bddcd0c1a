// Package app assembles one taskrelay process: the embedded engine when no cluster is
// configured, the client, the search attributes, the notifier and the Temporal worker.
// The worker main and the end-to-end tests start exactly this.
package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"
	"gocloud.dev/blob"

	"taskrelay/activities"
	"taskrelay/examples"
	"taskrelay/internal/accounts"
	"taskrelay/internal/actor"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/datafolder"
	"taskrelay/internal/directory"
	"taskrelay/internal/engine"
	"taskrelay/internal/imapp"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/workflows"
)

// App is a running taskrelay process.
type App struct {
	Config config.Config
	Engine *engine.Engine // nil when a cluster is used
	// Counties are the namespaces this process serves, each with its own client,
	// worker, directory, schedules and data: one unless TEMPORAL_NAMESPACES (or
	// TASKRELAY_NAMESPACES_FILE) lists several.
	Counties []*County
	// Client, Worker, Outbox and Pusher are the first county's (the only one by default).
	Client client.Client
	Worker worker.Worker
	Outbox *notify.Outbox
	// Shared is the first county's store shared by every worker and console.
	Shared *blob.Bucket
	// Pusher forwards notices to the webhook, when one is configured.
	Pusher *notify.Pusher
	// EngineStart is how long the embedded engine took to come up.
	EngineStart time.Duration
	log         *zap.Logger
}

// County is one namespace served: its configuration (namespace, directory, data
// folder), client and worker, on the process's one connection and sticky cache.
type County struct {
	Config config.Config
	Client client.Client
	// Shared is the blob store every worker and console of the county share
	// (TASKRELAY_BLOB_URL): notice records (notices/), the reports' archive
	// (reports/), the deliveries' record (deliveries/).
	Shared   *blob.Bucket
	Worker   worker.Worker
	Outbox   *notify.Outbox
	Pusher   *notify.Pusher
	stopPush context.CancelFunc
}

// Start brings a node up; Stop takes it down. tune adjusts the SDK client's options
// (relayclient.Dial).
func Start(ctx context.Context, cfg config.Config, log *zap.Logger, tune ...func(*client.Options)) (*App, error) {
	n := &App{Config: cfg, log: log}
	counties := cfg.CountyConfigs()
	// The data folders are the service user's alone (engine database, evidence,
	// outbox): 0700 and 0600, including what an older version left.
	private := []string{cfg.DataDir, cfg.EngineData()}
	for _, k := range counties {
		private = append(private, k.DataDir)
	}
	if err := datafolder.Restrict(private...); err != nil {
		return nil, err
	}
	dialCfg := counties[0]
	if cfg.TemporalAddress == "" {
		t0 := time.Now()
		opts := engine.Options{
			DataDir: cfg.EngineData(), DB: cfg.EngineDB, Addr: cfg.EngineAddr, Namespace: cfg.Namespace,
			Logger: log.Named("engine").WithOptions(zap.IncreaseLevel(zap.WarnLevel)),
		}
		if cfg.Multi() {
			opts.Namespaces = cfg.NamespaceNames()
		}
		e, err := engine.Start(opts)
		if err != nil {
			return nil, err
		}
		n.Engine, n.EngineStart = e, time.Since(t0)
		dialCfg.EngineAddr = e.Addr()
		log.Info("embedded engine started", zap.String("addr", e.Addr()), zap.String("data", cfg.DataDir), zap.Duration("took", n.EngineStart))
	}
	rc, err := relayclient.Dial(ctx, dialCfg, log, 30*time.Second, tune...)
	if err != nil {
		n.Stop()
		return nil, err
	}
	// The cache is the process's, shared by every worker in it; set before the first.
	worker.SetStickyWorkflowCacheSize(cfg.StickyCache)
	if n.Engine == nil && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit())
	}
	for i, kc := range counties {
		klog := log
		if cfg.Multi() {
			klog = log.With(zap.String("namespace", kc.Namespace))
		}
		c := rc
		if i > 0 {
			if c, err = rc.InNamespace(ctx, kc.Namespace, klog); err != nil {
				n.Stop()
				return nil, err
			}
		}
		k := &County{Config: kc, Client: c.T}
		n.Counties = append(n.Counties, k)
		if err := k.start(ctx, n.Engine == nil, klog); err != nil {
			n.Stop()
			return nil, err
		}
	}
	first := n.Counties[0]
	n.Client, n.Worker, n.Outbox, n.Pusher, n.Shared = first.Client, first.Worker, first.Outbox, first.Pusher, first.Shared
	return n, nil
}

// County is the served county of namespace ns, else the first.
func (n *App) County(ns string) *County {
	for _, k := range n.Counties {
		if k.Config.Namespace == ns {
			return k
		}
	}
	return n.Counties[0]
}

// start brings one county's worker up: its search attributes on a cluster, its
// notifier, activities and Schedules.
func (k *County) start(ctx context.Context, onCluster bool, log *zap.Logger) error {
	cfg, c := k.Config, k.Client
	if onCluster {
		if err := EnsureSearchAttributes(ctx, c, cfg.Namespace); err != nil {
			return err
		}
	}
	shared, err := openShared(ctx, cfg, log)
	if err != nil {
		return err
	}
	k.Shared = shared
	k.Outbox = notify.NewOutbox(cfg.OutboxDir())
	k.Outbox.Documents = &cfg.Documents
	sink, err := k.startPusher(cfg, log)
	if err != nil {
		return err
	}
	// The shared record first: a notice in any worker's outbox or spool is on record.
	sinks := notify.All{notify.NewRecords(shared), sink}
	w := worker.New(c, relay.TaskQueue, worker.Options{
		MaxConcurrentWorkflowTaskPollers: cfg.Pollers, MaxConcurrentActivityTaskPollers: cfg.Pollers})
	acts := &activities.Activities{Notifier: sinks, Engine: c, Records: &relayclient.Client{T: c}, TaskConfig: cfg.Task, DocPrefix: cfg.Documents.Prefix,
		Keys: func() ([]actor.PublicKey, error) { return actor.ReadKeys(cfg.TrustedKeys()) }}
	if d := loadDirectory(cfg); d != nil {
		acts.Contacts = d.NoticeContact
	}
	Register(w, acts)
	if err := startFollowUp(ctx, w, c, cfg, sinks, log); err != nil {
		return err
	}
	if err := startReports(ctx, w, c, cfg, shared, log); err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker start (%s): %w", cfg.Namespace, err)
	}
	k.Worker = w
	return nil
}

// startPusher builds the routes of every unit and leader from the directory (secrets
// resolved now, so a missing one stops the start with its name) and, when any
// route exists, spools notices for them and sends them in the background: a receiver
// that is down holds up nothing.
func (n *County) startPusher(cfg config.Config, log *zap.Logger) (activities.Notifier, error) {
	d, err := directory.LoadOr(cfg.Directory, examples.DirectoryFile, examples.Directory)
	if err != nil {
		return nil, err
	}
	secrets, err := notify.LoadSecrets(cfg.SecretsFile)
	if err != nil {
		return nil, err
	}
	opt := notify.RouteOptions{PublicURL: cfg.PublicURL, WebhookURL: cfg.WebhookURL,
		Client: &http.Client{Timeout: notify.DefaultTimeout}, Documents: &cfg.Documents}
	if cfg.SMTPURL != "" {
		if opt.SMTP, err = notify.ParseSMTPURL(cfg.SMTPURL); err != nil {
			return nil, err
		}
	}
	routes, err := notify.NewRoutes(d, secrets, opt)
	if err != nil {
		return nil, fmt.Errorf("目录中的通知渠道: %w", err)
	}
	router, apps, err := n.appRouter(cfg, routes, opt.Client)
	if err != nil {
		return nil, err
	}
	if !routes.Any() && !apps.Any() {
		return n.Outbox, nil
	}
	n.Pusher = notify.NewPusher(cfg.SpoolDir(), router)
	n.Pusher.OnError = func(name string, err error) {
		log.Warn("notice delivery failed", zap.String("delivery", name), zap.Error(err))
	}
	// Deliveries are claimed in the shared store: one worker sends each, and another
	// takes over what a killed worker left waiting.
	worker, err := notify.WorkerID(cfg.SpoolDir())
	if err != nil {
		return nil, err
	}
	n.Pusher.Ledger = notify.NewLedger(n.Shared, worker)
	n.Pusher.StaleAfter = cfg.DeliveryStale
	n.Pusher.Scan = min(max(cfg.DeliveryStale/6, 500*time.Millisecond), 10*time.Second)
	// Notices an earlier version spooled for the webhook go out on the new spool.
	if err := notify.MigrateLegacy(filepath.Join(cfg.DataDir, "webhook"), n.Pusher); err != nil {
		return nil, err
	}
	pushCtx, stopPush := context.WithCancel(context.Background())
	n.stopPush = stopPush
	go n.Pusher.Run(pushCtx)
	return notify.Spooled{Outbox: n.Outbox, Pusher: n.Pusher}, nil
}

// appRouter adds the office apps' routes (工作通知, 应用消息, 待办) to the directory's,
// when an app is configured: the people are the accounts linked to the platforms,
// read from the users file the console keeps.
func (n *County) appRouter(cfg config.Config, routes *notify.Routes, client *http.Client) (notify.Router, *notify.Apps, error) {
	ac, err := notify.LoadApps(cfg.SecretsFile)
	if err != nil {
		return nil, nil, err
	}
	if !ac.Any() {
		return routes, nil, nil
	}
	usersFile := ac.UsersFile
	if usersFile == "" {
		usersFile = filepath.Join(cfg.DataDir, accounts.UsersFile)
	}
	users, err := accounts.Open(usersFile)
	if err != nil {
		return nil, nil, err
	}
	c := n.Client
	people := notify.People{Users: users, Task: func(ctx context.Context, id string) (relay.TaskView, error) {
		var v relay.TaskView
		resp, err := c.QueryWorkflow(ctx, relay.TaskWorkflowID(id), "", relay.QueryTask)
		if err != nil {
			return v, err
		}
		return v, resp.Get(&v)
	}}
	apps := &notify.Apps{}
	if ac.DingTalk != nil {
		apps.DingTalk = imapp.NewDingTalk(*ac.DingTalk, client)
		apps.Todos = &notify.Todos{DingTalk: apps.DingTalk, People: people, Store: n.Shared, PublicURL: cfg.PublicURL}
	}
	if ac.WeCom != nil {
		apps.WeCom = imapp.NewWeCom(*ac.WeCom, client)
	}
	if ac.Feishu != nil {
		apps.Feishu = imapp.NewFeishu(*ac.Feishu, client)
	}
	return &notify.AppRouter{Base: routes, Apps: apps, People: people, PublicURL: cfg.PublicURL}, apps, nil
}

// openShared opens the shared blob store and copies into it, once, what versions
// before it kept in this worker's data folder: the outbox's notices and the reports'
// archive (each only if absent, so every start may do it).
func openShared(ctx context.Context, cfg config.Config, log *zap.Logger) (*blob.Bucket, error) {
	b, err := blobstore.OpenCounty(ctx, cfg.BlobURL, cfg.DataDir, cfg.BlobPrefix)
	if err != nil {
		return nil, err
	}
	notices, err := notify.NewRecords(b).Import(ctx, cfg.OutboxDir())
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("导入通知记录: %w", err)
	}
	reports, err := report.NewArchive(b).ImportDir(ctx, cfg.DataDir)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("导入报告归档: %w", err)
	}
	if notices+reports > 0 {
		log.Info("imported into the shared store", zap.Int("notices", notices), zap.Int("report_files", reports))
	}
	return b, nil
}

// The client is what the activities read and write the engine's records through.
var (
	_ activities.Records    = (*relayclient.Client)(nil)
	_ activities.TaskStore  = (*relayclient.Client)(nil)
	_ activities.TaskReader = (*relayclient.Client)(nil)
)

// Register puts taskrelay's workflows and activities on a worker (or a replayer).
func Register(r worker.Registry, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.MeetingRelay, workflow.RegisterOptions{Name: relay.MeetingWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Task, workflow.RegisterOptions{Name: relay.TaskWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.MeetingPlanPart, workflow.RegisterOptions{Name: relay.PartWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.FollowUp, workflow.RegisterOptions{Name: relay.FollowUpWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.MonthlyInspection, workflow.RegisterOptions{Name: relay.MonthlyWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.DocNumbers, workflow.RegisterOptions{Name: relay.DocNumberWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Chase, workflow.RegisterOptions{Name: relay.ChaseWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Digest, workflow.RegisterOptions{Name: relay.DigestWorkflowName})
	if acts != nil {
		r.RegisterActivity(acts)
	}
}

// Stop stops the workers, the clients and the engine, in that order.
func (n *App) Stop() {
	for _, k := range n.Counties {
		if k.stopPush != nil {
			k.stopPush()
		}
		if k.Worker != nil {
			k.Worker.Stop()
		}
	}
	// The first county's client holds the connection the others share: closed last.
	for i := len(n.Counties) - 1; i >= 0; i-- {
		n.Counties[i].Client.Close()
		if n.Counties[i].Shared != nil {
			n.Counties[i].Shared.Close()
		}
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
