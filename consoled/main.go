// Command consoled runs the web console on its own, as a stateless process next to a
// Temporal cluster and the taskrelay worker (production; `go run ./worker` already
// includes the console). It reaches the engine at TEMPORAL_ADDRESS with TEMPORAL_TLS_*
// (or the worker's embedded engine with the client certificate in
// TASKRELAY_DATA/tls), listens on
// TASKRELAY_HTTP_ADDR, and reads the users file and session key from TASKRELAY_DATA
// (or TASKRELAY_SESSION_KEY), so several instances can serve the same county.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/config"
	"taskrelay/internal/console"
	"taskrelay/internal/logging"
	"taskrelay/internal/relayclient"
)

func main() { logging.Main("consoled", run) }

func run(cfg config.Config, log *zap.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := relayclient.Dial(ctx, cfg, log, 60*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	env := console.EnvFrom(cfg)
	var con *console.Running
	if cfg.Multi() {
		// One console for every county of TEMPORAL_NAMESPACES, on one connection.
		var counties []console.CountyEnv
		counties, err = console.CountiesFrom(cfg, func(ns string) (*relayclient.Client, error) {
			if ns == cfg.Namespace {
				return c, nil
			}
			return c.InNamespace(ctx, ns, log)
		})
		if err == nil {
			con, err = console.StartCounties(env, counties, log.Named("console"))
		}
	} else {
		con, err = console.Start(env, c, log.Named("console"))
	}
	if err != nil {
		return err
	}
	defer con.Stop()
	log.Info("console running", zap.String("url", con.URL), zap.String("engine", cfg.ClientAddress()))
	fmt.Printf("taskrelay 控制台：%s（引擎 %s）\n", con.URL, cfg.ClientAddress())
	if con.AdminPassword != "" {
		fmt.Printf("已创建管理员账号：用户名 admin，一次性密码 %s（只显示这一次；首次登录后须修改）\n", con.AdminPassword)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-con.Done():
		return err
	}
}
