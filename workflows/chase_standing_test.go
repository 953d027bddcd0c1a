package workflows

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// TestChaseNoticeStandingDeadline: a 催办单 listing a standing task says 完成时限 长期
// in its body and carries the Standing field on its item (not an empty deadline).
func TestChaseNoticeStandingDeadline(t *testing.T) {
	in := relay.ChaseInput{ID: "c1", Unit: "czj", UnitName: "县财政局", ReplyBy: "2026-12-10", Note: "请报送进展"}
	tasks := []relay.TaskView{
		{ID: "m1-1", No: 1, Title: "稳岗就业", LeadUnit: "czj", LeadUnitName: "县财政局", Standing: true, State: relay.StateInProgress},
		{ID: "m1-2", No: 2, Title: "两险同宣同征", LeadUnit: "czj", LeadUnitName: "县财政局", Deadline: "2027-03-31", State: relay.StateInProgress},
	}
	n := chaseNotice(in, tasks, time.Date(2026, 12, 1, 9, 0, 0, 0, relay.TimeZone))
	if !strings.Contains(n.Body, "稳岗就业”（牵头，完成时限 长期，") || !strings.Contains(n.Body, "完成时限 2027-03-31，") {
		t.Errorf("body %s", n.Body)
	}
	if !n.Items[0].Standing || n.Items[1].Standing {
		t.Errorf("items %+v", n.Items)
	}
}
