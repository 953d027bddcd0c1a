package relayclient

import (
	"context"
	"crypto/tls"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"taskrelay/internal/config"
	"taskrelay/internal/mtls"
)

// tlsListener accepts connections on loopback with a server that requires a client
// certificate from the CA, and reports each handshake: the client's CN, or the error.
func tlsListener(t *testing.T, s mtls.Set) (string, <-chan string) {
	t.Helper()
	srvCfg, err := mtls.ServerTLS(s.Server, s.ServerKey, s.CA)
	if err != nil {
		t.Fatal(err)
	}
	srvCfg.NextProtos = []string{"h2"}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	seen := make(chan string, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			tc := tls.Server(c, srvCfg)
			if err := tc.Handshake(); err != nil {
				seen <- "refused: " + err.Error()
			} else {
				seen <- "cn=" + tc.ConnectionState().PeerCertificates[0].Subject.CommonName
			}
			c.Close()
		}
	}()
	return l.Addr().String(), seen
}

// Dial uses TEMPORAL_TLS_*: against a server requiring client certificates it presents
// the configured one (the handshake succeeds with its name); without them it does not
// get through the handshake. No engine runs: the listener only speaks TLS.
func TestDialPresentsClientCertificate(t *testing.T) {
	s, err := mtls.Ensure(t.TempDir(), mtls.Options{ServerNames: []string{"temporal"}, Clients: []string{"worker"}})
	if err != nil {
		t.Fatal(err)
	}
	addr, seen := tlsListener(t, s)
	cfg := config.Config{TemporalAddress: addr, Namespace: "default",
		TLS: config.TLSFiles{Cert: s.Clients["worker"], Key: s.ClientKeys["worker"], CA: s.CA, ServerName: "temporal"}}
	if _, err := Dial(context.Background(), cfg, nil, 0); err == nil {
		t.Fatal("dial succeeded against a listener that is no engine")
	}
	if got := <-seen; got != "cn=worker" {
		t.Errorf("with TEMPORAL_TLS_*: server saw %q, want cn=worker", got)
	}

	cfg.TLS = config.TLSFiles{}
	if _, err := Dial(context.Background(), cfg, nil, 0); err == nil {
		t.Fatal("plain dial succeeded")
	}
	if got := <-seen; !strings.HasPrefix(got, "refused") {
		t.Errorf("without TLS: server saw %q, want a refused handshake", got)
	}

	cfg.TLS = config.TLSFiles{Cert: s.Clients["worker"] + ".missing", Key: s.ClientKeys["worker"], CA: s.CA}
	if _, err := Dial(context.Background(), cfg, nil, 0); err == nil || !strings.Contains(err.Error(), ".missing") {
		t.Errorf("missing certificate file: %v", err)
	}
}

// A client of the embedded engine whose data folder has no certificates yet is told
// which file is missing and to start the worker first, without dialling.
func TestDialEmbeddedWithoutCertificates(t *testing.T) {
	data := t.TempDir()
	cfg := config.Config{DataDir: data, EngineAddr: "127.0.0.1:1", Namespace: "default"}
	_, err := Dial(context.Background(), cfg, nil, 0)
	want := filepath.Join(data, "tls", "client.pem")
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "请先启动 worker") {
		t.Errorf("got %v, want an error naming %s and 请先启动 worker", err, want)
	}
}
