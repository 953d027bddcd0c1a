package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"taskrelay/internal/accounts"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/seclog"
	model "taskrelay/internal/task"
)

type eventRow struct {
	relay.Event
	Actor string // who, in words
	Who   string // the person, when known
}

type taskData struct {
	Task        relay.TaskView
	Source      *relay.Item // the committee's item as adopted (its original wording)
	Meeting     relay.Meeting
	Events      []eventRow
	IsUnit      bool // the user is a unit of the task and may act on it
	CanAck      bool
	CanExt      bool
	CanDone     bool
	Decide      bool // may decide the pending extension
	Verify      bool // may verify the submitted completion
	Closed      bool
	Form        map[string]string // what the user typed, kept on a refusal
	Today       string
	Progress    int
	ShowMeeting bool
	// People: the unit head assigns the task to one of People and signs off a
	// completion waiting for it (HeadReview).
	Head       bool
	People     []accounts.User
	HeadReview bool
	// Changes: the push back, instructions and withdrawal, and the change forms the
	// user may use (changes.go).
	Changes changesView
	// Responsible are the task's 责任人 as shown: each unit's person by name.
	Responsible []string
}

func (s *Server) loadTask(q *req, id string) (relay.TaskView, bool) {
	if !utf8.ValidString(id) { // the engine's calls refuse such ids outright
		s.fail(q, http.StatusNotFound, "找不到任务 "+strings.ToValidUTF8(id, "\uFFFD"))
		return relay.TaskView{}, false
	}
	t, err := s.cfg.API.Task(q.ctx, id)
	if err != nil {
		if errors.Is(err, refusal.ErrNotFound) {
			s.fail(q, http.StatusNotFound, err.Error())
		} else {
			s.fail(q, http.StatusBadGateway, err.Error())
		}
		return t, false
	}
	if _, head := s.head(q.user); !canSeeTask(q.user, t) && !head { // the county head sees every task
		s.fail(q, http.StatusForbidden, "您无权查看任务 "+id+"：它不属于您的单位或分管范围")
		return t, false
	}
	return t, true
}

func (s *Server) taskPage(q *req) {
	id := q.r.PathValue("id")
	t, ok := s.loadTask(q, id)
	if !ok {
		return
	}
	flash := ""
	if d := q.r.URL.Query().Get("done"); d != "" {
		flash = doneMessage(d)
		if d == relay.UpdateComplete && t.State == relay.StateHeadReview {
			flash = "办结情况已报单位负责人审核，审核同意后报送县政府督查室。"
		}
	}
	s.renderTask(q, http.StatusOK, t, nil, flash, "")
}

func doneMessage(action string) string {
	switch action {
	case relay.UpdateAck:
		return "已签收。"
	case relay.UpdateProgress:
		return "进展已报告。"
	case relay.UpdateExtend:
		return "延期申请已提交，等待分管县领导或督查室批复。"
	case relay.UpdateDecideExtension:
		return "已批复延期申请。"
	case relay.UpdateComplete:
		return "办结情况已报送，等待督查室审核。"
	case relay.UpdateVerify:
		return "审核意见已记录。"
	case relay.UpdateAssign:
		return "已确定责任人。"
	case relay.UpdateHeadReview:
		return "审核意见已记录。"
	}
	return changeDone[action]
}

func (s *Server) renderTask(q *req, status int, t relay.TaskView, form map[string]string, flash, errMsg string) {
	d := taskData{Task: t, Form: form, Closed: t.State == relay.StateClosed, Progress: t.Progress,
		Today: s.cfg.Now().In(relay.TimeZone).Format(relay.DateLayout)}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	u := q.user
	open := !d.Closed && t.State != relay.StateWithdrawn
	d.IsUnit = accounts.IsUnitRole(u.Role) && t.IsUnitOf(u.Unit) && open
	d.CanAck = d.IsUnit && t.State == relay.StateDispatched
	d.CanExt = d.IsUnit && t.Extension == nil && !t.Standing // a standing task has no deadline to extend
	d.CanDone = d.IsUnit && t.State != relay.StateCompletionSubmitted
	d.Decide = open && t.Extension != nil && (isInspection(u) || (u.Role == accounts.RoleLeader && u.Leader == t.Deputy))
	d.ShowMeeting = boardRoles.allow(u.Role)
	d.Verify = open && t.State == relay.StateCompletionSubmitted && isInspection(u)
	d.Head = d.IsUnit && u.Role == accounts.RoleUnitHead
	d.HeadReview = d.Head && t.State == relay.StateHeadReview
	d.CanDone = d.CanDone && t.State != relay.StateHeadReview
	if d.Head {
		if all, err := s.ourUsers(); err == nil {
			for _, p := range all {
				if accounts.IsUnitRole(p.Role) && p.Unit == u.Unit {
					d.People = append(d.People, p)
				}
			}
		}
	}
	d.Changes = s.changesOf(u, t, open)
	d.Responsible = s.responsible(t)
	if m, err := s.cfg.API.Meeting(q.ctx, t.Meeting); err == nil {
		d.Meeting = m.Meeting
		for i := range m.Items {
			if m.Items[i].No == t.No {
				d.Source = &m.Items[i]
			}
		}
	}
	names := map[string]string{}
	for i, c := range t.CoUnits {
		if i < len(t.CoUnitNames) {
			names[c] = t.CoUnitNames[i]
		}
	}
	names[t.LeadUnit] = t.LeadUnitName
	if t.Deputy != "" {
		names[t.Deputy] = t.DeputyName
	}
	for _, e := range t.Timeline {
		r := eventRow{Event: e, Actor: names[e.By]}
		switch {
		case e.By == relay.Inspection:
			r.Actor = "县政府督查室"
		case e.By == relay.Office:
			r.Actor = "县政府办公室"
		case e.By == "system" || e.By == "":
			r.Actor = "系统"
		case r.Actor == "":
			r.Actor = s.leaderName(e.By)
			if r.Actor == e.By {
				r.Actor = s.unitName(e.By)
			}
		}
		r.Actor = e.ActorLabel(r.Actor) // an operator's action: "操作员 NAME 代 …"
		if e.User != "" {
			r.Who = s.personName(e.User)
		}
		d.Events = append(d.Events, r)
	}
	title := "任务 " + t.ID
	if d.Meeting.Name != "" {
		title = d.Meeting.Name + " 第" + strconv.Itoa(t.No) + "项"
	}
	s.render(q, status, "task", title, d, flash, errMsg)
}

// responsible lists the task's 责任人: each unit's person (lead first) with the unit's
// name, or, on a task that names only one, that person.
func (s *Server) responsible(t relay.TaskView) []string {
	if len(t.Assignees) == 0 {
		if t.Assignee == "" {
			return nil
		}
		return []string{s.personName(t.Assignee)}
	}
	var out []string
	for i, u := range append([]string{t.LeadUnit}, t.CoUnits...) {
		if p := t.Assignees[u]; p != "" {
			name := t.LeadUnitName
			if i > 0 && i-1 < len(t.CoUnitNames) {
				name = t.CoUnitNames[i-1]
			}
			out = append(out, name+"："+s.personName(p))
		}
	}
	return out
}

// personName is an account as shown: 张三（rsj1）, or the username alone.
func (s *Server) personName(username string) string {
	if acc, ok, _ := s.cfg.Users.Get(username); ok && acc.Name != "" {
		return acc.Name + "（" + username + "）"
	}
	return username
}

// isInspection: the inspection office, and the administrator acting for it.
func isInspection(u accounts.User) bool {
	return u.Role == accounts.RoleInspection || u.Role == accounts.RoleAdmin
}

// taskAction performs one action on a task after checking, here, that the user's
// role allows it on this very task. The engine checks again (its validators).
func (s *Server) taskAction(q *req) {
	id, action := q.r.PathValue("id"), q.r.PathValue("action")
	if _, ok := changeRules[action]; ok {
		s.changeAction(q, id, action)
		return
	}
	f := q.r.PostForm
	form := map[string]string{}
	for _, k := range []string{"percent", "note", "until", "reason", "decision", "form"} {
		form[k] = f.Get(k)
	}
	u := q.user
	ar := model.Request{User: u.Username, Note: strings.TrimSpace(f.Get("note"))}
	switch action {
	case relay.UpdateAck, relay.UpdateProgress, relay.UpdateExtend, relay.UpdateComplete:
		if !accounts.IsUnitRole(u.Role) {
			s.fail(q, http.StatusForbidden, "只有责任单位可以签收、报告进展、申请延期和报送办结")
			return
		}
		ar.Unit = u.Unit
		if action == relay.UpdateComplete && u.Role == accounts.RoleUnit {
			// An officer's completion goes to the unit head first, when there is one.
			ar.HeadReview, _ = s.unitHead(u.Unit)
		}
	case relay.UpdateAssign, relay.UpdateHeadReview:
		if u.Role != accounts.RoleUnitHead {
			s.fail(q, http.StatusForbidden, "只有单位负责人可以指定责任人和审核本单位的办结报告")
			return
		}
		ar.Unit, ar.Head = u.Unit, true
	case relay.UpdateDecideExtension:
		switch {
		case isInspection(u):
			ar.By = relay.Inspection
		case u.Role == accounts.RoleLeader:
			ar.By = u.Leader
		default:
			s.fail(q, http.StatusForbidden, "延期申请由分管县领导或县政府督查室批复")
			return
		}
	case relay.UpdateVerify:
		if !isInspection(u) {
			s.fail(q, http.StatusForbidden, "办结由县政府督查室审核")
			return
		}
		ar.By = relay.Inspection
	default:
		s.fail(q, http.StatusNotFound, "没有操作 "+action)
		return
	}
	t, ok := s.loadTask(q, id)
	if !ok {
		return
	}
	if ar.Unit != "" && !t.IsUnitOf(ar.Unit) {
		s.fail(q, http.StatusForbidden, "您的单位不是任务 "+id+" 的牵头或配合单位，无权操作")
		return
	}
	if action == relay.UpdateDecideExtension && ar.By != relay.Inspection && ar.By != t.Deputy {
		s.fail(q, http.StatusForbidden, "只有此任务的分管县领导可以批复")
		return
	}
	refuse := func(msg string) { s.renderTask(q, http.StatusUnprocessableEntity, t, form, "", msg) }
	switch action {
	case relay.UpdateProgress:
		p, err := model.ParsePercent(f.Get("percent"))
		if err != nil {
			refuse(err.Error())
			return
		}
		ar.Percent = p
	case relay.UpdateExtend:
		ar.Until = strings.TrimSpace(f.Get("until"))
		ar.Note = strings.TrimSpace(f.Get("reason"))
	case relay.UpdateDecideExtension:
		switch f.Get("decision") {
		case "approve":
			ar.Approve = true
		case "deny":
		default:
			refuse("请选择同意或不同意")
			return
		}
	case relay.UpdateVerify:
		switch f.Get("decision") {
		case "accept":
			ar.Approve = true
		case "reject":
		default:
			refuse("请选择通过或退回")
			return
		}
	case relay.UpdateHeadReview:
		switch f.Get("decision") {
		case "approve":
			ar.Approve = true
		case "return":
		default:
			refuse("请选择同意报送或退回")
			return
		}
	case relay.UpdateAssign:
		ar.Person = strings.TrimSpace(f.Get("person"))
		if p, ok, _ := s.cfg.Users.Get(ar.Person); !ok || !accounts.IsUnitRole(p.Role) || p.Unit != u.Unit || !s.ours(p) {
			refuse("请从本单位的工作人员中选择责任人")
			return
		}
	}
	if err := ar.CheckText(action); err != nil {
		refuse(err.Error())
		return
	}
	// The form's own id is the update id: the engine applies it once however often
	// the form arrives (here or at another console process).
	var after relay.TaskView
	var err error
	rid := requestID(q)
	switch action {
	case relay.UpdateProgress, relay.UpdateExtend, relay.UpdateComplete:
		after, err = s.cfg.API.ActWithFiles(q.ctx, s.cfg.Evidence, id, action, rid, ar, uploads(q.r.MultipartForm))
	default:
		if rid != "" {
			after, err = s.cfg.API.ActOnce(q.ctx, id, action, rid, ar)
		} else {
			after, err = s.cfg.API.Act(q.ctx, id, action, ar)
		}
	}
	if err != nil {
		s.engineRefused(q, id, action, t, form, err)
		return
	}
	s.syncTodos(after)
	s.redirect(q, TaskURL(after.ID)+"?done="+action)
}

// engineRefused shows a refusal by the engine, which changes nothing: the task as it
// is now, with why; and records it in the security log.
func (s *Server) engineRefused(q *req, id, action string, t relay.TaskView, form map[string]string, err error) {
	if cur, rerr := s.cfg.API.Task(q.ctx, id); rerr == nil {
		t = cur
	}
	var msg = relayclient.Reason(err).Error()
	if errors.Is(err, refusal.ErrUnavailable) || (errors.Is(err, q.ctx.Err()) && q.ctx.Err() != nil) {
		msg = "引擎没有及时响应，请稍后刷新查看"
	}
	s.secLog(q, q.user.Username, seclog.Refused, "引擎拒绝 "+action+" "+id+"："+msg)
	s.renderTask(q, http.StatusConflict, t, form, "", msg)
}
