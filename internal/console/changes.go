package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/seclog"
	"taskrelay/internal/task"
)

// The changes to an adopted task (relay/changes.go) on its page, for the roles that
// may take them: the government office reassigns, amends, withdraws and decides a
// unit's push back; the inspection office reassigns and writes a leader's instruction
// on his or her behalf; a unit of the task pushes it back within the window; a leader
// writes instructions on the tasks in his or her charge (the county head on any).
// Roles are checked here on the task itself, the engine's validators check again, and
// a refusal shows the engine's reason and changes nothing. The calls are relayclient.s
// Change, as the starter's commands of the same names use.

// changeRule is who may send a change from the console, and what a refusal says.
type changeRule struct {
	roles   roles
	refusal string
}

var changeRules = map[string]changeRule{
	relay.UpdateReassign:       {roles{accounts.RoleOffice, accounts.RoleInspection, accounts.RoleAdmin}, "只有县政府办公室或县政府督查室可以调整分工"},
	relay.UpdateAmend:          {officeRoles, "只有县政府办公室可以调整事项"},
	relay.UpdateWithdraw:       {officeRoles, "只有县政府办公室可以撤销任务"},
	relay.UpdateDecidePushback: {officeRoles, "退回申请由县政府办公室决定"},
	relay.UpdatePushback:       {unitRoles, "只有任务的牵头或配合单位可以退回交办"},
	relay.UpdateInstruct:       {roles{accounts.RoleLeader, accounts.RoleInspection, accounts.RoleAdmin}, "批示由分管县领导、县长或县政府督查室代为录入"},
	relay.UpdateChase:          {roles{accounts.RoleInspection, accounts.RoleAdmin}, "催办由县政府督查室办理"},
}

// changeDone is the flash after a change went through.
var changeDone = map[string]string{
	relay.UpdateReassign:       "已调整分工，新增单位已收到交办单，移出的单位已收到撤销通知。",
	relay.UpdateAmend:          "已调整事项，各单位已收到调整通知。",
	relay.UpdateWithdraw:       "任务已撤销，各单位已收到撤销通知。",
	relay.UpdatePushback:       "退回申请已提交，等待县政府办公室决定。",
	relay.UpdateDecidePushback: "已对退回申请作出决定，申请单位已收到答复。",
	relay.UpdateInstruct:       "批示已录入，任务各单位已收到。",
	relay.UpdateChase:          "催办单已发出，请该单位在回复期限前报送进展。",
}

// Form fields of the change forms, kept on a refusal.
var changeFields = []string{"lead", "deputy", "reason", "deadline", "requirements", "suggest", "decision", "note", "by", "text", "unit", "reply_by", "all"}

// changesView is what the task page shows of the changes, and which change forms.
type changesView struct {
	Withdrawn       bool
	WithdrawnReason string
	Pushback        *pushbackRow
	Instructions    []relay.Instruction
	// Forms.
	Office        bool // amend, withdraw: the office (and the administrator)
	Reassign      bool // the office or the inspection office
	Decide        bool // the office, on a pending push back
	CanPushback   bool // a unit of the task within its window, once
	PushbackUntil string
	Instruct      bool
	Instructors   []directory.Leader // the inspection office picks on whose behalf
	InstructAs    string             // a leader instructs as himself or herself
	Chase         bool               // the inspection office chases one of ChaseUnits
	ChaseUnits    []relay.UnitRef
	ReplyBy       string // the reply-by date offered
	Chases        []chaseRow
	// Select lists from the directory, and what is selected: the assignment now, and
	// on a push back the one offered (the unit suggested leading, without the unit
	// pushing back).
	Units                []directory.Unit
	Leaders              []directory.Leader
	Lead, Co             unitChoice
	DecideLead, DecideCo unitChoice
}

// unitChoice is a select list of the directory's units and the ones selected.
type unitChoice struct {
	Units []directory.Unit
	Sel   map[string]bool
}

func (s *Server) choice(ids ...string) unitChoice {
	c := unitChoice{Units: s.cfg.Directory.Units, Sel: map[string]bool{}}
	for _, id := range ids {
		c.Sel[id] = true
	}
	return c
}

type chaseRow struct {
	relay.Chase
	UnitName string
}

type pushbackRow struct {
	relay.Pushback
	UnitName, SuggestName, StateLabel string
}

var pushbackStates = map[string]string{
	relay.PushbackPending:    "待县政府办公室决定",
	relay.PushbackKept:       "已决定：维持原分工",
	relay.PushbackReassigned: "已决定：调整分工",
}

// isOffice: the government office, and the administrator acting for it.
func isOffice(u accounts.User) bool {
	return u.Role == accounts.RoleOffice || u.Role == accounts.RoleAdmin
}

// head is the county head's directory entry when u is the county head's account.
func (s *Server) head(u accounts.User) (directory.Leader, bool) {
	if u.Role != accounts.RoleLeader || u.Leader == "" {
		return directory.Leader{}, false
	}
	return s.cfg.Directory.ResolveHead(u.Leader)
}

func (s *Server) changesOf(u accounts.User, t relay.TaskView, open bool) changesView {
	c := changesView{Withdrawn: t.State == relay.StateWithdrawn, Instructions: t.Instructions,
		Units: s.cfg.Directory.Units, Leaders: s.cfg.Directory.Leaders}
	for _, ch := range t.Chases {
		c.Chases = append(c.Chases, chaseRow{Chase: ch, UnitName: s.unitName(ch.Unit)})
	}
	for _, e := range t.Timeline {
		if e.Action == relay.ActWithdrawn && e.Change != nil {
			c.WithdrawnReason = e.Change.Reason
		}
	}
	pending := false
	if p := t.Pushback; p != nil {
		c.Pushback = &pushbackRow{Pushback: *p, UnitName: s.unitName(p.Unit), StateLabel: pushbackStates[p.State]}
		if p.Suggest != "" {
			c.Pushback.SuggestName = s.unitName(p.Suggest)
		}
		pending = p.State == relay.PushbackPending
	}
	if !open {
		return c
	}
	c.Lead, c.Co = s.choice(t.LeadUnit), s.choice(t.CoUnits...)
	c.Office = isOffice(u)
	c.Reassign = changeRules[relay.UpdateReassign].roles.allow(u.Role)
	c.Decide = c.Office && pending
	if c.Decide {
		p := t.Pushback
		switch {
		case p.Suggest != "":
			c.DecideLead = s.choice(p.Suggest)
		case p.Unit != t.LeadUnit:
			c.DecideLead = s.choice(t.LeadUnit)
		default:
			c.DecideLead = s.choice()
		}
		c.DecideCo = s.choice(slices.DeleteFunc(slices.Clone(t.CoUnits), func(id string) bool { return id == p.Unit })...)
	}
	if accounts.IsUnitRole(u.Role) && t.IsUnitOf(u.Unit) && !pending {
		until := s.pushbackUntil(t, u.Unit)
		c.CanPushback = !pushedBack(t, u.Unit) && s.cfg.Now().Before(until)
		c.PushbackUntil = countyTime(until)
	}
	if changeRules[relay.UpdateChase].roles.allow(u.Role) {
		c.Chase, c.ReplyBy = true, s.cfg.Now().In(relay.TimeZone).AddDate(0, 0, 3).Format(relay.DateLayout)
		c.ChaseUnits = append(c.ChaseUnits, relay.UnitRef{ID: t.LeadUnit, Name: t.LeadUnitName})
		for i, id := range t.CoUnits {
			c.ChaseUnits = append(c.ChaseUnits, relay.UnitRef{ID: id, Name: s.unitName(id)})
			if i < len(t.CoUnitNames) {
				c.ChaseUnits[i+1].Name = t.CoUnitNames[i]
			}
		}
	}
	switch {
	case isInspection(u):
		c.Instruct = true
		if l, ok := s.cfg.Directory.Leader(t.Deputy); ok {
			c.Instructors = append(c.Instructors, l)
		}
		if h := s.cfg.Directory.Head; h != nil {
			c.Instructors = append(c.Instructors, *h)
		}
	case u.Role == accounts.RoleLeader:
		if h, ok := s.head(u); ok {
			c.Instruct, c.InstructAs = true, h.Name+"（"+h.Title+"）"
		} else if u.Leader == t.Deputy {
			c.Instruct, c.InstructAs = true, s.leaderName(u.Leader)
		}
	}
	return c
}

// pushbackUntil is the end of the unit's window to push the task back: the days
// after it received the task, at dispatch or when a reassignment added it.
func (s *Server) pushbackUntil(t relay.TaskView, unit string) time.Time {
	var received time.Time
	for _, e := range t.Timeline {
		added := e.Action == relay.ActReassigned && e.Change != nil && slices.Contains(e.Change.Added, unit)
		if (e.Action == relay.ActDispatched && received.IsZero()) || added {
			received = e.At
		}
	}
	days := s.cfg.PushbackDays
	if days <= 0 {
		days = relay.DefaultPushbackDays
	}
	return received.AddDate(0, 0, days)
}

// pushedBack: the unit has pushed this task back before (once is all it may).
func pushedBack(t relay.TaskView, unit string) bool {
	if t.Pushback != nil && t.Pushback.Unit == unit {
		return true
	}
	for _, e := range t.Timeline {
		if e.Action == relay.ActPushedBack && e.Change != nil && e.Change.Unit == unit {
			return true
		}
	}
	return false
}

// changeAction sends one change to a task for the signed-in user.
func (s *Server) changeAction(q *req, id, action string) {
	u := q.user
	rule := changeRules[action]
	if !rule.roles.allow(u.Role) {
		s.fail(q, http.StatusForbidden, rule.refusal)
		return
	}
	t, ok := s.loadTask(q, id)
	if !ok {
		return
	}
	switch {
	case action == relay.UpdatePushback && !t.IsUnitOf(u.Unit):
		s.fail(q, http.StatusForbidden, "您的单位不是任务 "+id+" 的牵头或配合单位，无权退回")
		return
	case action == relay.UpdateInstruct && u.Role == accounts.RoleLeader && u.Leader != t.Deputy:
		if _, ok := s.head(u); !ok {
			s.fail(q, http.StatusForbidden, "只有此任务的分管县领导或县长可以批示")
			return
		}
	}
	f := q.r.PostForm
	form := map[string]string{"form": action}
	for _, k := range changeFields {
		form[k] = f.Get(k)
	}
	if action == relay.UpdateChase {
		s.chase(q, t, form)
		return
	}
	req, msg := s.changeRequest(u, t, action, f)
	if msg == "" {
		if err := req.CheckText(action); err != nil {
			msg = err.Error()
		}
	}
	if msg != "" {
		s.renderTask(q, http.StatusUnprocessableEntity, t, form, "", msg)
		return
	}
	// The form's own id is the update id, as for the other actions.
	var after relay.TaskView
	var err error
	if rid := requestID(q); rid != "" {
		after, err = s.cfg.API.ActOnce(q.ctx, id, action, rid, req)
	} else {
		after, err = s.cfg.API.Act(q.ctx, id, action, req)
	}
	if err != nil {
		s.engineRefused(q, id, action, t, form, err)
		return
	}
	s.redirect(q, TaskURL(after.ID)+"?done="+action)
}

// changeRequest reads a change form into the engine's request; a non-empty answer is
// what is wrong with the form, in Chinese.
func (s *Server) changeRequest(u accounts.User, t relay.TaskView, action string, f url.Values) (task.Request, string) {
	req := task.Request{User: u.Username, Reason: strings.TrimSpace(f.Get("reason")), By: relay.Office}
	if u.Role == accounts.RoleInspection {
		req.By = relay.Inspection
	}
	switch action {
	case relay.UpdateReassign:
		if msg := s.assignment(t, f, &req); msg != "" {
			return req, msg
		}
		if d := strings.TrimSpace(f.Get("deputy")); d != "" && d != t.Deputy {
			l, ok := s.cfg.Directory.ResolveLeader(d)
			if !ok {
				return req, "机构目录中没有县领导“" + d + "”"
			}
			req.Deputy = &relay.UnitRef{ID: l.ID, Name: l.Name}
		}
		s.cfg.Directory.FollowLead(&req)
		if req.Lead == nil && !req.SetCo && req.Deputy == nil {
			return req, "分工未作改动：请选择新的牵头单位、配合单位或分管县领导"
		}
		return req, need(req.Reason, "请填写调整理由")
	case relay.UpdateAmend:
		if d := strings.TrimSpace(f.Get("deadline")); d != "" && d != t.Deadline {
			req.Deadline = d
		}
		if r := strings.TrimSpace(f.Get("requirements")); f.Has("requirements") && r != strings.TrimSpace(t.Requirements) {
			req.Requirements = r
		}
		if req.Deadline == "" && req.Requirements == "" {
			return req, "事项未作改动：请修改完成时限或具体要求"
		}
		return req, need(req.Reason, "请填写调整理由")
	case relay.UpdateWithdraw:
		return req, need(req.Reason, "请填写撤销理由")
	case relay.UpdatePushback:
		req.By, req.Unit = "", u.Unit
		if sg := strings.TrimSpace(f.Get("suggest")); sg != "" {
			x, ok := s.cfg.Directory.ResolveUnit(sg)
			if !ok {
				return req, "机构目录中没有单位“" + sg + "”"
			}
			req.Suggest = &relay.UnitRef{ID: x.ID, Name: x.Name}
		}
		return req, need(req.Reason, "请填写退回理由")
	case relay.UpdateDecidePushback:
		req.Reason = strings.TrimSpace(f.Get("note"))
		switch f.Get("decision") {
		case "keep":
			req.Keep = true
		case "reassign":
			if msg := s.assignment(t, f, &req); msg != "" {
				return req, msg
			}
			if req.Lead == nil && !req.SetCo {
				return req, "请选择新的牵头单位或调整配合单位"
			}
			s.cfg.Directory.FollowLead(&req)
		default:
			return req, "请选择维持原分工或调整分工"
		}
		return req, need(req.Reason, "请填写决定意见")
	case relay.UpdateInstruct:
		req.Reason, req.Text = "", strings.TrimSpace(f.Get("text"))
		by := u.Leader
		if u.Role != accounts.RoleLeader {
			by = strings.TrimSpace(f.Get("by"))
		}
		switch h, isHead := s.cfg.Directory.ResolveHead(by); {
		case isHead:
			req.By, req.ByName, req.ByRole = h.ID, h.Name, relay.RoleCountyHead
		case by != "" && by == t.Deputy:
			req.By, req.ByName = by, s.leaderName(by)
		default:
			return req, "请选择作批示的县领导：此任务的分管县领导或县长"
		}
		return req, need(req.Text, "请填写批示内容")
	}
	return req, ""
}

func need(value, msg string) string {
	if value == "" {
		return msg
	}
	return ""
}

// assignment reads the lead and supporting units of a reassignment form: a lead that
// differs from today's, and the supporting units when the form showed them (co_shown)
// and they differ as a set.
func (s *Server) assignment(t relay.TaskView, f url.Values, req *task.Request) string {
	lead := t.LeadUnit
	if l := strings.TrimSpace(f.Get("lead")); l != "" {
		x, ok := s.cfg.Directory.ResolveUnit(l)
		if !ok {
			return "机构目录中没有单位“" + l + "”"
		}
		if x.ID != t.LeadUnit {
			lead, req.Lead = x.ID, &relay.UnitRef{ID: x.ID, Name: x.Name}
		}
	}
	if f.Get("co_shown") == "" {
		return ""
	}
	var co []relay.UnitRef
	var ids []string
	for _, c := range f["co"] {
		x, ok := s.cfg.Directory.ResolveUnit(c)
		if !ok {
			return "机构目录中没有单位“" + c + "”"
		}
		if x.ID == lead || slices.Contains(ids, x.ID) {
			continue // the lead is not also supporting; a unit counts once
		}
		co, ids = append(co, relay.UnitRef{ID: x.ID, Name: x.Name}), append(ids, x.ID)
	}
	now := slices.DeleteFunc(slices.Clone(t.CoUnits), func(id string) bool { return id == lead })
	slices.Sort(now)
	slices.Sort(ids)
	if !slices.Equal(now, ids) {
		req.Co, req.SetCo = co, true
	}
	return ""
}

// instructors: the county's deputies and its head, on whose behalf the inspection
// office writes instructions.
func (s *Server) instructors() []directory.Leader {
	out := slices.Clone(s.cfg.Directory.Leaders)
	if h := s.cfg.Directory.Head; h != nil {
		out = append(out, *h)
	}
	return out
}

// instructMeeting: the inspection office writes a leader's instruction on every open
// task of a meeting in his or her charge (the county head's: on all of them).
func (s *Server) instructMeeting(q *req) {
	id := q.r.PathValue("id")
	v, err := s.meeting(q, id)
	if err != nil {
		s.fail(q, http.StatusNotFound, err.Error())
		return
	}
	by := strings.TrimSpace(q.r.PostFormValue("by"))
	req := task.Request{User: q.user.Username, Text: strings.TrimSpace(q.r.PostFormValue("text"))}
	msg := ""
	if h, ok := s.cfg.Directory.ResolveHead(by); ok {
		req.By, req.ByName, req.ByRole = h.ID, h.Name, relay.RoleCountyHead
	} else if l, ok := s.cfg.Directory.Leader(by); ok {
		req.By, req.ByName = l.ID, l.Name
	} else {
		msg = "请选择作批示的县领导"
	}
	if msg == "" {
		msg = need(req.Text, "请填写批示内容")
	}
	if msg == "" {
		if err := req.CheckText(relay.UpdateInstruct); err != nil {
			msg = err.Error()
		}
	}
	if msg != "" {
		s.renderMeeting(q, http.StatusUnprocessableEntity, v, "", msg)
		return
	}
	views, err := s.cfg.API.InstructMeeting(q.ctx, id, requestID(q), req)
	if err != nil {
		reason := relayclient.Reason(err).Error()
		s.secLog(q, q.user.Username, seclog.Refused, "引擎拒绝 instruct "+id+"："+reason)
		s.renderMeeting(q, http.StatusConflict, v, "", reason)
		return
	}
	s.redirect(q, MeetingURL(id)+"?done=instructed&n="+strconv.Itoa(len(views)))
}

// chase: the inspection office chases one unit of the task, on this task or on every
// open task of the unit, in one 催办单 (relayclient.Chase, as starter chase). The
// form's own id is the chase's: sent twice, it is sent once.
func (s *Server) chase(q *req, t relay.TaskView, form map[string]string) {
	in := relay.ChaseInput{Unit: form["unit"], ReplyBy: strings.TrimSpace(form["reply_by"]),
		Note: strings.TrimSpace(form["note"]), User: q.user.Username, Tasks: []string{t.ID}}
	if !t.IsUnitOf(in.Unit) {
		s.renderTask(q, http.StatusUnprocessableEntity, t, form, "", "请选择此任务的牵头或配合单位")
		return
	}
	in.UnitName = s.unitName(in.Unit)
	if form["all"] == "1" {
		in.Tasks = nil // every open task of the unit
	}
	if rid := q.r.PostFormValue(RequestIDField); rid != "" {
		in.ID = "console-" + rid
	}
	if _, err := s.cfg.API.Chase(q.ctx, in); err != nil {
		s.engineRefused(q, t.ID, relay.UpdateChase, t, form, err)
		return
	}
	s.redirect(q, TaskURL(t.ID)+"?done="+relay.UpdateChase)
}
