package tasklist

import (
	"reflect"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// TestCommitteeWords: a body written under its plaque or as clerks write a merged
// body reaches the body, and the wording is kept for the notices and pages.
func TestCommitteeWords(t *testing.T) {
	doc := head +
		item("no: 1", "title: t", "lead: 县医疗保障局", "deadline: 2027-03-31") +
		item("no: 2", "title: t", "lead: 县人力资源和社会保障局（县医疗保障局）", "deadline: 2027-03-31") +
		item("no: 3", "title: t", "lead: 县人力资源和社会保障局(县医疗保障局)", "deadline: 2027-03-31") +
		item("no: 4", "title: t", "lead: 县财政局", "co: 县委宣传部（县文化和旅游局、县教育体育局）、城关镇", "deadline: 2027-03-31")
	p, err := Parse("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p)
	for i := 0; i < 3; i++ {
		if it := p.Items[i]; it.Lead != "rsj" || it.Source.LeadID != "rsj" {
			t.Errorf("item %d: %+v", it.No, it)
		}
	}
	it := p.Items[3]
	if !reflect.DeepEqual(it.Co, []string{"xcb", "cgz"}) || !reflect.DeepEqual(it.Source.Co, []string{"县委宣传部（县文化和旅游局、县教育体育局）", "城关镇"}) {
		t.Errorf("item 4: %+v", it)
	}
	// What the task and its notices show.
	v := relay.TaskView{LeadUnitName: "县人力资源和社会保障局"}
	v.SetFromItem(p.Items[0])
	if v.LeadUnitWritten != "县医疗保障局" || relay.AddressedAs(v.LeadUnitName, v.LeadUnitWritten) != "县人力资源和社会保障局（县医疗保障局）" {
		t.Errorf("written %q", v.LeadUnitWritten)
	}
}

// TestDifferentBodiesInOneField: names of different bodies in one field are a problem
// naming each, and an unknown name among them is named with suggestions.
func TestDifferentBodiesInOneField(t *testing.T) {
	err := parseYAML(t, head+
		item("no: 1", "title: t", "lead: 县财政局（县发改局）", "deadline: 2027-03-31")+
		item("no: 2", "title: t", "lead: 县财政局、县发展和改革局", "deadline: 2027-03-31")+
		item("no: 3", "title: t", "lead: czj", "co: 县委宣传部（县财政局）", "deadline: 2027-03-31")+
		item("no: 4", "title: t", "lead: 县委宣传部（县文旅体局）", "deadline: 2027-03-31"))
	want := []string{
		"tasklist.yaml: 第1项 字段 lead: “县财政局（县发改局）”写了不同的单位：“县财政局”、“县发改局”（县发展和改革局）；牵头单位只能有一个，其余单位请写入配合单位",
		"tasklist.yaml: 第2项 字段 lead: “县财政局、县发展和改革局”写了不同的单位：“县财政局”、“县发展和改革局”；牵头单位只能有一个，其余单位请写入配合单位",
		"tasklist.yaml: 第3项 字段 co: “县委宣传部（县财政局）”写了不同的单位：“县委宣传部”、“县财政局”；括号中只能写同一单位的其他名称，几个单位请用“、”分开",
		"tasklist.yaml: 第4项 字段 lead: 找不到单位“县文旅体局”（您是否要找：县委宣传部）",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

// TestSuggestionsInProblems: an unknown unit or leader carries the directory's
// nearest names, typed and in the message.
func TestSuggestionsInProblems(t *testing.T) {
	err := parseYAML(t, head+
		item("no: 1", "title: t", "lead: 县人设局", "co: [县财正局]", "leader: 王某某", "deadline: 2027-03-31"))
	ps, ok := err.(Problems)
	if !ok || len(ps) != 3 {
		t.Fatalf("%v", err)
	}
	for i, want := range []struct {
		field, message string
		suggestions    []string
	}{
		{"lead", "找不到单位“县人设局”（您是否要找：县人力资源和社会保障局）", []string{"县人力资源和社会保障局"}},
		{"co", "找不到单位“县财正局”（您是否要找：县财政局）", []string{"县财政局"}},
		{"leader", "找不到县领导“王某某”（您是否要找：王某）", []string{"王某"}},
	} {
		p := ps[i]
		if p.Field != want.field || p.Message != want.message || !reflect.DeepEqual(p.Suggestions, want.suggestions) {
			t.Errorf("problem %d = %+v", i, p)
		}
	}
}

// TestWarnings: the lead and a supporting unit naming one body (合署办公), a unit named
// twice, a deadline already past and a standing task are accepted, each with a warning
// that names them; nothing is dropped silently. The plan alone gives the same ones.
func TestWarnings(t *testing.T) {
	defer func(f func() string) { today = f }(today)
	today = func() string { return "2026-12-07" }
	doc := head +
		item("no: 1", "title: t", "lead: 县委政法委", "co: [县司法局, 城关镇]", "deadline: 2027-03-31") +
		item("no: 2", "title: t", "lead: czj", "co: [县人社局, 县医疗保障局]", "deadline: 2027-03-31") +
		item("no: 3", "title: t", "lead: czj", "deadline: 2026-10-31") +
		item("no: 4", "title: t", "lead: czj", "deadline: 2026-12-07") +
		item("no: 5", "title: t", "lead: czj", "deadline: 长期坚持")
	p, ws, err := Check("tasklist.yaml", []byte(doc), sampleDir(t), MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Items[0].Co, []string{"cgz"}) || !reflect.DeepEqual(p.Items[1].Co, []string{"rsj"}) {
		t.Errorf("co %v %v", p.Items[0].Co, p.Items[1].Co)
	}
	want := []string{
		"tasklist.yaml: 第1项 字段 co: 提示：配合单位“县司法局”与牵头单位“县委政法委”是同一单位（县委政法委），任务只交办一次，由其牵头",
		"tasklist.yaml: 第2项 字段 co: 提示：配合单位“县医疗保障局”与“县人社局”是同一单位（县人力资源和社会保障局），只交办一次",
		"tasklist.yaml: 第3项 字段 deadline: 提示：完成时限 2026-10-31 已过（截至 2026-12-07），交办即为逾期；逾期天数自单位收到任务之日起算",
		"tasklist.yaml: 第5项 字段 deadline: 提示：按长期事项交办：不设完成时限，不计逾期，每月报送进展",
	}
	if got := strings.Split(ws.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n%s\nwant\n%s", ws.Error(), strings.Join(want, "\n"))
	}
	// The submitted plan alone says the same (a page showing the list before its
	// adoption has no file to read again).
	p.SourceFile = "tasklist.yaml"
	if again := Warnings(*p, "2026-12-07"); again.Error() != ws.Error() {
		t.Errorf("from the plan\n%s\nwant\n%s", again.Error(), ws.Error())
	}
	for _, w := range ws {
		if !strings.HasPrefix(w.Message, "提示：") {
			t.Errorf("%q", w.Message)
		}
	}
}
