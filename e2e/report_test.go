package e2e

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gocloud.dev/blob"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// TestMonthlyReportsOnTheRealServer: the monthly Schedule is created once however often
// the worker restarts; `schedule trigger` runs the inspection and archives both reports
// in every format; `report --month --json` prints figures that match the tasks, and the
// notices the engine issued.
func TestMonthlyReportsOnTheRealServer(t *testing.T) {
	// Every task of the sample is received during the test: overdue days count from
	// the later of the deadline and that day, never from before it.
	received := time.Now()
	c := newCounty(t)
	t.Setenv("TASKRELAY_DATA", c.data) // for `starter reports`, which reads the archive
	c.start()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	h := c.node.Client.ScheduleClient().GetHandle(ctx, relay.MonthlyScheduleID)
	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("describe the report schedule: %v", err)
	}
	if d.Schedule.Spec.TimeZoneName != "Asia/Shanghai" || len(d.Info.NextActionTimes) == 0 {
		t.Fatalf("spec %+v next %v", d.Schedule.Spec, d.Info.NextActionTimes)
	}
	next := d.Info.NextActionTimes[0].In(relay.TimeZone)
	if next.Day() != 1 || next.Hour() != 9 || next.Minute() != 0 {
		t.Errorf("next run %s, want the 1st at 09:00 county time", next)
	}
	created := d.Info.CreatedAt
	for i := 0; i < 2; i++ {
		c.stop()
		c.start()
	}
	if n := c.schedules(ctx, relay.MonthlyScheduleID); n != 1 {
		t.Fatalf("%d report schedules after restarts, want 1", n)
	}
	d, err = c.node.Client.ScheduleClient().GetHandle(ctx, relay.MonthlyScheduleID).Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Info.CreatedAt.Equal(created) {
		t.Fatalf("schedule re-created on restart: %v, first %v", d.Info.CreatedAt, created)
	}
	if out := c.ok("schedule", "describe"); !strings.Contains(out, relay.MonthlyScheduleID) || !strings.Contains(out, "Asia/Shanghai") || !strings.Contains(out, "运行中") {
		t.Errorf("describe: %s", out)
	}
	c.ok("schedule", "pause")
	if out := c.ok("schedule", "describe"); !strings.Contains(out, "已暂停") {
		t.Errorf("paused: %s", out)
	}
	c.ok("schedule", "unpause")
	c.refused("未知操作", "schedule", "delete")
	c.refused("月份", "report", "--month", "2026-13")

	// A list in every state: closed late, overdue, in progress, not yet due.
	c.ok("submit", sample, "--adopt")
	c.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "60", "--note", "窗口已设立")
	c.ok("complete", "cwh-2026-12:2", "--unit", "zzb", "--note", "大股室制全面推行")
	c.ok("verify", "cwh-2026-12:2", "--accept", "--note", "同意销号")

	// Trigger: the Schedule's run reports on the month before now.
	t0 := time.Now()
	out := c.ok("schedule", "trigger")
	t.Logf("schedule trigger to reports archived: %.2fs", time.Since(t0).Seconds())
	prev := time.Now().In(relay.TimeZone).AddDate(0, 0, -time.Now().In(relay.TimeZone).Day()).Format(report.MonthLayout)
	if !strings.Contains(out, prev+" 月度报告已生成") {
		t.Fatalf("trigger output: %s", out)
	}
	exMD, exHTML, coMD, coHTML, ledger := report.Files(prev)
	for _, f := range []string{exMD, exHTML, coMD, coHTML, ledger, report.FiguresFile, report.SnapshotFile} {
		if a, err := c.shared().Attributes(context.Background(), report.Key(prev, f)); err != nil || a.Size == 0 {
			t.Errorf("archive lacks %s: %v", f, err)
		}
	}

	// On demand, this month, as of now: every figure against the tasks themselves.
	month := time.Now().In(relay.TimeZone).Format(report.MonthLayout)
	var st statusOut
	var sums []relay.TaskSummary
	eventually(t, "summaries current in visibility", func() bool {
		c.jsonOf(&st, "status", "cwh-2026-12", "--json")
		sums = c.summaries(ctx)
		closed := 0
		for _, s := range sums {
			if s.State == relay.StateClosed {
				closed++
			}
		}
		return len(sums) == 10 && closed == 1
	})
	t1 := time.Now()
	var fig report.Figures
	c.jsonOf(&fig, "report", "--month", month, "--json", "--out", filepath.Join(c.data, "out"))
	t.Logf("report --month over the sample: %.2fs", time.Since(t1).Seconds())

	var raw map[string]any
	if err := json.Unmarshal([]byte(c.ok("report", "--month", month, "--json")), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"month", "as_of", "totals", "by_unit", "by_deputy", "red", "notices"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("--json lacks %q", k)
		}
	}
	want := report.Figures{Month: month, AsOf: time.Now().In(relay.TimeZone).Format(relay.DateLayout), ByUnit: []report.UnitRow{}, ByDeputy: []report.DeputyRow{}, Red: []report.RedRow{},
		Instructions: []report.InstructionRow{}, Chases: []report.ChaseRow{}, Unsigned: []report.UnsignedRow{}}
	units, deputies := map[string]*report.UnitRow{}, map[string]*report.DeputyRow{}
	now := time.Now()
	for _, tk := range st.Tasks {
		want.Totals.Tasks++
		end, _ := relay.DeadlineEnd(tk.Deadline)
		u := units[tk.LeadUnit]
		if u == nil {
			u = &report.UnitRow{Unit: tk.LeadUnit}
			units[tk.LeadUnit] = u
		}
		dp := deputies[tk.Deputy]
		if dp == nil {
			dp = &report.DeputyRow{Deputy: tk.Deputy}
			deputies[tk.Deputy] = dp
		}
		u.Tasks++
		dp.Tasks++
		switch {
		case tk.State == relay.StateClosed:
			want.Totals.ClosedLate++ // item 2's deadline (31 October) had passed
			u.Closed++
			dp.Closed++
		case now.After(end):
			want.Totals.OpenOverdue++
			u.Overdue++
			dp.Overdue++
			want.Red = append(want.Red, report.RedRow{Task: tk.ID, Unit: tk.LeadUnit, Deadline: tk.Deadline})
		default:
			want.Totals.OpenNotDue++
		}
	}
	want.Totals.CompletionRate = report.Pct(float64(int(1000*float64(want.Totals.ClosedLate)/float64(want.Totals.Tasks)+0.5)) / 10)
	for _, id := range sortedIDs(units) {
		want.ByUnit = append(want.ByUnit, *units[id])
	}
	for _, id := range sortedIDs(deputies) {
		want.ByDeputy = append(want.ByDeputy, *deputies[id])
	}
	// The reform figure, counted from the notice files themselves.
	start, _ := report.ParseMonth(month)
	notices, err := notify.NewOutbox(filepath.Join(c.data, "outbox")).List(func(n relay.Notice) bool {
		return report.Counted(n.Kind) && !n.IssuedAt.Before(start)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		want.Notices.Issued++
		want.Notices.OnePerItem += max(1, len(n.Items))
	}
	want.Notices.ReductionPct = report.Pct(float64(int(1000*float64(want.Notices.OnePerItem-want.Notices.Issued)/float64(want.Notices.OnePerItem)+0.5)) / 10)
	if want.Totals.ClosedLate != 1 || want.Totals.OpenOverdue == 0 || want.Notices.Issued == 0 || want.Notices.ReductionPct <= 0 {
		t.Fatalf("the sample should have tasks in every state and consolidated notices: %+v", want)
	}
	// Scores: each unit's is the rule's base plus the points `starter score` traces to
	// its tasks; every red task costs its unit an overdue event.
	if fig.ScoreRule.Base != 100 || !strings.Contains(fig.ScoreRule.Text, "每逾期1天扣") {
		t.Errorf("score_rule: %+v", fig.ScoreRule)
	}
	want.ScoreRule = fig.ScoreRule
	red := map[string]bool{} // the red tasks overdue a whole day or more this month since the unit had them
	for _, r := range want.Red {
		end, _ := relay.DeadlineEnd(r.Deadline)
		if end.Before(start) {
			end = start
		}
		if end.Before(received) {
			end = received
		}
		if time.Since(end) >= 24*time.Hour+time.Minute {
			red[r.Unit+" "+r.Task] = true
		}
	}
	for i, u := range fig.ByUnit {
		var events []report.ScoreEvent
		c.jsonOf(&events, "score", u.Unit, "--month", month, "--json")
		total := fig.ScoreRule.Base
		for _, e := range events {
			total += e.Points
			if e.Event == relay.ScoreOverdue && !red[u.Unit+" "+e.Task] && e.Task != "cwh-2026-12:2" {
				t.Errorf("%s: overdue event for %s, not a red task of the unit", u.Unit, e.Task)
			}
			delete(red, u.Unit+" "+e.Task)
		}
		if math.Abs(total-u.Score) > 1e-9 {
			t.Errorf("%s: score %v, base plus events %v: %+v", u.Unit, u.Score, total, events)
		}
		if i < len(want.ByUnit) {
			want.ByUnit[i].Score, want.ByUnit[i].ScoreYTD = u.Score, u.ScoreYTD
		}
	}
	if len(red) > 0 {
		t.Errorf("red tasks without an overdue event: %v", red)
	}
	c.refused("还没有月度报告", "score", "rsj", "--month", "2020-01")
	gotJSON, _ := json.Marshal(fig)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("figures\n got %s\nwant %s", gotJSON, wantJSON)
	}

	// The archived ledger: one row per task, states as the tasks say.
	f, err := excelize.OpenFile(filepath.Join(c.data, "out", "taizhang-"+month+".xlsx"))
	if err != nil {
		t.Fatalf("--out ledger: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.LedgerSheet)
	if err != nil || len(rows) != 11 {
		t.Fatalf("ledger rows: %d %v", len(rows), err)
	}
	for i, tk := range st.Tasks {
		if r := rows[i+1]; r[0] != strconv.Itoa(tk.No) || r[2] != tk.Title || r[3] != tk.LeadAddressed() || r[6] != tk.Deadline || r[8] != relay.StateLabel(tk.State) {
			t.Errorf("ledger row %d: %q for task %+v", i+2, r, tk)
		}
	}
	for _, name := range []string{"tongbao-" + month + ".md", "baogao-" + month + ".html"} {
		b, err := os.ReadFile(filepath.Join(c.data, "out", name))
		if err != nil || !strings.Contains(string(b), "县委常委会2026年第12次会议") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if out := c.ok("reports"); !strings.Contains(out, month) || !strings.Contains(out, prev) || !strings.Contains(out, "taizhang-"+month+".xlsx") {
		t.Errorf("reports: %s", out)
	}
	c.record(relay.ReportWorkflowID(month, want.AsOf), "monthly-report")
}

func (c *county) summaries(ctx context.Context) []relay.TaskSummary {
	ac := c.api()
	s, err := ac.Tasks(ctx, "RelayMeeting = 'cwh-2026-12'")
	if err != nil {
		c.t.Fatal(err)
	}
	return s
}

func sortedIDs[V any](m map[string]V) []string {
	var ids []string
	for k := range m {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return ids
}

// shared is the county's shared blob store (TASKRELAY_BLOB_URL, by default under its
// data folder): notice records and the reports' archive, as every worker and console
// of the county reads them.
func (c *county) shared() *blob.Bucket {
	c.t.Helper()
	b, err := blobstore.Open(context.Background(), c.config().BlobURL, c.data)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { b.Close() })
	return b
}
