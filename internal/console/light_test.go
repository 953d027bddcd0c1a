package console

import (
	"testing"

	"taskrelay/internal/relay"
)

func TestLightForNamesTheReason(t *testing.T) {
	base := relay.TaskView{Light: relay.Yellow}
	ext, behind := base, base
	ext.Extension = &relay.Extension{Unit: "rsj", Until: "2027-01-31"}
	behind.BehindMilestone = &relay.Milestone{Date: "2026-11-20", Goal: "方案印发"}
	cases := []struct {
		v    any
		want string
	}{
		{base, "黄灯（临期）"},
		{ext, "黄灯（延期待批）"},
		{relay.TaskSummary{TaskView: behind}, "黄灯（进度滞后）"},
		{&relay.TaskSummary{TaskView: relay.TaskView{Light: relay.Red}}, "红灯（逾期）"},
		{relay.TaskView{Light: relay.Green}, "绿灯"},
	}
	for _, c := range cases {
		if got := LightFor(c.v); got != c.want {
			t.Errorf("%+v: %s, want %s", c.v, got, c.want)
		}
	}
}
