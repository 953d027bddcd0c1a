package workflows

import (
	"errors"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

// DocNumbers is the counter of one 发文字号 prefix and year. The update
// relay.UpdateDocNumber takes a request id (the notice id) and returns its number:
// the next one the first time, the same one on every later request with that id, so a
// retried allocation neither skips nor repeats a number. Updates are handled one at a
// time in the order the engine accepted them. After DocNumbersPerRun numbers (or when
// the engine suggests it) the run continues as new with its state.
func DocNumbers(ctx workflow.Context, st relay.DocCounter) error {
	if st.Next < 1 {
		st.Next = 1
	}
	if st.Issued == nil {
		st.Issued = map[string]int{}
	}
	handed := 0
	if err := workflow.SetUpdateHandlerWithOptions(ctx, relay.UpdateDocNumber,
		func(ctx workflow.Context, request string) (int, error) {
			if n, ok := st.Issued[request]; ok {
				return n, nil
			}
			n := st.Next
			st.Next++
			st.Issued[request] = n
			handed++
			return n, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, request string) error {
			if request == "" {
				return errors.New("取文号须指明文件（请求编号为空）")
			}
			return nil
		}},
	); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool {
		return handed >= relay.DocNumbersPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	}); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, relay.DocNumberWorkflowName, st)
}
