package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"taskrelay/internal/config"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// dataDir is the worker's data folder (TASKRELAY_DATA, default ./data), which holds
// the console's users and security log. The folder's setting has no check to fail: a
// bad setting elsewhere is reported by the commands that use it.
func dataDir() string {
	cfg, _ := config.FromEnv()
	return cfg.DataDir
}

// cmdDeliveries lists the deliveries of notices on their channels, as every worker
// records them in the shared store: `starter deliveries [--failed] [--json]`, or puts
// a set-aside one back for any worker to send: `starter deliveries retry NOTICE ROUTE`.
func cmdDeliveries(ctx context.Context, args []string) error {
	b, _, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	ledger := notify.NewLedger(b, "")
	if len(args) > 0 && args[0] == "retry" {
		fs := flag.NewFlagSet("deliveries retry", flag.ContinueOnError)
		pos, err := parse(fs, args[1:], 2, "通知编号 NOTICE 和渠道 ROUTE")
		if err != nil {
			return err
		}
		if err := ledger.Retry(ctx, pos[0], pos[1]); err != nil {
			if errors.Is(err, notify.ErrNoSuchDelivery) {
				return exitError{"deliveries retry: " + err.Error()}
			}
			return err
		}
		fmt.Printf("已重新排队：通知 %s，渠道 %s（worker 会在几秒内发送）\n", pos[0], pos[1])
		return nil
	}
	fs := flag.NewFlagSet("deliveries", flag.ContinueOnError)
	failed := fs.Bool("failed", false, "only the deliveries set aside")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, "不带其他参数（可用 --failed、--json；重发用 deliveries retry NOTICE ROUTE）"); err != nil {
		return err
	}
	ds, err := ledger.Deliveries(ctx, *failed)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(ds)
	}
	if len(ds) == 0 {
		fmt.Println("没有投递记录。")
		return nil
	}
	for _, d := range ds {
		fmt.Printf("%s  %s  %s → %s（渠道 %s）  尝试 %d 次", relay.DeliveryStateLabel(d.State), d.Notice,
			relay.ChannelLabel(d.Channel), d.To, d.Route, d.Attempts)
		if d.LastError != "" {
			fmt.Printf("  原因：%s", oneLine(d.LastError))
		}
		fmt.Println()
	}
	return nil
}
