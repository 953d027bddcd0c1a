package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/pgtemp"
)

// TestPostgresDumpRestore: the steps docs/operations/backup.md gives for an engine
// on PostgreSQL, run as written. While the worker runs, pg_dump -Fc of the engine's
// two databases and `starter backup` of the data folder (keys, certificates, the
// file store); the worker killed, its folder deleted; on another PostgreSQL cluster
// the databases created and pg_restore'd, the folder restored; the worker started
// on them: tasks and timelines as at the dump, `starter audit` passes, new actions work.
func TestPostgresDumpRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	if pg != nil {
		t.Skip("runs its own clusters: once, in the SQLite pass of the suite")
	}
	src := pgtemp.ForTest(t)
	dir := t.TempDir()
	logf, _ := os.Create(filepath.Join(dir, "worker.log"))
	defer logf.Close()
	data := filepath.Join(dir, "data")
	w := &workerProc{t: t, data: data, db: src.URL("county"), addr: freeAddr(t), log: logf}
	w.start()
	c := dialWait(t, w)
	cty := &county{t: t, addr: w.addr, data: data}
	cty.keys()
	cty.ok("submit", sample, "--adopt")
	cty.ok("ack", "cwh-2026-12:1", "--unit", "rsj")
	cty.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "40", "--note", "窗口已设立")
	status := tasksOf(t, cty.ok("status", "cwh-2026-12", "--json"))
	timeline := cty.ok("task", "cwh-2026-12:1")

	run := func(name string, args ...string) {
		t.Helper()
		t0 := time.Now()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		t.Logf("%s %s: %v", filepath.Base(name), args[len(args)-1], time.Since(t0).Round(time.Millisecond))
	}
	// The dumps and the folder's archive, while the worker runs.
	for _, db := range []string{"county", "county_visibility"} {
		run(src.Tool("pg_dump"), append(src.ConnArgs(), "-Fc", "-f", filepath.Join(dir, db+".dump"), db)...)
	}
	archive := filepath.Join(dir, "folder.tar.gz")
	if out := cty.ok("backup", "--out", archive); !strings.Contains(out, "pg_dump") {
		t.Errorf("backup on PostgreSQL does not point to pg_dump:\n%s", out)
	}
	cty.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "80", "--note", "备份之后的进展")
	c.Close()
	w.kill()
	os.RemoveAll(data)

	// Another cluster: databases created empty, dumps restored, folder restored.
	dst := pgtemp.ForTest(t)
	for _, db := range []string{"county", "county_visibility"} {
		run(dst.Tool("createdb"), append(dst.ConnArgs(), db)...)
		run(dst.Tool("pg_restore"), append(dst.ConnArgs(), "--no-owner", "--exit-on-error", "-d", db, filepath.Join(dir, db+".dump"))...)
	}
	cty.ok("restore", archive, "--data", data)
	w.db = dst.URL("county")
	w.start()
	c = dialWait(t, w)
	defer c.Close()
	if got := tasksOf(t, cty.ok("status", "cwh-2026-12", "--json")); got != status {
		t.Errorf("tasks after the restore:\n%s\nat the dump:\n%s", got, status)
	}
	if got := cty.ok("task", "cwh-2026-12:1"); got != timeline || strings.Contains(got, "备份之后的进展") {
		t.Errorf("task 1 after the restore:\n%s\nat the dump:\n%s", got, timeline)
	}
	if out := cty.ok("audit", "cwh-2026-12", "--outbox", filepath.Join(data, "outbox")); !strings.Contains(out, "记录完整") {
		t.Errorf("audit after the restore:\n%s", out)
	}
	cty.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "60", "--note", "恢复之后的进展")
}
