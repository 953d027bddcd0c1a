package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"taskrelay/internal/audit"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
)

// cmdAudit verifies a meeting's record and the console's security log:
// `starter audit [MEETING] [--outbox DIR] [--security-log FILE] [--json]`. Without a
// meeting only the security log's chain is checked.
func cmdAudit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	outbox := fs.String("outbox", "", "a worker's outbox folder to check instead of the notice records in the shared store")
	secLog := fs.String("security-log", filepath.Join(dataDir(), seclog.File), "the console's security log")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, -1, "")
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return exitError{"audit: 最多一个会议编号 MEETING"}
	}
	if err := checkSecurityLog(*secLog, *asJSON); err != nil {
		return err
	}
	if len(pos) == 0 {
		return nil
	}
	if *outbox != "" {
		if _, err := os.Stat(*outbox); err != nil {
			return exitError{fmt.Sprintf("audit: 找不到通知记录目录 %s", *outbox)}
		}
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	m, tasks, err := c.Status(ctx, pos[0])
	if err != nil {
		return err
	}
	if m.DispatchedAt == nil {
		return exitError{fmt.Sprintf("audit: 会议 %s 尚未交办", pos[0])}
	}
	notices, err := meetingNotices(ctx, *outbox, pos[0])
	if err != nil {
		return err
	}
	r := audit.Check(m, tasks, notices)
	if err := auditFiles(ctx, &r, tasks); err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(r); err != nil {
			return err
		}
	} else {
		fmt.Printf("审计 %s（%s）：核验任务 %d 项、办理记录 %d 条、通知 %d 份、附件 %d 个\n", m.Meeting.Name, m.Meeting.ID,
			r.Checked.Tasks, r.Checked.Entries, r.Checked.Notices, r.Checked.Files)
		for _, u := range r.Units {
			mark := "✓"
			if !u.Intact {
				mark = "✗"
			}
			fmt.Printf("  %s %s（%s）：交办单 %d 份，%d 项\n", mark, u.UnitName, u.Unit, u.Notices, u.Items)
		}
		if r.OK {
			fmt.Println("结论：记录完整，各单位收到的内容与县委常委会通过的原文一致。")
		}
	}
	if !r.OK {
		if !*asJSON {
			for _, p := range r.Problems {
				fmt.Println("  问题：" + p)
			}
		}
		return exitError{fmt.Sprintf("审计未通过：%d 处问题，首处：%s", len(r.Problems), r.Problems[0])}
	}
	return nil
}

// meetingNotices reads a meeting's notices on record: from the shared store every
// worker records them in, or from one worker's outbox folder when outbox is set.
func meetingNotices(ctx context.Context, outbox, meeting string) ([]relay.Notice, error) {
	of := func(n relay.Notice) bool { return n.MeetingID == meeting }
	if outbox != "" {
		return notify.NewOutbox(outbox).List(of)
	}
	b, _, err := openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return notify.NewRecords(b).List(ctx, of)
}
