package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
)

func chaseEnv(t *testing.T, rec relay.ChaseRecord) (*testsuite.TestWorkflowEnvironment, *recorder, *[]relay.ChaseInput) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(cst("2026-09-18 10:00"))
	env.RegisterWorkflowWithOptions(Chase, workflow.RegisterOptions{Name: relay.ChaseWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	var acts *activities.Activities
	notices := &recorder{env: env}
	env.OnActivity(acts.Deliver, mock.Anything, mock.Anything).Return(notices.deliver)
	var recorded []relay.ChaseInput
	env.OnActivity(acts.RecordChase, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in relay.ChaseInput) (relay.ChaseRecord, error) {
			recorded = append(recorded, in)
			return rec, nil
		})
	env.SetTestTimeout(30 * time.Second)
	return env, notices, &recorded
}

var chaseIn = relay.ChaseInput{ID: "c-1", Unit: "czj", UnitName: "县财政局", Tasks: []string{"m:1", "m:2", "m:3"},
	ReplyBy: "2026-09-25", Note: "请报送进展", User: "王某"}

func TestChaseRecordsOnEachTaskAndSendsOneNotice(t *testing.T) {
	env, notices, recorded := chaseEnv(t, relay.ChaseRecord{
		Tasks: []relay.TaskView{
			{ID: "m:1", No: 1, Title: "甲", LeadUnit: "rsj", CoUnits: []string{"czj"}, Deadline: "2026-10-10", State: relay.StateInProgress, Progress: 30},
			{ID: "m:2", No: 2, Title: "乙", LeadUnit: "czj", Deadline: "2026-11-10", State: relay.StateDispatched},
		},
		Refused: []string{"任务 m:3 已办结或已撤销"},
	})
	env.ExecuteWorkflow(relay.ChaseWorkflowName, chaseIn)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res relay.ChaseResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if len(*recorded) != 1 || strings.Join((*recorded)[0].Tasks, ",") != "m:1,m:2,m:3" {
		t.Errorf("recorded %+v", *recorded)
	}
	if len(notices.items) != 1 {
		t.Fatalf("want one 催办单, got %v", notices.kinds())
	}
	n := notices.items[0].n
	if n.Kind != relay.NoticeChase || n.ID != "chase:c-1" || n.To != "czj" || n.ToKind != relay.ToUnit || n.Hash != relay.SealNotice(n) {
		t.Errorf("notice %+v", n)
	}
	if len(n.Items) != 2 || n.Items[0].Role != relay.RoleCo || n.Items[1].Role != relay.RoleLead || n.Items[1].TaskID != "m:2" {
		t.Errorf("items %+v", n.Items)
	}
	for _, want := range []string{"2026-09-25", "请报送进展", "m:1“甲”", "m:2“乙”"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("body lacks %q: %s", want, n.Body)
		}
	}
	if res.NoticeID != n.ID || len(res.Tasks) != 2 || len(res.Refused) != 1 {
		t.Errorf("result %+v", res)
	}
}

func TestChaseWithEveryTaskRefusedSendsNothing(t *testing.T) {
	env, notices, _ := chaseEnv(t, relay.ChaseRecord{Refused: []string{"任务 m:1 已办结或已撤销"}})
	env.ExecuteWorkflow(relay.ChaseWorkflowName, chaseIn)
	err := env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "没有可催办的任务") {
		t.Errorf("want a refusal, got %v", err)
	}
	if len(notices.items) != 0 {
		t.Errorf("sent %v", notices.kinds())
	}
}
