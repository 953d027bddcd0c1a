package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"taskrelay/internal/config"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// dataDir is the worker's data folder (TASKRELAY_DATA, default ./data).
func dataDir() string {
	if d := os.Getenv("TASKRELAY_DATA"); d != "" {
		return d
	}
	return "data"
}

// countyDataDir is the data folder of the county the command is about: the data
// folder, or its <namespace> folder when the worker serves several counties
// (TEMPORAL_NAMESPACES; the county is TEMPORAL_NAMESPACE or --namespace).
func countyDataDir() string {
	if cfg, err := config.FromEnv(); err == nil {
		return cfg.Selected().DataDir
	}
	return dataDir()
}

// cmdDeliveries lists the deliveries of notices on their channels:
// `starter deliveries [--failed] [--json]`, or puts a set-aside one back:
// `starter deliveries retry NOTICE ROUTE`.
func cmdDeliveries(args []string) error {
	spool := filepath.Join(countyDataDir(), "deliveries")
	if len(args) > 0 && args[0] == "retry" {
		fs := flag.NewFlagSet("deliveries retry", flag.ContinueOnError)
		pos, err := parse(fs, args[1:], 2, "通知编号 NOTICE 和渠道 ROUTE")
		if err != nil {
			return err
		}
		if err := notify.Retry(spool, pos[0], pos[1]); err != nil {
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
	ds, err := notify.Deliveries(spool, *failed)
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
