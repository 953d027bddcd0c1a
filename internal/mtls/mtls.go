// Package mtls makes the certificates of the engine's mutual TLS: a CA, one server
// certificate and one client certificate per named client (worker, console, starter…),
// written once into a folder (keys 0600, certificates 0644). It is what `starter certs` writes for
// docker-compose, and what the embedded engine makes in <data>/tls on its first start
// (Embedded).
package mtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"
)

// Validity of the certificates: two years for the CA and the leaves; renewing is
// `starter certs --renew` (new CA too, so every process gets the new files).
const Validity = 2 * 365 * 24 * time.Hour

// Default names: the server certificate always holds localhost and 127.0.0.1; the
// clients made when none are named.
var DefaultClients = []string{"worker", "console", "starter"}

// Options say what to make.
type Options struct {
	ServerNames []string // extra DNS names or IPs of the server (e.g. "temporal")
	Clients     []string // client certificate names; empty: DefaultClients
	Renew       bool     // replace existing files
	// Owners give "server" or a client's certificate and key to a user (uid, gid),
	// for containers that run as different users (needs root). The CA's key stays
	// with whoever runs this.
	Owners map[string][2]int
	// RenewWithin remakes a kept certificate that expires within it (the CA too, and
	// then every leaf); 0 keeps them whatever their expiry.
	RenewWithin time.Duration
	Now         time.Time
	// PrivateCerts writes the certificates 0600 like the keys: a set kept in a data
	// folder that only the service's own user reads (the embedded engine's).
	PrivateCerts bool
}

// EmbeddedClient is the one client certificate of the embedded engine's set: every
// process of the host (worker, console, starter) presents it.
const EmbeddedClient = "client"

// EmbeddedServerName is the name clients of the embedded engine verify: its server
// certificate always holds it, whatever address the engine listens on.
const EmbeddedServerName = "localhost"

// Embedded names the files of the embedded engine's set in a data folder:
// <data>/tls/{ca,server,client}.pem and their -key.pem.
func Embedded(dataDir string) Set {
	return layout(filepath.Join(dataDir, "tls"), []string{EmbeddedClient})
}

// Set names the files of a made set (all PEM).
type Set struct {
	Dir                 string
	CA, CAKey           string
	Server, ServerKey   string
	Clients, ClientKeys map[string]string
	Names               []string // the clients, in the order asked
	Made                bool     // false: all files were already there and were kept
}

// Files lists the files of the set, CA first.
func (s Set) Files() []string {
	f := []string{s.CA, s.CAKey, s.Server, s.ServerKey}
	for _, c := range s.Names {
		f = append(f, s.Clients[c], s.ClientKeys[c])
	}
	return f
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

func layout(dir string, clients []string) Set {
	s := Set{Dir: dir,
		CA: filepath.Join(dir, "ca.pem"), CAKey: filepath.Join(dir, "ca-key.pem"),
		Server: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		Clients: map[string]string{}, ClientKeys: map[string]string{}, Names: clients}
	for _, c := range clients {
		s.Clients[c] = filepath.Join(dir, c+".pem")
		s.ClientKeys[c] = filepath.Join(dir, c+"-key.pem")
	}
	return s
}

// Ensure makes in dir whatever of the set is missing or no longer serves (a leaf not
// signed by the CA, expired or expiring within RenewWithin, a server certificate
// without one of the server names), all of it with Renew. An existing CA is reused
// for missing leaves, so adding a client later keeps the others valid. Refuses client names that are not simple file names.
func Ensure(dir string, o Options) (Set, error) {
	clients := o.Clients
	if len(clients) == 0 {
		clients = DefaultClients
	}
	for _, c := range clients {
		if !nameRE.MatchString(c) || c == "ca" || c == "server" {
			return Set{}, fmt.Errorf("客户端名 %q 无效：须为小写字母、数字、-、_，且不能是 ca 或 server", c)
		}
	}
	for name := range o.Owners {
		if name != "server" && !slices.Contains(clients, name) {
			return Set{}, fmt.Errorf("属主 %q 既不是 server 也不是所列客户端", name)
		}
	}
	for _, h := range o.ServerNames {
		if h == "" {
			return Set{}, errors.New("服务端名不能为空")
		}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.Add(-time.Hour) // tolerate clocks a little behind
	s := layout(dir, clients)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s, fmt.Errorf("证书目录 %s: %w", dir, err)
	}
	var ca *x509.Certificate
	var caKey *ecdsa.PrivateKey
	if !o.Renew && exists(s.CA) && exists(s.CAKey) {
		var err error
		if ca, caKey, err = loadPair(s.CA, s.CAKey); err != nil {
			return s, err
		}
		if o.RenewWithin > 0 && ca.NotAfter.Before(now.Add(time.Hour+o.RenewWithin)) {
			ca = nil
		}
	}
	if ca == nil {
		o.Renew = true // a new CA invalidates every leaf: remake them all
		t := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "taskrelay engine CA"},
			NotBefore: now, NotAfter: now.Add(Validity), IsCA: true, BasicConstraintsValid: true,
			MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
		key, der, err := issue(t, nil, nil)
		if err != nil {
			return s, fmt.Errorf("CA 证书: %w", err)
		}
		if err := writePair(s.CA, der, s.CAKey, key, o.PrivateCerts); err != nil {
			return s, err
		}
		ca, _ = x509.ParseCertificate(der)
		caKey = key
		s.Made = true
	}
	leaf := func(cn string, usages []x509.ExtKeyUsage, certFile, keyFile string, hosts []string) error {
		if !o.Renew && exists(certFile) && exists(keyFile) && keep(certFile, ca, hosts, now.Add(time.Hour+o.RenewWithin)) {
			return nil
		}
		t := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: cn},
			NotBefore: now, NotAfter: now.Add(Validity), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: usages}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				t.IPAddresses = append(t.IPAddresses, ip)
			} else {
				t.DNSNames = append(t.DNSNames, h)
			}
		}
		key, der, err := issue(t, ca, caKey)
		if err != nil {
			return fmt.Errorf("证书 %s: %w", cn, err)
		}
		s.Made = true
		return writePair(certFile, der, keyFile, key, o.PrivateCerts)
	}
	hosts := append([]string{"localhost", "127.0.0.1"}, o.ServerNames...)
	// The server's certificate also serves client auth: Temporal's services dial
	// each other with it.
	if err := leaf("taskrelay engine", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		s.Server, s.ServerKey, hosts); err != nil {
		return s, err
	}
	for _, c := range clients {
		if err := leaf(c, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, s.Clients[c], s.ClientKeys[c], nil); err != nil {
			return s, err
		}
	}
	return s, s.chown(o.Owners)
}

// chown applies the owners, also to kept files (a re-run fixes ownership).
func (s Set) chown(owners map[string][2]int) error {
	for name, id := range owners {
		cert, key := s.Server, s.ServerKey
		if name != "server" {
			cert, key = s.Clients[name], s.ClientKeys[name]
		}
		for _, f := range []string{cert, key} {
			if err := os.Chown(f, id[0], id[1]); err != nil {
				return fmt.Errorf("设置 %s 的属主: %w", f, err)
			}
		}
	}
	return nil
}

// issue makes a P-256 key and signs t with parent (self-signed when parent is nil).
func issue(t, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	if parent == nil {
		parent, parentKey = t, key
	}
	der, err := x509.CreateCertificate(rand.Reader, t, parent, &key.PublicKey, parentKey)
	return key, der, err
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// keep says whether a leaf certificate on disk still serves: signed by ca, valid past
// until, and holding every one of hosts. Anything else (unreadable too) is remade.
func keep(certFile string, ca *x509.Certificate, hosts []string, until time.Time) bool {
	b, err := os.ReadFile(certFile)
	if err != nil {
		return false
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return false
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil || c.CheckSignatureFrom(ca) != nil || c.NotAfter.Before(until) {
		return false
	}
	for _, h := range hosts {
		if c.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

func loadPair(certFile, keyFile string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("读取 CA %s: %w", certFile, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("CA 私钥 %s 不是 ECDSA 密钥", keyFile)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, fmt.Errorf("解析 CA %s: %w", certFile, err)
	}
	return cert, key, nil
}

// writePair writes the certificate 0644 (public, read by every container whatever its
// user; 0600 when private) and the key 0600 (also when they existed with other modes).
func writePair(certFile string, der []byte, keyFile string, key *ecdsa.PrivateKey, private bool) error {
	certMode := os.FileMode(0o644)
	if private {
		certMode = 0o600
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		blk  *pem.Block
		mode os.FileMode
	}{{certFile, &pem.Block{Type: "CERTIFICATE", Bytes: der}, certMode}, {keyFile, &pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}, 0o600}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(f.blk), f.mode); err != nil {
			return fmt.Errorf("写 %s: %w", f.path, err)
		}
		if err := os.Chmod(f.path, f.mode); err != nil {
			return fmt.Errorf("设置 %s 权限: %w", f.path, err)
		}
	}
	return nil
}

// ClientTLS is the TLS configuration a client of the engine uses: its certificate and
// key, the CA it trusts (empty: the system's) and the name it expects (empty: the
// host dialled). These are what TEMPORAL_TLS_CERT/KEY/CA/SERVER_NAME name.
func ClientTLS(certFile, keyFile, caFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("TEMPORAL_TLS_CERT 与 TEMPORAL_TLS_KEY 须同时设置")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("客户端证书 %s: %w", certFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if caFile != "" {
		pool, err := loadPool(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// ServerTLS is the configuration of a server that requires a client certificate
// signed by the CA in caFile.
func ServerTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("服务端证书 %s: %w", certFile, err)
	}
	pool, err := loadPool(caFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}, nil
}

func loadPool(caFile string) (*x509.CertPool, error) {
	b, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA 证书 %s: %w", caFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA 证书 %s 中没有证书", caFile)
	}
	return pool, nil
}
