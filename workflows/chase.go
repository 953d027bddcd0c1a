package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

// Chase is one 催办单 (relay.ChaseInput): it records the chase on each of the unit's
// tasks (an update per task, keyed by the chase id, so a retried activity records
// nothing twice), then sends the unit one notice listing every task that took it.
// Its workflow id is the chase id (relay.ChaseWorkflowID): the same chase started
// twice runs once, and sends once.
func Chase(ctx workflow.Context, in relay.ChaseInput) (relay.ChaseResult, error) {
	res := relay.ChaseResult{ID: in.ID, Unit: in.Unit, UnitName: in.UnitName, ReplyBy: in.ReplyBy}
	actx := activityOptions(ctx, time.Minute)
	var rec relay.ChaseRecord
	if err := workflow.ExecuteActivity(actx, a.RecordChase, in).Get(ctx, &rec); err != nil {
		return res, err
	}
	res.Tasks, res.Refused = rec.Tasks, rec.Refused
	if len(rec.Tasks) == 0 {
		return res, temporal.NewNonRetryableApplicationError(
			"没有可催办的任务："+strings.Join(rec.Refused, "；"), "NothingToChase", nil)
	}
	n := chaseNotice(in, rec.Tasks, workflow.Now(ctx))
	res.NoticeID = n.ID
	if err := workflow.ExecuteActivity(actx, a.Deliver, n).Get(ctx, nil); err != nil {
		return res, err
	}
	return res, nil
}

// chaseNotice is the one 催办单 to the unit: every task it chases, with the unit's
// role in each. It names no meeting: a chase may span several, and the audit checks
// a meeting's notices against the committee's original text, which a chase (listing
// tasks as they stand, amended or not) does not repeat.
func chaseNotice(in relay.ChaseInput, tasks []relay.TaskView, now time.Time) relay.Notice {
	n := relay.Notice{
		ID: relay.ChaseWorkflowID(in.ID), Kind: relay.NoticeChase,
		ToKind: relay.ToUnit, To: in.Unit, ToName: in.UnitName,
		Subject:  fmt.Sprintf("催办单：请于 %s 前报送 %d 项任务的办理进展", in.ReplyBy, len(tasks)),
		IssuedAt: now,
	}
	var lines []string
	for _, t := range tasks {
		role := relay.RoleCo
		if t.LeadUnit == in.Unit {
			role = relay.RoleLead
		}
		n.Items = append(n.Items, relay.NoticeItem{
			No: t.No, TaskID: t.ID, Title: t.Title, Role: role, Deadline: t.Deadline, Standing: t.Standing,
			DeputyName: t.DeputyName, LeadUnitName: t.LeadAddressed(), CoUnitNames: t.CoAddressed(),
		})
		lines = append(lines, fmt.Sprintf("%s“%s”（%s，完成时限 %s，当前%s，进度 %d%%）",
			t.ID, t.Title, relay.RoleLabel(role), relay.DeadlineLabel(t.Deadline, t.Standing), relay.StateLabel(t.State), t.Progress))
	}
	n.Body = fmt.Sprintf("县政府督查室催办：%s。请你单位于 %s 前报送以下 %d 项任务的办理进展：%s。",
		strings.TrimRight(in.Note, "。"), in.ReplyBy, len(tasks), strings.Join(lines, "；"))
	n.Hash = relay.SealNotice(n)
	return n
}
