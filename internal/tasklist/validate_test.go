package tasklist

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const head = `meeting: {id: cwh-2026-12, name: 县委常委会2026年第12次会议, date: 2026-09-15}
items:
`

// item writes one YAML item; fields are "key: value" lines.
func item(fields ...string) string {
	return "  - " + strings.Join(fields, "\n    ") + "\n"
}

func ok3(no int) string {
	return item(fmt.Sprintf("no: %d", no), "title: 任务"+fmt.Sprint(no), "lead: 县财政局", "deadline: 2026-12-31")
}

func parseYAML(t *testing.T, doc string) error {
	t.Helper()
	p, err := Parse("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{})
	if err == nil {
		checkPlan(t, p)
	} else if p != nil {
		t.Error("a plan came back with the error")
	}
	return err
}

func TestItemProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items string
		want  string // the problem line
	}{
		{"unknown lead", ok3(1) + ok3(2) + item("no: 3", "title: 修水渠", "lead: 县水务局", "deadline: 2026-12-31"),
			"tasklist.yaml: 第3项 字段 lead: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）"},
		{"unknown co", item("no: 4", "title: t", "lead: czj", "co: [县财政局, 县水务局]", "deadline: 2026-12-31"),
			"tasklist.yaml: 第4项 字段 co: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）"},
		{"unknown leader", item("no: 2", "title: t", "lead: czj", "leader: 孙某", "deadline: 2026-12-31"),
			"tasklist.yaml: 第2项 字段 leader: 找不到县领导“孙某”"},
		{"leader by title is not a leader", item("no: 2", "title: t", "lead: czj", "leader: 常务副县长", "deadline: 2026-12-31"),
			"tasklist.yaml: 第2项 字段 leader: 找不到县领导“常务副县长”"},
		{"no deputy for a Party body", item("no: 5", "title: t", "lead: 县委组织部", "deadline: 2026-12-31"),
			"tasklist.yaml: 第5项 字段 leader: 牵头单位“县委组织部”没有分管副县长，请用 leader（牵头县领导）指定负责的县领导"},
		{"no deputy, via alias", item("no: 5", "title: t", "lead: 巡察办", "deadline: 2026-12-31"),
			"tasklist.yaml: 第5项 字段 leader: 牵头单位“县纪委县监委”没有分管副县长，请用 leader（牵头县领导）指定负责的县领导"},
		{"duplicate no", ok3(1) + ok3(2) + ok3(1),
			"tasklist.yaml: 第1项 字段 no: 序号 1 重复（列表第1条已使用）"},
		{"absent no", ok3(1) + item("title: t", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第2项 字段 no: 缺少序号（应为正整数）（列表第2条）"},
		{"zero no", item("no: 0", "title: t", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第1项 字段 no: 序号“0”不是正整数（列表第1条）"},
		{"negative no", ok3(1) + item("no: -3", "title: t", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第2项 字段 no: 序号“-3”不是正整数（列表第2条）"},
		{"text no", item("no: 一", "title: t", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第1项 字段 no: 序号“一”不是正整数（列表第1条）"},
		{"list no", item("no: [1]", "title: t", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第1项 字段 no: 序号应为正整数（列表第1条）"},
		{"missing title", item("no: 7", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第7项 字段 title: 缺少任务事项"},
		{"blank title", item("no: 7", "title: '  '", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第7项 字段 title: 缺少任务事项"},
		{"title not text", item("no: 7", "title: [a, b]", "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第7项 字段 title: 应为文本"},
		{"long title", item("no: 7", "title: "+strings.Repeat("长", MaxTitleLen+1), "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第7项 字段 title: 任务事项过长（501 字），不得超过 500 字"},
		{"long requirements", item("no: 7", "title: t", "requirements: "+strings.Repeat("要", MaxRequirementsLen+1), "lead: czj", "deadline: 2026-12-31"),
			"tasklist.yaml: 第7项 字段 requirements: 具体要求过长（4001 字），不得超过 4000 字"},
		{"missing lead", item("no: 7", "title: t", "deadline: 2026-12-31"),
			"tasklist.yaml: 第7项 字段 lead: 缺少牵头单位"},
		{"missing deadline", item("no: 8", "title: t", "lead: czj"),
			"tasklist.yaml: 第8项 字段 deadline: 缺少完成时限"},
		{"bad deadline", item("no: 8", "title: t", "lead: czj", "deadline: 年底前"),
			"tasklist.yaml: 第8项 字段 deadline: 完成时限“年底前”无法识别，应写作 " + DateForms + "；长期任务写“长期”"},
		{"impossible date", item("no: 8", "title: t", "lead: czj", "deadline: 2026-02-30"),
			"tasklist.yaml: 第8项 字段 deadline: 完成时限“2026-02-30”无法识别，应写作 " + DateForms + "；长期任务写“长期”"},
		{"deadline before meeting", item("no: 9", "title: t", "lead: czj", "deadline: 2026-09-14"),
			"tasklist.yaml: 第9项 字段 deadline: 完成时限 2026-09-14 早于会议日期 2026-09-15"},
		{"unknown item field", item("no: 9", "title: t", "lead: czj", "deadline: 2026-12-31", "owner: 李某"),
			"tasklist.yaml: 第9项 字段 owner: 未知字段（任务事项的字段为 no、title、requirements、lead、co、leader、deadline、feedback、milestones）"},
		{"repeated field", item("no: 9", "title: t", "lead: czj", "deadline: 2026-12-31", "lead: rsj"),
			"tasklist.yaml: 第9项 字段 lead: 字段重复"},
		{"co not a list", item("no: 9", "title: t", "lead: czj", "co: {a: b}", "deadline: 2026-12-31"),
			"tasklist.yaml: 第9项 字段 co: 配合单位应为单位名称的列表"},
		{"item not a mapping", "  - 推进两险同宣同征\n",
			"tasklist.yaml: 第1项 第1条任务事项应为映射（包含 no、title、lead、deadline 等字段）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := parseYAML(t, head+tc.items)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestMeetingProblems(t *testing.T) {
	for _, tc := range []struct {
		meeting string
		want    string
	}{
		{"{name: n, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.id: 缺少会议编号"},
		{"{id: m1, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.name: 缺少会议名称"},
		{"{id: m1, name: n}", "tasklist.yaml: 字段 meeting.date: 缺少会议日期"},
		{"{id: m1, name: n, date: 九月}", "tasklist.yaml: 字段 meeting.date: 会议日期“九月”无法识别，应写作 " + DateForms},
		{"{id: 常委会12, name: n, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.id: 会议编号“常委会12”只能由字母、数字和 . _ - 组成"},
		{"{id: 'a/b', name: n, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.id: 会议编号“a/b”只能由字母、数字和 . _ - 组成"},
		{"{id: 'a b', name: n, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.id: 会议编号“a b”只能由字母、数字和 . _ - 组成"},
		{"{id: " + strings.Repeat("a", 65) + ", name: n, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.id: 会议编号过长（65 个字符），不得超过 64 个字符"},
		{"{id: m1, name: n, date: 2026-09-15, place: 县委}", "tasklist.yaml: 字段 meeting.place: 未知字段（会议只有 id、name、date）"},
		{"{id: [m1], name: n, date: 2026-09-15}", "tasklist.yaml: 字段 meeting.id: 应为文本"},
		{"会议", "tasklist.yaml: 字段 meeting: 应为包含 id、name、date 的映射"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			err := parseYAML(t, "meeting: "+tc.meeting+"\nitems:\n"+ok3(1))
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	// The longest id is fine, and so is no meeting in the file when flags supply it.
	if err := parseYAML(t, "meeting: {id: "+strings.Repeat("a", 64)+", name: n, date: 2026-09-15}\nitems:\n"+ok3(1)); err != nil {
		t.Error(err)
	}
	p, err := Parse("t.yaml", []byte("items:\n"+ok3(1)), sampleDir(t), MeetingFlags{ID: " m.1_x-2 ", Name: "会议", Date: "2026年9月5日"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Meeting.ID != "m.1_x-2" || p.Meeting.Name != "会议" || p.Meeting.Date != "2026-09-05" {
		t.Errorf("meeting = %+v", p.Meeting)
	}
	// Flags override the file.
	p, err = Parse("t.yaml", []byte(head+ok3(1)), sampleDir(t), MeetingFlags{Name: "另一次会议"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Meeting.ID != "cwh-2026-12" || p.Meeting.Name != "另一次会议" {
		t.Errorf("meeting = %+v", p.Meeting)
	}
}

func TestFileProblems(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty list", head, "tasklist.yaml: 字段 items: 任务清单为空，没有任何任务事项"},
		{"empty list []", strings.TrimSuffix(head, "\n") + " []\n", "tasklist.yaml: 字段 items: 任务清单为空，没有任何任务事项"},
		{"no items key", "meeting: {id: m, name: n, date: 2026-09-15}\n", "tasklist.yaml: 字段 items: 任务清单为空，没有任何任务事项"},
		{"items not a list", "meeting: {id: m, name: n, date: 2026-09-15}\nitems: 全部\n", "tasklist.yaml: 字段 items: 应为任务事项的列表"},
		{"empty file", "", "tasklist.yaml: 文件为空"},
		{"comments only", "# 无\n", "tasklist.yaml: 文件为空"},
		{"null document", "~\n", "tasklist.yaml: 文件为空"},
		{"top not mapping", "- 1\n- 2\n", "tasklist.yaml: 顶层应为包含 meeting 和 items 的映射"},
		{"bad syntax", head + "  - {no: 1, title: [\n", "tasklist.yaml: YAML 格式错误: line 3: did not find expected node content"},
		{"tab indentation", head + "\t- no: 1\n", "tasklist.yaml: YAML 格式错误: line 3: found character that cannot start any token"},
		{"unknown top field", "version: 2\n" + head + ok3(1), "tasklist.yaml: 字段 version: 未知字段（顶层只能有 meeting 和 items）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := parseYAML(t, tc.doc)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestUnsupportedFile(t *testing.T) {
	for file, want := range map[string]string{
		"清单.xls":  "清单.xls: 不支持 .xls 文件，请在表格软件中另存为 .xlsx",
		"清单.txt":  "清单.txt: 无法识别文件类型“.txt”，任务清单应为 .yaml、.yml、.json、.xlsx 或 .docx 文件",
		"清单":      "清单: 无法识别文件类型“”，任务清单应为 .yaml、.yml、.json、.xlsx 或 .docx 文件",
		"清单.YAML": "", // extensions are case-insensitive
		"清单.yml":  "",
	} {
		_, err := Parse(file, []byte(head+ok3(1)), sampleDir(t), MeetingFlags{})
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", file, err)
			}
			continue
		}
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", file, err, want)
		}
	}
	_, err := Parse("t.yaml", []byte(head+ok3(1)), nil, MeetingFlags{})
	if err == nil || err.Error() != "t.yaml: 没有提供机构目录，无法核对单位和县领导" {
		t.Errorf("nil directory: %v", err)
	}
}

// Every problem is reported at once, sorted by item, file-level ones first.
func TestEveryProblemAtOnce(t *testing.T) {
	doc := "meeting: {id: 'bad id', name: n, date: 2026-09-15}\nitems:\n" +
		item("no: 3", "title: t", "lead: 县水务局", "co: [县农业局]", "deadline: 明年") +
		ok3(1) +
		item("no: 2", "lead: 县委组织部") +
		ok3(1)
	err := parseYAML(t, doc)
	want := []string{
		"tasklist.yaml: 字段 meeting.id: 会议编号“bad id”只能由字母、数字和 . _ - 组成",
		"tasklist.yaml: 第1项 字段 no: 序号 1 重复（列表第2条已使用）",
		"tasklist.yaml: 第2项 字段 title: 缺少任务事项",
		"tasklist.yaml: 第2项 字段 leader: 牵头单位“县委组织部”没有分管副县长，请用 leader（牵头县领导）指定负责的县领导",
		"tasklist.yaml: 第2项 字段 deadline: 缺少完成时限",
		"tasklist.yaml: 第3项 字段 lead: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）",
		"tasklist.yaml: 第3项 字段 co: 找不到单位“县农业局”（您是否要找：县农业农村局）",
		"tasklist.yaml: 第3项 字段 deadline: 完成时限“明年”无法识别，应写作 " + DateForms + "；长期任务写“长期”",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
	ps := err.(Problems)
	if !reflect.DeepEqual(ps[1], Problem{File: "tasklist.yaml", Item: 1, Field: "no", Message: "序号 1 重复（列表第2条已使用）"}) {
		t.Errorf("problem = %#v", ps[1])
	}
}

func TestResolution(t *testing.T) {
	doc := head +
		// The lead repeated among the supporting units, and a unit named twice under
		// two of its names, are dropped from co.
		item("no: 1", "title: t", "lead: 医保局", "co: [县人力资源和社会保障局, 县财政局, czj, 财政局, '  ']", "deadline: 2026-9-30") +
		// co as one text, separated like a spreadsheet cell.
		item("no: 2", "title: t", "lead: ' 县委编办 '", "co: 县财政局、城关镇；平坡镇", "leader: ' 李某 '", "deadline: 2026/10/01") +
		// A deadline already past is accepted: the task is overdue.
		item("no: 3", "title: t", "lead: 县司法局", "deadline: 2026年9月15日") +
		item("no: '4'", "title: 123", "requirements: ''", "lead: xcb", "leader: ld-zhao", "deadline: 2027-01-05")
	p, err := Parse("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p)
	got, _ := json.Marshal(p.Items)
	want := `[{"no":1,"title":"t","lead":"rsj","co":["czj"],"deputy":"ld-chang","deadline":"2026-09-30","source":{"lead":"医保局","co":["县人力资源和社会保障局","县财政局","czj","财政局"],"lead_id":"rsj","co_ids":["rsj","czj","czj","czj"]}},` +
		`{"no":2,"title":"t","lead":"zzb","co":["czj","cgz","ppz"],"deputy":"ld-chang","deadline":"2026-10-01","source":{"lead":"县委编办","co":["县财政局","城关镇","平坡镇"],"leader":"李某","lead_id":"zzb","co_ids":["czj","cgz","ppz"]}},` +
		`{"no":3,"title":"t","lead":"zfw","deputy":"ld-wang","deadline":"2026-09-15","source":{"lead":"县司法局","lead_id":"zfw"}},` +
		`{"no":4,"title":"123","lead":"xcb","deputy":"ld-zhao","deadline":"2027-01-05","source":{"lead":"xcb","leader":"ld-zhao","lead_id":"xcb"}}]`
	if string(got) != want {
		t.Errorf("items\n%s\nwant\n%s", got, want)
	}
	var ids []string
	for _, u := range p.Units {
		ids = append(ids, u.ID)
	}
	if !reflect.DeepEqual(ids, []string{"zzb", "xcb", "zfw", "czj", "rsj", "cgz", "ppz"}) {
		t.Errorf("units %v", ids)
	}
	if p.SourceFile != "tasklist.yaml" || len(p.Leaders) != 6 {
		t.Errorf("source %q, %d leaders", p.SourceFile, len(p.Leaders))
	}
}

// YAML anchors and aliases are the YAML library's business and work as expected.
func TestYAMLAliases(t *testing.T) {
	doc := head +
		"  - &one {no: 1, title: t, lead: czj, co: &co [城关镇, 平坡镇], deadline: 2026-12-31}\n" +
		"  - {no: 2, title: t, lead: rsj, co: *co, deadline: 2026-12-31}\n"
	if err := parseYAML(t, doc); err != nil {
		t.Fatal(err)
	}
}

func TestTooManyItems(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"meeting":{"id":"m","name":"n","date":"2026-09-15"},"items":[`)
	for i := 0; i <= MaxItems; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("{}")
	}
	b.WriteString("]}")
	_, err := Parse("big.json", []byte(b.String()), sampleDir(t), MeetingFlags{})
	if err == nil || err.Error() != "big.json: 字段 items: 任务事项过多（20001 项），一份任务清单不得超过 20000 项" {
		t.Errorf("got %v", err)
	}
	var y strings.Builder
	y.WriteString(head)
	for i := 0; i <= MaxItems; i++ {
		y.WriteString("  - {}\n")
	}
	err = parseYAML(t, y.String())
	if err == nil || err.Error() != "tasklist.yaml: 字段 items: 任务事项过多（20001 项），一份任务清单不得超过 20000 项" {
		t.Errorf("got %v", err)
	}
}

func TestJSON(t *testing.T) {
	parse := func(doc string) error {
		t.Helper()
		p, err := Parse("tasklist.json", []byte(doc), sampleDir(t), MeetingFlags{})
		if err == nil {
			checkPlan(t, p)
		}
		return err
	}
	const m = `"meeting":{"id":"m","name":"n","date":"2026-09-15"}`
	if err := parse(`{` + m + `,"items":[{"no":1,"title":"t","lead":"县财政局","co":"城关镇,平坡镇","deadline":"2026-12-31"},{"no":"2","title":"t","lead":"czj","co":null,"requirements":null,"deadline":"2026-12-31"}]}`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ doc, want string }{
		{`{` + m + `,"items":[]}`, "tasklist.json: 字段 items: 任务清单为空，没有任何任务事项"},
		{`{` + m + `}`, "tasklist.json: 字段 items: 任务清单为空，没有任何任务事项"},
		{``, "tasklist.json: 文件为空"},
		{"{\n" + m + ",\n\"items\": [\n{\"no\": 1,}]}", "tasklist.json: JSON 格式错误: 第4行: invalid character '}' looking for beginning of object key string"},
		{`{` + m + `,"items":[`, "tasklist.json: JSON 格式错误: 文件不完整（意外结束）"},
		{`{` + m + `,"items":[]} {}`, "tasklist.json: JSON 格式错误: 文档结束后还有多余内容"},
		{`[1,2]`, "tasklist.json: 顶层应为包含 meeting 和 items 的对象"},
		{`null`, "tasklist.json: 顶层应为包含 meeting 和 items 的对象"},
		{`{` + m + `,"items":{"no":1}}`, "tasklist.json: 字段 items: 应为任务事项的数组"},
		{`{` + m + `,"items":[{"no":1,"title":"t","lead":"czj","deadline":"2026-12-31","Lead":"x"}]}`,
			"tasklist.json: 第1项 字段 Lead: 未知字段（任务事项的字段为 no、title、requirements、lead、co、leader、deadline、feedback、milestones）"},
		{`{` + m + `,"extra":1,"items":[{"no":1,"title":"t","lead":"czj","deadline":"2026-12-31"}]}`,
			"tasklist.json: 字段 extra: 未知字段（顶层只能有 meeting 和 items）"},
		{`{"meeting":{"id":"m","name":"n","date":"2026-09-15","venue":"x"},"items":[{"no":1,"title":"t","lead":"czj","deadline":"2026-12-31"}]}`,
			"tasklist.json: 字段 meeting.venue: 未知字段（会议只有 id、name、date）"},
		{`{` + m + `,"items":[{"no":1.5,"title":"t","lead":"czj","deadline":"2026-12-31"}]}`,
			"tasklist.json: 第1项 字段 no: 序号应为正整数（列表第1条）"},
		{`{` + m + `,"items":[{"no":1,"title":7,"lead":"czj","deadline":20261231}]}`,
			"tasklist.json: 第1项 字段 title: 应为文本\ntasklist.json: 第1项 字段 deadline: 应为文本"},
		{`{` + m + `,"items":[{"no":3,"title":"t","lead":"县水务局","deadline":"2026-12-31"}]}`,
			"tasklist.json: 第3项 字段 lead: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）"},
		{`{"meeting":{"id":"m","name":"n"},"items":[{"no":1,"title":"t","lead":"czj","deadline":"2026-12-31"}]}`,
			"tasklist.json: 字段 meeting.date: 缺少会议日期"},
		{`{` + m + `,"items":[{"no":1,"title":"t","lead":"czj","co":[1],"deadline":"2026-12-31"}]}`,
			"tasklist.json: 第1项 字段 co: 配合单位应为单位名称的列表"},
		{`{` + m + `,"items":["x"]}`, "tasklist.json: 第1项 第1条任务事项应为映射（包含 no、title、lead、deadline 等字段）"},
	} {
		if err := parse(tc.doc); err == nil || err.Error() != tc.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tc.doc, err, tc.want)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-12-31": "2026-12-31", "2026-1-5": "2026-01-05", "2026/12/31": "2026-12-31",
		"2026/1/5": "2026-01-05", "2026年12月31日": "2026-12-31", "2026年1月5日": "2026-01-05",
		" 2026-12-31 ": "2026-12-31", "2026-13-01": "", "26-12-31": "", "2026-12-31T00:00:00Z": "",
		"": "", "2026年12月31": "", "2026-02-30": "", "年底": "", "2026年13月底": "",
		// As clerks type them: full-width digits, dots, spaces, a trailing 前, 月底.
		"２０２７-０３-３１": "2027-03-31", "２０２７－０３－３１": "2027-03-31", "２０２７年３月３１日": "2027-03-31",
		"2027.03.31": "2027-03-31", "2027.3.31": "2027-03-31", "２０２７．３．３１": "2027-03-31",
		"2027/3/31": "2027-03-31", "２０２７／３／３１": "2027-03-31", "2027-3-31": "2027-03-31",
		"2027年3月31日": "2027-03-31", "2027 年 3 月 31 日": "2027-03-31", "2027年3月31日前": "2027-03-31",
		"\u30002027-03-31\u3000": "2027-03-31", "2027年2月底": "2027-02-28", "2028年2月底前": "2028-02-29",
		"2026年12月末": "2026-12-31",
	} {
		got, ok := normalizeDate(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalizeDate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestSplitUnits(t *testing.T) {
	got := splitUnits(" 县财政局、城关镇，平坡镇,西山镇；顺河乡;太平乡\n富恒乡、、 ")
	want := []string{"县财政局", "城关镇", "平坡镇", "西山镇", "顺河乡", "太平乡", "富恒乡"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitUnits = %q", got)
	}
	if got := splitUnits(""); len(got) != 0 {
		t.Errorf("splitUnits(\"\") = %q", got)
	}
}
