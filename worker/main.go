// Command worker runs taskrelay: with no TEMPORAL_ADDRESS it starts a Temporal engine
// inside the process (SQLite files in TASKRELAY_DATA), then the worker and the web
// console (TASKRELAY_HTTP_ADDR, default 127.0.0.1:8080), and runs until interrupted.
package main

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"taskrelay/internal/app"
	"taskrelay/internal/backup"
	"taskrelay/internal/config"
	"taskrelay/internal/console"
	"taskrelay/internal/logging"
	"taskrelay/internal/relayclient"
)

func main() { logging.Main("worker", run) }

func run(cfg config.Config, log *zap.Logger) error {
	n, err := app.Start(context.Background(), cfg, log)
	if err != nil {
		return err
	}
	defer n.Stop()
	where := "Temporal cluster " + cfg.TemporalAddress
	if n.Engine != nil {
		where = fmt.Sprintf("embedded engine %s (data in %s, mutual TLS with the certificates in %s, started in %.2fs)",
			n.Engine.Addr(), cfg.DataDir, n.Engine.Certificates().Dir, n.EngineStart.Seconds())
	}
	for _, k := range n.Counties {
		log.Info("taskrelay worker running", zap.String("on", where), zap.String("namespace", k.Config.Namespace), zap.String("outbox", k.Config.OutboxDir()))
		fmt.Printf("taskrelay 已启动：%s\n命名空间 %s：通知写入 %s\n", where, k.Config.Namespace, k.Config.OutboxDir())
	}
	// The console in the same process, on the same clients (TASKRELAY_HTTP_ADDR;
	// "off" when it runs as its own process, consoled): every county's, when the
	// worker serves several.
	var consoleDone <-chan error
	if env := console.EnvFrom(cfg); env.Addr != "off" {
		con, err := startConsole(cfg, env, n, log.Named("console"))
		if err != nil {
			return err
		}
		defer con.Stop()
		consoleDone = con.Done()
		log.Info("console running", zap.String("url", con.URL))
		fmt.Printf("控制台：%s\n", con.URL)
		if con.AdminPassword != "" {
			fmt.Printf("已创建管理员账号：用户名 admin，一次性密码 %s（只显示这一次；首次登录后须修改）\n", con.AdminPassword)
		}
	}
	// Scheduled copies of the data folder (TASKRELAY_BACKUP_DIR, _EVERY, _KEEP).
	if sched := backup.ScheduleFrom(cfg); sched.Enabled() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go sched.Run(ctx, backup.OptionsFrom(cfg), func(path string, err error) {
			if err != nil {
				log.Error("scheduled backup failed", zap.String("dir", sched.Dir), zap.Error(err))
				return
			}
			log.Info("scheduled backup made", zap.String("file", path), zap.Int("keep", sched.Keep))
		})
		log.Info("scheduled backups", zap.String("dir", sched.Dir), zap.Duration("every", sched.Every), zap.Int("keep", sched.Keep))
	}
	fmt.Println("按 Ctrl+C 停止。")
	select {
	case <-worker.InterruptCh():
	case err := <-consoleDone:
		return fmt.Errorf("控制台停止: %w", err)
	}
	log.Info("stopping")
	return nil
}

// startConsole serves the one county, or every county of a province worker.
func startConsole(cfg config.Config, env console.Env, n *app.App, log *zap.Logger) (*console.Running, error) {
	if !cfg.Multi() {
		return console.Start(env, &relayclient.Client{T: n.Client}, log)
	}
	counties, err := console.CountiesFrom(cfg, func(ns string) (*relayclient.Client, error) {
		return &relayclient.Client{T: n.County(ns).Client}, nil
	})
	if err != nil {
		return nil, err
	}
	return console.StartCounties(env, counties, log)
}
