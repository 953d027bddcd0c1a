package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// Changes to an adopted task (relay/changes.go): reassign, amend, withdraw, push back
// and its decision, leaders' instructions, chases. The committee's item stays as it
// was adopted (t.in.Item's text and Source, hashed by relay.ItemRoot); each change is
// layered on it in the carry and on the timeline, with who, when and why.
//
// None of these handlers runs in a history recorded before they existed, and the
// task's other commands are unchanged when none is used, so old histories replay.

// reassignBeforeChange is the GetVersion change id of the assignment a reassignment
// replaced (relay.Change.Before): from version 1 the entry keeps it, so a report for a
// day before the reassignment groups the task under the lead of that day. Entries
// recorded before it are sealed without it, and replay so.
const reassignBeforeChange = "reassign-before"

var errWithdrawn = refusal.New(refusal.ErrWithdrawn, "任务已撤销，不能再操作")

// finished reports whether the task's workflow can end: closed or withdrawn.
func (t *task) finished() bool {
	return t.m.Status == relay.StateClosed || t.m.Status == relay.StateWithdrawn
}

// changesView adds the changes to a view of the task.
func (t *task) changesView(v *relay.TaskView) {
	if t.m.Requirements != "" {
		v.Requirements = t.m.Requirements
	}
	v.WithdrawnAt = t.m.WithdrawnAt
	v.Pushback = t.m.Pushback
	v.Instructions = t.c.Instructions
	v.Chases = t.m.Chases
	v.Unsigned = t.unsigned()
}

// requirements are the task's requirements as they stand (amended or the committee's).
func (t *task) requirements() string {
	if t.m.Requirements != "" {
		return t.m.Requirements
	}
	return t.in.Item.Requirements
}

// --- validators ---

// validateOpen refuses a change to a closed or withdrawn task.
func (t *task) validateOpen() error {
	switch t.m.Status {
	case relay.StateClosed:
		return errClosed
	case relay.StateWithdrawn:
		return errWithdrawn
	}
	return nil
}

// validateOffice admits the government office and the inspection office.
func validateOffice(req model.Request, what string) error {
	if req.By != relay.Office && req.By != relay.Inspection {
		return fmt.Errorf("%s 无权%s：由县政府办公室或县政府督查室办理", req.By, what)
	}
	return nil
}

func (t *task) validateReassign(_ workflow.Context, req model.Request) error {
	if err := validateOffice(req, "调整分工"); err != nil {
		return err
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return errors.New("请填写调整理由")
	}
	if req.Lead == nil && !req.SetCo && req.Deputy == nil {
		return errors.New("未指明调整内容：需要牵头单位、配合单位或分管县领导之一")
	}
	return t.validateAssignment(req)
}

// validateAssignment checks the assignment a reassignment would leave.
func (t *task) validateAssignment(req model.Request) error {
	if req.Lead != nil && req.Lead.ID == "" || req.Deputy != nil && req.Deputy.ID == "" {
		return errors.New("单位或县领导编号为空")
	}
	lead, co, deputy := t.assignmentAfter(req)
	seen := map[string]bool{lead.ID: true}
	for _, c := range co {
		if c.ID == "" {
			return errors.New("配合单位编号为空")
		}
		if c.ID == lead.ID {
			return fmt.Errorf("%s 不能既是牵头单位又是配合单位", c.Name)
		}
		if seen[c.ID] {
			return fmt.Errorf("配合单位 %s 重复", c.Name)
		}
		seen[c.ID] = true
	}
	it := t.in.Item
	if lead.ID == it.Lead && deputy.ID == it.Deputy && slices.Equal(unitIDs(co), it.Co) {
		return errors.New("调整后的分工与现在相同，未作改动")
	}
	return nil
}

func (t *task) validateAmend(_ workflow.Context, req model.Request) error {
	if err := validateOffice(req, "调整事项"); err != nil {
		return err
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return errors.New("请填写调整理由")
	}
	if req.Deadline == "" && req.Requirements == "" {
		return errors.New("未指明调整内容：需要新的完成时限或具体要求")
	}
	if req.Deadline != "" && t.in.Item.Standing {
		return refusal.Invalid("deadline", "长期事项不设完成时限")
	}
	if req.Deadline != "" {
		if _, err := relay.ParseDate(req.Deadline); err != nil {
			return fmt.Errorf("完成时限：%v", err)
		}
		if req.Deadline == t.m.Deadline {
			return fmt.Errorf("完成时限已是 %s", req.Deadline)
		}
	}
	if req.Requirements != "" && req.Requirements == t.requirements() {
		return errors.New("具体要求与现在相同")
	}
	return nil
}

func (t *task) validateWithdraw(_ workflow.Context, req model.Request) error {
	if err := validateOffice(req, "撤销任务"); err != nil {
		return err
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return errors.New("请填写撤销理由")
	}
	return nil
}

// pushbackDays is how long after receiving the task a unit may push it back.
func (t *task) pushbackDays() int {
	if d := t.in.Config.PushbackDays; d > 0 {
		return d
	}
	return relay.DefaultPushbackDays
}

func (t *task) validatePushback(ctx workflow.Context, req model.Request) error {
	if req.Unit == "" {
		return errors.New("未指明退回单位")
	}
	if !t.m.IsUnit(req.Unit) {
		return fmt.Errorf("单位 %s 不是任务 %s 的牵头或配合单位，无权退回", req.Unit, t.in.TaskID)
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if slices.Contains(t.m.PushedBack, req.Unit) {
		return fmt.Errorf("%s 已退回过该任务，不能再次退回", t.unitName(req.Unit))
	}
	if p := t.m.Pushback; p != nil && p.State == relay.PushbackPending {
		return fmt.Errorf("%s 的退回申请正待县政府办公室决定", t.unitName(p.Unit))
	}
	days := t.pushbackDays()
	if limit := t.m.ReceivedAt(req.Unit).AddDate(0, 0, days); !workflow.Now(ctx).Before(limit) {
		return fmt.Errorf("已超过退回时限：收到任务后 %d 天内可退回（至 %s）", days, limit.In(relay.TimeZone).Format("2006-01-02 15:04"))
	}
	if strings.TrimSpace(req.Reason) == "" {
		return errors.New("请填写退回理由")
	}
	if req.Suggest != nil && req.Suggest.ID == req.Unit {
		return errors.New("建议的责任单位不能是本单位")
	}
	return nil
}

func (t *task) validateDecidePushback(_ workflow.Context, req model.Request) error {
	if err := validateOffice(req, "决定退回申请"); err != nil {
		return err
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if p := t.m.Pushback; p == nil || p.State != relay.PushbackPending {
		return errors.New("没有待决定的退回申请")
	}
	if strings.TrimSpace(req.Reason) == "" {
		return errors.New("请填写决定意见")
	}
	if req.Keep == (req.Lead != nil || req.SetCo) {
		return errors.New("需要“维持原分工”或“调整牵头单位”之一")
	}
	if req.Keep {
		return nil
	}
	return t.validateAssignment(req)
}

// validateInstruct admits the deputy in charge, the county head (the client checks
// the role against the directory and says so in ByRole) and the inspection office on
// their behalf.
func (t *task) validateInstruct(_ workflow.Context, req model.Request) error {
	if req.By != t.in.Item.Deputy && req.By != relay.Inspection && req.ByRole != relay.RoleCountyHead {
		return fmt.Errorf("%s 无权批示：由分管县领导、县长或县政府督查室代为录入", req.By)
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if strings.TrimSpace(req.Text) == "" {
		return errors.New("请填写批示内容")
	}
	return nil
}

func (t *task) validateChase(_ workflow.Context, req model.Request) error {
	if req.By != relay.Inspection {
		return fmt.Errorf("%s 无权催办：由县政府督查室催办", req.By)
	}
	if !t.m.IsUnit(req.Unit) {
		return fmt.Errorf("单位 %s 不是任务 %s 的牵头或配合单位", req.Unit, t.in.TaskID)
	}
	if err := t.validateOpen(); err != nil {
		return err
	}
	if _, err := relay.ParseDate(req.ReplyBy); err != nil {
		return fmt.Errorf("回复期限：%v", err)
	}
	if req.ChaseID == "" {
		return errors.New("催办单编号为空")
	}
	return nil
}

// --- handlers ---

func (t *task) reassign(ctx workflow.Context, req model.Request) {
	t.applyReassign(ctx, req)
}

// applyReassign moves the task to the assignment req asks for: every unit added (or
// newly leading) receives a dispatch with the reason, every unit removed a withdrawal
// notice; search attributes follow the new lead.
func (t *task) applyReassign(ctx workflow.Context, req model.Request) {
	it := &t.in.Item
	oldLead := it.Lead
	old := map[string]string{} // unit id -> name, before the change
	for _, u := range t.unitRefs() {
		old[u.ID] = u.Name
	}
	refs := t.unitRefs()
	before := relay.Assignment{Lead: refs[0], Co: refs[1:], Deputy: relay.UnitRef{ID: it.Deputy, Name: t.in.DeputyName}}
	lead, co, deputy := t.assignmentAfter(req)
	it.Lead, t.in.LeadName = lead.ID, lead.Name
	it.Co, t.in.CoNames = unitIDs(co), unitNames(co)
	it.Deputy, t.in.DeputyName = deputy.ID, deputy.Name

	ch := &relay.Change{Reason: req.Reason, Lead: it.Lead, Co: slices.Clone(it.Co), Deputy: it.Deputy}
	if workflow.GetVersion(ctx, reassignBeforeChange, workflow.DefaultVersion, 1) >= 1 {
		ch.Before = &before
	}
	for _, u := range t.unitRefs() {
		if _, ok := old[u.ID]; !ok {
			ch.Added = append(ch.Added, u.ID) // each receives the task now (model.Apply)
		}
	}
	for _, id := range workflow.DeterministicKeys(old) {
		if !t.isUnit(id) {
			ch.Removed = append(ch.Removed, id)
		}
	}
	note := fmt.Sprintf("调整分工：牵头单位 %s", t.in.LeadName)
	if len(t.in.CoNames) > 0 {
		note += "，配合单位 " + strings.Join(t.in.CoNames, "、")
	}
	note += "，分管县领导 " + t.in.DeputyName + "。理由：" + req.Reason
	t.recordChange(ctx, req.By, req.User, relay.ActReassigned, note, ch)

	title := fmt.Sprintf("第%d项 %s", it.No, it.Title)
	for _, u := range t.unitRefs() {
		_, had := old[u.ID]
		if had && !(u.ID == it.Lead && oldLead != it.Lead) {
			continue
		}
		role := relay.RoleCo
		if u.ID == it.Lead {
			role = relay.RoleLead
		}
		t.notifyUnit(ctx, relay.NoticeDispatch, u.ID, role, "交办单（分工调整）："+title,
			fmt.Sprintf("经调整，“%s”由你单位%s，完成时限 %s。具体要求：%s。调整理由：%s。请及时签收并抓好落实。",
				it.Title, relay.RoleLabel(role), t.m.Deadline, t.requirements(), req.Reason))
	}
	for _, id := range ch.Removed {
		t.notifyUnitNamed(ctx, relay.NoticeWithdrawn, id, old[id], relay.RoleCo, "撤销通知（分工调整）："+title,
			fmt.Sprintf("经调整，“%s”不再由你单位承办，现由%s牵头。理由：%s。", it.Title, t.in.LeadName, req.Reason))
	}
	units := append([]string{it.Lead}, it.Co...)
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		relay.SALeadUnit.ValueSet(it.Lead), relay.SAUnits.ValueSet(units), relay.SADeputy.ValueSet(it.Deputy))
}

func (t *task) amend(ctx workflow.Context, req model.Request) {
	ch := &relay.Change{Reason: req.Reason}
	var what []string
	if req.Deadline != "" {
		ch.FromDeadline, ch.Deadline = t.m.Deadline, req.Deadline
		what = append(what, fmt.Sprintf("完成时限由 %s 调整为 %s", t.m.Deadline, req.Deadline))
	}
	if req.Requirements != "" {
		ch.Requirements = req.Requirements
		what = append(what, "具体要求调整为："+req.Requirements)
	}
	body := strings.Join(what, "；") + "。理由：" + req.Reason
	t.recordChange(ctx, req.By, req.User, relay.ActAmended, body, ch)
	t.notifyAllUnits(ctx, relay.NoticeAmended, fmt.Sprintf("调整通知：第%d项 %s", t.in.Item.No, t.in.Item.Title),
		fmt.Sprintf("“%s”%s。请按调整后的要求抓好落实。", t.in.Item.Title, body))
}

func (t *task) withdraw(ctx workflow.Context, req model.Request) {
	t.c.Tier, t.c.TierAt, t.c.Listed, t.c.Behind = "", nil, false, nil
	t.recordChange(ctx, req.By, req.User, relay.ActWithdrawn, "撤销任务。理由："+req.Reason, &relay.Change{Reason: req.Reason})
	t.notifyAllUnits(ctx, relay.NoticeWithdrawn, fmt.Sprintf("撤销通知：第%d项 %s", t.in.Item.No, t.in.Item.Title),
		fmt.Sprintf("%s确定的“%s”已撤销，不再办理。理由：%s。", t.in.Meeting.Name, t.in.Item.Title, req.Reason))
}

func (t *task) pushback(ctx workflow.Context, req model.Request) {
	ch := &relay.Change{Reason: req.Reason, Unit: req.Unit}
	note := "退回交办：" + req.Reason
	if req.Suggest != nil {
		ch.Suggest = req.Suggest.ID
		note += "；建议由" + req.Suggest.Name + "承办"
	}
	t.recordChange(ctx, req.Unit, req.User, relay.ActPushedBack, note, ch)
	t.notify(ctx, relay.NoticePushback, relay.ToOffice, relay.Office, "县政府办公室",
		fmt.Sprintf("退回申请：第%d项 %s", t.in.Item.No, t.in.Item.Title),
		fmt.Sprintf("%s认为该事项不属于本单位职责，申请退回。%s。请决定维持或调整分工。", t.unitName(req.Unit), note))
}

func (t *task) decidePushback(ctx workflow.Context, req model.Request) {
	unit := t.m.Pushback.Unit
	unitName := t.unitName(unit)
	title := fmt.Sprintf("退回答复：第%d项 %s", t.in.Item.No, t.in.Item.Title)
	if req.Keep {
		t.recordChange(ctx, req.By, req.User, relay.ActPushbackKept, "维持原分工："+req.Reason, &relay.Change{Reason: req.Reason, Unit: unit})
		t.notifyUnitNamed(ctx, relay.NoticePushbackDecision, unit, unitName, t.roleOf(unit), title,
			fmt.Sprintf("经研究，维持原分工，请你单位继续承办。意见：%s。", req.Reason))
		return
	}
	t.recordChange(ctx, req.By, req.User, relay.ActPushbackAccepted, "同意调整："+req.Reason, &relay.Change{Reason: req.Reason, Unit: unit})
	t.applyReassign(ctx, req)
	t.notifyUnitNamed(ctx, relay.NoticePushbackDecision, unit, unitName, relay.RoleCo, title,
		fmt.Sprintf("经研究，同意调整，该事项改由%s牵头。意见：%s。", t.in.LeadName, req.Reason))
}

func (t *task) instruct(ctx workflow.Context, req model.Request) {
	by := req.ByName
	if by == "" {
		by = req.By
	}
	t.c.Instructions = append(t.c.Instructions, relay.Instruction{At: workflow.Now(ctx), By: by, Text: req.Text})
	t.recordChange(ctx, req.By, req.User, relay.ActInstruction, by+"批示："+req.Text, &relay.Change{Text: req.Text})
	t.notifyAllUnits(ctx, relay.NoticeInstruction, fmt.Sprintf("领导批示：第%d项 %s", t.in.Item.No, t.in.Item.Title),
		fmt.Sprintf("%s对“%s”批示：%s。请认真落实，并在报送进展时说明落实情况。", by, t.in.Item.Title, req.Text))
}

// chase records a 催办单 on the task; the one notice to the unit is sent by the Chase
// workflow, for all the tasks it chases.
func (t *task) chase(ctx workflow.Context, req model.Request) {
	for _, c := range t.m.Chases {
		if c.ID == req.ChaseID {
			return // the same chase again (a retried activity)
		}
	}
	t.recordChange(ctx, req.By, req.User, relay.ActChased, fmt.Sprintf("催办%s，请于 %s 前报送进展：%s", t.unitName(req.Unit), req.ReplyBy, req.Reason),
		&relay.Change{Reason: req.Reason, Unit: req.Unit, ReplyBy: req.ReplyBy, ChaseID: req.ChaseID})
}

// --- helpers ---

func (t *task) recordChange(ctx workflow.Context, by, user, action, note string, ch *relay.Change) {
	t.recordEvent(ctx, relay.Event{By: by, User: user, Action: action, Note: note, Change: ch})
}

// unitRefs are the task's units, lead first.
func (t *task) unitRefs() []relay.UnitRef {
	out := []relay.UnitRef{{ID: t.in.Item.Lead, Name: t.in.LeadName}}
	for _, c := range t.in.Item.Co {
		out = append(out, relay.UnitRef{ID: c, Name: t.unitName(c)})
	}
	return out
}

// assignmentAfter is the lead, supporting units and deputy a reassignment leaves.
// A new lead that was a supporting unit stops being one.
func (t *task) assignmentAfter(req model.Request) (lead relay.UnitRef, co []relay.UnitRef, deputy relay.UnitRef) {
	refs := t.unitRefs()
	lead, co = refs[0], refs[1:]
	deputy = relay.UnitRef{ID: t.in.Item.Deputy, Name: t.in.DeputyName}
	if req.Lead != nil {
		lead = *req.Lead
	}
	if req.SetCo {
		co = req.Co
	}
	if req.Deputy != nil {
		deputy = *req.Deputy
	}
	if req.Lead != nil && !req.SetCo {
		co = slices.DeleteFunc(slices.Clone(co), func(u relay.UnitRef) bool { return u.ID == lead.ID })
	}
	return lead, co, deputy
}

func (t *task) roleOf(unit string) string {
	if unit == t.in.Item.Lead {
		return relay.RoleLead
	}
	return relay.RoleCo
}

// notifyAllUnits sends one notice to every unit of the task.
func (t *task) notifyAllUnits(ctx workflow.Context, kind, subject, body string) {
	for _, u := range t.unitRefs() {
		t.notifyUnitNamed(ctx, kind, u.ID, u.Name, t.roleOf(u.ID), subject, body)
	}
}

func (t *task) notifyUnit(ctx workflow.Context, kind, unit, role, subject, body string) {
	t.notifyUnitNamed(ctx, kind, unit, t.unitName(unit), role, subject, body)
}

// notifyUnitNamed queues a notice to a unit listing the task with the unit's role.
func (t *task) notifyUnitNamed(ctx workflow.Context, kind, unit, name, role, subject, body string) {
	t.notify(ctx, kind, relay.ToUnit, unit, name, subject, body)
	n := &t.c.Pending[len(t.c.Pending)-1]
	if n.Items[0].Role != role {
		n.Items[0].Role = role
		n.Hash = relay.SealNotice(*n)
	}
}

func unitIDs(us []relay.UnitRef) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func unitNames(us []relay.UnitRef) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}
