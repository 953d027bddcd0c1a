package engine

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"time"

	"go.temporal.io/server/common/config"

	"taskrelay/internal/mtls"
)

// RenewWithin: certificates of the embedded engine expiring within it are remade at
// start (a new CA too when the CA expires; clients on other hosts then need the new
// <data>/tls/ca.pem and client files).
const RenewWithin = 30 * 24 * time.Hour

// certificates makes (first start) or checks the engine's CA, server and client
// certificates in dir/tls. The server certificate holds localhost, 127.0.0.1 and
// host when host is a specific address, so clients on other machines can verify it.
func certificates(dataDir, host string) (mtls.Set, error) {
	var names []string
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		names = append(names, host)
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	dir := mtls.Embedded(dataDir).Dir
	s, err := mtls.Ensure(dir, mtls.Options{ServerNames: names, Clients: []string{mtls.EmbeddedClient}, RenewWithin: RenewWithin,
		PrivateCerts: true})
	if err != nil {
		return s, fmt.Errorf("引擎证书 %s: %w", dir, err)
	}
	return s, nil
}

// rootTLS is the server's TLS: every listener (frontend and the internal services)
// requires a client certificate signed by the engine's CA, and the server's own
// clients (services calling each other, the system worker) present the server
// certificate, which is also a client certificate.
func rootTLS(s mtls.Set) config.RootTLS {
	server := config.ServerTLS{CertFile: s.Server, KeyFile: s.ServerKey,
		ClientCAFiles: []string{s.CA}, RequireClientAuth: true}
	client := config.ClientTLS{ServerName: mtls.EmbeddedServerName, RootCAFiles: []string{s.CA}}
	return config.RootTLS{
		Internode:    config.GroupTLS{Server: server, Client: client},
		Frontend:     config.GroupTLS{Server: server, Client: client},
		SystemWorker: config.WorkerTLS{CertFile: s.Server, KeyFile: s.ServerKey, Client: client},
	}
}

// Certificates are the files of the engine's mutual TLS (under <data>/tls, or a
// temporary folder for an in-memory engine).
func (e *Engine) Certificates() mtls.Set { return e.certs }

// ClientTLS is the TLS configuration of a client of this engine: the client
// certificate, the engine's CA, the name in its certificate.
func (e *Engine) ClientTLS() (*tls.Config, error) {
	c := e.certs
	return mtls.ClientTLS(c.Clients[mtls.EmbeddedClient], c.ClientKeys[mtls.EmbeddedClient], c.CA, mtls.EmbeddedServerName)
}
