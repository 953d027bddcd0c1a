package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/accounts"
)

// The console's and the login policy's variables are read here with the others,
// range-checked, every bad one named at once.
func TestConsoleAndLoginSettings(t *testing.T) {
	for _, k := range []string{"TASKRELAY_HTTP_ADDR", "TASKRELAY_LOCK_AFTER", "TASKRELAY_LOCK_MINUTES", "TASKRELAY_PASSWORD_DAYS",
		"TASKRELAY_IDLE_MINUTES", "TASKRELAY_COOKIE_SECURE", "TASKRELAY_TLS_CERT", "TASKRELAY_TLS_KEY", "TASKRELAY_TRUSTED_KEYS", "TASKRELAY_DATA"} {
		t.Setenv(k, "")
	}
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Console.Addr != DefaultHTTPAddr || c.Login != accounts.DefaultPolicy() || c.TrustedKeys() != filepath.Join("data", "trusted-keys") {
		t.Errorf("defaults: %+v %+v %s", c.Console, c.Login, c.TrustedKeys())
	}
	t.Setenv("TASKRELAY_LOCK_AFTER", "3")
	t.Setenv("TASKRELAY_PASSWORD_DAYS", "0")
	t.Setenv("TASKRELAY_IDLE_MINUTES", "10")
	t.Setenv("TASKRELAY_TRUSTED_KEYS", "/etc/taskrelay/keys")
	if c, err = FromEnv(); err != nil || c.Login != (accounts.Policy{LockAfter: 3, LockFor: 15 * time.Minute, Idle: 10 * time.Minute}) ||
		c.TrustedKeys() != "/etc/taskrelay/keys" {
		t.Errorf("set: %+v %s %v", c.Login, c.TrustedKeys(), err)
	}
	t.Setenv("TASKRELAY_LOCK_AFTER", "0")
	t.Setenv("TASKRELAY_LOCK_MINUTES", "一刻钟")
	t.Setenv("TASKRELAY_IDLE_MINUTES", "100000")
	t.Setenv("TASKRELAY_COOKIE_SECURE", "true")
	t.Setenv("TASKRELAY_TLS_CERT", "cert.pem")
	_, err = FromEnv()
	for _, name := range []string{"TASKRELAY_LOCK_AFTER", "TASKRELAY_LOCK_MINUTES", "TASKRELAY_IDLE_MINUTES", "TASKRELAY_COOKIE_SECURE", "TASKRELAY_TLS_KEY"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// The worker's scheduled copies: read and checked with the rest.
func TestBackupSettings(t *testing.T) {
	t.Setenv("TASKRELAY_BACKUP_DIR", "/var/backups/taskrelay")
	t.Setenv("TASKRELAY_BACKUP_EVERY", "6h")
	t.Setenv("TASKRELAY_BACKUP_KEEP", "14")
	c, err := FromEnv()
	if err != nil || c.BackupDir != "/var/backups/taskrelay" || c.BackupEvery != 6*time.Hour || c.BackupKeep != 14 {
		t.Fatalf("%s %v %d %v", c.BackupDir, c.BackupEvery, c.BackupKeep, err)
	}
	t.Setenv("TASKRELAY_BACKUP_EVERY", "soon")
	t.Setenv("TASKRELAY_BACKUP_KEEP", "0")
	_, err = FromEnv()
	if err == nil || !strings.Contains(err.Error(), "TASKRELAY_BACKUP_EVERY") || !strings.Contains(err.Error(), "TASKRELAY_BACKUP_KEEP") {
		t.Fatalf("bad values: %v", err)
	}
}

// readersOfEnv allows, besides this package, only what configures a test run or the
// bench's own child processes, never the product.
var readersOfEnv = []string{"internal/gongwen/gongwentest/", "internal/pgtemp/", "bench/"}

// Nothing outside this package reads a TASKRELAY_* setting from the environment: every
// one is read once, here, and checked.
func TestSettingsReadOnlyHere(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "internal/config" || strings.HasPrefix(d.Name(), ".") || d.Name() == "data" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		for _, p := range readersOfEnv {
			if strings.HasPrefix(rel, p) {
				return nil
			}
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		consts := map[string]string{} // the file's own string constants: names given as constants count
		ast.Inspect(f, func(n ast.Node) bool {
			if v, ok := n.(*ast.ValueSpec); ok {
				for i, name := range v.Names {
					if i < len(v.Values) {
						if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
				return true
			}
			var name string
			switch a := call.Args[0].(type) {
			case *ast.BasicLit:
				name, _ = strconv.Unquote(a.Value)
			case *ast.Ident:
				name = consts[a.Name]
			case *ast.SelectorExpr: // a constant of another package: actor.OperatorEnv…
				name = "TASKRELAY_?" + a.Sel.Name
			}
			if strings.HasPrefix(name, "TASKRELAY_") {
				found = append(found, rel+": "+name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("TASKRELAY_* read outside package config:\n%s", strings.Join(found, "\n"))
	}
}

// The starter's wait for the worker's answer to one call: a default, a setting, and a
// bad value named.
func TestCallTimeoutSetting(t *testing.T) {
	t.Setenv("TASKRELAY_CALL_TIMEOUT", "")
	if c, err := FromEnv(); err != nil || c.CallTimeout != DefaultCallTimeout {
		t.Fatalf("default: %v %v", c.CallTimeout, err)
	}
	t.Setenv("TASKRELAY_CALL_TIMEOUT", "5s")
	if c, err := FromEnv(); err != nil || c.CallTimeout != 5*time.Second {
		t.Fatalf("5s: %v %v", c.CallTimeout, err)
	}
	for _, bad := range []string{"soon", "10ms", "2h"} {
		t.Setenv("TASKRELAY_CALL_TIMEOUT", bad)
		if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "TASKRELAY_CALL_TIMEOUT") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
