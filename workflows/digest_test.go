package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

func digestSignal(kind string, no int, at time.Time) relay.DigestSignal {
	return relay.DigestSignal{Window: 10 * time.Minute, Notice: relay.Notice{
		ID: fmt.Sprintf("%s:m:%d", kind, no), Kind: kind, ToKind: relay.ToUnit, To: "czj", ToName: "县财政局",
		Subject: fmt.Sprintf("第%d项", no), Body: "请办理", IssuedAt: at,
		Items: []relay.NoticeItem{{No: no, TaskID: fmt.Sprintf("m:%d", no), Title: fmt.Sprintf("事项%d", no), Role: relay.RoleLead}},
	}}
}

// TestDigestCollectsAWindow: five overdue notices of a list entered late, a reminder a
// minute later and a repeat of one of them (a retried signal) make one digest ten
// minutes after the first; a notice alone in a later window goes out as itself.
func TestDigestCollectsAWindow(t *testing.T) {
	start := cst("2026-11-27 15:00")
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflowWithOptions(Digest, workflow.RegisterOptions{Name: relay.DigestWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	rec := &recorder{env: env}
	var acts *activities.Activities
	env.OnActivity(acts.Deliver, mock.Anything, mock.Anything).Return(rec.deliver)
	signal := func(after time.Duration, sig relay.DigestSignal) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(relay.SignalDigest, sig) }, after)
	}
	for no := 1; no <= 5; no++ {
		signal(0, digestSignal(relay.NoticeOverdue, no, start))
	}
	signal(time.Minute, digestSignal(relay.NoticeReminder, 6, start.Add(time.Minute)))
	signal(2*time.Minute, digestSignal(relay.NoticeOverdue, 3, start))
	signal(30*time.Minute, digestSignal(relay.NoticeAckReminder, 7, start.Add(30*time.Minute)))
	env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
	env.SetTestTimeout(30 * time.Second)
	env.ExecuteWorkflow(relay.DigestWorkflowName, relay.DigestState{ToKind: relay.ToUnit, To: "czj", ToName: "县财政局"})

	got := rec.kinds()
	if len(got) != 2 || got[0] != "digest@11-27 15:10" || got[1] != "ack_reminder@11-27 15:40" {
		t.Fatalf("sent %v, want one digest at 15:10 and the lone reminder at 15:40", got)
	}
	d := rec.items[0].n
	if len(d.Items) != 6 || d.To != "czj" || d.ToKind != relay.ToUnit || d.Hash != relay.SealNotice(d) {
		t.Errorf("digest %+v", d)
	}
	for i, it := range d.Items {
		want := "逾期通知：第" + fmt.Sprint(i+1) + "项"
		if i == 5 {
			want = "到期提醒：第6项"
		}
		if it.Why != want {
			t.Errorf("item %d why %q, want %q", i+1, it.Why, want)
		}
	}
	if lone := rec.items[1].n; lone.ID != "ack_reminder:m:7" {
		t.Errorf("the lone notice went out as %s", lone.ID)
	}
}

// TestTaskHandsRemindersToTheDigest: with a window, a late list's overdue notice goes
// to the lead unit's digest, not straight to the unit; a withdrawal notice does not.
func TestTaskHandsRemindersToTheDigest(t *testing.T) {
	start := cst("2026-11-27 15:00")
	env, rec := taskEnv(t, start)
	var acts *activities.Activities
	var digested []relay.DigestSignal
	env.OnActivity(acts.Digest, mock.Anything, mock.Anything).Return(func(_ context.Context, s relay.DigestSignal) error {
		digested = append(digested, s)
		return nil
	})
	in := changeInput("2026-11-20", start)
	in.Config.DigestWindow = 10 * time.Minute
	change(env, start, start.Add(time.Hour), relay.UpdateWithdraw, model.Request{By: relay.Office, Reason: "测试结束"})
	env.ExecuteWorkflow(relay.TaskWorkflowName, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(digested) != 1 || digested[0].Notice.Kind != relay.NoticeOverdue || digested[0].Window != 10*time.Minute {
		t.Errorf("to the digest: %+v", digested)
	}
	for _, k := range rec.kinds() {
		if k[:len(relay.NoticeOverdue)] == relay.NoticeOverdue {
			t.Errorf("overdue notice delivered directly: %v", rec.kinds())
		}
	}
	if len(rec.kinds()) != 2 { // the withdrawal notices to rsj and czj
		t.Errorf("delivered %v, want the two withdrawal notices", rec.kinds())
	}
}
