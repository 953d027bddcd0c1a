// Command worker runs taskrelay: with no TEMPORAL_ADDRESS it starts a Temporal engine
// inside the process (SQLite files in TASKRELAY_DATA), then the worker, and runs until
// interrupted.
package main

import (
	"context"
	"fmt"
	"os"

	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"taskrelay/config"
	"taskrelay/logging"
	"taskrelay/node"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	n, err := node.Start(context.Background(), cfg, log)
	if err != nil {
		return err
	}
	defer n.Stop()
	where := "Temporal cluster " + cfg.TemporalAddress
	if n.Engine != nil {
		where = fmt.Sprintf("embedded engine %s (data in %s, started in %.2fs)", n.Engine.Addr(), cfg.DataDir, n.EngineStart.Seconds())
	}
	log.Info("taskrelay worker running", zap.String("on", where), zap.String("namespace", cfg.Namespace), zap.String("outbox", cfg.OutboxDir()))
	fmt.Printf("taskrelay 已启动：%s\n通知写入 %s\n按 Ctrl+C 停止。\n", where, cfg.OutboxDir())
	<-worker.InterruptCh()
	log.Info("stopping")
	return nil
}
