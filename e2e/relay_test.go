package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

type statusOut struct {
	Meeting struct {
		ID, Name, Date, State string
	} `json:"meeting"`
	Tasks []relay.TaskView `json:"tasks"`
}

type noticeOut struct {
	Unit  string `json:"unit"`
	Items []struct {
		No   int    `json:"no"`
		Role string `json:"role"`
	} `json:"items"`
}

const sample = "examples/tasklist.yaml"

// TestRejectedListsStartNothing: every bad list is refused with every problem named by
// file, item and field, and no workflow exists afterwards.
func TestRejectedListsStartNothing(t *testing.T) {
	c := newCounty(t)
	c.start()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.yaml", `meeting: {id: cwh-bad, name: 县委常委会测试会议, date: 2026-09-15}
items:
  - {no: 1, title: 有未知单位, lead: 县水务局, deadline: 2026-12-31}
  - {no: 1, title: 序号重复, lead: 县财政局, deadline: 2026-12-31}
  - {no: 3, title: "", lead: 县财政局, deadline: 2026-12-31}
  - {no: 4, title: 日期不对, lead: 县财政局, deadline: 2026-13-45}
  - {no: 5, title: 早于会议, lead: 县财政局, deadline: 2026-09-01}
  - {no: 6, title: 未知领导, lead: 县财政局, leader: 无此人, deadline: 2026-12-31}
`)
	r := c.starter("submit", bad, "--adopt")
	if r.code == 0 {
		t.Fatalf("bad list accepted: %s", r.out)
	}
	for _, want := range []string{"bad.yaml", "第1项", "lead", "县水务局", "no", "第3项", "title", "第4项", "deadline", "第5项", "第6项", "leader"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.err)
		}
	}
	if n := strings.Count(strings.TrimSpace(r.err), "\n"); n < 6 {
		t.Errorf("want every problem reported at once (>= 6 lines), got:\n%s", r.err)
	}
	// A Word list (the first table of a .docx), every problem reported at once.
	wd := &gongwen.Doc{Title: "任务清单"}
	wd.T([]string{"序号", "任务事项", "牵头单位", "完成时限"}, [][]string{
		{"1", "有未知单位", "县水务局", "2026-12-31"}, {"2", "", "县财政局", "2026-12-31"}, {"二", "日期不对", "县财政局", "年底"},
	})
	wordBytes, err := wd.Docx(gongwen.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	word := write("清单.docx", string(wordBytes))
	r = c.starter("submit", word, "--meeting-id", "cwh-word", "--meeting-name", "会议", "--meeting-date", "2026-09-15")
	// A table's problems name its own column headings, not the YAML fields.
	for _, want := range []string{"清单.docx", "第1项", "县水务局", "第2项", "列“任务事项”", "第3项", "序号“二”", "列“完成时限”", "年底"} {
		if r.code == 0 || !strings.Contains(r.err, want) {
			t.Errorf(".docx list: exit %d, stderr lacks %q:\n%s", r.code, want, r.err)
		}
	}
	for name, body := range map[string]string{
		"notzip.docx":    "this is not a Word document",
		"empty.yaml":     "meeting: {id: cwh-empty, name: 会议, date: 2026-09-15}\nitems: []\n",
		"malformed.yaml": "meeting: {id: cwh-x, name: [unclosed\n",
		"malformed.json": `{"meeting": {"id": "cwh-y"`,
		"notzip.xlsx":    "this is not a spreadsheet",
	} {
		p := write(name, body)
		r := c.starter("submit", p, "--meeting-id", "cwh-z", "--meeting-name", "会议", "--meeting-date", "2026-09-15")
		if r.code == 0 || !strings.Contains(r.err, name) {
			t.Errorf("%s: want refusal naming the file, got exit %d: %s", name, r.code, r.err)
		}
	}
	// A 12 MB list is refused before it is parsed.
	huge := write("huge.yaml", "meeting: {id: cwh-huge, name: 会议, date: 2026-09-15}\n# "+strings.Repeat("长", 4<<20)+"\n")
	if r := c.starter("submit", huge); r.code == 0 || !strings.Contains(r.err, "文件过大") || !strings.Contains(r.err, "huge.yaml") {
		t.Errorf("12 MB list: exit %d, %s", r.code, r.err)
	}
	if ids := c.workflows(""); len(ids) != 0 {
		t.Fatalf("rejected lists left workflows behind: %v", ids)
	}
	if entries, _ := os.ReadDir(filepath.Join(c.data, "outbox")); len(entries) != 0 {
		t.Fatalf("rejected lists left notices: %d", len(entries))
	}
}

// TestRelaySurvivesRestart: submit, adopt, act on tasks to closed, restart the engine on
// the same data and find everything there, then go on acting.
func TestRelaySurvivesRestart(t *testing.T) {
	c := newCounty(t)
	c.start()

	out := c.ok("submit", sample)
	if !strings.Contains(out, "待县政府常务会议通过") {
		t.Errorf("submit output: %s", out)
	}
	var st statusOut
	c.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if st.Meeting.State != relay.MeetingProposed || len(st.Tasks) != 10 {
		t.Fatalf("proposed: %+v", st.Meeting)
	}
	if out := c.ok("submit", sample); !strings.Contains(out, "已提交过") {
		t.Errorf("second submit: %s", out)
	}
	if ids := c.workflows(""); len(ids) != 1 {
		t.Fatalf("want exactly one relay after submitting twice, got %v", ids)
	}
	c.refused("找不到县领导", "adopt", "cwh-2026-12", "--deputy", "3=nobody")
	t0 := time.Now()
	c.ok("adopt", "cwh-2026-12", "--deputy", "3=ld-chang")
	t.Logf("adopt to all dispatched: %.2fs", time.Since(t0).Seconds())

	c.jsonOf(&st, "status", "cwh-2026-12", "--json")
	if st.Meeting.State != relay.MeetingAdopted || len(st.Tasks) != 10 {
		t.Fatalf("adopted: %+v, %d tasks", st.Meeting, len(st.Tasks))
	}
	if d := taskState(t, st.Tasks, 3).Deputy; d != "ld-chang" {
		t.Errorf("deputy override: item 3 has %s", d)
	}
	for _, tk := range st.Tasks {
		if tk.State != relay.StateDispatched || tk.ID != relay.TaskID("cwh-2026-12", tk.No) {
			t.Errorf("task %s: %s", tk.ID, tk.State)
		}
	}

	// One consolidated notice per unit, and exactly one file each in the outbox.
	var notices []noticeOut
	c.jsonOf(&notices, "notices", "cwh-2026-12", "--json")
	units := map[string]bool{}
	for _, tk := range st.Tasks {
		units[tk.LeadUnit] = true
		for _, co := range tk.CoUnits {
			units[co] = true
		}
	}
	if len(notices) != len(units) {
		t.Errorf("%d notices for %d units", len(notices), len(units))
	}
	outbox := notify.NewOutbox(filepath.Join(c.data, "outbox"))
	for _, n := range notices {
		got, err := outbox.List(func(x relay.Notice) bool { return x.Kind == relay.NoticeDispatch && x.To == n.Unit })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || len(got[0].Items) != len(n.Items) {
			t.Errorf("unit %s: %d dispatch files", n.Unit, len(got))
		}
	}
	// Every 交办单 carries its own 发文字号 from the engine's counter: 1 … N, no gap,
	// none twice, and a .docx beside it.
	all, err := outbox.List(func(x relay.Notice) bool { return x.Kind == relay.NoticeDispatch })
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, n := range all {
		seen[n.DocNo] = true
		if _, err := os.Stat(outbox.DocxPath(n.ID)); err != nil {
			t.Errorf("%s: no .docx: %v", n.ID, err)
		}
	}
	year := relay.DocYear(all[0].IssuedAt)
	for i := 1; i <= len(all); i++ {
		if no := gongwen.Number("县府督办", year, i); !seen[no] {
			t.Errorf("文号 %s not given (numbers: %v)", no, seen)
		}
	}
	checkDispatchNumbers(t, c, st.Tasks, all)

	// Drive item 1 to closed, with a refusal on the way.
	c.ok("ack", "cwh-2026-12:1", "--unit", "县医疗保障局") // any plaque of the body
	c.ok("progress", "cwh-2026-12:1", "--unit", "rsj", "--percent", "60", "--note", "窗口已设立")
	c.refused("无权操作", "progress", "cwh-2026-12:1", "--unit", "xcb", "--percent", "10", "--note", "越权")
	c.ok("extend", "cwh-2026-12:1", "--unit", "rsj", "--until", "2027-01-31", "--reason", "等待省级文件")
	c.refused("无权批复", "decide-extension", "cwh-2026-12:1", "--approve", "--by", "ld-liu")
	c.ok("decide-extension", "cwh-2026-12:1", "--approve", "--by", "inspection")
	c.ok("complete", "cwh-2026-12:1", "--unit", "rsj", "--note", "已全面实施")
	c.ok("verify", "cwh-2026-12:1", "--reject", "--note", "缺佐证材料")
	c.ok("complete", "cwh-2026-12:1", "--unit", "rsj", "--note", "已补充材料")
	c.ok("verify", "cwh-2026-12:1", "--accept", "--note", "同意销号")
	c.refused("已办结", "ack", "cwh-2026-12:1", "--unit", "rsj")
	c.ok("progress", "cwh-2026-12:2", "--unit", "zzb", "--percent", "30", "--note", "方案已印发")

	var before relay.TaskView
	c.jsonOf(&before, "task", "cwh-2026-12:1", "--json")
	if before.State != relay.StateClosed || before.Light != "" || before.Deadline != "2027-01-31" || len(before.Timeline) != 9+numberedUnits(before) {
		t.Fatalf("closed task: state %s light %s deadline %s, %d events", before.State, before.Light, before.Deadline, len(before.Timeline))
	}
	// The timeline's facts are typed fields of the JSON, not only text in the note.
	checkTypedFacts(t, c.ok("task", "cwh-2026-12:1", "--json"))
	// The text shows every action by its label, never its code.
	text := c.ok("task", "cwh-2026-12:1")
	for _, e := range before.Timeline {
		if strings.Contains(text, e.Action) || !strings.Contains(text, relay.ActionLabel(e.Action)) {
			t.Errorf("starter task: action %s shown as code or without its label:\n%s", e.Action, text)
		}
	}
	// Search attributes follow the task (visibility is eventually consistent).
	eventually(t, "closed task in visibility", func() bool {
		return len(c.workflows("RelayMeeting = 'cwh-2026-12' AND RelayState = 'closed'")) == 1
	})
	eventually(t, "red tasks in visibility", func() bool {
		red := 0
		for _, tk := range st.Tasks {
			if tk.Light == relay.Red {
				red++
			}
		}
		return red > 0 && len(c.workflows("RelayMeeting = 'cwh-2026-12' AND RelayLight = 'red'")) == red
	})
	// The memo summary serves list views without a query per task.
	ac := c.api()
	eventually(t, "task summaries in visibility", func() bool {
		sums, err := ac.Tasks(context.Background(), "RelayMeeting = 'cwh-2026-12'")
		if err != nil || len(sums) != 10 {
			return false
		}
		one, two := sums[0], sums[1]
		return one.State == relay.StateClosed && one.ClosedAt != nil && one.ExtensionsGranted == 1 &&
			one.Rejections == 1 && one.Deadline == "2027-01-31" &&
			two.Progress == 30 && two.LastProgressNote == "进度 30%：方案已印发"
	})
	c.record(relay.MeetingWorkflowID("cwh-2026-12"), "meeting-adopted")
	c.record(relay.TaskWorkflowID("cwh-2026-12:1"), "task-closed")
	c.record(relay.TaskWorkflowID("cwh-2026-12:2"), "task-in-progress")
	// Numbered before the tasks start (dispatch-number-first): the meeting and a task
	// whose timeline holds its units' 交办单 numbers.
	c.record(relay.MeetingWorkflowID("cwh-2026-12"), "meeting-dispatch-numbered")
	c.record(relay.TaskWorkflowID("cwh-2026-12:1"), "task-dispatch-numbered")
	// One timer for the next wake (one-wake-timer): a closed task and an open one.
	c.record(relay.TaskWorkflowID("cwh-2026-12:1"), "task-one-timer-closed")
	c.record(relay.TaskWorkflowID("cwh-2026-12:2"), "task-one-timer-open")
	filesBefore := outboxFiles(t, c)

	// Restart the engine and the worker on the same data.
	c.stop()
	t1 := time.Now()
	c.start()
	t.Logf("engine restart: %.2fs", time.Since(t1).Seconds())

	var after statusOut
	c.jsonOf(&after, "status", "cwh-2026-12", "--json")
	if after.Meeting != st.Meeting || len(after.Tasks) != 10 {
		t.Fatalf("after restart: %+v", after.Meeting)
	}
	var again relay.TaskView
	c.jsonOf(&again, "task", "cwh-2026-12:1", "--json")
	if again.State != relay.StateClosed || len(again.Timeline) != len(before.Timeline) {
		t.Errorf("closed task after restart: %s, %d events", again.State, len(again.Timeline))
	}
	if p := taskState(t, after.Tasks, 2); p.State != relay.StateInProgress || p.Progress != 30 {
		t.Errorf("task 2 after restart: %s %d%%", p.State, p.Progress)
	}
	// The same request sent twice (a double click, a retried form) acts once.
	ac = c.api()
	req := task.Request{Unit: "zzb", Percent: 50, Note: "过半单位完成整合", User: "张三"}
	first, err := ac.ActOnce(context.Background(), "cwh-2026-12:2", relay.UpdateProgress, "form-42", req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ac.ActOnce(context.Background(), "cwh-2026-12:2", relay.UpdateProgress, "form-42", req); err != nil {
		t.Fatal(err)
	}
	two, err := ac.Task(context.Background(), "cwh-2026-12:2")
	if err != nil {
		t.Fatal(err)
	}
	var progress []relay.Event
	for _, e := range two.Timeline {
		if e.Action == "progress" {
			progress = append(progress, e)
		}
	}
	if first.Progress != 50 || len(progress) != 2 || progress[1].User != "张三" {
		t.Errorf("one request, twice: progress %d, %d progress entries (want 2): %+v", first.Progress, len(progress), progress)
	}
	c.ok("complete", "cwh-2026-12:2", "--unit", "zzb", "--note", "大股室制全面推行")
	if out := c.ok("submit", sample); !strings.Contains(out, "已提交过") {
		t.Errorf("submit after restart: %s", out)
	}
	if ids := c.workflows("WorkflowType = 'Task'"); len(ids) != 10 {
		t.Errorf("want 10 task workflows, got %d", len(ids))
	}
	// No notice was sent twice: the restart re-sent nothing already delivered.
	filesAfter := outboxFiles(t, c)
	for name := range filesBefore {
		if !filesAfter[name] {
			t.Errorf("notice file %s lost", name)
		}
	}
}

func outboxFiles(t *testing.T, c *county) map[string]bool {
	entries, err := os.ReadDir(filepath.Join(c.data, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, e := range entries {
		m[e.Name()] = true
	}
	return m
}

// checkTypedFacts reads `starter task --json` output as plain JSON: the progress entry
// carries percent, the extension request until, the approval from and until.
// numberedUnits is how many units a task was dispatched to, each with a numbered
// 交办单 on its timeline (doc_numbered).
func numberedUnits(v relay.TaskView) int {
	units := map[string]bool{v.LeadUnit: true}
	for _, u := range v.CoUnits {
		units[u] = true
	}
	return len(units)
}

// checkDispatchNumbers: every task's timeline (starter task --json) carries, for each
// of its units, the 发文字号 of the 交办单 that dispatched it there, equal to the
// notice's doc_no, right after the dispatch entry.
func checkDispatchNumbers(t *testing.T, c *county, tasks []relay.TaskView, dispatches []relay.Notice) {
	t.Helper()
	docOf := map[string]string{}
	for _, n := range dispatches {
		docOf[n.To] = n.DocNo
	}
	co := 0
	for _, tk := range tasks {
		var v relay.TaskView
		c.jsonOf(&v, "task", tk.ID, "--json")
		got, want := map[string]string{}, map[string]string{v.LeadUnit: docOf[v.LeadUnit]}
		for _, u := range v.CoUnits {
			want[u] = docOf[u]
		}
		for i, e := range v.Timeline {
			if e.Action == relay.ActDocNumbered {
				got[e.Unit] = e.DocNo
				if i > len(want) || !strings.Contains(e.Note, e.DocNo) {
					t.Errorf("task %s: entry %d %+v", v.ID, i, e)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("task %s: 交办单 numbers on the timeline %v, notices %v", v.ID, got, want)
		}
		if len(want) > 1 {
			co++
		}
	}
	if co == 0 {
		t.Error("no task with a supporting unit: the co units' numbers were not checked")
	}
}

func checkTypedFacts(t *testing.T, out string) {
	t.Helper()
	var raw struct {
		Timeline []map[string]any `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("task --json: %v", err)
	}
	want := map[string]map[string]any{
		"progress":            {"percent": 60.0},
		"extension_requested": {"until": "2027-01-31"},
		"extension_approved":  {"from": "2026-12-31", "until": "2027-01-31"},
	}
	for _, e := range raw.Timeline {
		fields, ok := want[fmt.Sprint(e["action"])]
		if !ok {
			continue
		}
		for k, v := range fields {
			if e[k] != v {
				t.Errorf("timeline entry %v: %s = %v, want %v", e["action"], k, e[k], v)
			}
		}
		delete(want, fmt.Sprint(e["action"]))
	}
	if len(want) > 0 {
		t.Errorf("task --json: no entries for %v", want)
	}
}

// TestLongTimelineReadBack: a task with more actions than a run hands over continues
// as new with a bounded timeline, and the client still reads every entry back (from the
// previous runs), in order and chained from the committee's item: `starter task` shows
// them all and the audit passes.
func TestLongTimelineReadBack(t *testing.T) {
	c := newCounty(t)
	c.start()
	c.ok("submit", sample)
	c.ok("adopt", "cwh-2026-12")
	const id, n = "cwh-2026-12:1", 230
	ac := c.api()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		req := task.Request{Unit: "rsj", Percent: i % 100, Note: fmt.Sprintf("第%d次报送", i)}
		if _, err := ac.Act(ctx, id, relay.UpdateProgress, req); err != nil {
			t.Fatalf("progress %d: %v", i, err)
		}
	}
	// The running task carries only its last entries.
	resp, err := c.node.Client.QueryWorkflow(ctx, relay.TaskWorkflowID(id), "", relay.QueryTask)
	if err != nil {
		t.Fatal(err)
	}
	var carried relay.TaskView
	if err := resp.Get(&carried); err != nil {
		t.Fatal(err)
	}
	if carried.TimelineFrom == 0 || len(carried.Timeline) > 2*100 {
		t.Errorf("running task holds %d entries from %d: not bounded", len(carried.Timeline), carried.TimelineFrom)
	}
	// The client reads them all back: dispatched, acknowledged, n progress reports.
	var full relay.TaskView
	c.jsonOf(&full, "task", id, "--json")
	// (and the 交办单 numbers, one entry per unit, after dispatched)
	k := numberedUnits(full)
	if len(full.Timeline) != n+2+k || full.TimelineFrom != 0 {
		t.Fatalf("task --json: %d entries from %d, want %d", len(full.Timeline), full.TimelineFrom, n+2+k)
	}
	for i, e := range full.Timeline[2+k:] {
		if e.Percent == nil || *e.Percent != (i+1)%100 {
			t.Fatalf("entry %d out of order: %+v", i+2+k, e)
		}
	}
	text := c.ok("task", id)
	if got := strings.Count(text, "报告进展"); got != n {
		t.Errorf("starter task shows %d progress entries, want %d", got, n)
	}
	var a struct {
		OK bool `json:"ok"`
	}
	c.jsonOf(&a, "audit", "cwh-2026-12", "--outbox", filepath.Join(c.data, "outbox"), "--json")
	if !a.OK {
		t.Errorf("audit of the read-back timeline failed: %s", c.ok("audit", "cwh-2026-12", "--outbox", filepath.Join(c.data, "outbox")))
	}
	t.Logf("%d entries; the running run holds %d (from entry %d)", len(full.Timeline), len(carried.Timeline), carried.TimelineFrom)
	// The current run began from a continue-as-new with a bounded timeline.
	c.record(relay.TaskWorkflowID(id), "task-long-timeline")
}
