package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"taskrelay/internal/backup"
	"taskrelay/internal/config"
)

// cmdBackup: starter backup --out FILE, one consistent archive while the worker runs.
func cmdBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("out", "", "archive file (.tar.gz)")
	if _, err := parse(fs, args, 0, "--out FILE"); err != nil {
		return err
	}
	if *out == "" {
		return exitError{"backup: 需要 --out FILE（备份文件，如 taskrelay-backup.tar.gz）"}
	}
	if _, err := os.Stat(*out); err == nil {
		return exitError{fmt.Sprintf("backup: %s 已存在；不覆盖已有的备份，请换一个文件名", *out)}
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	m, err := backup.WriteFile(ctx, backup.OptionsFrom(cfg), *out)
	if err != nil {
		return err
	}
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	fmt.Fprintf(stdout, "备份完成：%s（%d 个文件，%.1f MB；校验值见 %s.sha256）\n", *out, len(m.Files), float64(size)/1e6, *out)
	switch m.Engine {
	case backup.EnginePostgres, backup.EngineCluster:
		fmt.Fprintln(stdout, "注意：引擎数据在 PostgreSQL 中，不在此备份内；请同时用 pg_dump 备份（见 docs/operations/backup.md）。")
	}
	if m.BlobStore != backup.BlobFile {
		fmt.Fprintf(stdout, "注意：文件存储 %s 不在此备份内；请同时复制该存储桶（见 docs/operations/backup.md）。\n", m.BlobStore)
	}
	return nil
}

// cmdRestore: starter restore FILE --data DIR, into an empty folder, checksums first.
func cmdRestore(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dir := fs.String("data", "", "empty data folder to restore into")
	pos, err := parse(fs, args, 1, "备份文件 FILE 与 --data DIR")
	if err != nil {
		return err
	}
	if *dir == "" {
		return exitError{"restore: 需要 --data DIR（恢复到的空目录）"}
	}
	m, err := backup.Restore(pos[0], *dir)
	if errors.Is(err, backup.ErrNotEmpty) {
		return exitError{"restore: " + err.Error()}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已恢复 %s（%s 制作，%d 个文件，校验全部一致）到 %s\n", pos[0], m.MadeAt.Local().Format("2006-01-02 15:04:05"), len(m.Files), *dir)
	for _, c := range []struct{ env, was, name string }{{"TASKRELAY_DIRECTORY", m.Directory, "directory"}, {"TASKRELAY_CALENDAR", m.Calendar, "calendar"}} {
		if c.was != "" {
			fmt.Fprintf(stdout, "备份时 %s=%s；其副本在 %s\n", c.env, c.was, filepath.Join(*dir, backup.RestoredConfigDir, c.name+filepath.Ext(c.was)))
		}
	}
	if m.Engine == backup.EnginePostgres || m.Engine == backup.EngineCluster {
		fmt.Fprintln(stdout, "注意：引擎数据不在此备份内（PostgreSQL）；请用 pg_restore 恢复（见 docs/operations/backup.md）。")
	}
	fmt.Fprintf(stdout, "以 TASKRELAY_DATA=%s 启动 worker，然后运行 starter audit 检查。\n", *dir)
	return nil
}
