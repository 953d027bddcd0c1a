package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	model "taskrelay/internal/task"
)

// From the attacker's side, against the engine: an update sent with a plain SDK
// client, unsigned, forged, signed by a key the task does not trust, or carrying an
// operator's assertion made for another request, is refused and the task is as it
// was. The starter, signing with its operator key, acts, and the timeline names the
// operator ("操作员 e2e 代 县财政局").
func TestSignedActorsAgainstTheEngine(t *testing.T) {
	c := newCounty(t)
	c.start()
	c.ok("submit", sample, "--adopt")
	const task = "cwh-2026-12:4"
	var before relay.TaskView
	c.jsonOf(&before, "task", task, "--json")
	lead := before.LeadUnit

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw := func(id string, req model.Request) error {
		h, err := c.node.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			UpdateID: id, WorkflowID: relay.TaskWorkflowID(task), UpdateName: relay.UpdateVerify,
			Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		return err
	}
	accept := model.Request{By: relay.Inspection, Approve: true, Note: "通过"}
	progress := model.Request{Unit: lead, Percent: 90, Note: "基本完成"}
	intruder, err := actor.NewSigner(actor.Operator, "e2e") // the operator's name, not its key
	if err != nil {
		t.Fatal(err)
	}
	signed := func(s *actor.Signer, action, id string, req model.Request) model.Request {
		a := s.Sign(req.Identity(), relay.TaskWorkflowID(task), action, id, "")
		req.Assertion = &a
		return req
	}
	forged := signed(c.operator, relay.UpdateVerify, "x-forged", model.Request{By: "czj", Approve: true, Note: "通过"})
	forged.Assertion.Identity.By, forged.By = relay.Inspection, relay.Inspection
	for _, a := range []struct {
		name, id string
		req      model.Request
		want     string
	}{
		{"unsigned verify", "x-unsigned", accept, "未附签名"},
		{"forged verify", "x-forged", forged, "签名无效"},
		{"untrusted key", "x-intruder", signed(intruder, relay.UpdateVerify, "x-intruder", accept), "不受信任"},
		{"replayed assertion", "x-replay", signed(c.operator, relay.UpdateVerify, "x-other", accept), "重放"},
		{"assertion for progress", "x-action", signed(c.operator, relay.UpdateProgress, "x-action", progress), "签名针对操作"},
	} {
		err := raw(a.id, a.req)
		if err == nil || !strings.Contains(err.Error(), a.want) {
			t.Errorf("%s: want refusal %q, got %v", a.name, a.want, err)
		}
	}
	var after relay.TaskView
	c.jsonOf(&after, "task", task, "--json")
	if after.State != before.State || after.Progress != before.Progress || len(after.Timeline) != len(before.Timeline) {
		t.Errorf("refused updates changed the task: %s %d%% %d entries -> %s %d%% %d entries",
			before.State, before.Progress, len(before.Timeline), after.State, after.Progress, len(after.Timeline))
	}

	// The starter signs with the operator's key: the task takes it and says who.
	c.ok("progress", task, "--unit", lead, "--percent", "40", "--note", "宣传方案已印发")
	c.jsonOf(&after, "task", task, "--json")
	last := after.Timeline[len(after.Timeline)-1]
	for i := len(after.Timeline) - 1; i >= 0 && last.Action != relay.ActProgress; i-- {
		last = after.Timeline[i]
	}
	if last.Action != relay.ActProgress || last.Operator != "e2e" || after.Progress != 40 {
		t.Fatalf("progress by the starter: entry %+v, progress %d", last, after.Progress)
	}
	want := "操作员 e2e 代 " + after.LeadUnitName
	if out := c.ok("task", task); !strings.Contains(out, want) {
		t.Errorf("the starter's timeline does not say %q:\n%s", want, out)
	}

	// A rotation: a new operator's key, the old one taken out of the file, the new
	// set pushed to the running workflows (signed by the old key, which they trust).
	c.env = append(c.env, "TASKRELAY_DATA="+c.data)
	c.ok("operator", "add", "zhang")
	c.refused("不受信任", "--operator", "zhang", "ack", task, "--unit", lead)
	trusted := actor.TrustedFile(c.data)
	keys, err := actor.ReadKeys(trusted)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, k := range keys {
		if k.Name != "e2e" {
			lines = append(lines, k.Line())
		}
	}
	if err := os.WriteFile(trusted, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var pushed relayclient.KeysPushed
	c.jsonOf(&pushed, "keys", "push", "--json")
	if pushed.Keys != 2 || !slices.Contains(pushed.Updated, relay.TaskWorkflowID(task)) || len(pushed.Refused) != 0 {
		t.Fatalf("keys push: %+v", pushed)
	}
	c.refused("不受信任", "ack", task, "--unit", lead) // the e2e key, no longer trusted
	// (A progress report: the unit signed for the task already, and a second ack is refused.)
	c.ok("--operator", "zhang", "progress", task, "--unit", lead, "--percent", "50", "--note", "轮换后报送")
	c.jsonOf(&after, "task", task, "--json")
	if e := after.Timeline[len(after.Timeline)-1]; e.Action != relay.ActProgress || e.Operator != "zhang" {
		t.Errorf("after the rotation: last entry %+v", e)
	}

	// Without an operator key the starter's action is refused, with the reason.
	c.env = append(c.env, actor.OperatorEnv+"=", "TASKRELAY_DATA="+t.TempDir())
	c.refused("未附签名", "ack", task, "--unit", lead)

	// A list submitted where no key is trusted would make a meeting that takes its
	// adoption from anyone: refused, nothing started.
	list, err := os.ReadFile(filepath.Join(repoRoot(t), sample))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte(strings.Replace(string(list), "id: cwh-2026-12", "id: cwh-2026-99", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.env = append(c.env, actor.TrustedKeysEnv+"="+filepath.Join(t.TempDir(), "trusted-keys"))
	c.refused("受信任密钥为空", "submit", other)
	if _, err := c.node.Client.DescribeWorkflowExecution(ctx, relay.MeetingWorkflowID("cwh-2026-99"), ""); err == nil {
		t.Error("a list submitted with no trusted key started its meeting")
	}
}
