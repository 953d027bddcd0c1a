package console

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/relayclient"
)

// selfSigned writes a certificate for 127.0.0.1 and returns the files and a pool
// trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "taskrelay test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestConsoleServesTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	r, err := Start(Env{Addr: "127.0.0.1:0", DataDir: dir, TLSCert: certFile, TLSKey: keyFile}, &relayclient.Client{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if !strings.HasPrefix(r.URL, "https://") {
		t.Fatalf("URL %s", r.URL)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(r.URL + "login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login over TLS: %d", resp.StatusCode)
	}
	if len(resp.Cookies()) == 0 {
		t.Fatal("the login page set no cookie (CSRF) to check")
	}
	for _, ck := range resp.Cookies() {
		if !ck.Secure || !ck.HttpOnly || !strings.HasPrefix(ck.Name, "__Host-") || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s over TLS: Secure=%v HttpOnly=%v Path=%q Domain=%q, want a __Host- cookie", ck.Name, ck.Secure, ck.HttpOnly, ck.Path, ck.Domain)
		}
	}
	if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("no HSTS over TLS: %q", h)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	// Plain HTTP to the same port gets no page.
	if resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(strings.Replace(r.URL, "https://", "http://", 1) + "login"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("the TLS console answered plain HTTP with a page")
		}
	}
}

func TestConsoleTLSNeedsBothFiles(t *testing.T) {
	_, err := Start(Env{Addr: "127.0.0.1:0", DataDir: t.TempDir(), TLSCert: "cert.pem"}, &relayclient.Client{}, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "TASKRELAY_TLS_KEY") {
		t.Fatalf("want an error naming TASKRELAY_TLS_KEY, got %v", err)
	}
}
