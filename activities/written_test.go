package activities

import (
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// TestFeedbackNoticeNamesUnitAsWritten: the monthly reminder to a unit is addressed
// as the committee's list wrote it.
func TestFeedbackNoticeNamesUnitAsWritten(t *testing.T) {
	task := func(no int, written string) relay.TaskSummary {
		var s relay.TaskSummary
		s.ID, s.No, s.Meeting, s.Title = relay.TaskID("m1", no), no, "m1", "t"
		s.LeadUnit, s.LeadUnitName, s.LeadUnitWritten = "rsj", "县人力资源和社会保障局", written
		return s
	}
	n := FeedbackNotice("rsj", "2026-11", time.Date(2026, 11, 26, 9, 0, 0, 0, relay.TimeZone),
		[]relay.TaskSummary{task(1, ""), task(2, "县医疗保障局")}, 25)
	if n.ToName != "县人力资源和社会保障局（县医疗保障局）" {
		t.Errorf("致 %q", n.ToName)
	}
	if n.Items[0].LeadUnitName != "县人力资源和社会保障局" || n.Items[1].LeadUnitName != "县人力资源和社会保障局（县医疗保障局）" {
		t.Errorf("items %+v", n.Items)
	}
}
