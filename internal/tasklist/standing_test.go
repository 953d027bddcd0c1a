package tasklist

import (
	"testing"

	"taskrelay/internal/relay"
	"taskrelay/internal/tasklist/internal/docxbuild"
)

// TestStandingDeadline: 长期, 长期坚持, 持续推进 and 常态化 as the deadline make a
// standing task, without a deadline, in every format.
func TestStandingDeadline(t *testing.T) {
	flags := MeetingFlags{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"}
	check := func(name string, p *relay.Plan, err error, want ...bool) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, w := range want {
			it := p.Items[i]
			if it.Standing != w || (w && it.Deadline != "") || (!w && it.Deadline == "") {
				t.Errorf("%s item %d: standing %v deadline %q", name, it.No, it.Standing, it.Deadline)
			}
		}
	}
	doc := head +
		item("no: 1", "title: t", "lead: czj", "deadline: 长期") +
		item("no: 2", "title: t", "lead: czj", "deadline: ' 长期坚持 '") +
		item("no: 3", "title: t", "lead: czj", "deadline: 持续推进") +
		item("no: 4", "title: t", "lead: czj", "deadline: 常态化") +
		item("no: 5", "title: t", "lead: czj", "deadline: 2026-12-31")
	p, err := Parse("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{})
	check("yaml", p, err, true, true, true, true, false)
	if err == nil {
		checkPlan(t, p)
	}

	js := `{"meeting":{"id":"m1","name":"n","date":"2026-09-15"},"items":[{"no":1,"title":"t","lead":"czj","deadline":"长期"}]}`
	p, err = Parse("tasklist.json", []byte(js), sampleDir(t), MeetingFlags{})
	check("json", p, err, true)

	x := sheet(t, stdHeader,
		[]any{1, "t", "", "县财政局", "", "", "长期坚持"},
		[]any{2, "t", "", "县财政局", "", "", day(2026, 12, 31)},
		[]any{3, "t", "", "县财政局", "", "", "常态化"})
	p, err = parseXLSX(t, x, flags)
	check("xlsx", p, err, true, false, true)

	d := wordDoc(t, [][]docxbuild.Cell{docHeader,
		{T("1"), T("t"), T(""), T("县财政局"), T(""), T(""), T("持续推进")},
		{T("2"), T("t"), T(""), T("县财政局"), T(""), T(""), T("2026-12-31")}})
	p, err = parseDOCX(t, d, flags)
	check("docx", p, err, true, false)

	// Other words are still refused.
	if err := parseYAML(t, head+item("no: 1", "title: t", "lead: czj", "deadline: 长期的")); err == nil {
		t.Error("长期的 accepted")
	}
}

// TestClerksDates: every form a clerk types is read, in YAML and in a sheet's text
// cell; an unreadable one is refused with the accepted forms listed.
func TestClerksDates(t *testing.T) {
	doc := head +
		item("no: 1", "title: t", "lead: czj", "deadline: ２０２７-０３-３１") +
		item("no: 2", "title: t", "lead: czj", "deadline: ２０２７年３月３１日") +
		item("no: 3", "title: t", "lead: czj", "deadline: 2027.03.31") +
		item("no: 4", "title: t", "lead: czj", "deadline: 2027/3/31") +
		item("no: 5", "title: t", "lead: czj", "deadline: 2027年3月31日") +
		item("no: 6", "title: t", "lead: czj", "deadline: 2027-3-31", "milestones: ２０２６．１２．３１ 完成方案（３０％）")
	p, err := Parse("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{Date: "２０２６年９月１５日"})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p)
	for _, it := range p.Items {
		if it.Deadline != "2027-03-31" {
			t.Errorf("item %d: %q", it.No, it.Deadline)
		}
	}
	if ms := p.Items[5].Milestones; len(ms) != 1 || ms[0].Date != "2026-12-31" || ms[0].Percent != 30 {
		t.Errorf("milestones %+v", ms)
	}
	if p.Meeting.Date != "2026-09-15" {
		t.Errorf("meeting %+v", p.Meeting)
	}
	x := sheet(t, stdHeader, []any{1, "t", "", "县财政局", "", "", "２０２７．３．３１"})
	if p, err := parseXLSX(t, x, MeetingFlags{ID: "m1", Name: "n", Date: "2026.9.15"}); err != nil || p.Items[0].Deadline != "2027-03-31" {
		t.Errorf("xlsx: %v", err)
	}
	err = parseYAML(t, head+item("no: 1", "title: t", "lead: czj", "deadline: 三月底"))
	want := "tasklist.yaml: 第1项 字段 deadline: 完成时限“三月底”无法识别，应写作 2027-03-31、2027/3/31、2027.3.31 或 2027年3月31日（全角数字亦可）；长期任务写“长期”"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestTableProblemsNameTheColumn: a sheet's problems name its own headings (时限,
// 协办单位, 分管县领导) and its row, never the YAML field names.
func TestTableProblemsNameTheColumn(t *testing.T) {
	x := sheet(t, []any{"序号", "任务", "牵头单位", "协办单位", "分管县领导", "时限"},
		[]any{1, "t", "县委组织部", "县水务局", "", "年底"})
	_, err := parseXLSX(t, x, MeetingFlags{ID: "m1", Name: "n", Date: "2026-09-15"})
	want := "tasklist.xlsx: 第1项（表格第2行） 列“协办单位”: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）\n" +
		"tasklist.xlsx: 第1项（表格第2行） 列“分管县领导”: 牵头单位“县委组织部”没有分管副县长，请在“分管县领导”列指定负责的县领导\n" +
		"tasklist.xlsx: 第1项（表格第2行） 列“时限”: 完成时限“年底”无法识别，应写作 " + DateForms + "；长期任务写“长期”"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	ps, _ := err.(Problems)
	if len(ps) != 3 || ps[2].Field != "deadline" || ps[2].Column != "时限" || ps[2].Row != 2 {
		t.Errorf("typed: %+v", ps)
	}
}

// TestOldBinaryRenamed: an .xls renamed .xlsx (or a .doc renamed .docx) is told what a
// real one is told: save it as .xlsx (.docx).
func TestOldBinaryRenamed(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	_, err := Parse("清单.xlsx", ole, sampleDir(t), MeetingFlags{})
	if want := "清单.xlsx: 文件实为旧版 .xls 格式（只是扩展名改成了 .xlsx）：不支持 .xls 文件，请在表格软件中另存为 .xlsx"; err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
	_, err = Parse("清单.docx", ole, sampleDir(t), MeetingFlags{})
	if want := "清单.docx: 文件实为旧版 .doc 格式（只是扩展名改成了 .docx）：不支持 .doc 文件，请在文字处理软件中另存为 .docx"; err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
}
