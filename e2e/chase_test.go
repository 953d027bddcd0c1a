package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestChaseWithTheStarter: the inspection office chases a unit on all its open tasks
// with the real starter; refusals (unknown unit, a task not of the unit, a withdrawn
// task, bad or past dates) exit 1 with one Chinese line and send nothing; the chase
// is one 催办单 in the outbox however many tasks it lists, and the same chase again
// sends nothing more; each task records it; a progress report answers it on its
// task; the report lists it.
func TestChaseWithTheStarter(t *testing.T) {
	c := newCounty(t)
	c.start()
	c.ok("submit", sample, "--adopt")
	outbox := notify.NewOutbox(filepath.Join(c.data, "outbox"))
	chases := func() []relay.Notice {
		t.Helper()
		got, err := outbox.List(func(n relay.Notice) bool { return n.Kind == relay.NoticeChase })
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	var st statusOut
	c.jsonOf(&st, "status", "cwh-2026-12", "--json")
	var mine []string
	other := ""
	for _, tk := range st.Tasks {
		if tk.IsUnitOf("zfb") {
			mine = append(mine, tk.ID)
		} else if other == "" {
			other = tk.ID
		}
	}
	if len(mine) < 3 {
		t.Fatalf("the sample gives 县政府办公室 %d tasks, want at least 3", len(mine))
	}
	reply := time.Now().In(relay.TimeZone).AddDate(0, 0, 3).Format(relay.DateLayout)
	chase := func(args ...string) []string {
		return append([]string{"chase", "--reply-by", reply, "--note", "请报送办理进展"}, args...)
	}

	// Refusals change nothing.
	withdrawn := mine[len(mine)-1]
	c.ok("withdraw", withdrawn, "--reason", "县委常委会决定不再实施")
	c.refused("找不到单位", chase("--unit", "县水务局")...)
	c.refused("不是县人民政府办公室牵头或配合的任务", chase("--unit", "县政府办公室", "--tasks", mine[0]+","+other)...)
	c.refused("已撤销", chase("--unit", "zfb", "--tasks", withdrawn)...)
	c.refused("无法识别", "chase", "--unit", "zfb", "--reply-by", "2026-13-01", "--note", "x")
	c.refused("早于今天", "chase", "--unit", "zfb", "--reply-by", "2020-01-01", "--note", "x")
	c.refused("需要 --note", "chase", "--unit", "zfb", "--reply-by", reply)
	if n := chases(); len(n) != 0 {
		t.Fatalf("refused chases sent %d notices", len(n))
	}
	var v relay.TaskView
	c.jsonOf(&v, "task", mine[0], "--json")
	if len(v.Chases) != 0 {
		t.Fatalf("refused chases recorded %+v", v.Chases)
	}

	// Every open task of the unit, by its name, in one 催办单; again: nothing more.
	var res relay.ChaseResult
	c.jsonOf(&res, chase("--unit", "县政府办公室", "--json")...)
	var got []string
	for _, tk := range res.Tasks {
		got = append(got, tk.ID)
	}
	slices.Sort(got)
	open := slices.Clone(mine[:len(mine)-1])
	slices.Sort(open)
	if !slices.Equal(got, open) || res.Unit != "zfb" || res.ReplyBy != reply {
		t.Errorf("chase: tasks %v, want %v (%+v)", got, open, res)
	}
	if out := c.ok(chase("--unit", "zfb")...); !strings.Contains(out, res.NoticeID) {
		t.Errorf("the same chase again: %s", out)
	}
	sent := chases()
	if len(sent) != 1 || sent[0].To != "zfb" || len(sent[0].Items) != len(open) || sent[0].ID != res.NoticeID {
		t.Fatalf("want one 催办单 to zfb listing %d tasks, got %+v", len(open), sent)
	}
	for _, id := range open {
		c.jsonOf(&v, "task", id, "--json")
		if len(v.Chases) != 1 || v.Chases[0].Unit != "zfb" || v.Chases[0].ReplyBy != reply || v.Chases[0].Answered {
			t.Errorf("task %s chases %+v", id, v.Chases)
		}
	}

	// The unit answers on one task: that task's chase is answered, the 催办单 not yet.
	c.ok("progress", open[0], "--unit", "县政府办公室", "--percent", "40", "--note", "已按催办要求推进")
	c.jsonOf(&v, "task", open[0], "--json")
	if len(v.Chases) != 1 || !v.Chases[0].Answered {
		t.Errorf("after progress: %+v", v.Chases)
	}
	var rep struct {
		Chases []struct {
			Unit     string   `json:"unit"`
			Tasks    []string `json:"tasks"`
			ReplyBy  string   `json:"reply_by"`
			Answered bool     `json:"answered"`
		} `json:"chases"`
	}
	month := time.Now().In(relay.TimeZone).Format("2006-01")
	c.jsonOf(&rep, "report", "--month", month, "--json", "--out", filepath.Join(c.data, "out"))
	if len(rep.Chases) != 1 || rep.Chases[0].Unit != "zfb" || len(rep.Chases[0].Tasks) != len(open) ||
		rep.Chases[0].ReplyBy != reply || rep.Chases[0].Answered {
		t.Errorf("report chases: %+v", rep.Chases)
	}
	c.record(relay.ChaseWorkflowID(res.ID), "chase")
	c.record(relay.TaskWorkflowID(open[0]), "task-chased")
}
