package tasklist

import (
	"reflect"
	"strings"
	"testing"

	"taskrelay/examples"
	"taskrelay/internal/relay"
)

func TestFollowUpFields(t *testing.T) {
	doc := head +
		item("no: 1", "title: t", "lead: czj", "deadline: 2026-12-31", "feedback: monthly") +
		// Nodes in any order; unquoted and quoted dates; the percent optional.
		item("no: 2", "title: t", "lead: czj", "deadline: 2026-12-31",
			"milestones: [{date: 2026-11-30, goal: ' 完成整合 '}, {date: '2026/10/31', goal: 印发方案, percent: 20}]") +
		// Both, the nodes as one text the way a spreadsheet cell holds them.
		item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "feedback: 每月",
			"milestones: '2026-10-15 调研（10%）；2026年11月20日：起草'") +
		item("no: 4", "title: t", "lead: czj", "deadline: 2026-12-31", "feedback: ''", "milestones: []")
	p, err := Parse("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p)
	want := []struct {
		feedback string
		ms       []relay.Milestone
	}{
		{relay.FeedbackMonthly, nil},
		// Sorted by date; the second node expects max(20, 2/3 of the way) = 66%.
		{"", []relay.Milestone{{Date: "2026-10-31", Goal: "印发方案", Percent: 20}, {Date: "2026-11-30", Goal: "完成整合", Percent: 66}}},
		{relay.FeedbackMonthly, []relay.Milestone{{Date: "2026-10-15", Goal: "调研", Percent: 10}, {Date: "2026-11-20", Goal: "起草", Percent: 66}}},
		{"", nil},
	}
	for i, w := range want {
		it := p.Items[i]
		if it.Feedback != w.feedback || !reflect.DeepEqual(it.Milestones, w.ms) {
			t.Errorf("item %d: feedback %q milestones %+v, want %q %+v", it.No, it.Feedback, it.Milestones, w.feedback, w.ms)
		}
	}

	// The same list as JSON gives the same plan.
	js := `{"meeting": {"id": "cwh-2026-12", "name": "县委常委会2026年第12次会议", "date": "2026-09-15"}, "items": [
		{"no": 1, "title": "t", "lead": "czj", "deadline": "2026-12-31", "feedback": "monthly"},
		{"no": 2, "title": "t", "lead": "czj", "deadline": "2026-12-31", "milestones": [{"date": "2026-11-30", "goal": "完成整合"}, {"date": "2026-10-31", "goal": "印发方案", "percent": 20}]},
		{"no": 3, "title": "t", "lead": "czj", "deadline": "2026-12-31", "feedback": "每月", "milestones": "2026-10-15 调研(10%)\n2026-11-20 起草"},
		{"no": 4, "title": "t", "lead": "czj", "deadline": "2026-12-31"}]}`
	pj, err := Parse("tasklist.json", []byte(js), sampleDir(t), MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	p.SourceFile, pj.SourceFile = "", ""
	if !reflect.DeepEqual(p, pj) {
		t.Errorf("YAML and JSON differ:\n%s\n%s", show(p), show(pj))
	}
}

func TestFollowUpProblems(t *testing.T) {
	for _, tc := range []struct {
		name, items, want string
	}{
		{"unknown cadence", item("no: 2", "title: t", "lead: czj", "deadline: 2026-12-31", "feedback: weekly"),
			"tasklist.yaml: 第2项 字段 feedback: 反馈要求“weekly”无法识别，应为 monthly（每月报送进展）或不填"},
		{"cadence not text", item("no: 2", "title: t", "lead: czj", "deadline: 2026-12-31", "feedback: [monthly]"),
			"tasklist.yaml: 第2项 字段 feedback: 应为文本"},
		{"milestones not a list", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: {date: 2026-10-01}"),
			"tasklist.yaml: 第3项 字段 milestones: 节点目标应为列表，每个节点包含 date（日期）和 goal（目标），可选 percent（序时进度）"},
		{"bad date", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 十月底, goal: g}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 日期“十月底”无法识别，应写作 " + DateForms},
		{"missing date", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{goal: g}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 缺少日期"},
		{"missing goal", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-10-01, goal: g}, {date: 2026-11-01}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第2个节点: 缺少目标"},
		{"after the deadline", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2027-01-15, goal: g}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 日期 2027-01-15 晚于完成时限 2026-12-31"},
		{"before the meeting", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-09-01, goal: g}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 日期 2026-09-01 早于会议日期 2026-09-15"},
		{"duplicate date", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-10-01, goal: a}, {date: 2026/10/1, goal: b}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第2个节点: 日期 2026-10-01 重复"},
		{"bad percent", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-10-01, goal: a, percent: 150}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: percent（序时进度）“150”应为 1 到 100 的整数"},
		{"percent going down", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-10-01, goal: a, percent: 50}, {date: 2026-11-01, goal: b, percent: 30}]"),
			"tasklist.yaml: 第3项 字段 milestones: 节点 2026-11-01 的序时进度 30% 低于前一节点的 50%"},
		{"unknown node field", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-10-01, goal: a, owner: x}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 未知字段 owner（节点的字段为 date、goal、percent）"},
		{"text without a date", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: 年底前完成"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 节点“年底前完成”应写作“日期 目标”，如“2026-10-31 完成方案（30%）”"},
		{"long goal", item("no: 3", "title: t", "lead: czj", "deadline: 2026-12-31", "milestones: [{date: 2026-10-01, goal: "+strings.Repeat("长", MaxGoalLen+1)+"}]"),
			"tasklist.yaml: 第3项 字段 milestones: 第1个节点: 目标过长（201 字），不得超过 200 字"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := parseYAML(t, head+tc.items)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
	// Every problem at once, with the others of the item.
	err := parseYAML(t, head+item("no: 5", "lead: czj", "deadline: 2026-12-31", "feedback: 季度", "milestones: [{date: x, goal: a}, {date: 2027-02-01}]"))
	want := []string{
		"tasklist.yaml: 第5项 字段 title: 缺少任务事项",
		"tasklist.yaml: 第5项 字段 feedback: 反馈要求“季度”无法识别，应为 monthly（每月报送进展）或不填",
		"tasklist.yaml: 第5项 字段 milestones: 第1个节点: 日期“x”无法识别，应写作 " + DateForms,
		"tasklist.yaml: 第5项 字段 milestones: 第2个节点: 日期 2027-02-01 晚于完成时限 2026-12-31",
		"tasklist.yaml: 第5项 字段 milestones: 第2个节点: 缺少目标",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestXLSXFollowUpColumns(t *testing.T) {
	data := sheet(t,
		[]any{"序号", "任务事项", "牵头单位", "完成时限", "反馈要求", "节点目标（日期 目标（进度））"},
		[]any{1, "令出一家", "zfb", "2027-03-31", "每月", nil},
		[]any{2, "攀岩赛", "教体局", "2027-04-30", "", "2026-11-30 方案印发（30%）\n2027年2月1日：场地完工"},
		[]any{3, "核桃", "czj", "2027-04-30", "每季度", "年底前"},
	)
	_, err := parseXLSX(t, data, MeetingFlags{ID: "cwh-2026-12", Name: "会议", Date: "2026-09-15"})
	want := "tasklist.xlsx: 第3项（表格第4行） 列“反馈要求”: 反馈要求“每季度”无法识别，应为“每月”或不填\n" +
		"tasklist.xlsx: 第3项（表格第4行） 列“节点目标”: 第1个节点: 节点“年底前”应写作“日期 目标”，如“2026-10-31 完成方案（30%）”"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
	data = sheet(t,
		[]any{"序号", "任务事项", "牵头单位", "完成时限", "反馈要求", "节点目标"},
		[]any{1, "令出一家", "zfb", "2027-03-31", "每月", nil},
		[]any{2, "攀岩赛", "教体局", "2027-04-30", "", "2026-11-30 方案印发（30%）\n2027年2月1日：场地完工"},
	)
	p, err := parseXLSX(t, data, MeetingFlags{ID: "cwh-2026-12", Name: "会议", Date: "2026-09-15"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Items[0].Feedback != relay.FeedbackMonthly || p.Items[1].Feedback != "" ||
		!reflect.DeepEqual(p.Items[1].Milestones, []relay.Milestone{{Date: "2026-11-30", Goal: "方案印发", Percent: 30}, {Date: "2027-02-01", Goal: "场地完工", Percent: 66}}) {
		t.Errorf("items %+v", p.Items)
	}
}

// The sample list shows the follow-up: monthly items (one unit leads two of them) and
// items with nodes.
func TestSampleFollowUp(t *testing.T) {
	p := mustParse(t, examples.TaskListYAMLFile, examples.TaskListYAML, MeetingFlags{})
	monthly := map[string]int{}
	nodes := 0
	for _, it := range p.Items {
		if it.Feedback == relay.FeedbackMonthly {
			monthly[it.Lead]++
		}
		if len(it.Milestones) > 0 {
			nodes++
		}
	}
	if monthly["zfb"] < 2 || len(monthly) < 2 || nodes < 2 {
		t.Errorf("monthly items by unit %v, items with nodes %d", monthly, nodes)
	}
}
