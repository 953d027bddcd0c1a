// Package engine runs a real Temporal server inside the taskrelay process, persisted
// in SQLite files, so that a county office can start the whole system with one command
// and no database to install, or in PostgreSQL (Options.DB) for a durable shared
// store. Every connection to it is mutual TLS with certificates it makes in its data
// folder (tls.go). Production deployments may instead point at a Temporal cluster and
// never call this package.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives/timestamp"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"taskrelay/internal/mtls"
	"taskrelay/internal/relay"
)

// Retention keeps closed meetings and tasks readable for ten years: a closed task is
// still a record the inspection office reports on.
const Retention = 10 * 365 * 24 * time.Hour

// Options configure an embedded engine.
type Options struct {
	// DataDir holds the SQLite file, the ports file and the certificates of the
	// engine's mutual TLS (tls/). Empty means in memory, certificates in a temporary
	// folder (tests only).
	DataDir string
	// DB, when set, is a postgres://user:pass@host:port/db URL: the engine persists
	// there (and in db_visibility) instead of SQLite, creating or upgrading the schema.
	DB string
	// Addr is where the frontend listens, host:port. Port 0 picks a free one.
	Addr string
	// Namespace is created on first start.
	Namespace string
	// Namespaces, when set, are created instead (one per county of a province
	// deployment), each with taskrelay's search attributes; a county added later is
	// created on the next start.
	Namespaces []string
	// Logger receives the server's own logs; nil discards them.
	Logger *zap.Logger
}

// Engine is a running embedded Temporal server.
type Engine struct {
	server    temporal.Server
	addr      string
	namespace string
	certs     mtls.Set
	tmpDir    string // holds certs of an in-memory engine, removed at Stop
	// stopping is set when Stop begins: from then on the server's services, shutting
	// down one after another, log errors about each other (a matching host gone, a
	// poll cut off) that are the stop itself, not faults; they are not passed on.
	stopping *atomic.Bool
	// starting is set until the frontend first answers healthy. Until then the server's
	// own services, dialing the frontend as it comes up, are refused as Unavailable and
	// log it (an ERROR "service failures", a WARN "error creating sdk client") although
	// they retry and go on: those entries are the start itself; they are not passed on.
	starting *atomic.Bool
}

// Start creates the database on first use, registers the namespace with taskrelay's
// search attributes, and starts every Temporal service in this process.
func Start(opts Options) (*Engine, error) {
	if len(opts.Namespaces) > 0 {
		opts.Namespace = opts.Namespaces[0]
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:7233"
	}
	host, portStr, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("engine address %q: %w", opts.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("engine address %q: bad port", opts.Addr)
	}
	if port == 0 {
		if port, err = freePort(host); err != nil {
			return nil, err
		}
	}
	// Fail early and clearly if another engine already holds the port.
	if l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port))); err != nil {
		return nil, fmt.Errorf("engine cannot listen on %s (is another worker running?): %w", opts.Addr, err)
	} else {
		l.Close()
	}

	persistence, nsStore, err := stores(opts)
	if err != nil {
		return nil, err
	}
	ports, err := stablePorts(opts.DataDir, host, port)
	if err != nil {
		return nil, err
	}
	e := &Engine{addr: net.JoinHostPort(host, strconv.Itoa(port)), namespace: opts.Namespace, stopping: new(atomic.Bool), starting: new(atomic.Bool)}
	e.starting.Store(true)
	certDir := opts.DataDir
	if certDir == "" {
		if e.tmpDir, err = os.MkdirTemp("", "taskrelay-engine"); err != nil {
			return nil, fmt.Errorf("engine certificates: %w", err)
		}
		certDir = e.tmpDir
	}
	if e.certs, err = certificates(certDir, host); err != nil {
		e.removeTmp()
		return nil, err
	}
	cfg := serverConfig(host, ports, persistence)
	cfg.Global.TLS = rootTLS(e.certs)
	sas := map[string]enumspb.IndexedValueType{}
	for _, k := range relay.SearchAttributeKeys() {
		sas[k.GetName()] = k.GetValueType()
	}
	// The namespace goes into the database before the server starts, with the search
	// attributes mapped to the visibility store's columns (the function is the server's
	// own and works for any SQL store, PostgreSQL included): the first start needs no
	// wait for a namespace cache refresh.
	if err := createNamespaces(cfg, nsStore, opts, sas); err != nil {
		return nil, err
	}

	var logger log.Logger = log.NewNoopLogger()
	if opts.Logger != nil {
		logger = log.NewZapLogger(opts.Logger.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
			return quietCore{Core: c, stopping: e.stopping, starting: e.starting}
		})))
	}
	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("engine authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("engine claim mapper: %w", err)
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		// No forced search-attribute cache refresh: ours are in the namespace before the
		// server starts, and a forced refresh reads the database once per listed row
		// (about 1 ms a row: 3,000 tasks took 3.5 s to list with it on).
		temporal.WithDynamicConfigClient(dynamicConfig),
	)
	if err != nil {
		e.removeTmp()
		return nil, fmt.Errorf("engine: %w", err)
	}
	if err := srv.Start(); err != nil {
		e.removeTmp()
		return nil, fmt.Errorf("engine start: %w", err)
	}
	e.server = srv
	e.awaitHealthy(startWait)
	e.starting.Store(false)
	return e, nil
}

// startWait bounds how long Start waits for the frontend to answer healthy. Past it Start
// returns all the same: clients retry their own dials, and the log is passed on whole.
const startWait = time.Minute

// awaitHealthy returns once the frontend's workflow service answers its gRPC health
// check as serving (the moment it stops refusing calls as not healthy yet), or after
// wait.
func (e *Engine) awaitHealthy(wait time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cfg, err := e.ClientTLS()
	if err != nil {
		return
	}
	conn, err := grpc.NewClient(e.addr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		return
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	req := &healthpb.HealthCheckRequest{Service: workflowservice.WorkflowService_ServiceDesc.ServiceName}
	for {
		r, err := health.Check(ctx, req)
		if err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createNamespaces registers opts.Namespaces (or opts.Namespace) in the store, those
// that do not exist yet, with the search attributes and the retention.
func createNamespaces(cfg *config.Config, store *config.SQL, opts Options, sas map[string]enumspb.IndexedValueType) error {
	names := opts.Namespaces
	if len(names) == 0 {
		names = []string{opts.Namespace}
	}
	all := make([]*sqliteschema.NamespaceConfig, len(names))
	for i, name := range names {
		ns, err := sqliteschema.NewNamespaceConfig(cfg.ClusterMetadata.CurrentClusterName, name, false, sas)
		if err != nil {
			return fmt.Errorf("engine namespace %s: %w", name, err)
		}
		ns.Detail.Config.Retention = timestamp.DurationPtr(Retention)
		all[i] = ns
	}
	if err := sqliteschema.CreateNamespaces(store, all...); err != nil {
		return fmt.Errorf("engine namespace: %w", err)
	}
	return nil
}

// dynamicConfig is the embedded engine's: one node, one worker process. New tasks go
// to one partition of each task queue instead of the server's four: partitions spread
// a busy queue over matching hosts, and here there is one host and a few pollers, so a
// task written to a partition no poller waits on waits there, or for the forwarder
// (10 a second by default). Reads stay on four partitions, the server's default, so
// that tasks an earlier version left in the others are still handed out.
//
// Nexus is off: taskrelay calls no Nexus endpoint, and with it on and no HTTP port set
// the frontend warns about it on every start, the first line a newcomer reads.
var dynamicConfig = dynamicconfig.StaticClient{
	dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	dynamicconfig.EnableNexus.Key():                         false,
}

// Addr is the frontend's host:port, for clients.
func (e *Engine) Addr() string { return e.addr }

// Stop shuts every service down; the data stays on disk.
func (e *Engine) Stop() error {
	e.stopping.Store(true)
	err := e.server.Stop()
	e.removeTmp()
	return err
}

func (e *Engine) removeTmp() {
	if e.tmpDir != "" {
		_ = os.RemoveAll(e.tmpDir)
	}
}

// stores picks the persistence: PostgreSQL when opts.DB is set, otherwise SQLite in
// DataDir (or in memory). It returns the server's persistence section and the store
// holding namespaces.
func stores(opts Options) (config.Persistence, *config.SQL, error) {
	if opts.DB != "" {
		store, visibility, err := postgresStores(opts.DB)
		if err != nil {
			return config.Persistence{}, nil, err
		}
		if err := ensurePostgresSchema(store, visibility); err != nil {
			return config.Persistence{}, nil, err
		}
		return config.Persistence{
			DefaultStore:     "default",
			VisibilityStore:  "visibility",
			NumHistoryShards: PostgresShards,
			DataStores: map[string]config.DataStore{
				"default":    {SQL: store},
				"visibility": {SQL: visibility},
			},
		}, store, nil
	}
	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		ConnectAttributes: map[string]string{},
	}
	if opts.DataDir == "" {
		// In memory, the SQLite plugin builds the schema itself when it first connects.
		sqlCfg.ConnectAttributes["mode"] = "memory"
		sqlCfg.ConnectAttributes["cache"] = "shared"
		sqlCfg.DatabaseName = fmt.Sprintf("taskrelay-%d-%d", os.Getpid(), time.Now().UnixNano())
	} else {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return config.Persistence{}, nil, fmt.Errorf("engine data folder: %w", err)
		}
		sqlCfg.ConnectAttributes["mode"] = "rwc"
		// Pragmas, passed through to SQLite: a write-ahead log survives a killed
		// process without losing committed work.
		sqlCfg.ConnectAttributes["journal_mode"] = "WAL"
		sqlCfg.ConnectAttributes["synchronous"] = "FULL"
		sqlCfg.ConnectAttributes["busy_timeout"] = "10000"
		sqlCfg.DatabaseName = filepath.Join(opts.DataDir, "temporal.db")
		if err := ensureSchema(sqlCfg); err != nil {
			return config.Persistence{}, nil, err
		}
	}
	return config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
	}, sqlCfg, nil
}

// ensureSchema creates the database on first start. The schema is built in a
// temporary file and renamed into place, so an interrupted first start never leaves a
// half-made database that later starts would trust.
func ensureSchema(sqlCfg *config.SQL) error {
	final := sqlCfg.DatabaseName
	if _, err := os.Stat(final); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("engine database %s: %w", final, err)
	}
	tmp := final + ".new"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(tmp + suffix)
	}
	tmpCfg := *sqlCfg
	tmpCfg.DatabaseName = tmp
	tmpCfg.ConnectAttributes = map[string]string{"mode": "rwc"} // no WAL: one file to rename
	if err := sqliteschema.SetupSchema(&tmpCfg); err != nil {
		return fmt.Errorf("engine schema in %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("engine database %s: %w", final, err)
	}
	return nil
}

// servicePorts are the gRPC and membership ports of the four services, frontend first.
type servicePorts struct {
	GRPC       [4]int `json:"grpc"`
	Membership [4]int `json:"membership"`
}

var serviceNames = [4]string{"frontend", "history", "matching", "worker"}

// stablePorts keeps the internal services on the same ports across restarts (saved in
// the data folder): the membership records a restarted engine finds in its database
// then still point at live services, instead of routing requests to the dead ports of
// the previous run until they expire.
func stablePorts(dataDir, host string, frontend int) (servicePorts, error) {
	var p servicePorts
	path := ""
	if dataDir != "" {
		path = filepath.Join(dataDir, "engine-ports.json")
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &p) == nil {
			// keep them
		} else {
			p = servicePorts{}
		}
	}
	p.GRPC[0] = frontend
	used := map[int]bool{frontend: true}
	pick := func(cur, max int, next func(string) (int, error)) (int, error) {
		if cur != 0 && cur <= max && !used[cur] && portFree(host, cur) {
			used[cur] = true
			return cur, nil
		}
		for {
			n, err := next(host)
			if err != nil {
				return 0, err
			}
			if !used[n] {
				used[n] = true
				return n, nil
			}
		}
	}
	var err error
	for i := 1; i < 4; i++ {
		if p.GRPC[i], err = pick(p.GRPC[i], 65535, freePort); err != nil {
			return p, err
		}
	}
	for i := 0; i < 4; i++ {
		if p.Membership[i], err = pick(p.Membership[i], maxMembershipPort, freeMembershipPort); err != nil {
			return p, err
		}
	}
	if path != "" {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return p, fmt.Errorf("engine data folder: %w", err)
		}
		b, _ := json.Marshal(p)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return p, fmt.Errorf("engine ports file: %w", err)
		}
	}
	return p, nil
}

// maxMembershipPort: PostgreSQL's membership table keeps the port in a SMALLINT, so
// membership ports stay below the kernel's ephemeral range (32768 and up).
const maxMembershipPort = 32767

// freeMembershipPort picks a free port in 10000-32767 (see maxMembershipPort).
func freeMembershipPort(host string) (int, error) {
	for range 200 {
		n := 10000 + rand.IntN(maxMembershipPort-10000+1)
		if portFree(host, n) {
			return n, nil
		}
	}
	return 0, fmt.Errorf("engine: no free port in 10000-%d on %s", maxMembershipPort, host)
}

func portFree(host string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func serverConfig(host string, ports servicePorts, persistence config.Persistence) *config.Config {
	services := map[string]config.Service{}
	for i, name := range serviceNames {
		services[name] = config.Service{RPC: config.RPC{GRPCPort: ports.GRPC[i], MembershipPort: ports.Membership[i], BindOnIP: host}}
	}
	frontend := net.JoinHostPort(host, strconv.Itoa(ports.GRPC[0]))
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host},
		},
		Persistence: persistence,
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        "active",
			CurrentClusterName:       "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}
}

func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("engine: no free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// quietCore passes the server's log entries on, but for those of its own start and
// stop: while the engine starts, warnings and errors that carry an Unavailable error
// (the frontend not healthy yet: its callers retry); once it is asked to stop, all but
// fatal ones.
type quietCore struct {
	zapcore.Core
	stopping *atomic.Bool
	starting *atomic.Bool
}

func (q quietCore) With(fields []zapcore.Field) zapcore.Core {
	return quietCore{Core: q.Core.With(fields), stopping: q.stopping, starting: q.starting}
}

func (q quietCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if q.stopping.Load() && ent.Level < zapcore.DPanicLevel {
		return ce
	}
	if q.starting.Load() && ent.Level >= zapcore.WarnLevel && ent.Level < zapcore.DPanicLevel {
		// The entry's fields are known only at Write: it decides there.
		if q.Core.Enabled(ent.Level) {
			return ce.AddCore(ent, q)
		}
		return ce
	}
	return q.Core.Check(ent, ce)
}

func (q quietCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	if q.starting.Load() && unavailable(fields) {
		return nil
	}
	return q.Core.Write(ent, fields)
}

// unavailable reports whether a field carries an error that is, or wraps, the engine's
// Unavailable.
func unavailable(fields []zapcore.Field) bool {
	for _, f := range fields {
		if err, ok := f.Interface.(error); ok && f.Type == zapcore.ErrorType {
			var u *serviceerror.Unavailable
			if errors.As(err, &u) {
				return true
			}
		}
	}
	return false
}
