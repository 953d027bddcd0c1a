// Package blobstore opens taskrelay's file store behind gocloud.dev/blob: a folder
// under the data directory by default, an S3-compatible bucket (s3://…) in production.
// It opens buckets and lists them; what is kept in them is up to its users (evidence,
// notice records, deliveries, report archives).
package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file://
	_ "gocloud.dev/blob/memblob"  // mem:// (tests)
	_ "gocloud.dev/blob/s3blob"   // s3://
	"gocloud.dev/gcerrors"
)

// EnvURL names the environment variable holding the store's URL.
const EnvURL = "TASKRELAY_BLOB_URL"

// DefaultURL is the store used when EnvURL is empty: <dataDir>/blobs, created on
// first use. Temporary files are written next to the final ones, so a data folder on
// another file system than /tmp still works, and no metadata side files are kept.
func DefaultURL(dataDir string) (string, error) {
	abs, err := filepath.Abs(filepath.Join(dataDir, "blobs"))
	if err != nil {
		return "", fmt.Errorf("文件存储目录 %s: %w", dataDir, err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs),
		RawQuery: "create_dir=1&no_tmp_dir=1&metadata=skip"}
	return u.String(), nil
}

// Open opens the bucket at rawURL, or the default one under dataDir when it is empty.
func Open(ctx context.Context, rawURL, dataDir string) (*blob.Bucket, error) {
	if rawURL == "" {
		var err error
		if rawURL, err = DefaultURL(dataDir); err != nil {
			return nil, err
		}
	}
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("打开文件存储 %s=%q 失败: %w", EnvURL, rawURL, err)
	}
	return b, nil
}

// OpenCounty opens the store of one county: with several counties on one store
// (TEMPORAL_NAMESPACES and an s3:// TASKRELAY_BLOB_URL) each keeps its records under
// its own prefix (config.Config.BlobPrefix, "<namespace>/"); a default store is in
// the county's own data folder already.
func OpenCounty(ctx context.Context, rawURL, dataDir, prefix string) (*blob.Bucket, error) {
	b, err := Open(ctx, rawURL, dataDir)
	if err != nil || rawURL == "" || prefix == "" {
		return b, err
	}
	return blob.PrefixedBucket(b, prefix), nil
}

// Each calls fn with the key of every object under prefix, in key order, and stops
// at the first error, the listing's (wrapped with the prefix) or fn's (as it is).
func Each(ctx context.Context, b *blob.Bucket, prefix string, fn func(key string) error) error {
	it := b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blobstore: list %s: %w", prefix, err)
		}
		if obj.IsDir {
			continue
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
}

// WriteIfAbsent writes key unless it exists, and reports whether this call wrote it
// (contentType "": detected from data). Against S3 the check and the write are one
// conditional request (If-None-Match: *), so of several writers racing one wins; a
// file:// store checks and renames under a lock of this process only.
func WriteIfAbsent(ctx context.Context, b *blob.Bucket, key string, data []byte, contentType string) (bool, error) {
	err := b.WriteAll(ctx, key, data, &blob.WriterOptions{IfNotExist: true, ContentType: contentType})
	switch {
	case err == nil:
		return true, nil
	case gcerrors.Code(err) == gcerrors.FailedPrecondition:
		return false, nil
	}
	return false, fmt.Errorf("blobstore: write %s: %w", key, err)
}
