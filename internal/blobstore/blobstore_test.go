package blobstore_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gopkg.in/yaml.v3"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/evidence"
)

// composeBlobURL is the TASKRELAY_BLOB_URL the compose file gives a service, its
// ${VAR:-default} resolved to the default.
func composeBlobURL(t *testing.T, service string) string {
	t.Helper()
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	raw := doc.Services[service].Environment[blobstore.EnvURL]
	m := regexp.MustCompile(`^\$\{` + blobstore.EnvURL + `:-(.*)\}$`).FindStringSubmatch(raw)
	if m == nil {
		t.Fatalf("compose service %s: %s=%q, want ${%s:-s3://…}", service, blobstore.EnvURL, raw, blobstore.EnvURL)
	}
	return m[1]
}

// TestS3StoreAsComposed: the s3:// URL the compose file gives the worker and the
// console, pointed at an in-process S3 server (gofakes3) instead of MinIO, opens a
// bucket in which evidence is stored, read back, checked, found altered and removed,
// with the credentials taken from the environment as in the compose file.
func TestS3StoreAsComposed(t *testing.T) {
	worker, console := composeBlobURL(t, "worker"), composeBlobURL(t, "console")
	if worker != console {
		t.Fatalf("worker and console use different stores: %s, %s", worker, console)
	}
	u, err := url.Parse(worker)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		t.Fatalf("compose store %q is not an s3:// bucket", worker)
	}
	mem := s3mem.New()
	if err := mem.CreateBucket(u.Host); err != nil { // minio-create-bucket's job
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	defer srv.Close()
	q := u.Query()
	q.Set("endpoint", srv.URL) // minio:9000 in the compose network
	u.RawQuery = q.Encode()
	t.Setenv("AWS_ACCESS_KEY_ID", "taskrelay")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "taskrelay-minio-secret")
	t.Setenv(blobstore.EnvURL, u.String())

	ctx := context.Background()
	cfg, err := config.FromEnv() // TASKRELAY_BLOB_URL read as the worker and console read it
	if err != nil {
		t.Fatal(err)
	}
	b, err := blobstore.Open(ctx, cfg.BlobURL, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := evidence.New(b, 1)
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n")
	stored, err := s.PutAll(ctx, []evidence.Upload{{Name: "验收报告.pdf", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(pdf)), nil
	}}})
	if err != nil {
		t.Fatal(err)
	}
	a := stored[0].Attachment
	if a.Type != "pdf" || !stored[0].Created {
		t.Fatalf("stored %+v", stored[0])
	}
	r, err := s.Open(ctx, a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, pdf) {
		t.Fatal("bytes read back differ")
	}
	if err := s.Check(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(ctx, evidence.Key(a.SHA256), []byte("%PDF-altered"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, a); err == nil || !strings.Contains(err.Error(), "已被改动") {
		t.Fatalf("an altered file: %v", err)
	}
	if err := s.Discard(ctx, stored); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, a); err == nil || !strings.Contains(err.Error(), "缺失") {
		t.Fatalf("a removed file: %v", err)
	}
}
