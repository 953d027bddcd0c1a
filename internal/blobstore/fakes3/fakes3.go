// Package fakes3 serves an in-memory S3-compatible store (gofakes3) on a local port,
// for tests of the s3:// blob store: conditional writes (If-None-Match: *) behave as
// on S3 and MinIO, and other processes can reach it by URL.
package fakes3

import (
	"fmt"
	"net/http/httptest"
	"net/url"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Credentials the AWS SDK needs to sign its requests (the fake accepts any): set them
// as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in every process that opens the URL.
const (
	AccessKey = "taskrelay-test"
	SecretKey = "taskrelay-test-secret"
)

// Server is a running fake S3 endpoint.
type Server struct {
	srv *httptest.Server
}

// Start serves a fake S3 endpoint holding one empty bucket.
func Start(bucket string) (*Server, error) {
	mem := s3mem.New()
	if err := mem.CreateBucket(bucket); err != nil {
		return nil, fmt.Errorf("fakes3: create bucket %s: %w", bucket, err)
	}
	return &Server{srv: httptest.NewServer(gofakes3.New(mem).Server())}, nil
}

// URL is the TASKRELAY_BLOB_URL of bucket on this endpoint.
func (s *Server) URL(bucket string) string {
	q := url.Values{"endpoint": {s.srv.URL}, "region": {"us-east-1"}, "use_path_style": {"true"}, "disable_https": {"true"}}
	return "s3://" + bucket + "?" + q.Encode()
}

// Env is the credentials as environment entries for a child process.
func Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey}
}

// Close stops the endpoint.
func (s *Server) Close() { s.srv.Close() }
