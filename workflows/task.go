package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// continueAsNewEvents bounds a task's history: a task that lives a year with weekly
// progress and many reminders continues as new long before the engine's limits.
const continueAsNewEvents = 2000

// followUpChange is the GetVersion change id of the follow-up tiers: from version 1 a
// task escalates in tiers (the lead unit when overdue, the deputy N days later, the
// monthly report M days after that) instead of notifying the deputy at once, and it
// watches its milestones. Histories recorded before it replay with the old sequence.
const followUpChange = "followup-tiers"

// timelineChange is the GetVersion change id of the bounded timeline: from version 1 a
// run continues as new once it has recorded timelineCarried entries, and hands over
// only the timeline's last entries (carryOver), so what a task carries stays bounded
// whatever the number of actions. Runs before it carried the whole timeline.
const timelineChange = "bounded-timeline"

// currentChange is the GetVersion change id of the task as it is now: from version 1
// every change below (followUpChange, timelineChange, ackChange, doc-no-on-timeline,
// digestChange, assigneesChange) is on without asking for each, and so is the single
// wake timer (task.sleep). Each GetVersion a new run asks records a marker and upserts
// the TemporalChangeVersion search attribute: two events and a visibility write per
// change at every task's start, which on 10,000 tasks is most of the engine's work.
// Histories recorded before it ask for each change as they did and wait as they did:
// a timer for every wait, which the SDK's AwaitWithTimeout does not cancel when its
// condition is met, so every action left one pending in the engine, each firing
// later for nothing.
const currentChange = "task-current-2026-12"

// timelineCarried is how many timeline entries, at least, a run hands over to the next
// (at 2,000 characters a note, about 600 KB at most: far below the 2 MB payload limit).
const timelineCarried = 100

// System is the actor name of the engine's own timeline entries.
const System = "system"

type task struct {
	in relay.TaskInput
	c  relay.TaskCarry
	// m is the task as its timeline leaves it (task.Apply over every entry recorded):
	// the light, the overdue days and the refusals read it.
	m     model.State
	dirty bool // set by handlers to wake the main loop
	// attributes last written to search attributes
	saState relay.State
	saLight relay.Light
	saDead  string
	// the summary last written to the memo
	memo relay.TaskSummary
	// tiers: this run escalates in tiers and watches milestones (followUpChange).
	tiers bool
	// attach: the files of the update being applied, for its entry attachTo
	// (task_evidence.go).
	attach   []relay.Attachment
	attachTo string
	// bounded: this run bounds the timeline it carries (timelineChange); runStart is
	// the length of the timeline this run was handed.
	bounded  bool
	runStart int
	// operator: the operator acting in the update being applied (task_actor.go).
	operator string
	// current: this run started under currentChange, every change on; it keeps one
	// timer for its next wake: timer, pending until timerAt, cancelled with stopTimer
	// when the wake moves.
	current   bool
	timer     workflow.Future
	timerAt   time.Time
	stopTimer workflow.CancelFunc
}

// Task is one item of an adopted list, alive until the inspection office accepts its
// completion. Units act on it through updates (refused synchronously when not allowed);
// timers remind before the deadline and escalate when it passes.
func Task(ctx workflow.Context, in relay.TaskInput) (relay.TaskView, error) {
	t := &task{in: in}
	t.current = workflow.GetVersion(ctx, currentChange, workflow.DefaultVersion, 1) >= 1
	t.tiers = t.current || workflow.GetVersion(ctx, followUpChange, workflow.DefaultVersion, 1) >= 1
	if t.tiers {
		t.in.Config = t.in.Config.WithFollowUpDefaults()
	}
	t.bounded = t.current || workflow.GetVersion(ctx, timelineChange, workflow.DefaultVersion, 1) >= 1
	if in.Carry != nil {
		t.c = *in.Carry
		t.m = model.FromCarry(in.Item, in.DispatchedAt, t.c)
		t.runStart = len(t.c.Timeline)
		t.saState, t.saLight, t.saDead = t.m.Status, t.c.Light, t.m.Deadline
	} else {
		t.c = relay.TaskCarry{Light: relay.Green, Fired: map[string]bool{}}
		t.saState, t.saLight, t.saDead = relay.StateDispatched, relay.Green, in.Item.Deadline
		t.m = model.New(in.Item, in.DispatchedAt)
		t.record(ctx, System, "", relay.ActDispatched, fmt.Sprintf("经%s交办", in.Meeting.Name))
		t.recordDispatchNumbers(ctx)
	}
	if t.c.Fired == nil {
		t.c.Fired = map[string]bool{}
	}
	t.trackAcks(ctx, in.Carry == nil)
	t.in.Carry = nil
	t.memo = t.summary() // what the memo holds already (relay.TaskMemo, or carried over)
	if err := t.register(ctx); err != nil {
		return t.view(), err
	}

	for {
		// Cleared before the work below: a handler that runs while this iteration
		// is blocked (delivering a notice) sets it again, and the wait then returns
		// at once instead of leaving its notice queued.
		t.dirty = false
		t.tick(ctx)
		t.flush(ctx)
		t.setLight(workflow.Now(ctx))
		t.publish(ctx)
		if t.finished() {
			break
		}
		info := workflow.GetInfo(ctx)
		long := t.bounded && len(t.c.Timeline)-t.runStart >= timelineCarried
		if long || info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > continueAsNewEvents {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return t.view(), err
			}
			if len(t.c.Pending) == 0 {
				next := t.in
				carry := t.carried()
				if t.bounded {
					carry = t.carryOver()
				}
				t.forgetExpired(workflow.Now(ctx))
				next.Carry = &carry
				return t.view(), workflow.NewContinueAsNewError(ctx, relay.TaskWorkflowName, next)
			}
			continue
		}
		wake := t.nextWake(workflow.Now(ctx))
		if t.current {
			if err := t.sleep(ctx, wake); err != nil {
				return t.view(), err
			}
		} else if wake.IsZero() {
			if err := workflow.Await(ctx, func() bool { return t.dirty }); err != nil {
				return t.view(), err
			}
		} else if _, err := workflow.AwaitWithTimeout(ctx, wake.Sub(workflow.Now(ctx)), func() bool { return t.dirty }); err != nil {
			return t.view(), err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return t.view(), err
	}
	t.flush(ctx)
	return t.view(), nil
}

// sleep waits until a handler marks the task dirty or wake comes (never, when zero),
// on the timer already pending for wake if there is one: an action that leaves the
// next wake where it was starts no timer and cancels none.
func (t *task) sleep(ctx workflow.Context, wake time.Time) error {
	if t.timer != nil && (t.timer.IsReady() || !t.timerAt.Equal(wake)) {
		if !t.timer.IsReady() {
			t.stopTimer()
		}
		t.timer = nil
	}
	if t.timer == nil && !wake.IsZero() {
		tctx, cancel := workflow.WithCancel(ctx)
		t.timer, t.timerAt, t.stopTimer = workflow.NewTimer(tctx, wake.Sub(workflow.Now(ctx))), wake, cancel
	}
	return workflow.Await(ctx, func() bool { return t.dirty || (t.timer != nil && t.timer.IsReady()) })
}

// recordDispatchNumbers puts on the timeline the number of the 交办单 that dispatched
// the task to each of its units (lead first), as the meeting numbered them before
// starting it (TaskInput.DispatchDocNos); nothing for tasks started without them.
func (t *task) recordDispatchNumbers(ctx workflow.Context) {
	var done []string
	for _, u := range append([]string{t.in.Item.Lead}, t.in.Item.Co...) {
		if no := t.in.DispatchDocNos[u]; no != "" && !slices.Contains(done, u) {
			done = append(done, u)
			t.recordEvent(ctx, relay.Event{By: System, Action: relay.ActDocNumbered, Unit: u, DocNo: no,
				Note: fmt.Sprintf("%s %s（%s）", relay.NoticeKindLabel(relay.NoticeDispatch), no, t.unitName(u))})
		}
	}
}

func (t *task) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, relay.QueryTask, func() (relay.TaskView, error) {
		v := t.view()
		v.Timeline, v.TimelineFrom = t.c.Timeline, t.c.TimelineFrom
		// Counted when asked (a query writes no history); the memo leaves it to its
		// readers, who count it the same way (model.OverdueDays).
		v.OverdueDays = model.OverdueDays(t.m, workflow.Now(ctx))
		return v, nil
	}); err != nil {
		return err
	}
	handlers := []struct {
		name     string
		validate func(workflow.Context, model.Request) error
		apply    func(workflow.Context, model.Request)
	}{
		{relay.UpdateAck, t.validateAck, t.ack},
		{relay.UpdateProgress, t.withFiles(t.validateProgress), t.progress},
		{relay.UpdateExtend, t.withFiles(t.validateExtend), t.extend},
		{relay.UpdateDecideExtension, t.validateDecide, t.decide},
		{relay.UpdateComplete, t.withFiles(t.validateComplete), t.complete},
		{relay.UpdateVerify, t.validateVerify, t.verify},
		{relay.UpdateFeedbackReminded, t.validateFeedbackReminded, t.feedbackReminded},
		{relay.UpdateRead, t.validateRead, t.read},
		{relay.UpdateAssign, t.validateAssign, t.assign},
		{relay.UpdateHeadReview, t.validateHeadReview, t.headReview},
		// the changes (task_changes.go)
		{relay.UpdateReassign, t.validateReassign, t.reassign},
		{relay.UpdateAmend, t.validateAmend, t.amend},
		{relay.UpdateWithdraw, t.validateWithdraw, t.withdraw},
		{relay.UpdatePushback, t.validatePushback, t.pushback},
		{relay.UpdateDecidePushback, t.validateDecidePushback, t.decidePushback},
		{relay.UpdateInstruct, t.validateInstruct, t.instruct},
		{relay.UpdateChase, t.validateChase, t.chase},
	}
	for _, h := range handlers {
		h := h
		err := workflow.SetUpdateHandlerWithOptions(ctx, h.name,
			func(ctx workflow.Context, req model.Request) (relay.TaskView, error) {
				t.took(ctx, req.Assertion)
				t.attaching(h.name, req.Attachments)
				h.apply(ctx, req)
				t.attaching("", nil)
				t.operator = ""
				t.setLight(workflow.Now(ctx))
				t.dirty = true
				return t.view(), nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req model.Request) error {
				// Free text is capped first, for every update: what the task carries stays bounded.
				if err := req.CheckText(h.name); err != nil {
					return err
				}
				// The engine's own record (By System, from the follow-up run) acts
				// for nobody and is not signed.
				if h.name != relay.UpdateFeedbackReminded {
					if err := t.checkActor(ctx, h.name, req.Assertion, req.Identity()); err != nil {
						return err
					}
				}
				return refusal.Wire(h.validate(ctx, req)) // the kind crosses to the client
			}})
		if err != nil {
			return err
		}
	}
	return t.registerKeys(ctx)
}

// view is the task without its timeline (queries add it).
func (t *task) view() relay.TaskView {
	it := t.in.Item
	v := relay.ItemView(t.in.TaskID, t.in.Meeting.ID, it, t.in.LeadName, t.in.CoNames, t.in.DeputyName)
	v.Deadline, v.State, v.Progress, v.Light = t.m.Deadline, t.m.Status, t.m.Progress, t.c.Light
	v.Extension, v.Attachments, v.Assignee, v.Assignees = t.m.Extension, t.attachmentViews(), t.assignee(), t.assignees()
	v.FeedbackReminded, v.BehindMilestone = t.c.FeedbackReminded, t.c.Behind
	v.EscalationTier, v.EscalatedAt, v.ListedForReport = t.c.Tier, t.c.TierAt, t.c.Listed
	v.Reads = t.c.Reads
	if relay.ReportsMonthly(it.Feedback, it.Standing) {
		v.FeedbackDay = t.in.Config.FeedbackDay
	}
	if t.c.Light == relay.Red {
		end := t.deadlineEnd()
		v.OverdueSince = &end
	}
	t.changesView(&v)
	return v
}

func (t *task) record(ctx workflow.Context, by, user, action, note string) {
	t.recordEvent(ctx, relay.Event{By: by, User: user, Action: action, Note: note})
}

// recordEvent appends e, with its typed facts, to the timeline, dated now and chained.
func (t *task) recordEvent(ctx workflow.Context, e relay.Event) {
	e.At = workflow.Now(ctx)
	if e.By != System {
		e.Operator = t.operator
	}
	e.Attachments = t.takeFiles(e.Action)
	e.Hash = relay.ChainEvent(t.chainHead(), e)
	t.c.Timeline = append(t.c.Timeline, e)
	t.m = model.Apply(t.m, e)
}

// chainHead is the hash of the last timeline entry, or of the committee's original
// item before the first.
func (t *task) chainHead() string {
	if n := len(t.c.Timeline); n > 0 && t.c.Timeline[n-1].Hash != "" {
		return t.c.Timeline[n-1].Hash
	}
	if t.c.TimelineHead != "" {
		return t.c.TimelineHead
	}
	return relay.ItemRoot(t.in.Meeting, t.in.Item)
}

// carryOver is the state handed to the next run with a bounded timeline: its last
// timelineCarried entries, and at least every entry this run recorded, so that each
// entry is in the input of some run (where relayclient reads it back). The entries
// left behind are counted in TimelineFrom and folded into Earlier for the summary.
func (t *task) carryOver() relay.TaskCarry {
	c := t.carried()
	keep := max(timelineCarried, len(c.Timeline)-t.runStart)
	drop := len(c.Timeline) - keep
	if drop <= 0 {
		return c
	}
	d := model.Digest(c.Earlier, c.Timeline[:drop], t.in.Item.Deadline)
	c.Earlier = &d
	c.TimelineFrom += drop
	c.TimelineHead = c.Timeline[drop-1].Hash
	c.Timeline = slices.Clone(c.Timeline[drop:])
	return c
}

// carried is the carry handed to the next run: the run's own records (notices
// pending, timers fired, the timeline) and the model's state in the fields the
// carry has always had, so a carry from any version reads back (model.FromCarry).
func (t *task) carried() relay.TaskCarry {
	c := t.c
	c.State, c.Progress, c.Deadline, c.Extension = t.m.Status, t.m.Progress, t.m.Deadline, t.m.Extension
	c.SubmittedAt, c.ClosedAt, c.WithdrawnAt = t.m.SubmittedAt, t.m.ClosedAt, t.m.WithdrawnAt
	c.Requirements, c.Pushback, c.PushedBack, c.Chases, c.Received = t.m.Requirements, t.m.Pushback, t.m.PushedBack, t.m.Chases, t.m.Received
	return c
}

// --- validators: read-only; a refusal changes nothing and writes no history. They
// read the task model's state (t.m): the assignment and state in force. ---

var errClosed = refusal.New(refusal.ErrClosed, "任务已办结，不能再操作")

func (t *task) isUnit(u string) bool {
	if u == t.in.Item.Lead {
		return true
	}
	for _, c := range t.in.Item.Co {
		if c == u {
			return true
		}
	}
	return false
}

func (t *task) validateUnit(_ workflow.Context, req model.Request) error {
	if req.Unit == "" {
		return errors.New("未指明操作单位")
	}
	if !t.m.IsUnit(req.Unit) {
		return refusal.Newf(refusal.ErrForbidden, "单位 %s 不是任务 %s 的牵头或配合单位，无权操作", req.Unit, t.in.TaskID)
	}
	return t.validateOpen()
}

// validateAck refuses a unit's second signature: it has signed for the task already
// (by an ack or by acting on it).
func (t *task) validateAck(ctx workflow.Context, req model.Request) error {
	if err := t.validateUnit(ctx, req); err != nil {
		return err
	}
	if t.m.HasAcked(req.Unit) {
		return refusal.Newf(refusal.ErrConflict, "%s 已签收任务 %s，无需再次签收", t.unitName(req.Unit), t.in.TaskID)
	}
	return nil
}

func (t *task) validateProgress(ctx workflow.Context, req model.Request) error {
	if err := t.validateUnit(ctx, req); err != nil {
		return err
	}
	if !model.ValidPercent(req.Percent) {
		return refusal.Invalid("percent", fmt.Sprintf("进度 %d%% 无效，应在 0 到 100 之间", req.Percent))
	}
	if req.Note == "" {
		return errors.New("请填写进展情况")
	}
	return nil
}

func (t *task) validateExtend(ctx workflow.Context, req model.Request) error {
	if err := t.validateUnit(ctx, req); err != nil {
		return err
	}
	if t.m.Extension != nil {
		return errors.New("已有延期申请待批复")
	}
	if t.in.Item.Standing {
		return refusal.Invalid("until", "长期事项不设完成时限，无需申请延期")
	}
	end, err := relay.DeadlineEnd(t.m.Deadline)
	if err != nil {
		return err
	}
	if !workflow.Now(ctx).Before(end) {
		return fmt.Errorf("完成时限 %s 已过，不能再申请延期", t.m.Deadline)
	}
	if _, err := relay.ParseDate(req.Until); err != nil {
		return fmt.Errorf("延期至：%v", err)
	}
	if req.Until <= t.m.Deadline {
		return fmt.Errorf("延期至 %s 不晚于现完成时限 %s", req.Until, t.m.Deadline)
	}
	if req.Note == "" {
		return errors.New("请填写延期理由")
	}
	return nil
}

func (t *task) validateDecide(_ workflow.Context, req model.Request) error {
	if t.m.Status == relay.StateClosed {
		return errClosed
	}
	if t.m.Extension == nil {
		return errors.New("没有待批复的延期申请")
	}
	if req.By != t.in.Item.Deputy && req.By != relay.Inspection {
		return fmt.Errorf("%s 无权批复：延期申请由分管县领导 %s 或县政府督查室批复", req.By, t.in.Item.Deputy)
	}
	return nil
}

func (t *task) validateComplete(ctx workflow.Context, req model.Request) error {
	if err := t.validateUnit(ctx, req); err != nil {
		return err
	}
	if t.m.Status == relay.StateCompletionSubmitted {
		return errors.New("已报送办结，等待督查室审核")
	}
	if t.m.Status == relay.StateHeadReview {
		return errors.New("办结报告已报单位负责人审核，请等待审核结果")
	}
	if req.Note == "" {
		return errors.New("请填写办结情况")
	}
	return nil
}

func (t *task) validateVerify(_ workflow.Context, req model.Request) error {
	if req.By != relay.Inspection {
		return fmt.Errorf("%s 无权审核：办结由县政府督查室审核", req.By)
	}
	if t.m.Status != relay.StateCompletionSubmitted {
		return fmt.Errorf("任务当前状态为 %s，没有待审核的办结报告", t.m.Status)
	}
	if !req.Approve && req.Note == "" {
		return errors.New("退回须写明理由")
	}
	return nil
}

// validateFeedbackReminded admits the engine's own record that a monthly task's lead
// unit was reminded for a month (the follow-up run, after delivering the reminder).
func (t *task) validateFeedbackReminded(_ workflow.Context, req model.Request) error {
	if req.By != System {
		return fmt.Errorf("%s 无权记录进展催报", req.By)
	}
	if !relay.ReportsMonthly(t.in.Item.Feedback, t.in.Item.Standing) {
		return fmt.Errorf("任务 %s 不是按月反馈的任务", t.in.TaskID)
	}
	if _, err := relay.CycleStart(req.Cycle); err != nil {
		return err
	}
	if t.m.Status == relay.StateClosed {
		return errClosed
	}
	return nil
}

// --- handlers: the state changes ---

func (t *task) acknowledge(ctx workflow.Context, req model.Request) {
	t.markAcked(req.Unit)
	if t.m.Status == relay.StateDispatched && req.Unit != "" {
		t.record(ctx, req.Unit, req.User, relay.ActAcknowledged, "签收")
	}
}

// validateRead accepts a read receipt from one of the task's units, also once the
// task is closed (a late reader still counts).
func (t *task) validateRead(_ workflow.Context, req model.Request) error {
	if req.Unit == "" {
		return errors.New("未指明操作单位")
	}
	if !t.m.IsUnit(req.Unit) {
		return fmt.Errorf("单位 %s 不是任务 %s 的牵头或配合单位", req.Unit, t.in.TaskID)
	}
	return nil
}

// read keeps the first read receipt of each unit; later ones change nothing. It adds
// no timeline entry: opening a notice is not an act on the task.
func (t *task) read(ctx workflow.Context, req model.Request) {
	for _, r := range t.c.Reads {
		if r.Unit == req.Unit {
			return
		}
	}
	t.c.Reads = append(t.c.Reads, relay.Read{Unit: req.Unit, At: workflow.Now(ctx)})
}

func (t *task) ack(ctx workflow.Context, req model.Request) {
	t.markAcked(req.Unit)
	if t.m.Status != relay.StateDispatched {
		t.record(ctx, req.Unit, req.User, relay.ActAcknowledged, "签收")
		return
	}
	t.acknowledge(ctx, req)
}

func (t *task) progress(ctx workflow.Context, req model.Request) {
	t.acknowledge(ctx, req)
	percent := req.Percent
	t.recordEvent(ctx, relay.Event{By: req.Unit, User: req.User, Action: relay.ActProgress, Percent: &percent,
		Note: fmt.Sprintf("进度 %d%%：%s", req.Percent, req.Note)})
}

func (t *task) extend(ctx workflow.Context, req model.Request) {
	t.acknowledge(ctx, req)
	t.recordEvent(ctx, relay.Event{By: req.Unit, User: req.User, Action: relay.ActExtensionRequested, Until: req.Until,
		Note: fmt.Sprintf("申请延期至 %s：%s", req.Until, req.Note)})
	subject := fmt.Sprintf("延期申请：第%d项 %s", t.in.Item.No, t.in.Item.Title)
	body := fmt.Sprintf("%s申请将完成时限由 %s 延至 %s，理由：%s。请审批。", t.unitName(req.Unit), t.m.Deadline, req.Until, req.Note)
	t.notify(ctx, relay.NoticeExtensionRequest, relay.ToLeader, t.in.Item.Deputy, t.in.DeputyName, subject, body)
	t.notify(ctx, relay.NoticeExtensionRequest, relay.ToInspection, relay.Inspection, "县政府督查室", subject, body)
}

func (t *task) decide(ctx workflow.Context, req model.Request) {
	ext := *t.m.Extension
	var body string
	e := relay.Event{By: req.By, User: req.User}
	if req.Approve {
		e.Action, e.From, e.Until = relay.ActExtensionApproved, t.m.Deadline, ext.Until
		body = fmt.Sprintf("同意延期：完成时限由 %s 调整为 %s。", e.From, e.Until)
	} else {
		e.Action = relay.ActExtensionDenied
		body = fmt.Sprintf("不同意延期，完成时限仍为 %s。", t.m.Deadline)
	}
	if req.Note != "" {
		body += "意见：" + req.Note
	}
	e.Note = body
	t.recordEvent(ctx, e)
	t.notify(ctx, relay.NoticeExtensionDecision, relay.ToUnit, ext.Unit, t.unitName(ext.Unit),
		fmt.Sprintf("延期批复：第%d项 %s", t.in.Item.No, t.in.Item.Title), body)
}

func (t *task) complete(ctx workflow.Context, req model.Request) {
	if req.HeadReview {
		t.submitToHead(ctx, req)
		return
	}
	t.acknowledge(ctx, req)
	t.record(ctx, req.Unit, req.User, relay.ActCompletionSubmitted, req.Note)
	t.notify(ctx, relay.NoticeClosed, relay.ToInspection, relay.Inspection, "县政府督查室",
		fmt.Sprintf("办结待审核：第%d项 %s", t.in.Item.No, t.in.Item.Title),
		fmt.Sprintf("%s报送办结：%s", t.unitName(req.Unit), req.Note))
}

func (t *task) verify(ctx workflow.Context, req model.Request) {
	if req.Approve {
		t.record(ctx, req.By, req.User, relay.ActCompletionAccepted, noteOr(req.Note, "审核通过，予以销号"))
		t.notify(ctx, relay.NoticeClosed, relay.ToUnit, t.in.Item.Lead, t.in.LeadName,
			fmt.Sprintf("办结确认：第%d项 %s", t.in.Item.No, t.in.Item.Title), noteOr(req.Note, "经督查室审核，该事项已办结销号。"))
		return
	}
	t.record(ctx, req.By, req.User, relay.ActCompletionRejected, req.Note)
	t.notify(ctx, relay.NoticeReturned, relay.ToUnit, t.in.Item.Lead, t.in.LeadName,
		fmt.Sprintf("办结退回：第%d项 %s", t.in.Item.No, t.in.Item.Title), "退回理由："+req.Note)
}

// feedbackReminded records the month's reminder once; a repeat changes nothing.
func (t *task) feedbackReminded(ctx workflow.Context, req model.Request) {
	if req.Cycle <= t.c.FeedbackReminded {
		return
	}
	t.c.FeedbackReminded = req.Cycle
	t.record(ctx, System, "", relay.ActFeedbackReminded, fmt.Sprintf("%s 月度进展尚未报送，已催报牵头单位（%s）", req.Cycle, req.Note))
}

func noteOr(note, def string) string {
	if note == "" {
		return def
	}
	return note
}

func (t *task) unitName(id string) string {
	if id == t.in.Item.Lead {
		return t.in.LeadName
	}
	for i, c := range t.in.Item.Co {
		if c == id && i < len(t.in.CoNames) {
			return t.in.CoNames[i]
		}
	}
	return id
}

// notify queues a notice; the main loop delivers queued notices in order. The id is
// derived from the task and a per-task sequence, so a retried delivery keeps it.
func (t *task) notify(ctx workflow.Context, kind, toKind, to, toName, subject, body string) {
	t.c.Seq++
	t.queue(ctx, fmt.Sprintf("%s:%s:%d", kind, t.in.TaskID, t.c.Seq), kind, toKind, to, toName, subject, body)
}

func (t *task) queue(ctx workflow.Context, id, kind, toKind, to, toName, subject, body string) {
	it := t.in.Item
	// The units as the committee wrote them, on the notice and in its 致.
	leadName, coNames := relay.AddressedNames(it, t.in.LeadName, t.in.CoNames)
	if toKind == relay.ToUnit && toName == t.unitName(to) {
		if to == it.Lead {
			toName = leadName
		}
		for i, c := range it.Co {
			if c == to && c != it.Lead && i < len(coNames) {
				toName = coNames[i]
			}
		}
	}
	t.c.Pending = append(t.c.Pending, relay.Notice{
		ID: id, Kind: kind, MeetingID: t.in.Meeting.ID, MeetingName: t.in.Meeting.Name,
		ToKind: toKind, To: to, ToName: toName, TaskID: t.in.TaskID,
		Subject: subject, Body: body,
		Items: []relay.NoticeItem{{
			No: it.No, TaskID: t.in.TaskID, Title: it.Title, Requirements: it.Requirements,
			Role: relay.RoleLead, Deadline: t.m.Deadline, Standing: it.Standing, DeputyName: t.in.DeputyName,
			LeadUnitName: leadName, CoUnitNames: coNames,
			ItemHash: relay.ItemRoot(t.in.Meeting, it),
		}},
		IssuedAt: workflow.Now(ctx),
		Chain:    t.chainHead(),
	})
	last := &t.c.Pending[len(t.c.Pending)-1]
	last.Hash = relay.SealNotice(*last)
}

func (t *task) flush(ctx workflow.Context) {
	actx := activityOptions(ctx, time.Minute)
	for len(t.c.Pending) > 0 {
		n := t.c.Pending[0]
		// From version 1 an official document is numbered first and its number kept
		// on the timeline (the number Deliver puts on the notice is the same one).
		if relay.Numbered(n.Kind) && n.DocNo == "" &&
			(t.current || workflow.GetVersion(ctx, "doc-no-on-timeline", workflow.DefaultVersion, 1) == 1) {
			var no string
			if err := workflow.ExecuteActivity(actx, a.DocNumber, n).Get(ctx, &no); err == nil && no != "" {
				n.DocNo = no
				t.recordEvent(ctx, relay.Event{By: System, Action: relay.ActDocNumbered,
					Note: relay.NoticeKindLabel(n.Kind) + " " + no, DocNo: no})
			}
		}
		if t.digested(ctx, n) {
			// To the recipient's digest (令出一家), which sends it with the others.
			if err := workflow.ExecuteActivity(actx, a.Digest, relay.DigestSignal{Notice: n, Window: t.in.Config.DigestWindow}).Get(ctx, nil); err != nil {
				t.record(ctx, System, "", relay.ActNoticeFailed, fmt.Sprintf("通知 %s 未能交汇总：%v", n.ID, err))
			}
			t.c.Pending = t.c.Pending[1:]
			continue
		}
		// Retries are unlimited, so an error here is one the sink called permanent
		// (a rejected request): keep it on the timeline rather than fail the task.
		if err := workflow.ExecuteActivity(actx, a.Deliver, n).Get(ctx, nil); err != nil {
			t.record(ctx, System, "", relay.ActNoticeFailed, fmt.Sprintf("通知 %s 投递失败：%v", n.ID, err))
		}
		t.c.Pending = t.c.Pending[1:]
	}
}

// digestChange is the GetVersion change id of the digests (令出一家, relay/digest.go):
// from version 1 a task hands its reminders and escalations to the recipient's digest
// instead of delivering each. Asked where the first such notice is flushed, so runs
// recorded before it replay delivering as they did.
const digestChange = "notice-digest"

// digested reports whether n goes to its recipient's digest: a kind the digests take,
// a window configured, and a run from digestChange on.
func (t *task) digested(ctx workflow.Context, n relay.Notice) bool {
	return relay.Digested(n.Kind, n.ToKind) && t.in.Config.DigestWindow > 0 &&
		(t.current || workflow.GetVersion(ctx, digestChange, workflow.DefaultVersion, 1) == 1)
}
