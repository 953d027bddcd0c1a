package tasklist

import (
	"os"
	"strings"
	"testing"
)

// TestDayOneList: the hand-made list under examples/ (plaques, a merged body,
// full-width dates, a standing item, a deadline already past) is accepted, with a
// warning for 合署办公 and one for the past deadline.
func TestDayOneList(t *testing.T) {
	defer func(f func() string) { today = f }(today)
	today = func() string { return "2026-12-07" }
	data, err := os.ReadFile("../../examples/tasklist-day-one.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, ws, err := Check("examples/tasklist-day-one.yaml", data, sampleDir(t), MeetingFlags{})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p)
	if p.Meeting.Date != "2026-09-15" || p.Items[0].Lead != "rsj" || p.Items[0].Deadline != "2027-03-31" ||
		p.Items[1].Lead != "xcb" || p.Items[1].Deadline != "2027-06-30" || !p.Items[2].Standing || p.Items[3].Deadline != "2026-10-31" {
		t.Errorf("plan %+v", p)
	}
	want := "examples/tasklist-day-one.yaml: 第3项 字段 co: 提示：配合单位“县司法局”与牵头单位“县委政法委”是同一单位（县委政法委），任务只交办一次，由其牵头\n" +
		"examples/tasklist-day-one.yaml: 第3项 字段 deadline: 提示：按长期事项交办：不设完成时限，不计逾期，每月报送进展\n" +
		"examples/tasklist-day-one.yaml: 第4项 字段 deadline: 提示：完成时限 2026-10-31 已过（截至 2026-12-07），交办即为逾期；逾期天数自单位收到任务之日起算"
	if ws.Error() != want {
		t.Errorf("warnings\n%s\nwant\n%s", ws.Error(), want)
	}
	if !strings.Contains(string(data), "县医疗保障局") {
		t.Error("the example lost its plaque")
	}
}
