// Command mc is a TEST STAND-IN for MinIO's client inside the minio/minio and
// minio/mc stand-in images. It implements only what the compose file and the
// CI walk-through run: `mc ready ALIAS`, `mc alias set NAME URL USER PASSWORD`,
// `mc mb [--ignore-existing] ALIAS/BUCKET` and `mc ls [-r] ALIAS/BUCKET[/PREFIX]`.
// Aliases are kept in $HOME/.mc-standin (the alias "local" is
// http://localhost:9000 with MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, as in the
// upstream server image). Users pull the real images.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

type alias struct{ URL, User, Password string }

func aliasFile() string {
	home, _ := os.UserHomeDir()
	if home == "" {
		home = "/tmp"
	}
	return filepath.Join(home, ".mc-standin", "aliases.json")
}

func loadAliases() map[string]alias {
	m := map[string]alias{"local": {URL: "http://localhost:9000", User: os.Getenv("MINIO_ROOT_USER"), Password: os.Getenv("MINIO_ROOT_PASSWORD")}}
	if b, err := os.ReadFile(aliasFile()); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func die(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "mc: "+format+"\n", a...)
	os.Exit(1)
}

func client(a alias) *minio.Client {
	u, err := url.Parse(a.URL)
	if err != nil {
		die("alias URL %q: %v", a.URL, err)
	}
	c, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(a.User, a.Password, ""), Secure: u.Scheme == "https"})
	if err != nil {
		die("%v", err)
	}
	return c
}

// target splits ALIAS/BUCKET/PREFIX.
func target(s string) (alias, string, string) {
	parts := strings.SplitN(s, "/", 3)
	a, ok := loadAliases()[parts[0]]
	if !ok {
		die("no alias %q", parts[0])
	}
	bucket, prefix := "", ""
	if len(parts) > 1 {
		bucket = parts[1]
	}
	if len(parts) > 2 {
		prefix = parts[2]
	}
	return a, bucket, prefix
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		die("stand-in mc: commands ready, alias set, mb, ls")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	switch args[0] {
	case "ready":
		if len(args) != 2 {
			die("usage: mc ready ALIAS")
		}
		a, _, _ := target(args[1])
		resp, err := http.Get(strings.TrimSuffix(a.URL, "/") + "/minio/health/ready")
		if err != nil {
			die("%s not ready: %v", args[1], err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			die("%s not ready: %s", args[1], resp.Status)
		}
		fmt.Printf("The cluster '%s' is ready\n", args[1])
	case "alias":
		if len(args) != 6 || args[1] != "set" {
			die("usage: mc alias set NAME URL USER PASSWORD")
		}
		m := loadAliases()
		m[args[2]] = alias{URL: args[3], User: args[4], Password: args[5]}
		b, _ := json.Marshal(m)
		if err := os.MkdirAll(filepath.Dir(aliasFile()), 0o700); err != nil {
			die("%v", err)
		}
		if err := os.WriteFile(aliasFile(), b, 0o600); err != nil {
			die("%v", err)
		}
		fmt.Printf("Added `%s` successfully.\n", args[2])
	case "mb":
		rest := args[1:]
		ignore := false
		if len(rest) > 0 && (rest[0] == "--ignore-existing" || rest[0] == "-p") {
			ignore, rest = true, rest[1:]
		}
		if len(rest) != 1 {
			die("usage: mc mb [--ignore-existing] ALIAS/BUCKET")
		}
		a, bucket, _ := target(rest[0])
		c := client(a)
		exists, err := c.BucketExists(ctx, bucket)
		if err != nil {
			die("%v", err)
		}
		if exists {
			if !ignore {
				die("bucket %s already exists", bucket)
			}
			fmt.Printf("Bucket `%s` already exists.\n", rest[0])
			return
		}
		if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
			die("%v", err)
		}
		fmt.Printf("Bucket created successfully `%s`.\n", rest[0])
	case "ls":
		rest := args[1:]
		recursive := false
		if len(rest) > 0 && (rest[0] == "-r" || rest[0] == "--recursive") {
			recursive, rest = true, rest[1:]
		}
		if len(rest) != 1 {
			die("usage: mc ls [-r] ALIAS/BUCKET[/PREFIX]")
		}
		a, bucket, prefix := target(rest[0])
		for o := range client(a).ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: recursive}) {
			if o.Err != nil {
				die("%v", o.Err)
			}
			fmt.Printf("[%s] %7dB %s\n", o.LastModified.UTC().Format("2006-01-02 15:04:05 MST"), o.Size, strings.TrimPrefix(o.Key, prefix))
		}
	default:
		die("stand-in mc: %q is not implemented (ready, alias set, mb, ls)", args[0])
	}
}
