package workflows

import (
	"errors"
	"fmt"
	"maps"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"

	model "taskrelay/internal/task"
)

// Evidence and people (issue 11): files on progress, extension and completion
// entries; the officer responsible (责任人) per unit; the unit head's sign-off of a
// completion (单位负责人审核). Kept apart from task.go so the two change independently.
// None of it changes the command sequence of a history recorded before it: attachments
// ride on timeline entries, and the sign-off path is taken only by requests that ask
// for it (HeadReview), which older clients never sent.

// attachActions: the timeline entry of each update that carries its files.
var attachActions = map[string]string{
	relay.UpdateProgress: relay.ActProgress,
	relay.UpdateExtend:   relay.ActExtensionRequested,
	relay.UpdateComplete: relay.ActCompletionSubmitted,
}

// withFiles adds the attachment checks to an update's validator.
func (t *task) withFiles(v func(workflow.Context, model.Request) error) func(workflow.Context, model.Request) error {
	return func(ctx workflow.Context, req model.Request) error {
		if err := v(ctx, req); err != nil {
			return err
		}
		return checkAttachments(req.Attachments)
	}
}

// checkAttachments refuses what the blob store could not have produced; the bytes are
// checked by the client before the update (package evidence).
func checkAttachments(files []relay.Attachment) error {
	if len(files) > relay.MaxAttachments {
		return fmt.Errorf("附件 %d 个，超过每次最多 %d 个", len(files), relay.MaxAttachments)
	}
	for i, f := range files {
		if len(f.SHA256) != 64 || f.Name == "" || f.Size <= 0 {
			return fmt.Errorf("第%d个附件信息不完整", i+1)
		}
		if _, ok := relay.FileTypeOf(f.Type); !ok {
			return fmt.Errorf("附件 %s 的类型 %q 不在允许范围内", f.Name, f.Type)
		}
	}
	return nil
}

// attaching arms record to put files on the next entry with the given action.
func (t *task) attaching(update string, files []relay.Attachment) {
	t.attach, t.attachTo = files, ""
	if len(files) > 0 {
		t.attachTo = attachActions[update]
	}
}

// takeFiles returns the files armed for an entry with this action, once.
func (t *task) takeFiles(action string) []relay.Attachment {
	if t.attachTo == "" || action != t.attachTo {
		return nil
	}
	files := t.attach
	t.attach, t.attachTo = nil, ""
	return files
}

// attachmentViews lists every file on the timeline, oldest first.
func (t *task) attachmentViews() []relay.AttachmentView {
	out := []relay.AttachmentView{}
	for _, e := range t.c.Timeline {
		for _, a := range e.Attachments {
			out = append(out, relay.AttachmentView{Attachment: a, At: e.At, By: e.By, Action: e.Action})
		}
	}
	return out
}

// --- assignment ---

// assigneesChange is the GetVersion change id of TaskView.Assignees.
const assigneesChange = "assignees-by-unit"

func (t *task) validateAssign(ctx workflow.Context, req model.Request) error {
	if err := t.validateUnit(ctx, req); err != nil {
		return err
	}
	if req.Person == "" {
		return errors.New("请指定责任人")
	}
	if t.c.Assignees[req.Unit] == req.Person {
		return fmt.Errorf("%s 已是本单位该任务的责任人", req.Person)
	}
	return nil
}

func (t *task) assign(ctx workflow.Context, req model.Request) {
	if t.c.Assignees == nil {
		t.c.Assignees = map[string]string{}
	}
	t.c.Assignees[req.Unit] = req.Person
	// From this change on the view lists every unit's person; a history recorded
	// before it keeps its command sequence (the memo shows the lead's only).
	if !t.c.AssigneesShown && (t.current || workflow.GetVersion(ctx, assigneesChange, workflow.DefaultVersion, 1) >= 1) {
		t.c.AssigneesShown = true
	}
	t.record(ctx, req.Unit, req.User, relay.ActAssigned, fmt.Sprintf("%s确定责任人：%s", t.unitName(req.Unit), req.Person))
}

// assignees is every unit's person, once the task shows them (nil before).
func (t *task) assignees() map[string]string {
	if !t.c.AssigneesShown || len(t.c.Assignees) == 0 {
		return nil
	}
	return maps.Clone(t.c.Assignees)
}

// assignee is the officer responsible for the task: the lead unit's, else the first
// supporting unit's that has one.
func (t *task) assignee() string {
	if p := t.c.Assignees[t.in.Item.Lead]; p != "" {
		return p
	}
	for _, c := range t.in.Item.Co {
		if p := t.c.Assignees[c]; p != "" {
			return p
		}
	}
	return ""
}

// --- the unit head's sign-off ---

// submitToHead holds an officer's completion for the unit head.
func (t *task) submitToHead(ctx workflow.Context, req model.Request) {
	t.acknowledge(ctx, req)
	t.c.HeadReview = &relay.HeadReview{Unit: req.Unit, User: req.User, Note: req.Note,
		Attachments: req.Attachments, At: workflow.Now(ctx)}
	t.attachTo = relay.ActHeadReviewPending
	t.record(ctx, req.Unit, req.User, relay.ActHeadReviewPending, "报单位负责人审核："+req.Note)
}

func (t *task) validateHeadReview(_ workflow.Context, req model.Request) error {
	if t.m.Status == relay.StateClosed {
		return errClosed
	}
	hr := t.c.HeadReview
	if t.m.Status != relay.StateHeadReview || hr == nil {
		return errors.New("没有待单位负责人审核的办结报告")
	}
	if !req.Head || req.Unit != hr.Unit {
		return fmt.Errorf("办结报告须由%s的单位负责人审核", t.unitName(hr.Unit))
	}
	if !req.Approve && req.Note == "" {
		return errors.New("退回须写明理由")
	}
	return nil
}

func (t *task) headReview(ctx workflow.Context, req model.Request) {
	hr := *t.c.HeadReview
	t.c.HeadReview = nil
	if !req.Approve {
		t.record(ctx, req.Unit, req.User, relay.ActHeadReturned, "单位负责人退回："+req.Note)
		return
	}
	t.record(ctx, req.Unit, req.User, relay.ActHeadApproved, noteOr(req.Note, "单位负责人审核同意"))
	// The completion reaches the office as if submitted now; its files are on the
	// pending entry already.
	t.complete(ctx, model.Request{Unit: hr.Unit, User: hr.User, Note: hr.Note})
}
