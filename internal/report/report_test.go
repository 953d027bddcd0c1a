package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/relay"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func compute(t *testing.T, in Input) *Report {
	t.Helper()
	r, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFiguresNovember: every figure of the month, worked out by hand from the fixture.
func TestFiguresNovember(t *testing.T) {
	r := compute(t, fixture())
	want := Figures{
		Month: "2026-11", AsOf: "2026-11-30",
		Totals: Totals{Tasks: 9, ClosedOnTime: 1, ClosedLate: 1, OpenNotDue: 5, OpenOverdue: 2, CompletionRate: 22.2},
		// Scores (default rule): czj −2 for item 2 sent back on 3 November, −2 for its 4
		// days late (1 November to the submission on the 5th); lcj −7.5 for item 3's 15
		// days overdue in November and −15 for item 6's 30 (the year: 46 days, −23, and
		// −1 for item 6 unsigned 3 days after dispatch); rsj +1 in the year for item 1
		// done 11 days early (closed in October).
		ByUnit: []UnitRow{
			{Unit: "czj", Tasks: 3, Closed: 1, Overdue: 0, Score: 96, ScoreYTD: 96},
			{Unit: "lcj", Tasks: 2, Closed: 0, Overdue: 2, Score: 77.5, ScoreYTD: 68.5},
			{Unit: "rsj", Tasks: 2, Closed: 1, Overdue: 0, Score: 100, ScoreYTD: 101},
			{Unit: "xcb", Tasks: 2, Closed: 0, Overdue: 0, Score: 100, ScoreYTD: 100},
		},
		ByDeputy: []DeputyRow{
			{Deputy: "ld-chang", Tasks: 5, Closed: 2, Overdue: 0},
			{Deputy: "ld-liu", Tasks: 2, Closed: 0, Overdue: 0},
			{Deputy: "ld-zhao", Tasks: 2, Closed: 0, Overdue: 2},
		},
		Red: []RedRow{
			{Task: "cwh-2026-12:3", Unit: "lcj", Deadline: "2026-11-15"},
			{Task: "cwh-2026-12:6", Unit: "lcj", Deadline: "2026-10-15"},
		},
		// November: dispatch to xcb (2 items) and czj (1), two reminders, one overdue
		// notice and one escalation: 6 notices for 7 item-units.
		Notices:      NoticeCount{Issued: 6, OnePerItem: 7, ReductionPct: 14.3},
		Instructions: []InstructionRow{}, Chases: []ChaseRow{}, Unsigned: []UnsignedRow{},
		ScoreRule: ScoreRuleOut{ScoreRule: relay.DefaultScoreRule(), Text: relay.DefaultScoreRule().Describe()},
	}
	if !reflect.DeepEqual(r.Figures, want) {
		got, _ := json.MarshalIndent(r.Figures, "", " ")
		t.Fatalf("figures:\n%s", got)
	}
	// Since January: September's three dispatches (9 item-units), October's overdue
	// notice and escalation, November's six.
	if want := (NoticeCount{Issued: 11, OnePerItem: 18, ReductionPct: 38.9}); r.NoticesYTD != want {
		t.Errorf("year to date: %+v, want %+v", r.NoticesYTD, want)
	}
	if want := (MonthFigures{Totals: r.Totals, CarriedOver: 6, New: 2, ClosedMonth: 1}); r.Period != want {
		t.Errorf("month: %+v, want %+v", r.Period, want)
	}
	if len(r.Meetings) != 2 || r.Meetings[0].ID != "cwh-2026-12" || r.Meetings[1].ID != "cwh-2026-14" {
		t.Fatalf("meetings: %+v", r.Meetings)
	}
	m12 := r.Meetings[0].MonthFigures
	if want := (MonthFigures{Totals: Totals{Tasks: 7, ClosedOnTime: 1, ClosedLate: 1, OpenNotDue: 3, OpenOverdue: 2, CompletionRate: 28.6},
		CarriedOver: 6, New: 0, ClosedMonth: 1}); m12 != want {
		t.Errorf("meeting 12: %+v, want %+v", m12, want)
	}
	m14 := r.Meetings[1].MonthFigures
	if want := (MonthFigures{Totals: Totals{Tasks: 2, OpenNotDue: 2}, New: 2}); m14 != want {
		t.Errorf("meeting 14: %+v, want %+v", m14, want)
	}
	ids := func(rows []TaskRow) string {
		var s []string
		for _, x := range rows {
			s = append(s, x.ID)
		}
		return strings.Join(s, " ")
	}
	for name, c := range map[string]struct{ got, want string }{
		"overdue (longest first)": {ids(r.Overdue), "cwh-2026-12:6 cwh-2026-12:3"},
		"named (>=21 days)":       {ids(r.Named), "cwh-2026-12:6"},
		"yellow":                  {ids(r.Yellow), "cwh-2026-14:2"},
		"due in December":         {ids(r.DueNext), "cwh-2026-14:2 cwh-2026-12:4 cwh-2026-12:7"},
		"closed in November":      {ids(r.ClosedMonth), "cwh-2026-12:2"},
		"progress in November":    {ids(r.Progress), "cwh-2026-14:2 cwh-2026-12:7 cwh-2026-12:3"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", name, c.got, c.want)
		}
	}
	if r.Overdue[0].OverdueDays != 46 || r.Overdue[1].OverdueDays != 15 {
		t.Errorf("overdue days: %d, %d", r.Overdue[0].OverdueDays, r.Overdue[1].OverdueDays)
	}
	if len(r.Grants) != 1 || r.Grants[0].ID != "cwh-2026-12:4" || r.Grants[0].Grant.From != "2026-11-20" {
		t.Errorf("grants: %+v", r.Grants)
	}
	if len(r.Rejections) != 1 || r.Rejections[0].Rejection.Note != "缺佐证材料" {
		t.Errorf("rejections: %+v", r.Rejections)
	}
	// Task 7 closed on 1 December: on 30 November it waited for verification.
	t7 := r.Rows[6]
	if t7.ID != "cwh-2026-12:7" || t7.State != relay.StateCompletionSubmitted || t7.Progress != 80 || t7.ClosedAt != nil {
		t.Errorf("task 7 as of 30 November: %+v", t7)
	}
}

// TestFiguresPastDay: as of 11 November the second meeting's tasks did not exist, an
// extension granted on the 12th had not moved the deadline, and task 7 was only
// acknowledged.
func TestFiguresPastDay(t *testing.T) {
	in := fixture()
	req, err := Resolve(Request{Month: "2026-11", AsOf: "2026-11-11"}, time.Time{}, at("2026-12-02 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	in.Request = req
	r := compute(t, in)
	if want := (Totals{Tasks: 7, ClosedOnTime: 1, ClosedLate: 1, OpenNotDue: 4, OpenOverdue: 1, CompletionRate: 28.6}); r.Totals != want {
		t.Errorf("totals: %+v, want %+v", r.Totals, want)
	}
	if want := (NoticeCount{Issued: 1, OnePerItem: 1}); r.Notices != want {
		t.Errorf("notices: %+v", r.Notices)
	}
	row := func(id string) TaskRow {
		for _, x := range r.Rows {
			if x.ID == id {
				return x
			}
		}
		t.Fatalf("no row %s", id)
		return TaskRow{}
	}
	if d := row("cwh-2026-12:4").Deadline; d != "2026-11-20" {
		t.Errorf("task 4 deadline on 11 November: %s", d)
	}
	if x := row("cwh-2026-12:7"); x.State != relay.StateAcknowledged || x.Note != "" {
		t.Errorf("task 7 on 11 November: %s %q", x.State, x.Note)
	}
	if x := row("cwh-2026-12:5"); x.State != relay.StateInProgress {
		t.Errorf("task 5 on 11 November: %s", x.State)
	}
	if len(r.Named) != 1 || len(r.Red) != 1 || r.Red[0].Task != "cwh-2026-12:6" {
		t.Errorf("red %+v named %+v", r.Red, r.Named)
	}
}

func TestResolve(t *testing.T) {
	now := at("2026-12-01 09:00")
	r, err := Resolve(Request{}, now, now)
	if err != nil || r.Month != "2026-11" || r.AsOf != "2026-11-30" || !r.AsOfTime.Equal(at("2026-12-01 00:00")) {
		t.Errorf("schedule default: %+v %v", r, err)
	}
	// A backfilled run stands for its nominal time, whenever it runs.
	r, err = Resolve(Request{}, at("2026-03-01 09:00"), now)
	if err != nil || r.Month != "2026-02" || r.AsOf != "2026-02-28" {
		t.Errorf("backfill: %+v %v", r, err)
	}
	// The current month: the state now, dated today.
	r, err = Resolve(Request{Month: "2026-12"}, now, now)
	if err != nil || r.AsOf != "2026-12-01" || !r.AsOfTime.Equal(now) {
		t.Errorf("current month: %+v %v", r, err)
	}
	for _, bad := range []struct {
		req  Request
		want string
	}{
		{Request{Month: "2026-13"}, "2026-13"},
		{Request{Month: "2026-1"}, "YYYY-MM"},
		{Request{Month: "2027-01"}, "尚未开始"},
		{Request{Month: "2026-11", AsOf: "2026-10-31"}, "早于"},
		{Request{Month: "2026-11", AsOf: "30/11/2026"}, "截至日期 30/11/2026 无效"},
	} {
		if _, err := Resolve(bad.req, now, now); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want an error with %q", bad.req, err, bad.want)
		}
	}
}

// TestMarkdownGolden: both reports read as the golden files (go test -update rewrites).
func TestMarkdownGolden(t *testing.T) {
	r := compute(t, fixture())
	for name, d := range map[string]*doc{"tongbao": r.Executive(), "baogao": r.Committee()} {
		got := d.Markdown()
		path := filepath.Join("testdata", name+".golden.md")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s (go test ./report -update to accept):\n%s", name, path, got)
		}
	}
}

func TestHTML(t *testing.T) {
	r := compute(t, fixture())
	h := r.Executive().HTML()
	for _, want := range []string{"<svg", "各牵头单位办结情况", "县林业和草原局", "逾期未办结", "=HYPERLINK(&#34;http://x&#34;", "进度 40%：方案已起草|待上会"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://"} {
		// The only URL is the one a unit typed (escaped text), plus the SVG namespace.
		if strings.Count(h, bad) > 2 {
			t.Errorf("HTML refers to the network (%s)", bad)
		}
	}
	if strings.Contains(h, "<script") || strings.Contains(h, "<link") {
		t.Error("HTML must be self-contained")
	}
	if c := r.Committee().HTML(); !strings.Contains(c, "中共示例县委") || !strings.Contains(c, "特此报告") {
		t.Error("committee HTML")
	}
}

// TestLedger reads the .xlsx back cell by cell: every task with its lead unit's
// 联络员 and the number of files (佐证材料) reported by the report's day.
func TestLedger(t *testing.T) {
	r := compute(t, fixture())
	b, err := r.Ledger()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{LedgerSheet, SummarySheet}) {
		t.Fatalf("sheets: %v", got)
	}
	rows, err := f.GetRows(LedgerSheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		LedgerHeader,
		{"1", m12.Name, `推进社保医保"两险同宣同征"`, "县人力资源和社会保障局", "县财政局", "李某", "2026-10-31", "已于2026年10月22日办结销号（按时）", "已办结", "—", "王某某（13800001111）", "2"},
		{"2", m12.Name, "全面推行“大股室制”", "县财政局", "县财政局", "李某", "2026-10-31", "已于2026年11月6日办结销号（逾期）", "已办结", "—", "刘某某", "0"},
		{"3", m12.Name, `=HYPERLINK("http://x","点我")`, "县林业和草原局", "县财政局", "赵某", "2026-11-15", "进度 40%：方案已起草|待上会", "办理中", "红灯", "", "0"},
		{"4", m12.Name, "举办第二届攀岩赛", "县人力资源和社会保障局", "县财政局", "李某", "2026-12-20", "尚未报送进展", "办理中", "绿灯", "王某某（13800001111）", "0"},
		{"5", m12.Name, "精简文件会议，力戒“文山会海”", "县财政局", "县财政局", "李某", "2026-11-25", "已报送办结，待审核", "待审核办结", "黄灯", "刘某某", "0"},
		{"6", m12.Name, "+开展社保医保基金监管联合检查", "县林业和草原局", "县财政局", "赵某", "2026-10-15", "尚未报送进展", "已交办", "红灯", "", "0"},
		{"7", m12.Name, "@办好乡村音乐汇", "县委宣传部", "县财政局", "刘某", "2026-12-31", "已报送办结，待审核；进度 80%：主体工程完工", "待审核办结", "绿灯", "", "1"},
		{"1", m14.Name, "-推动核桃产业提质增效", "县委宣传部", "县财政局", "刘某", "2027-03-31", "尚未报送进展", "已签收", "绿灯", "", "0"},
		{"2", m14.Name, "整治形式主义为基层减负", "县财政局", "县财政局", "李某", "2026-12-05", "进度 50%：已完成招标", "办理中", "黄灯", "刘某某", "0"},
	}
	if !reflect.DeepEqual(rows, want) {
		for i := range max(len(rows), len(want)) {
			if i >= len(rows) || i >= len(want) || !reflect.DeepEqual(rows[i], want[i]) {
				t.Errorf("row %d:\n got %q\nwant %q", i+1, at2(rows, i), at2(want, i))
			}
		}
	}
	// Text a unit typed that looks like a formula stays text.
	for _, cell := range []string{"C4", "C7", "C8", "C9"} {
		if fm, _ := f.GetCellFormula(LedgerSheet, cell); fm != "" {
			t.Errorf("%s is a formula: %s", cell, fm)
		}
		if typ, _ := f.GetCellType(LedgerSheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s: cell type %v, want a string", cell, typ)
		}
		// Formatted as text (@): editing the cell or saving as CSV keeps it text.
		id, _ := f.GetCellStyle(LedgerSheet, cell)
		if st, err := f.GetStyle(id); err != nil || st.NumFmt != 49 {
			t.Errorf("%s is not formatted as text: %+v %v", cell, st, err)
		}
	}
	sum, err := f.GetRows(SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	wantSum := map[string]string{
		"统计月份": "2026-11", "截至日期": "2026-11-30", "确定事项": "9", "已办结": "2", "其中按时办结": "1", "其中逾期办结": "1",
		"正在办理": "7", "其中未到时限": "5", "其中逾期未办结": "2", "办结率(%)": "22.2", "上月结转": "6", "本月新交办": "2", "本月办结": "1",
		"本月发出通知": "6", "本月按一事项一单位一通知测算": "7", "本月减少(%)": "14.3",
		"今年以来发出通知": "11", "今年以来按一事项一单位一通知测算": "18", "今年以来减少(%)": "38.9",
	}
	got := map[string]string{}
	for _, row := range sum[:len(wantSum)] {
		got[row[0]] = row[1]
	}
	if !reflect.DeepEqual(got, wantSum) {
		t.Errorf("summary sheet:\n got %v\nwant %v", got, wantSum)
	}
	units := sum[len(wantSum)+1:]
	wantUnits := [][]string{
		{"牵头单位", "牵头事项", "已办结", "按时办结", "逾期办结", "正在办理", "逾期未办结", "办结率(%)"},
		{"县林业和草原局", "2", "0", "0", "0", "2", "2", "0"},
		{"县委宣传部", "2", "0", "0", "0", "2", "0", "0"},
		{"县财政局", "3", "1", "0", "1", "2", "0", "33.3"},
		{"县人力资源和社会保障局", "2", "1", "1", "0", "1", "0", "50"},
	}
	if !reflect.DeepEqual(units, wantUnits) {
		t.Errorf("summary units:\n got %q\nwant %q", units, wantUnits)
	}
}

func at2(rows [][]string, i int) []string {
	if i < len(rows) {
		return rows[i]
	}
	return nil
}

// testArchive is an archive in the default blob store under a temporary data folder.
func testArchive(t testing.TB) (*Archive, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := blobstore.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return NewArchive(b), dir
}

func TestArchive(t *testing.T) {
	ctx := context.Background()
	a, _ := testArchive(t)
	if l, err := a.List(ctx); err != nil || len(l) != 0 {
		t.Errorf("empty archive: %v %v", l, err)
	}
	if _, err := a.ReadReport(ctx, "2026-11"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a month without a report: %v", err)
	}
	in := fixture()
	if _, err := a.WriteSnapshot(ctx, &in); err != nil {
		t.Fatal(err)
	}
	back, err := a.ReadSnapshot(ctx, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	r := compute(t, *back)
	if direct := compute(t, in); !reflect.DeepEqual(r.Figures, direct.Figures) {
		t.Fatal("figures from the archived snapshot differ")
	}
	files, err := a.Write(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 8 || files[0] != "reports/2026-11/tongbao-2026-11.md" {
		t.Fatalf("files: %v", files)
	}
	list, err := a.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Month != "2026-11" || list[0].AsOf != "2026-11-30" || list[0].Totals.Tasks != 9 || len(list[0].Files) != 7 {
		t.Fatalf("list: %+v", list)
	}
}

// TestArchiveImportsTheOldFolder: a data folder's reports/YYYY-MM/ of earlier versions
// is copied into the store once, without replacing what the store has.
func TestArchiveImportsTheOldFolder(t *testing.T) {
	ctx := context.Background()
	a, _ := testArchive(t)
	old := t.TempDir()
	dir := Dir(old, "2026-10")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exMD, _, _, _, _ := Files("2026-10")
	for name, body := range map[string]string{exMD: "旧通报", SignoffFile: `{"month":"2026-10","state":"issued","doc_no":"示督〔2026〕3号"}`, ".tmp": "x"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.write(ctx, "2026-10", exMD, []byte("新通报")); err != nil {
		t.Fatal(err)
	}
	for want := range []int{1, 0} { // the second start imports nothing
		n, err := a.ImportDir(ctx, old)
		if err != nil || n != 1-want {
			t.Fatalf("import %d: %d %v", want, n, err)
		}
	}
	if b, _ := a.read(ctx, "2026-10", exMD); string(b) != "新通报" {
		t.Errorf("the store's newer file was replaced: %q", b)
	}
	so, err := a.ReadSignoff(ctx, "2026-10")
	if err != nil || so == nil || so.DocNo != "示督〔2026〕3号" {
		t.Fatalf("imported sign-off: %+v %v", so, err)
	}
	if n, err := a.ImportDir(ctx, filepath.Join(old, "none")); err != nil || n != 0 {
		t.Errorf("no old folder: %d %v", n, err)
	}
}

// BenchmarkReport computes both reports and the ledger over synthetic task summaries.
func BenchmarkReport1k(b *testing.B)  { benchReport(b, 1000) }
func BenchmarkReport10k(b *testing.B) { benchReport(b, 10000) }

func benchReport(b *testing.B, n int) {
	in := synthetic(n)
	a, _ := testArchive(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		r, err := Compute(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Write(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			fmt.Printf("report over %d tasks (%d notices): %.2fs\n", n, len(in.Notices), time.Since(t0).Seconds())
		}
	}
}

// TestLiveUsesTheEngineMarks: as of now, the engine's own light (a milestone not
// reached) and its red tier (listed for the report) count, with the reason shown.
func TestLiveUsesTheEngineMarks(t *testing.T) {
	now := at("2026-11-27 10:00")
	req, err := Resolve(Request{Month: "2026-11"}, now, now)
	if err != nil {
		t.Fatal(err)
	}
	a := task(m12, 1, "举办第二届攀岩赛", "xcb", "2026-12-31", at("2026-09-16 10:00"), relay.StateAcknowledged)
	a.Light = relay.Yellow
	a.BehindMilestone = &relay.Milestone{Date: "2026-11-20", Goal: "赛事方案印发", Percent: 50}
	b := task(m12, 2, "办好乡村音乐汇", "xcb", "2026-11-20", at("2026-09-16 10:00"), relay.StateDispatched)
	b.Light, b.ListedForReport = relay.Red, true
	r := compute(t, Input{Request: req, Tasks: []Task{a, b}})
	if len(r.Yellow) != 1 || r.Yellow[0].Behind != "节点 2026-11-20“赛事方案印发”未达序时进度" {
		t.Errorf("yellow: %+v", r.Yellow)
	}
	if len(r.Named) != 1 || r.Named[0].ID != "cwh-2026-12:2" || r.Named[0].OverdueDays != 6 {
		t.Errorf("named: %+v", r.Named)
	}
	if r.AsOf != "2026-11-27" || r.Totals != (Totals{Tasks: 2, OpenNotDue: 1, OpenOverdue: 1}) {
		t.Errorf("as of %s: %+v", r.AsOf, r.Totals)
	}
	if !strings.Contains(r.Executive().Markdown(), "节点 2026-11-20“赛事方案印发”未达序时进度") {
		t.Error("the 通报 does not say why the item is behind")
	}
}

// TestProgressFromTypedField: on a past day the progress is the entry's percent field,
// whatever its note says; entries recorded before the field are read as then written.
func TestProgressFromTypedField(t *testing.T) {
	in := fixture()
	thirty := 30
	for i := range in.Tasks {
		if in.Tasks[i].ID == "cwh-2026-12:7" {
			tl := in.Tasks[i].Timeline
			in.Tasks[i].Timeline = append(tl[:2:2],
				relay.Event{At: at("2026-11-05 11:00"), By: "xcb", Action: "progress", Note: "进度 20%：选址完成"},
				relay.Event{At: at("2026-11-10 11:00"), By: "xcb", Action: "progress", Percent: &thirty, Note: "已完成60%的摸底"})
			in.Tasks[i].Timeline = append(in.Tasks[i].Timeline, tl[2:]...)
		}
	}
	for day, want := range map[string]int{"2026-11-06": 20, "2026-11-11": 30, "2026-11-21": 80} {
		req, err := Resolve(Request{Month: "2026-11", AsOf: day}, time.Time{}, at("2026-12-02 09:00"))
		if err != nil {
			t.Fatal(err)
		}
		in.Request = req
		r := compute(t, in)
		for _, x := range r.Rows {
			if x.ID == "cwh-2026-12:7" && x.Progress != want {
				t.Errorf("task 7 on %s: progress %d, want %d", day, x.Progress, want)
			}
		}
	}
}
