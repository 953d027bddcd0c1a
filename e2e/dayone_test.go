package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
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
	pastWarnings := 0
	for _, w := range sub.Warnings {
		if w.Item == 4 && w.Field == "deadline" {
			pastWarnings++
		}
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
	if !found["合署办公"] || !found["past"] || pastWarnings != 1 {
		t.Errorf("warnings (item 4's past deadline once) %+v", sub.Warnings)
	}
	// As text, the list check and the adoption name item 4's past deadline once, in
	// one wording.
	yaml, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "tasklist-day-one.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "清单.yaml")
	if err := os.WriteFile(again, []byte(strings.Replace(string(yaml), "id: cwh-2026-16", "id: cwh-2026-17", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	text := c.ok("submit", again, "--adopt")
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "提示") && strings.Contains(l, "2026-10-31") {
			n++
		}
	}
	if n != 1 || !strings.Contains(text, "完成时限 2026-10-31 已过") || !strings.Contains(text, "已通过并交办") {
		t.Errorf("submit --adopt names item 4's past deadline %d times, want once:\n%s", n, text)
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
