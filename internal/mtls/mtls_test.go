package mtls

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func parseCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChainVerifiesWithUsagesAndNames(t *testing.T) {
	dir := t.TempDir()
	s, err := Ensure(dir, Options{ServerNames: []string{"temporal", "10.0.0.7"}, Clients: []string{"worker", "console"}})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	ca := parseCert(t, s.CA)
	roots.AddCert(ca)
	if !ca.IsCA {
		t.Fatal("CA certificate is not a CA")
	}
	srv := parseCert(t, s.Server)
	for _, name := range []string{"localhost", "127.0.0.1", "temporal", "10.0.0.7"} {
		if _, err := srv.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("server certificate for %s: %v", name, err)
		}
	}
	if _, err := srv.Verify(x509.VerifyOptions{Roots: roots, DNSName: "evil.example", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("server certificate verified for a name it does not hold")
	}
	for _, c := range []string{"worker", "console"} {
		cl := parseCert(t, s.Clients[c])
		if cl.Subject.CommonName != c {
			t.Errorf("client %s: CN %q", c, cl.Subject.CommonName)
		}
		if _, err := cl.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("client %s as client: %v", c, err)
		}
		// A client certificate cannot pose as the server.
		if _, err := cl.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
			t.Errorf("client %s verified for server auth", c)
		}
		if d := cl.NotAfter.Sub(cl.NotBefore); d < 365*24*time.Hour || d > 3*365*24*time.Hour {
			t.Errorf("client %s validity %v", c, d)
		}
	}
	// A certificate from another CA does not verify against this one.
	other, err := Ensure(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseCert(t, other.Clients["worker"]).Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("a foreign CA's client certificate verified")
	}
}

func TestKeysAre0600AndKept(t *testing.T) {
	dir := t.TempDir()
	s, err := Ensure(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Made {
		t.Fatal("first run made nothing")
	}
	files := s.Files()
	if len(files) != 4+2*len(DefaultClients) {
		t.Fatalf("files: %v", files)
	}
	before := map[string][]byte{}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o644) // certificates are public
		if strings.HasSuffix(f, "-key.pem") {
			want = 0o600
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", f, st.Mode().Perm(), want)
		}
		before[f], _ = os.ReadFile(f)
	}
	again, err := Ensure(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Made {
		t.Error("second run reported making files")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if !bytes.Equal(b, before[f]) {
			t.Errorf("%s changed on a second run", f)
		}
	}
	// A new client later: signed by the kept CA, the others untouched.
	more, err := Ensure(dir, Options{Clients: []string{"worker", "auditor"}})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(s.CA); !bytes.Equal(b, before[s.CA]) {
		t.Error("adding a client replaced the CA")
	}
	if b, _ := os.ReadFile(s.Clients["worker"]); !bytes.Equal(b, before[s.Clients["worker"]]) {
		t.Error("adding a client replaced worker's certificate")
	}
	roots := x509.NewCertPool()
	roots.AddCert(parseCert(t, s.CA))
	if _, err := parseCert(t, more.Clients["auditor"]).Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("added client: %v", err)
	}
	renewed, err := Ensure(dir, Options{Renew: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range renewed.Files() {
		if b, _ := os.ReadFile(f); bytes.Equal(b, before[f]) {
			t.Errorf("%s not replaced by a renewal", f)
		}
	}
}

func TestNewDirIs0700(t *testing.T) {
	dir := t.TempDir() + "/certs"
	if _, err := Ensure(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", st.Mode().Perm())
	}
}

func TestBadNamesRefused(t *testing.T) {
	for _, o := range []Options{
		{Clients: []string{"../x"}}, {Clients: []string{"ca"}}, {Clients: []string{"Worker"}}, {ServerNames: []string{""}},
		{Owners: map[string][2]int{"ui": {1000, 1000}}}, // not a client made
	} {
		dir := t.TempDir() + "/c"
		if _, err := Ensure(dir, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%+v: refused but created %s", o, dir)
		}
	}
}

// handshake runs a TLS handshake over a loopback listener and returns the
// client's and the server's errors.
func handshake(t *testing.T, srvCfg, cliCfg *tls.Config) (cliErr, srvErr error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		tc := tls.Server(c, srvCfg)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		err = tc.Handshake()
		if err == nil {
			// Under TLS 1.3 the client learns of a refusal on its first read.
			_, err = tc.Write([]byte("ok"))
		}
		done <- err
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), cliCfg)
	if err == nil {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 2)
		_, err = c.Read(buf)
		c.Close()
	}
	return err, <-done
}

func TestMutualTLSHandshake(t *testing.T) {
	s, err := Ensure(t.TempDir(), Options{ServerNames: []string{"temporal"}})
	if err != nil {
		t.Fatal(err)
	}
	srvCfg, err := ServerTLS(s.Server, s.ServerKey, s.CA)
	if err != nil {
		t.Fatal(err)
	}
	withCert, err := ClientTLS(s.Clients["worker"], s.ClientKeys["worker"], s.CA, "temporal")
	if err != nil {
		t.Fatal(err)
	}
	if cerr, serr := handshake(t, srvCfg, withCert); cerr != nil || serr != nil {
		t.Fatalf("client with certificate: client %v, server %v", cerr, serr)
	}

	noCert, err := ClientTLS("", "", s.CA, "temporal")
	if err != nil {
		t.Fatal(err)
	}
	if cerr, serr := handshake(t, srvCfg, noCert); cerr == nil || serr == nil {
		t.Errorf("client without certificate accepted: client %v, server %v", cerr, serr)
	}

	foreign, err := Ensure(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	forged, err := ClientTLS(foreign.Clients["worker"], foreign.ClientKeys["worker"], s.CA, "temporal")
	if err != nil {
		t.Fatal(err)
	}
	if cerr, serr := handshake(t, srvCfg, forged); cerr == nil || serr == nil {
		t.Errorf("client with a foreign CA's certificate accepted: client %v, server %v", cerr, serr)
	}

	// The client checks the server too: a wrong expected name fails.
	wrongName, _ := ClientTLS(s.Clients["worker"], s.ClientKeys["worker"], s.CA, "elsewhere")
	if cerr, _ := handshake(t, srvCfg, wrongName); cerr == nil {
		t.Error("client accepted a server certificate for another name")
	}

	if _, err := ClientTLS(s.Clients["worker"], "", s.CA, ""); err == nil {
		t.Error("certificate without key accepted")
	}
}

// Owners: the files of "server" and of a client go to the given user (here the
// caller's own uid and gid, the one chown any user may do), others are untouched.
func TestOwners(t *testing.T) {
	uid, gid := os.Getuid(), os.Getgid()
	s, err := Ensure(t.TempDir(), Options{Clients: []string{"worker", "ui"}, Owners: map[string][2]int{"server": {uid, gid}, "ui": {uid, gid}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{s.Server, s.ServerKey, s.Clients["ui"], s.ClientKeys["ui"]} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if sys, ok := st.Sys().(*syscall.Stat_t); ok && (int(sys.Uid) != uid || int(sys.Gid) != gid) {
			t.Errorf("%s owned by %d:%d", f, sys.Uid, sys.Gid)
		}
	}
	if uid != 0 {
		// Giving a key away needs root: refused, with the file named.
		if _, err := Ensure(t.TempDir(), Options{Owners: map[string][2]int{"worker": {uid + 1, gid}}}); err == nil || !strings.Contains(err.Error(), "worker-key.pem") && !strings.Contains(err.Error(), "worker.pem") {
			t.Errorf("chown to another user as non-root: %v", err)
		}
	}
}

// BenchmarkEnsureFresh: making a CA, a server and one client certificate (what the
// embedded engine's first start adds), and checking a kept set (every later start).
func BenchmarkEnsureFresh(b *testing.B) {
	for range b.N {
		if _, err := Ensure(b.TempDir(), Options{Clients: []string{EmbeddedClient}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEnsureKept(b *testing.B) {
	dir := b.TempDir()
	o := Options{Clients: []string{EmbeddedClient}, ServerNames: []string{"relay-host"}, RenewWithin: 30 * 24 * time.Hour}
	if _, err := Ensure(dir, o); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Ensure(dir, o); err != nil {
			b.Fatal(err)
		}
	}
}

// A kept set is remade where it no longer serves: a server certificate lacking a newly
// asked name (the rest kept), a leaf of another CA, and everything when the CA
// expires within RenewWithin.
func TestEnsureRemakesWhatNoLongerServes(t *testing.T) {
	dir := t.TempDir()
	o := Options{Clients: []string{EmbeddedClient}}
	s, err := Ensure(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	read := func(f string) []byte { b, _ := os.ReadFile(f); return b }
	ca, srv, cl := read(s.CA), read(s.Server), read(s.Clients[EmbeddedClient])

	o.ServerNames = []string{"relay.county.example"}
	again, err := Ensure(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Made || bytes.Equal(read(s.Server), srv) {
		t.Error("a server certificate without the new name was kept")
	}
	if !bytes.Equal(read(s.CA), ca) || !bytes.Equal(read(s.Clients[EmbeddedClient]), cl) {
		t.Error("adding a server name replaced the CA or the client certificate")
	}
	if err := parseCert(t, s.Server).VerifyHostname("relay.county.example"); err != nil {
		t.Error(err)
	}

	// A client certificate of another CA (a copy gone wrong) is remade by this one.
	other, err := Ensure(t.TempDir(), Options{Clients: []string{EmbeddedClient}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Clients[EmbeddedClient], read(other.Clients[EmbeddedClient]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(dir, o); err != nil {
		t.Fatal(err)
	}
	if err := parseCert(t, s.Clients[EmbeddedClient]).CheckSignatureFrom(parseCert(t, s.CA)); err != nil {
		t.Errorf("a foreign client certificate was kept: %v", err)
	}

	// The CA expiring within RenewWithin: a new CA and new leaves.
	o.RenewWithin = Validity
	if _, err := Ensure(dir, o); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(read(s.CA), ca) {
		t.Error("a CA expiring within RenewWithin was kept")
	}
	if err := parseCert(t, s.Server).CheckSignatureFrom(parseCert(t, s.CA)); err != nil {
		t.Errorf("server certificate after a new CA: %v", err)
	}
}
