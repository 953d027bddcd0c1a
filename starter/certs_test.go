package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCertsWritesOnceForCompose: `starter certs` makes the CA, a server certificate
// naming the compose service and the clients asked for; a second run keeps them; bad
// input is refused with a Chinese line and writes nothing.
func TestCertsWritesOnceForCompose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	var out bytes.Buffer
	if err := cmdCerts([]string{"--out", dir, "--server-name", "temporal", "--client", "worker", "--client", "console"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "已生成") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("output: %q", out.String())
	}
	for _, f := range []string{"ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "worker.pem", "worker-key.pem", "console.pem", "console-key.pem"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]os.FileMode{true: 0o600, false: 0o644}[strings.HasSuffix(f, "-key.pem")]; st.Mode().Perm() != want {
			t.Errorf("%s: mode %v", f, st.Mode().Perm())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "starter.pem")); err == nil {
		t.Error("a client not asked for was made")
	}
	b, _ := os.ReadFile(filepath.Join(dir, "server.pem"))
	blk, _ := pem.Decode(b)
	srv, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.VerifyHostname("temporal"); err != nil {
		t.Errorf("server certificate: %v", err)
	}
	out.Reset()
	if err := cmdCerts([]string{"--out", dir, "--server-name", "temporal", "--client", "worker", "--client", "console"}, &out); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(filepath.Join(dir, "server.pem")); !bytes.Equal(b, b2) || !strings.Contains(out.String(), "保留") {
		t.Errorf("second run changed the server certificate or said %q", out.String())
	}

	for _, args := range [][]string{{}, {"--out", filepath.Join(t.TempDir(), "x"), "--client", "../evil"}, {"--out", dir, "extra"}, {"--out", dir, "--owner", "server=abc"}} {
		err := run(context.Background(), "certs", args)
		var ee exitError
		if !errors.As(err, &ee) || strings.Contains(ee.msg, "\n") || !strings.HasPrefix(ee.msg, "certs") {
			t.Errorf("%v: %v", args, err)
		}
	}
}
