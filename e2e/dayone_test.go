package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDayOneListThroughTheStarter: the hand-made list (plaques, a merged body,
// full-width dates, a standing item, a deadline already past) goes through the real
// starter and worker: accepted with its warnings (submit --json), its units named as
// written in status --json, the standing item without a deadline; a misspelt unit on
// a command is 找不到单位 with suggestions, not a refusal of rights.
func TestDayOneListThroughTheStarter(t *testing.T) {
	c := newCounty(t)
	c.start()
	var sub struct {
		Meeting  map[string]any `json:"meeting"`
		State    string         `json:"state"`
		Warnings []struct {
			Item    int    `json:"item"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"warnings"`
	}
	c.jsonOf(&sub, "submit", "examples/tasklist-day-one.yaml", "--adopt", "--json")
	if len(sub.Warnings) < 2 {
		t.Fatalf("warnings %+v", sub.Warnings)
	}
	found := map[string]bool{}
	for _, w := range sub.Warnings {
		if !strings.HasPrefix(w.Message, "提示：") {
			t.Errorf("warning %+v", w)
		}
		if w.Item == 3 && w.Field == "co" && strings.Contains(w.Message, "县司法局") && strings.Contains(w.Message, "县委政法委") {
			found["合署办公"] = true
		}
		if w.Item == 4 && w.Field == "deadline" && strings.Contains(w.Message, "2026-10-31") {
			found["past"] = true
		}
	}
	if !found["合署办公"] || !found["past"] {
		t.Errorf("warnings %+v", sub.Warnings)
	}

	out := c.ok("status", "cwh-2026-16", "--json")
	var st struct {
		Tasks []struct {
			No              int      `json:"no"`
			LeadUnit        string   `json:"lead_unit"`
			Deadline        *string  `json:"deadline"`
			Standing        bool     `json:"standing"`
			LeadUnitWritten string   `json:"lead_unit_written"`
			CoUnitsWritten  []string `json:"co_units_written"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Tasks) != 5 {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, tk := range st.Tasks {
		switch tk.No {
		case 1:
			if tk.LeadUnit != "rsj" || tk.LeadUnitWritten != "县医疗保障局" {
				t.Errorf("task 1 %+v", tk)
			}
		case 2:
			if tk.LeadUnit != "xcb" || tk.LeadUnitWritten != "县委宣传部（县文化和旅游局、县教育体育局）" ||
				len(tk.CoUnitsWritten) != 2 || tk.CoUnitsWritten[1] != "县人力资源和社会保障局(县医疗保障局)" {
				t.Errorf("task 2 %+v", tk)
			}
		case 3:
			if !tk.Standing || tk.Deadline == nil || *tk.Deadline != "" {
				t.Errorf("task 3 %+v", tk)
			}
		}
	}
	c.refused("找不到单位“县财正局”（您是否要找：县财政局）", "ack", "cwh-2026-16:1", "--unit", "县财正局")
}
