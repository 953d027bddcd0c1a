package workflows

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

type docUpdate struct {
	request string
	got     int
	err     error
}

func (u *docUpdate) cb() *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { u.err = err },
		OnAccept:   func() {},
		OnComplete: func(v interface{}, err error) { u.got, u.err = v.(int), err },
	}
}

// TestDocNumbersInOrderOnceEach: numbers are handed out 1, 2, 3 … in the order asked;
// asking again for a document (a retried activity) returns its number and takes none;
// an empty request is refused; after DocNumbersPerRun numbers the counter continues as
// new carrying its state, so the next run goes on from there.
func TestDocNumbersInOrderOnceEach(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(DocNumbers, workflow.RegisterOptions{Name: relay.DocNumberWorkflowName})
	var ups []*docUpdate
	ask := func(at time.Duration, request string) *docUpdate {
		u := &docUpdate{request: request}
		ups = append(ups, u)
		id := fmt.Sprint(len(ups)) // each call its own update id, as each activity attempt
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(relay.UpdateDocNumber, id, u.cb(), request)
		}, at)
		return u
	}
	first := ask(time.Minute, "dispatch:cwh-1:rsj")
	second := ask(2*time.Minute, "dispatch:cwh-1:czj")
	retry := ask(3*time.Minute, "dispatch:cwh-1:rsj")
	empty := ask(4*time.Minute, "")
	var rest []*docUpdate
	for i := range relay.DocNumbersPerRun - 2 { // the run's last number ends it
		rest = append(rest, ask(5*time.Minute+time.Duration(i)*time.Second, fmt.Sprintf("escalation:t%d", i)))
	}
	env.ExecuteWorkflow(relay.DocNumberWorkflowName, relay.DocCounter{Prefix: "县府督办", Year: 2026})
	if first.got != 1 || second.got != 2 || retry.got != 1 || first.err != nil || retry.err != nil {
		t.Errorf("first %d, second %d, retry %d (%v %v)", first.got, second.got, retry.got, first.err, retry.err)
	}
	if empty.err == nil {
		t.Error("an empty request got a number")
	}
	for i, u := range rest {
		if u.err != nil || u.got != 3+i {
			t.Fatalf("request %d: %d, %v; want %d", i, u.got, u.err, 3+i)
		}
	}
	err := env.GetWorkflowError()
	if err == nil {
		t.Fatal("want the counter to continue as new after its run's numbers")
	}
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next relay.DocCounter
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Next != relay.DocNumbersPerRun+1 || next.Issued["dispatch:cwh-1:rsj"] != 1 || len(next.Issued) != relay.DocNumbersPerRun {
		t.Errorf("carried state: next %d, %d requests", next.Next, len(next.Issued))
	}
}
