// Package pgtemp starts a throwaway PostgreSQL cluster from Debian's `postgresql`
// package: initdb in a temporary folder, a free port on 127.0.0.1, the unix socket in
// that folder, removed on Stop. Tests and the bench use it to run the engine on
// PostgreSQL without Docker or a system-wide server.
package pgtemp

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ErrNotInstalled means no initdb/pg_ctl was found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (apt-get install postgresql)")

// RequireEnv, set to 1, turns a missing PostgreSQL into a test failure instead of a skip
// (CI sets it).
const RequireEnv = "TASKRELAY_REQUIRE_POSTGRES"

// Options tune the cluster.
type Options struct {
	// Durable keeps fsync and synchronous commit on, as a production server runs; off
	// (the default) trades crash safety of this throwaway cluster for test speed.
	Durable bool
}

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir     string
	bin     string
	port    int
	runAs   string // system user running the server; empty means the current user
	stopped bool
}

// binDir finds Debian's versioned server binaries (/usr/lib/postgresql/N/bin), newest
// first, or initdb on PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start initialises and starts a cluster. As root it runs the server as the
// `postgres` system user, since PostgreSQL refuses to run as root.
func Start(opts Options) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "taskrelay-pg")
	if err != nil {
		return nil, fmt.Errorf("pgtemp: %w", err)
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		c.runAs = "postgres"
		u, err := user.Lookup(c.runAs)
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtemp: running as root needs the %q user: %w", c.runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtemp: %w", err)
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	settings := []string{"listen_addresses=127.0.0.1", "unix_socket_directories=" + dir, "max_connections=300"}
	if !opts.Durable {
		settings = append(settings, "fsync=off", "synchronous_commit=off", "full_page_writes=off")
	}
	// A port can be taken between picking and binding: try a few.
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		var o []string
		for _, s := range append(settings, "port="+strconv.Itoa(c.port)) {
			o = append(o, "-c "+s)
		}
		err = c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", strings.Join(o, " "), "start")
		if err == nil {
			return c, nil
		}
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("%w\n%s", err, log)
		}
	}
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// run runs one of the server's programs, as the server's user.
func (c *Cluster) run(prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	if c.runAs != "" {
		args = append([]string{"-u", c.runAs, "--", path}, args...)
		path = "runuser"
	}
	cmd := exec.Command(path, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = c.dir
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pgtemp: %s: %w\n%s", prog, err, out.String())
	}
	return nil
}

// URL is a postgres:// URL for a database (created by whoever uses it; the engine
// creates its own).
func (c *Cluster) URL(database string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + database}
	return u.String()
}

// CreateDatabase makes a database, as a copy of template when that is not empty (a
// copy is much faster than building a schema again).
func (c *Cluster) CreateDatabase(name, template string) error {
	stmt := fmt.Sprintf("CREATE DATABASE %q", name)
	if template != "" {
		stmt += fmt.Sprintf(" TEMPLATE %q", template)
	}
	return c.Exec("postgres", stmt)
}

// Exec runs SQL statements in a database, with psql.
func (c *Cluster) Exec(database, stmt string) error {
	cmd := exec.Command(filepath.Join(c.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "-d", database, "-c", stmt)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtemp: %s: %w\n%s", stmt, err, out)
	}
	return nil
}

// Stop shuts the server down and removes its folder.
func (c *Cluster) Stop() error {
	if c.stopped {
		return nil
	}
	c.stopped = true
	err := c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	if rmErr := os.RemoveAll(c.dir); err == nil {
		err = rmErr
	}
	return err
}

// ForTest starts a cluster stopped when the test ends. Without PostgreSQL installed it
// skips the test, unless TASKRELAY_REQUIRE_POSTGRES=1.
func ForTest(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start(Options{})
	if errors.Is(err, ErrNotInstalled) && os.Getenv(RequireEnv) != "1" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return c
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtemp: no free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Tool is the path of one of the server's client programs (pg_dump, pg_restore, psql),
// of the cluster's own version.
func (c *Cluster) Tool(prog string) string { return filepath.Join(c.bin, prog) }

// ConnArgs are the client programs' arguments that reach this cluster as postgres.
func (c *Cluster) ConnArgs() []string {
	return []string{"-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres"}
}
