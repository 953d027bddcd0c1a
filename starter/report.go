package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/report"
)

// cmdReport runs the monthly inspection now, for a named month: the same workflow the
// Schedule runs.
func cmdReport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	month := fs.String("month", "", "month YYYY-MM")
	asOf := fs.String("as-of", "", "state as of this day YYYY-MM-DD (default: the month's last day)")
	out := fs.String("out", "", "also copy the reports into this folder")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, err := parse(fs, args, 0, "--month YYYY-MM"); err != nil {
		return err
	}
	if *month == "" {
		return exitError{"report: 需要 --month YYYY-MM"}
	}
	// Checked here too so that a bad request starts nothing.
	req, err := report.Resolve(report.Request{Month: *month, AsOf: *asOf}, time.Now(), time.Now())
	if err != nil {
		return exitError{"report: " + err.Error()}
	}
	archive, closeArchive, err := openArchive(ctx)
	if err != nil {
		return err
	}
	defer closeArchive()
	if so, _ := archive.ReadSignoff(ctx, req.Month); so != nil && so.State == relay.ReportIssued {
		return exitError{fmt.Sprintf("report: %s 月度报告已签发印发（文号 %s），不再重新生成", req.Month, so.DocNo)}
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	run, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       relay.ReportWorkflowID(req.Month, req.AsOf),
		TaskQueue:                relay.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, // the same report running: wait for it
	}, relay.MonthlyWorkflowName, report.Request{Month: *month, AsOf: *asOf})
	if err != nil {
		return fmt.Errorf("启动月度报告: %w", err)
	}
	return finishReport(ctx, c, archive, run, *out, *asJSON)
}

// finishReport waits for the run's draft (拟稿), which is then waiting for the
// sign-off (`starter report-signoff`), and prints it.
func finishReport(ctx context.Context, c *relayclient.Client, archive *report.Archive, run client.WorkflowRun, out string, asJSON bool) error {
	res, err := c.ReportDraft(ctx, run)
	if err != nil {
		return err
	}
	if out != "" {
		if err := copyFiles(ctx, archive, res.Files, out); err != nil {
			return err
		}
	}
	if asJSON {
		return printJSON(res.Figures)
	}
	f := res.Figures
	fmt.Printf("%s 月度报告已生成（拟稿，待审核签发；截至 %s）：确定事项 %d 件，已办结 %d 件（按时 %d，逾期 %d），正在办理 %d 件（未到时限 %d，逾期未办结 %d），办结率 %.1f%%\n",
		f.Month, f.AsOf, f.Totals.Tasks, f.Totals.Closed(), f.Totals.ClosedOnTime, f.Totals.ClosedLate,
		f.Totals.Open(), f.Totals.OpenNotDue, f.Totals.OpenOverdue, f.Totals.CompletionRate)
	fmt.Printf("本月通知 %d 件，按一事项一单位一通知需 %d 件，减少 %.1f%%\n", f.Notices.Issued, f.Notices.OnePerItem, f.Notices.ReductionPct)
	for _, p := range res.Files {
		if out != "" {
			p = filepath.Join(out, path.Base(p))
		}
		fmt.Println("  " + p)
	}
	return nil
}

// copyFiles copies the archived reports (keys reports/YYYY-MM/<file> of the shared
// blob store) into dir.
func copyFiles(ctx context.Context, archive *report.Archive, keys []string, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	for _, key := range keys {
		month, name := path.Base(path.Dir(key)), path.Base(key)
		if err := copyFile(ctx, archive, month, name, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("报告已归档在 %s，复制到 %s 失败: %w", key, dir, err)
		}
	}
	return nil
}

func copyFile(ctx context.Context, archive *report.Archive, month, name, dst string) error {
	in, err := archive.Open(ctx, month, name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// cmdReports lists the archive in the shared blob store (TASKRELAY_BLOB_URL, by
// default under TASKRELAY_DATA, default ./data).
func cmdReports(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reports", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, "没有参数"); err != nil {
		return err
	}
	archive, closeArchive, err := openArchive(ctx)
	if err != nil {
		return err
	}
	defer closeArchive()
	list, err := archive.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(list)
	}
	if len(list) == 0 {
		fmt.Println("报告归档中还没有月度报告（starter report --month YYYY-MM 立即生成）")
		return nil
	}
	for _, e := range list {
		gen := ""
		if !e.GeneratedAt.IsZero() {
			gen = "，生成于 " + e.GeneratedAt.In(relay.TimeZone).Format("2006-01-02 15:04")
		}
		state := ""
		if e.State != "" {
			state = "（" + relay.ReportStateLabel(e.State)
			if e.DocNo != "" {
				state += "，" + e.DocNo
			}
			state += "）"
		}
		fmt.Printf("%s%s  截至 %s%s：事项 %d 件，已办结 %d 件，逾期未办结 %d 件，办结率 %.1f%%\n",
			e.Month, state, e.AsOf, gen, e.Totals.Tasks, e.Totals.Closed(), e.Totals.OpenOverdue, e.Totals.CompletionRate)
		for _, f := range e.Files {
			fmt.Printf("  %s\n", e.Dir+f)
		}
	}
	return nil
}

// cmdSchedule works the monthly report's Temporal Schedule.
func cmdSchedule(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return exitError{"schedule: 需要 describe、trigger、pause、unpause 或 backfill"}
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("schedule "+sub, flag.ContinueOnError)
	month := fs.String("month", "", "backfill: the month to report on, YYYY-MM")
	note := fs.String("note", "", "pause/unpause: why")
	asJSON := fs.Bool("json", false, "trigger: print the figures as JSON")
	if _, err := parse(fs, rest, 0, "没有其他参数"); err != nil {
		return err
	}
	switch sub {
	case "describe", "trigger", "pause", "unpause", "backfill":
	default:
		return exitError{fmt.Sprintf("schedule: 未知操作 %q，应为 describe、trigger、pause、unpause 或 backfill", sub)}
	}
	var backfillStart time.Time
	if sub == "backfill" {
		m, err := report.ParseMonth(*month)
		if err != nil {
			return exitError{"schedule backfill: --month " + err.Error()}
		}
		backfillStart = m.AddDate(0, 1, 0) // the runs of the following month report on it
		if !backfillStart.Before(time.Now()) {
			return exitError{fmt.Sprintf("schedule backfill: %s 的报告要到下月才能生成", *month)}
		}
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	h := c.T.ScheduleClient().GetHandle(ctx, relay.MonthlyScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return fmt.Errorf("找不到每月报告计划 %s（工作进程启动时创建；TASKRELAY_REPORT_SCHEDULE=off 时不创建）", relay.MonthlyScheduleID)
		}
		return fmt.Errorf("读取计划 %s: %w", relay.MonthlyScheduleID, err)
	}
	switch sub {
	case "describe":
		printSchedule(desc)
		return nil
	case "pause":
		if err := h.Pause(ctx, client.SchedulePauseOptions{Note: noteOr(*note, "由 starter schedule pause 暂停")}); err != nil {
			return fmt.Errorf("暂停计划: %w", err)
		}
		fmt.Println("每月报告计划已暂停（starter schedule unpause 恢复）")
		return nil
	case "unpause":
		if err := h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: noteOr(*note, "由 starter schedule unpause 恢复")}); err != nil {
			return fmt.Errorf("恢复计划: %w", err)
		}
		fmt.Println("每月报告计划已恢复")
		return nil
	case "backfill":
		err := h.Backfill(ctx, client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{
			Start: backfillStart, End: backfillStart.AddDate(0, 1, 0).Add(-time.Second),
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
		}}})
		if err != nil {
			return fmt.Errorf("补跑 %s: %w", *month, err)
		}
		fmt.Printf("已按计划补跑 %s 的月度报告（starter reports 查看）\n", *month)
		return nil
	}
	// trigger: run now, then wait for that run and show what it produced.
	seen := map[string]bool{}
	for _, a := range desc.Info.RecentActions {
		if a.StartWorkflowResult != nil {
			seen[a.StartWorkflowResult.WorkflowID] = true
		}
	}
	for _, w := range desc.Info.RunningWorkflows {
		seen[w.WorkflowID] = true
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL}); err != nil {
		return fmt.Errorf("触发计划: %w", err)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		d, err := h.Describe(ctx)
		if err != nil {
			return fmt.Errorf("读取计划: %w", err)
		}
		for _, a := range d.Info.RecentActions {
			if r := a.StartWorkflowResult; r != nil && !seen[r.WorkflowID] {
				if !*asJSON {
					fmt.Printf("已触发：%s\n", r.WorkflowID)
				}
				return finishReport(ctx, c, nil, c.T.GetWorkflow(ctx, r.WorkflowID, r.FirstExecutionRunID), "", *asJSON)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Println("已触发；报告生成后可用 starter reports 查看")
	return nil
}

func noteOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func printSchedule(d *client.ScheduleDescription) {
	fmt.Printf("计划: %s\n", relay.MonthlyScheduleID)
	state := "运行中"
	if d.Schedule.State != nil && d.Schedule.State.Paused {
		state = "已暂停"
	}
	if d.Schedule.State != nil && d.Schedule.State.Note != "" {
		state += "（" + d.Schedule.State.Note + "）"
	}
	fmt.Printf("状态: %s\n", state)
	if s := d.Schedule.Spec; s != nil {
		var when []string
		when = append(when, s.CronExpressions...)
		for _, c := range s.Calendars {
			when = append(when, calendarText(c))
		}
		fmt.Printf("时间: %s（时区 %s）\n", strings.Join(when, "；"), s.TimeZoneName)
	}
	if a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok {
		fmt.Printf("执行: 工作流 %v，任务队列 %s\n", a.Workflow, a.TaskQueue)
	}
	for i, t := range d.Info.NextActionTimes {
		if i == 3 {
			break
		}
		fmt.Printf("下次: %s\n", t.In(relay.TimeZone).Format("2006-01-02 15:04"))
	}
	for _, a := range d.Info.RecentActions {
		id := ""
		if a.StartWorkflowResult != nil {
			id = a.StartWorkflowResult.WorkflowID
		}
		fmt.Printf("最近: %s（计划 %s）%s\n", a.ActualTime.In(relay.TimeZone).Format("2006-01-02 15:04:05"),
			a.ScheduleTime.In(relay.TimeZone).Format("2006-01-02 15:04"), id)
	}
	fmt.Printf("已执行 %d 次，错过 %d 次\n", d.Info.NumActions, d.Info.NumActionsMissedCatchupWindow)
}

func calendarText(c client.ScheduleCalendarSpec) string {
	r := func(rs []client.ScheduleRange) string {
		var parts []string
		for _, x := range rs {
			switch {
			case x.End > x.Start && x.Step > 1:
				parts = append(parts, fmt.Sprintf("%d-%d/%d", x.Start, x.End, x.Step))
			case x.End > x.Start:
				parts = append(parts, fmt.Sprintf("%d-%d", x.Start, x.End))
			default:
				parts = append(parts, fmt.Sprint(x.Start))
			}
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprintf("每月%s日 %s时%s分", r(c.DayOfMonth), r(c.Hour), r(c.Minute))
}

// cmdReportSignoff takes one sign-off step on a month's draft: the inspection office
// head's review or the government office head's sign-off, approving it or returning it
// with a note. The run holding the draft is found in the month's archive record.
func cmdReportSignoff(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report-signoff", flag.ContinueOnError)
	month := fs.String("month", "", "month YYYY-MM")
	review := fs.Bool("review", false, "审核 (the inspection office head)")
	sign := fs.Bool("sign", false, "签发 (the government office head)")
	approve := fs.Bool("approve", false, "approve")
	ret := fs.Bool("return", false, "return with --note; the draft is made again")
	note := fs.String("note", "", "the note (required with --return)")
	by := fs.String("by", "", "who takes the step (default: the operator, 命令行)")
	if _, err := parse(fs, args, 0, "--month YYYY-MM (--review|--sign) (--approve|--return --note TEXT)"); err != nil {
		return err
	}
	if _, err := report.ParseMonth(*month); err != nil {
		return exitError{"report-signoff: --month " + err.Error()}
	}
	if *review == *sign {
		return exitError{"report-signoff: 需要 --review（审核）或 --sign（签发）之一"}
	}
	if *approve == *ret {
		return exitError{"report-signoff: 需要 --approve（同意）或 --return --note（退回）之一"}
	}
	r := relay.SignoffRequest{Step: relay.StepReview, Approve: *approve, Note: strings.TrimSpace(*note), By: *by}
	if *sign {
		r.Step = relay.StepSign
	}
	if r.By == "" {
		r.By, r.ByName = "starter", "命令行"
		if u := os.Getenv("USER"); u != "" {
			r.ByName += "（" + u + "）"
		}
	}
	archive, closeArchive, err := openArchive(ctx)
	if err != nil {
		return err
	}
	defer closeArchive()
	so, err := archive.ReadSignoff(ctx, *month)
	if err != nil {
		return err
	}
	if so == nil {
		return exitError{fmt.Sprintf("report-signoff: %s 没有待签发的月度报告（先运行 starter report --month %s）", *month, *month)}
	}
	if err := relay.CheckSignoff(*month, so.State, r); err != nil {
		return exitError{"report-signoff: " + err.Error()}
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	out, err := c.ReportSignoff(ctx, *so, r)
	if err != nil {
		return exitError{"report-signoff: " + err.Error()}
	}
	what := relay.StepLabel(r.Step) + "同意"
	if !r.Approve {
		what = "退回，拟稿已重新生成"
	}
	line := fmt.Sprintf("%s 月度报告%s：%s", *month, what, relay.ReportStateLabel(out.State))
	if out.DocNo != "" {
		line += "，文号 " + out.DocNo
		if out.CommitteeDocNo != "" {
			line += "（向县委报告 " + out.CommitteeDocNo + "）"
		}
	}
	fmt.Println(line)
	return nil
}

// cmdFollowUp runs the daily follow-up now (what its Schedule does each morning):
// `starter followup [--as-of DATE] [--json]`, e.g. after the worker was down.
func cmdFollowUp(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("followup", flag.ContinueOnError)
	asOfText := fs.String("as-of", "", "as of this day YYYY-MM-DD (default: now)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, "只有选项，没有其他参数"); err != nil {
		return err
	}
	var asOf time.Time
	if *asOfText != "" {
		d, err := time.ParseInLocation(relay.DateLayout, *asOfText, relay.TimeZone)
		if err != nil {
			return exitError{fmt.Sprintf("followup: --as-of“%s”不是日期（应为 YYYY-MM-DD）", *asOfText)}
		}
		asOf = d.Add(9 * time.Hour) // the Schedule's hour
	}
	return withClient(ctx, func(c *relayclient.Client) error {
		res, err := c.RunFollowUp(ctx, asOf)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(res)
		}
		fmt.Printf("跟踪提醒（%s）：提醒 %d 个单位，通知 %d 份", res.Cycle, len(res.Reminded), len(res.NoticeIDs))
		if len(res.Failed) > 0 {
			fmt.Printf("，%d 份投递失败", len(res.Failed))
		}
		fmt.Println()
		return nil
	})
}
