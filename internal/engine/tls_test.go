package engine

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"taskrelay/internal/mtls"
)

// systemInfo calls the frontend with a raw gRPC client over creds: what any program
// that reaches the port can try.
func systemInfo(addr string, creds credentials.TransportCredentials) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = workflowservice.NewWorkflowServiceClient(conn).GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
	return err
}

// TestEngineRefusesClientsWithoutItsCertificate tries the engine as an attacker on
// the network would: without TLS, with TLS but no client certificate, with a client
// certificate from another CA; only the certificate the engine made gets an answer.
// The internal services' ports refuse a plain client too.
func TestEngineRefusesClientsWithoutItsCertificate(t *testing.T) {
	dir := t.TempDir()
	e := start(t, Options{DataDir: dir, Addr: "127.0.0.1:0"})
	defer e.Stop()
	s := e.Certificates()
	good, err := e.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	if err := systemInfo(e.Addr(), credentials.NewTLS(good)); err != nil {
		t.Fatalf("the engine's own client certificate was refused: %v", err)
	}

	if err := systemInfo(e.Addr(), insecure.NewCredentials()); err == nil {
		t.Error("a plain (insecure) client got an answer")
	}
	noCert, err := mtls.ClientTLS("", "", s.CA, mtls.EmbeddedServerName)
	if err != nil {
		t.Fatal(err)
	}
	if err := systemInfo(e.Addr(), credentials.NewTLS(noCert)); err == nil {
		t.Error("a TLS client without a certificate got an answer")
	}
	other, err := mtls.Ensure(t.TempDir(), mtls.Options{Clients: []string{mtls.EmbeddedClient}})
	if err != nil {
		t.Fatal(err)
	}
	// The stranger trusts the engine's CA (it only wants in), but its certificate is
	// signed by its own CA.
	stranger, err := mtls.ClientTLS(other.Clients[mtls.EmbeddedClient], other.ClientKeys[mtls.EmbeddedClient], s.CA, mtls.EmbeddedServerName)
	if err != nil {
		t.Fatal(err)
	}
	if err := systemInfo(e.Addr(), credentials.NewTLS(stranger)); err == nil {
		t.Error("a client certificate from another CA got an answer")
	}

	var ports servicePorts
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "engine-ports.json")), &ports); err != nil {
		t.Fatal(err)
	}
	// History and matching serve gRPC (the worker service serves none).
	for i, name := range serviceNames[1:3] {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports.GRPC[i+1]))
		if err := health(addr, insecure.NewCredentials()); err == nil {
			t.Errorf("the %s service answered a plain client at %s", name, addr)
		}
		if err := health(addr, credentials.NewTLS(good)); err != nil {
			t.Errorf("the %s service refused the engine's certificate at %s: %v", name, addr, err)
		}
	}
}

func health(addr string, creds credentials.TransportCredentials) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

// TestEngineCertificatesAreMadeOnceAndPrivate: the first start makes the CA, server
// and client certificates in <data>/tls (folder 0700, keys 0600); a restart keeps
// them, so clients on other hosts keep working, except a certificate near its expiry,
// which is remade, signed by the same CA.
func TestEngineCertificatesAreMadeOnceAndPrivate(t *testing.T) {
	dir := t.TempDir()
	e := start(t, Options{DataDir: dir, Addr: "127.0.0.1:0"})
	s := e.Certificates()
	if s.Dir != filepath.Join(dir, "tls") {
		t.Errorf("certificates in %s, want %s", s.Dir, filepath.Join(dir, "tls"))
	}
	mode(t, s.Dir, 0o700)
	for _, k := range []string{s.CAKey, s.ServerKey, s.ClientKeys[mtls.EmbeddedClient]} {
		mode(t, k, 0o600)
	}
	before := map[string][]byte{}
	for _, f := range s.Files() {
		before[f] = readFile(t, f)
	}
	addr := e.Addr()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}

	// Age the client certificate: remade by the same CA as if long ago, it expires
	// within RenewWithin.
	client, clientKey := s.Clients[mtls.EmbeddedClient], s.ClientKeys[mtls.EmbeddedClient]
	for _, f := range []string{client, clientKey} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := mtls.Ensure(s.Dir, mtls.Options{Clients: []string{mtls.EmbeddedClient},
		Now: time.Now().Add(-mtls.Validity + RenewWithin/2)}); err != nil {
		t.Fatal(err)
	}
	aged := readFile(t, client)

	e = start(t, Options{DataDir: dir, Addr: addr}) // start dials with the client certificate
	defer e.Stop()
	for _, f := range []string{s.CA, s.CAKey, s.Server, s.ServerKey} {
		if !bytes.Equal(readFile(t, f), before[f]) {
			t.Errorf("%s changed across a restart", f)
		}
	}
	if bytes.Equal(readFile(t, client), aged) {
		t.Error("a client certificate expiring within RenewWithin was kept")
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(before[s.CA])
	blk, _ := pem.Decode(readFile(t, client))
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("renewed client certificate: %v", err)
	}
	if time.Until(c.NotAfter) < RenewWithin {
		t.Errorf("renewed client certificate expires %v", c.NotAfter)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}
