package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"taskrelay/internal/gongwen"
)

// smtpSink is a real SMTP server (go-smtp) that requires STARTTLS and PLAIN auth,
// refuses unknown mailboxes with 550, and keeps what it receives.
type smtpSink struct {
	mu     sync.Mutex
	mails  []*mail.Message
	bodies []string
	known  map[string]bool
}

type sinkSession struct {
	s    *smtpSink
	auth bool
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "duchashi@county.gov.cn" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *sinkSession) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.s.known[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(m.Body)
	s.s.mu.Lock()
	s.s.mails = append(s.s.mails, m)
	s.s.bodies = append(s.s.bodies, string(body))
	s.s.mu.Unlock()
	return nil
}
func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startSMTP starts the sink on a free port and returns it with the SMTP settings
// that reach it (TASKRELAY_SMTP_URL parsed, trusting the test certificate).
func startSMTP(t *testing.T, known ...string) (*smtpSink, *SMTP) {
	sink := &smtpSink{known: map[string]bool{}}
	for _, k := range known {
		sink.known[k] = true
	}
	cert, pool := selfSigned(t)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: sink}, nil }))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	cfg, err := ParseSMTPURL("smtp://duchashi%40county.gov.cn:s3cret@" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return sink, cfg
}

func TestEmailOverSTARTTLSAsTextAndHTML(t *testing.T) {
	sink, cfg := startSMTP(t, "rsj@county.gov.cn", "lly@county.gov.cn")
	if cfg.From != "duchashi@county.gov.cn" || cfg.Port == 0 {
		t.Fatalf("parsed %+v", cfg)
	}
	e := NewEmail(cfg, []string{"rsj@county.gov.cn", "lly@county.gov.cn"})
	n := sampleNotice()
	o := outgoing(n)
	if err := sendAll(t, e, o); err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.mails) != 1 {
		t.Fatalf("got %d mails", len(sink.mails))
	}
	m := sink.mails[0]
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subj != n.Subject {
		t.Errorf("subject %q", subj)
	}
	if id := m.Header.Get("Message-Id"); id != "<"+FileName(o.Key)+"@taskrelay>" {
		t.Errorf("Message-ID %q", id)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(strings.NewReader(sink.bodies[0]), params["boundary"])
	types := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p) // quoted-printable decoded by the reader
		types[ct] = string(b)
	}
	if !strings.Contains(types["text/plain"], "稳就业") || !strings.Contains(types["text/plain"], testLink) {
		t.Errorf("text part: %q", types["text/plain"])
	}
	if !strings.Contains(types["text/html"], "<td>稳就业 | 保民生</td>") || !strings.Contains(types["text/html"], `>在控制台查看</a>`) {
		t.Errorf("html part: %q", types["text/html"])
	}
}

func TestEmailRefusalsAndServerDown(t *testing.T) {
	_, cfg := startSMTP(t, "rsj@county.gov.cn")
	err := sendAll(t, NewEmail(cfg, []string{"nobody@county.gov.cn"}), outgoing(sampleNotice()))
	if err == nil || !errors.Is(err, ErrPermanent) {
		t.Fatalf("550 unknown mailbox should be permanent: %v", err)
	}
	bad := *cfg
	bad.Pass = "wrong"
	err = sendAll(t, NewEmail(&bad, []string{"rsj@county.gov.cn"}), outgoing(sampleNotice()))
	if err == nil {
		t.Fatal("wrong password delivered")
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	down := *cfg
	down.Port = addr.Port
	err = NewEmail(&down, []string{"rsj@county.gov.cn"}).Send(context.Background(), outgoing(sampleNotice()), nil)
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("server down must be retryable: %v", err)
	}
}

func TestParseSMTPURL(t *testing.T) {
	s, err := ParseSMTPURL("smtps://u:p@mail.county.gov.cn?from=duchashi@county.gov.cn")
	if err != nil || !s.ImplicitTLS || s.Port != 465 || s.From != "duchashi@county.gov.cn" || s.Pass != "p" {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://u:p@h:99999", "smtp://u:p@h"} {
		if _, err := ParseSMTPURL(bad); err == nil || !strings.Contains(err.Error(), "TASKRELAY_SMTP_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestEmailAttachesTheOfficialDocument(t *testing.T) {
	sink, cfg := startSMTP(t, "rsj@county.gov.cn")
	e := NewEmail(cfg, []string{"rsj@county.gov.cn"})
	settings := gongwen.DefaultSettings()
	e.Documents = &settings
	if err := sendAll(t, e, outgoing(sampleNotice())); err != nil { // a 交办单
		t.Fatal(err)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	_, params, err := mime.ParseMediaType(sink.mails[0].Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(strings.NewReader(sink.bodies[0]), params["boundary"])
	found := false
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		name, _ := new(mime.WordDecoder).DecodeHeader(p.FileName())
		if !strings.HasSuffix(name, ".docx") {
			continue
		}
		if name != sampleNotice().Subject+".docx" {
			t.Errorf("attachment named %q", name)
		}
		raw, _ := io.ReadAll(p)
		doc, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
		if err != nil || !bytes.HasPrefix(doc, []byte("PK")) {
			t.Fatalf("attachment is not a .docx (zip): %v %.20q", err, doc)
		}
		found = true
	}
	if !found {
		t.Fatal("no .docx attached to the 交办单's e-mail")
	}
}
