package console

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"taskrelay/examples"
	"taskrelay/internal/accounts"
	"taskrelay/internal/actor"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/datafolder"
	"taskrelay/internal/directory"
	"taskrelay/internal/evidence"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/notify"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/seclog"
)

// DefaultAddr is where the console listens unless TASKRELAY_HTTP_ADDR says otherwise.
const DefaultAddr = config.DefaultHTTPAddr

// Env is the console's settings.
type Env struct {
	Addr          string // TASKRELAY_HTTP_ADDR
	DataDir       string // holds users.json and console.key (TASKRELAY_DATA)
	Directory     string // county directory file; empty: the sample county
	SessionKey    string // TASKRELAY_SESSION_KEY: shared by several console processes
	SecureCookies bool   // TASKRELAY_COOKIE_SECURE=1 behind HTTPS
	// ReportsData is the worker's data folder (TASKRELAY_REPORTS_DATA; by default
	// DataDir, which is the worker's when they share a process): without
	// TASKRELAY_BLOB_URL, its blobs/ folder is the store shared with the worker
	// (reports' archive, deliveries).
	ReportsData string
	// TLSCert and TLSKey (TASKRELAY_TLS_CERT, TASKRELAY_TLS_KEY): PEM files; when both
	// are set the console serves HTTPS only, and its cookies are Secure.
	TLSCert, TLSKey string
	// Evidence (TASKRELAY_BLOB_URL, TASKRELAY_ATTACH_MAX_MB, TASKRELAY_REQUIRE_EVIDENCE):
	// the blob store of attached files; empty BlobURL is <DataDir>/blobs.
	BlobURL         string
	AttachMaxMB     int
	RequireEvidence bool
	// PushbackDays (TASKRELAY_PUSHBACK_DAYS, as the worker reads it): how long a unit
	// is offered the push back form; 0 is the default.
	PushbackDays int
	// Policy is the login policy (config.Config.Login); zero: accounts.DefaultPolicy.
	Policy accounts.Policy
	// TrustedKeysFile (TASKRELAY_TRUSTED_KEYS): the trusted-keys file when it is not the
	// county's data folder's.
	TrustedKeysFile string
	// SecretsFile (TASKRELAY_SECRETS_FILE) holds the office apps' secrets.
	SecretsFile string
	// PublicURL (TASKRELAY_PUBLIC_URL): the console as people reach it.
	PublicURL string
	// Documents lay out the official documents (TASKRELAY_DOC_*); zero: the defaults.
	Documents gongwen.Settings
}

// EnvFrom is the console's part of the process's configuration (read once, checked,
// by config.FromEnv).
func EnvFrom(cfg config.Config) Env {
	return Env{Addr: cfg.Console.Addr, DataDir: cfg.DataDir, Directory: cfg.Directory,
		SessionKey: cfg.Console.SessionKey, SecureCookies: cfg.Console.SecureCookies,
		ReportsData: cfg.Console.ReportsData, TLSCert: cfg.Console.TLSCert, TLSKey: cfg.Console.TLSKey,
		BlobURL: cfg.BlobURL, AttachMaxMB: cfg.AttachMaxMB, RequireEvidence: cfg.RequireEvidence,
		PushbackDays: cfg.Task.PushbackDays, Policy: cfg.Login, TrustedKeysFile: cfg.TrustedKeysFile, SecretsFile: cfg.SecretsFile, PublicURL: cfg.PublicURL, Documents: cfg.Documents}
}

// LoadDirectory reads the county directory, or the embedded sample county.
func LoadDirectory(path string) (*directory.Directory, error) {
	return directory.LoadOr(path, examples.DirectoryFile, examples.Directory)
}

// Running is a console listening for requests.
type Running struct {
	URL string
	// AdminPassword is set when this start created the administrator: print it once.
	AdminPassword string
	Server        *Server
	srv           *http.Server
	done          chan error
}

// CountyEnv is one county of a console that serves several (TEMPORAL_NAMESPACES): its
// namespace, display name (empty: the directory's county), directory file, the data
// folder of its reports and attached files, and its engine client.
type CountyEnv struct {
	Namespace, Name, Directory, DataDir string
	API                                 *relayclient.Client
}

// CountiesFrom are the counties of a process serving several (cfg.Multi()), each
// reached through the client client(namespace) gives.
func CountiesFrom(cfg config.Config, client func(ns string) (*relayclient.Client, error)) ([]CountyEnv, error) {
	var out []CountyEnv
	for _, k := range cfg.CountyConfigs() {
		c, err := client(k.Namespace)
		if err != nil {
			return nil, err
		}
		out = append(out, CountyEnv{Namespace: k.Namespace, Name: k.CountyName, Directory: k.Directory, DataDir: k.DataDir, API: c})
	}
	return out, nil
}

// Start opens the users file (creating the administrator if there is no user yet),
// builds the console and serves it on env.Addr.
func Start(env Env, c *relayclient.Client, log *zap.Logger) (*Running, error) {
	reportsData := env.ReportsData
	if reportsData == "" {
		reportsData = env.DataDir
	}
	return startConsoles(env, []CountyEnv{{Directory: env.Directory, DataDir: reportsData, API: c}}, env.DataDir, log)
}

// StartCounties serves several counties on one address (see Front): the accounts,
// session key and security log in env.DataDir, shared; each county's reports and
// files in its own data folder.
func StartCounties(env Env, counties []CountyEnv, log *zap.Logger) (*Running, error) {
	if len(counties) == 0 {
		return nil, errors.New("console: no county")
	}
	return startConsoles(env, counties, "", log)
}

// startConsoles builds one console per county on the shared accounts; blobData, when set, is
// the one county's blob folder (else each county's DataDir).
func startConsoles(env Env, counties []CountyEnv, blobData string, log *zap.Logger) (*Running, error) {
	// Accounts, keys, sessions, the security log, reports and evidence: the service
	// user's alone (0700/0600).
	private := []string{env.DataDir, blobData}
	for _, k := range counties {
		private = append(private, k.DataDir)
	}
	if err := datafolder.Restrict(private...); err != nil {
		return nil, err
	}
	users, err := accounts.Open(filepath.Join(env.DataDir, accounts.UsersFile))
	if err != nil {
		return nil, err
	}
	pw, err := users.EnsureAdmin()
	if err != nil {
		return nil, fmt.Errorf("创建管理员: %w", err)
	}
	// The office apps and single sign-on people log in with (TASKRELAY_DINGTALK_* etc.).
	apps, err := notify.LoadApps(env.SecretsFile)
	if err != nil {
		return nil, err
	}
	key, err := accounts.LoadKey(env.SessionKey, env.DataDir)
	if err != nil {
		return nil, err
	}
	if (env.TLSCert == "") != (env.TLSKey == "") {
		return nil, errors.New("TASKRELAY_TLS_CERT 与 TASKRELAY_TLS_KEY 须同时设置")
	}
	var tlsCfg *tls.Config
	if env.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(env.TLSCert, env.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("控制台证书（TASKRELAY_TLS_CERT/TASKRELAY_TLS_KEY）: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	policy := env.Policy
	if policy == (accounts.Policy{}) {
		policy = accounts.DefaultPolicy()
	}
	users.Policy = policy
	sessions := accounts.NewSessions(key, accounts.DefaultSessionTTL)
	sessions.Idle = policy.Idle
	if err := sessions.KeepIn(filepath.Join(env.DataDir, accounts.SessionsFile)); err != nil {
		return nil, err
	}
	secLog := seclog.Open(filepath.Join(env.DataDir, seclog.File))
	var links []County
	var dirs []*directory.Directory
	for _, k := range counties {
		dir, err := LoadDirectory(k.Directory)
		if err != nil {
			return nil, err
		}
		name := k.Name
		if name == "" {
			name = dir.County
		}
		dirs, links = append(dirs, dir), append(links, County{k.Namespace, name})
	}
	// The 交办单 a unit downloads is laid out with the worker's settings (TASKRELAY_DOC_*).
	docs := env.Documents
	if docs.Issuer == "" {
		docs = gongwen.DefaultSettings()
	}
	var servers []*Server
	for i, k := range counties {
		reports := k.DataDir
		if env.ReportsData != "" && k.Namespace != "" {
			reports = filepath.Join(env.ReportsData, k.Namespace) // TASKRELAY_REPORTS_DATA: the worker's data folder
		}
		bd := blobData
		if bd == "" {
			bd = k.DataDir
		}
		prefix := ""
		if k.Namespace != "" {
			prefix = k.Namespace + "/"
		}
		// The county's evidence: its part of a store TASKRELAY_BLOB_URL names, as the
		// starter writes it (config.Config.BlobPrefix).
		bucket, err := blobstore.OpenCounty(context.Background(), env.BlobURL, bd, prefix)
		if err != nil {
			return nil, err
		}
		// The reports' archive and the deliveries are the workers': the county's part of
		// the store TASKRELAY_BLOB_URL names, else the default store in the worker's
		// data folder.
		shared := bucket
		if env.BlobURL != "" && k.Namespace != "" || env.BlobURL == "" && reports != bd {
			if shared, err = blobstore.OpenCounty(context.Background(), env.BlobURL, reports, prefix); err != nil {
				return nil, err
			}
		}
		// Every action the console sends is signed for the person logged in: the key is
		// made on the first start and added to the keys the county's workflows trust.
		trusted := actor.TrustedFile(k.DataDir)
		if env.TrustedKeysFile != "" {
			trusted = env.TrustedKeysFile
		}
		if k.API.Signer, err = actor.EnsureConsole(env.DataDir, trusted); err != nil {
			return nil, fmt.Errorf("控制台签名密钥: %w", err)
		}
		// A meeting submitted here accepts its adoption signed by those keys.
		if k.API.TrustedKeys, err = actor.ReadKeys(trusted); err != nil {
			return nil, err
		}
		s, err := New(Config{API: k.API, TrustedKeys: k.API.TrustedKeys, Users: users, Sessions: sessions, SecurityLog: secLog,
			Directory: dirs[i], SecureCookies: env.SecureCookies || tlsCfg != nil, Log: log,
			Reports: report.NewArchive(shared), Deliveries: notify.NewLedger(shared, ""),
			Notices: notify.NewRecords(shared), Documents: &docs,
			Evidence:     relayclient.Evidence{Store: evidence.New(bucket, env.AttachMaxMB), Require: env.RequireEvidence},
			PushbackDays: env.PushbackDays, Namespace: k.Namespace, DefaultNamespace: counties[0].Namespace, Counties: links,
			Apps: apps, PublicURL: env.PublicURL, TodoStore: shared})
		if err != nil {
			return nil, err
		}
		servers = append(servers, s)
	}
	var handler http.Handler = servers[0].Handler()
	if len(servers) > 1 || counties[0].Namespace != "" {
		handler = NewFront(servers)
	}
	s := servers[0]
	ln, err := net.Listen("tcp", env.Addr)
	if err != nil {
		return nil, fmt.Errorf("控制台无法监听 %s（TASKRELAY_HTTP_ADDR）: %w", env.Addr, err)
	}
	scheme := "http://"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https://"
	}
	r := &Running{URL: scheme + displayAddr(ln.Addr().String()) + "/", AdminPassword: pw, Server: s, done: make(chan error, 1),
		srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
			WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}}
	go func() {
		err := r.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		r.done <- err
	}()
	return r, nil
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// Done reports the server's end (nil after Stop).
func (r *Running) Done() <-chan error { return r.done }

// Stop lets requests in flight finish, for up to ten seconds.
func (r *Running) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}
