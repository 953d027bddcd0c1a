package workflows

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/activities"
	"taskrelay/internal/relay"
)

func samplePlan(n int) relay.Plan {
	p := relay.Plan{
		Meeting: relay.Meeting{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"},
		Units:   []relay.Unit{{ID: "rsj", Name: "县人力资源和社会保障局"}, {ID: "czj", Name: "县财政局"}, {ID: "jyj", Name: "县教育体育局"}},
		Leaders: []relay.Leader{{ID: "ld-chang", Name: "李某", Title: "常务副县长"}, {ID: "ld-wang", Name: "王某", Title: "副县长"}},
	}
	for i := 1; i <= n; i++ {
		it := relay.Item{No: i, Title: "事项" + string(rune('A'+i%26)), Lead: "rsj", Co: []string{"czj"}, Deputy: "ld-chang", Deadline: "2026-12-31"}
		if i%2 == 0 {
			it.Lead, it.Co = "jyj", nil
		}
		p.Items = append(p.Items, it)
	}
	return p
}

type meetingRecorder struct {
	mu      sync.Mutex
	started []relay.TaskInput
	notices []relay.Notice
}

func meetingEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *meetingRecorder) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(cst("2026-09-20 10:00"))
	env.RegisterWorkflowWithOptions(MeetingRelay, workflow.RegisterOptions{Name: relay.MeetingWorkflowName})
	env.RegisterActivity(&activities.Activities{})
	rec := &meetingRecorder{}
	var acts *activities.Activities
	env.OnActivity(acts.StartTasks, mock.Anything, mock.Anything).Return(func(_ context.Context, b []relay.TaskInput) (int, error) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.started = append(rec.started, b...)
		return len(b), nil
	})
	env.OnActivity(acts.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, n relay.Notice) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.notices = append(rec.notices, n)
		return nil
	})
	env.SetTestTimeout(30 * time.Second)
	return env, rec
}

func adoptAt(env *testsuite.TestWorkflowEnvironment, d time.Duration, req relay.AdoptRequest) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(relay.UpdateAdopt, "", o.callbacks(), req)
	}, d)
	return o
}

func TestMeetingWaitsProposedThenDispatchesOneNoticePerUnit(t *testing.T) {
	env, rec := meetingEnv(t)
	timeouts := recordTimeouts(env)
	plan := samplePlan(450) // more than two start batches
	var before relay.MeetingView
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(relay.QueryMeeting)
		if err != nil {
			t.Error(err)
			return
		}
		_ = v.Get(&before)
	}, time.Hour)
	bad := adoptAt(env, 2*time.Hour, relay.AdoptRequest{Deputies: map[int]string{2: "nobody", 999: "ld-wang"}})
	good := adoptAt(env, 3*time.Hour, relay.AdoptRequest{Deputies: map[int]string{2: "王某"}, By: "office"})
	env.ExecuteWorkflow(relay.MeetingWorkflowName, relay.MeetingInput{Plan: plan})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if before.State != relay.MeetingProposed || before.AdoptedAt != nil {
		t.Errorf("before adoption: %s", before.State)
	}
	if bad.err == nil || !strings.Contains(bad.err.Error(), "找不到县领导“nobody”") || !strings.Contains(bad.err.Error(), "第999项不存在") {
		t.Errorf("bad adoption: %v", bad.err)
	}
	if good.err != nil {
		t.Fatal(good.err)
	}
	var v relay.MeetingView
	if err := env.GetWorkflowResult(&v); err != nil {
		t.Fatal(err)
	}
	if v.State != relay.MeetingAdopted || v.DispatchedAt == nil {
		t.Errorf("after: %+v", v.State)
	}
	if len(rec.started) != 450 {
		t.Fatalf("started %d tasks, want 450", len(rec.started))
	}
	seen := map[string]bool{}
	for _, in := range rec.started {
		if seen[in.TaskID] {
			t.Errorf("task %s started twice", in.TaskID)
		}
		seen[in.TaskID] = true
		want := "ld-chang"
		if in.Item.No == 2 {
			want = "ld-wang"
		}
		if in.Item.Deputy != want {
			t.Errorf("item %d deputy %s, want %s", in.Item.No, in.Item.Deputy, want)
		}
	}
	// One consolidated notice per unit: rsj leads the odd items, czj supports them, jyj leads the even.
	if len(rec.notices) != 3 {
		t.Fatalf("%d notices, want one per unit (3)", len(rec.notices))
	}
	byUnit := map[string]relay.Notice{}
	for _, n := range rec.notices {
		byUnit[n.To] = n
	}
	if n := byUnit["rsj"]; len(n.Items) != 225 || n.Items[0].Role != relay.RoleLead || n.Items[0].No != 1 {
		t.Errorf("rsj notice: %d items", len(n.Items))
	}
	if n := byUnit["czj"]; len(n.Items) != 225 || n.Items[0].Role != relay.RoleCo {
		t.Errorf("czj notice: %d items, role %s", len(n.Items), n.Items[0].Role)
	}
	if n := byUnit["jyj"]; len(n.Items) != 225 || n.Items[0].No != 2 || n.Items[0].DeputyName != "王某" {
		t.Errorf("jyj notice: %+v", n.Items[0])
	}
	if len(v.Notices) != 3 || v.Notices[0].Unit != "czj" {
		t.Errorf("view notices: %+v", v.Notices)
	}
	timeouts.check(t, "StartTasks", "Deliver")
}

// TestMeetingNumbersNoticesBeforeTasks: every unit's 交办单 is numbered once, before
// any task starts; each task is started with its units' numbers (which it records on
// its timeline, TestDispatchNumbersOnTimeline) and each notice goes out with its own.
func TestMeetingNumbersNoticesBeforeTasks(t *testing.T) {
	env, rec := meetingEnv(t)
	timeouts := recordTimeouts(env)
	var acts *activities.Activities
	var asked []string
	env.OnActivity(acts.NumberNotices, mock.Anything, mock.Anything).Return(func(_ context.Context, ns []relay.Notice) (map[string]string, error) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.started) > 0 {
			t.Error("numbered after tasks started")
		}
		out := map[string]string{}
		for i, n := range ns {
			if n.Kind != relay.NoticeDispatch || len(n.Items) > 0 {
				t.Errorf("numbering %+v", n)
			}
			asked = append(asked, n.ID)
			out[n.To] = fmt.Sprintf("县府督交〔2026〕%d号", i+1)
		}
		return out, nil
	})
	adoptAt(env, time.Hour, relay.AdoptRequest{By: "office"})
	env.ExecuteWorkflow(relay.MeetingWorkflowName, relay.MeetingInput{Plan: samplePlan(5)})
	var v relay.MeetingView
	if err := env.GetWorkflowResult(&v); err != nil {
		t.Fatal(err)
	}
	// Units in id order: czj 1, jyj 2, rsj 3.
	want := map[string]string{"czj": "县府督交〔2026〕1号", "jyj": "县府督交〔2026〕2号", "rsj": "县府督交〔2026〕3号"}
	if strings.Join(asked, ",") != "dispatch:cwh-2026-12:czj,dispatch:cwh-2026-12:jyj,dispatch:cwh-2026-12:rsj" {
		t.Errorf("numbered %v", asked)
	}
	if len(rec.started) != 5 {
		t.Fatalf("started %d", len(rec.started))
	}
	for _, in := range rec.started {
		exp := map[string]string{in.Item.Lead: want[in.Item.Lead]}
		for _, c := range in.Item.Co {
			exp[c] = want[c]
		}
		if fmt.Sprint(in.DispatchDocNos) != fmt.Sprint(exp) {
			t.Errorf("task %s numbers %v, want %v", in.TaskID, in.DispatchDocNos, exp)
		}
	}
	for _, n := range rec.notices {
		if n.DocNo != want[n.To] {
			t.Errorf("notice %s doc_no %q", n.ID, n.DocNo)
		}
	}
	for _, n := range v.Notices {
		if n.DocNo != want[n.Unit] {
			t.Errorf("view notice %s doc_no %q", n.Unit, n.DocNo)
		}
	}
	timeouts.check(t, "NumberNotices")
}

func TestMeetingNotAdoptedStartsNothing(t *testing.T) {
	env, rec := meetingEnv(t)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 24*time.Hour)
	env.ExecuteWorkflow(relay.MeetingWorkflowName, relay.MeetingInput{Plan: samplePlan(3)})
	if len(rec.started) != 0 || len(rec.notices) != 0 {
		t.Errorf("a proposed meeting started %d tasks and sent %d notices", len(rec.started), len(rec.notices))
	}
}

// activityTimeouts records the timeouts each activity type was scheduled with.
type activityTimeouts struct {
	mu  sync.Mutex
	got map[string]activity.Info
}

func recordTimeouts(env *testsuite.TestWorkflowEnvironment) *activityTimeouts {
	r := &activityTimeouts{got: map[string]activity.Info{}}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got[info.ActivityType.Name] = *info
	})
	return r
}

// heartbeating lists the activities that record heartbeats; startingWorkflows those
// that start workflows.
var (
	heartbeating      = map[string]bool{"NumberNotices": true, "NumberDispatch": true, "StartTasks": true, "StartPart": true, "DeliverDispatch": true, "RemindUnit": true, "Report": true}
	startingWorkflows = map[string]bool{"StartTasks": true, "StartPart": true}
)

// check: a heartbeat timeout exactly on the activities that heartbeat (elsewhere it
// would cut a long but healthy run short), and StartWindow on those that start
// workflows, so that a start the engine keeps refusing does not retry forever.
func (r *activityTimeouts) check(t *testing.T, want ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range want {
		info, ok := r.got[name]
		if !ok {
			t.Errorf("%s did not run", name)
			continue
		}
		if hb := info.HeartbeatTimeout > 0; hb != heartbeating[name] {
			t.Errorf("%s: heartbeat timeout %v", name, info.HeartbeatTimeout)
		}
		if b := info.ScheduleToCloseTimeout == StartWindow; b != startingWorkflows[name] {
			t.Errorf("%s: schedule-to-close timeout %v", name, info.ScheduleToCloseTimeout)
		}
	}
}
