package console

import (
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// TestTaskPageNamesUnitsAsWritten: the task page names the lead and supporting units
// as the committee's list wrote them, next to the directory's names.
func TestTaskPageNamesUnitsAsWritten(t *testing.T) {
	e := pageSetup(t)
	const m = "cwh-written"
	list := []byte(`meeting: {id: cwh-written, name: 县委常委会2026年第19次会议, date: 2026-09-15}
items:
  - {no: 1, title: 两险同宣同征, lead: 县医疗保障局, co: 县委宣传部（县文化和旅游局、县教育体育局）, deadline: 2027-06-30}
`)
	e.dispatchedList(t, "written.yaml", list)
	body := e.login(t, "rsj1").get(TaskURL(relay.TaskID(m, 1))).body
	for _, want := range []string{
		`<dd id="task-lead">县人力资源和社会保障局（县医疗保障局）</dd>`,
		"县委宣传部（县文化和旅游局、县教育体育局）",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("task page lacks %s", want)
		}
	}
}
