package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// start brings an engine up and checks a client can use its namespace.
func start(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: e.Addr(), Namespace: e.Namespace()})
	if err != nil {
		e.Stop()
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		e.Stop()
		t.Fatal(err)
	}
	return e
}

func TestInMemoryEngine(t *testing.T) {
	e := start(t, Options{Addr: "127.0.0.1:0"})
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestEngineKeepsItsPortsAndDatabaseAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	e := start(t, Options{DataDir: dir, Addr: "127.0.0.1:0"})
	addr := e.Addr()
	first, err := os.ReadFile(filepath.Join(dir, "engine-ports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	e = start(t, Options{DataDir: dir, Addr: addr})
	defer e.Stop()
	again, err := os.ReadFile(filepath.Join(dir, "engine-ports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(again) {
		t.Errorf("internal ports moved across a restart:\n%s\n%s", first, again)
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db.new")); err == nil {
		t.Error("the temporary schema file was left behind")
	}
}

func TestEngineRefusesABusyPort(t *testing.T) {
	e := start(t, Options{Addr: "127.0.0.1:0"})
	defer e.Stop()
	if _, err := Start(Options{Addr: e.Addr()}); err == nil {
		t.Fatal("a second engine started on a busy port")
	}
}
