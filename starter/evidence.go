package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"

	"taskrelay/internal/audit"
	"taskrelay/internal/blobstore"
	"taskrelay/internal/config"
	"taskrelay/internal/evidence"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
	"taskrelay/internal/task"
)

// files is a repeatable --attach flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// uploads opens each --attach file when it is stored.
func (f files) uploads() []evidence.Upload {
	out := make([]evidence.Upload, len(f))
	for i, path := range f {
		out[i] = evidence.Upload{Name: filepath.Base(path), Open: func() (io.ReadCloser, error) {
			r, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("打不开 %s", path)
			}
			return r, nil
		}}
	}
	return out
}

// openStore opens the blob store every worker and console share (TASKRELAY_BLOB_URL,
// by default under the county's TASKRELAY_DATA).
func openStore(ctx context.Context) (*blob.Bucket, config.Config, error) {
	cfg, err := countyConfig()
	if err != nil {
		return nil, cfg, err
	}
	b, err := blobstore.OpenCounty(ctx, cfg.BlobURL, cfg.DataDir, cfg.BlobPrefix)
	return b, cfg, err
}

// openEvidence opens the blob store with the evidence settings.
func openEvidence(ctx context.Context) (relayclient.Evidence, func(), error) {
	b, cfg, err := openStore(ctx)
	if err != nil {
		return relayclient.Evidence{}, nil, err
	}
	return relayclient.Evidence{Store: evidence.New(b, cfg.AttachMaxMB), Require: cfg.RequireEvidence}, func() { b.Close() }, nil
}

// openArchive opens the monthly reports' archive (reports/ in the blob store), where
// whichever worker made a report put it.
func openArchive(ctx context.Context) (*report.Archive, func(), error) {
	b, _, err := openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	return report.NewArchive(b), func() { b.Close() }, nil
}

// actWithFiles is act for the unit actions that may carry files.
func actWithFiles(ctx context.Context, taskID, action string, req task.Request, attach files, asJSON bool) error {
	ev, closeStore, err := openEvidence(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	return withClient(ctx, func(c *relayclient.Client) error {
		t, err := c.ActWithFiles(ctx, ev, taskID, action, "", req, attach.uploads())
		if err != nil {
			return err
		}
		return printActed(action, t, asJSON)
	})
}

// cmdAttachment: `starter attachment get TASK SHA256 --out FILE`.
func cmdAttachment(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "get" {
		return exitError{"用法：starter attachment get TASK SHA256 --out FILE"}
	}
	fs := flag.NewFlagSet("attachment get", flag.ContinueOnError)
	out := fs.String("out", "", "where to write the file")
	pos, err := parse(fs, args[1:], 2, "任务编号 TASK 和附件哈希 SHA256")
	if err != nil {
		return err
	}
	if *out == "" {
		return exitError{"attachment get: 需要 --out 指定保存位置"}
	}
	ev, closeStore, err := openEvidence(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	t, err := c.Task(ctx, pos[0])
	if err != nil {
		return err
	}
	a, r, err := c.Attachment(ctx, ev.Store, t, strings.ToLower(pos[1]))
	if err != nil {
		return err
	}
	defer r.Close()
	// Written beside the target and renamed, so a failed copy leaves no partial file.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".attachment-*")
	if err != nil {
		return fmt.Errorf("写入 %s: %w", *out, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("读取附件 %s: %w", a.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("写入 %s: %w", *out, err)
	}
	fmt.Printf("已保存：%s（%s，%d 字节）→ %s\n", a.Name, a.Type, a.Size, *out)
	return nil
}

// auditFiles adds the blob store's check of every attached file to an audit.
func auditFiles(ctx context.Context, r *audit.Report, tasks []relay.TaskView) error {
	n := 0
	for _, t := range tasks {
		n += len(t.Attachments)
	}
	if n == 0 {
		return nil
	}
	ev, closeStore, err := openEvidence(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	r.Files(tasks, func(a relay.Attachment) error { return ev.Store.Check(ctx, a) })
	return nil
}
