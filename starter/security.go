package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
)

// cmdSecurityLog prints the console's security log:
// `starter security-log [--since DATE] [--json] [--file F]`. The chain is checked as
// it is read: an edited log is refused.
func cmdSecurityLog(args []string) error {
	fs := flag.NewFlagSet("security-log", flag.ContinueOnError)
	since := fs.String("since", "", "from this date on (YYYY-MM-DD, county time)")
	asJSON := fs.Bool("json", false, "print JSON")
	file := fs.String("file", "", "the log (default: TASKRELAY_DATA/security.log)")
	if _, err := parse(fs, args, 0, "无参数"); err != nil {
		return err
	}
	path := *file
	if path == "" {
		path = filepath.Join(dataDir(), seclog.File)
	}
	var from time.Time
	if *since != "" {
		d, err := time.ParseInLocation(relay.DateLayout, *since, relay.TimeZone)
		if err != nil {
			return exitError{fmt.Sprintf("security-log: --since %q 无效，应为 YYYY-MM-DD", *since)}
		}
		from = d
	}
	entries, err := seclog.Read(path, from)
	if err != nil {
		return exitError{"security-log: " + err.Error()}
	}
	if *asJSON {
		if entries == nil {
			entries = []seclog.Entry{}
		}
		return printJSON(entries)
	}
	for _, e := range entries {
		fmt.Printf("%s  %-16s %-15s %-8s %s\n", e.At.In(relay.TimeZone).Format("2006-01-02 15:04:05"), e.User, e.IP, seclog.Label(e.Event), e.Detail)
	}
	fmt.Printf("共 %d 条，哈希链完整（%s）\n", len(entries), path)
	return nil
}

// checkSecurityLog verifies the security log's chain for `starter audit`.
func checkSecurityLog(path string, quiet bool) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if !quiet {
			fmt.Printf("安全日志 %s 尚不存在，跳过\n", path)
		}
		return nil
	}
	n, err := seclog.Verify(path)
	if err != nil {
		return exitError{"审计未通过：" + err.Error()}
	}
	if !quiet {
		fmt.Printf("安全日志 %s：%d 条记录，哈希链完整\n", path, n)
	}
	return nil
}
