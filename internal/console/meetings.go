package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"taskrelay/internal/directory"
	"taskrelay/internal/refusal"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/tasklist"
)

// uploadLimit bounds an upload's request body: the task list's own limit plus the form.
const uploadLimit = tasklist.MaxFileSize + 64<<10

// allMeetings lists every meeting and reads their views side by side; errs[i] is
// meeting i's read error. On a listing error it has already answered.
func (s *Server) allMeetings(q *req) ([]relayclient.MeetingRef, []relay.MeetingView, []error, bool) {
	ms, err := s.cfg.API.Meetings(q.ctx)
	if err != nil {
		s.fail(q, http.StatusBadGateway, err.Error())
		return nil, nil, nil, false
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	views, errs := s.cfg.API.MeetingViews(q.ctx, ids)
	return ms, views, errs, true
}

type meetingRow struct {
	relayclient.MeetingRef
	View relay.MeetingView
	Err  string
}

func (s *Server) meetings(q *req) {
	ms, views, errs, ok := s.allMeetings(q)
	if !ok {
		return
	}
	rows := make([]meetingRow, len(ms))
	for i, m := range ms {
		rows[i] = meetingRow{MeetingRef: m, View: views[i]}
		if errs[i] != nil {
			rows[i].Err = errs[i].Error()
		}
	}
	s.render(q, http.StatusOK, "meetings", "任务清单", struct {
		Meetings []meetingRow
		CanAdopt bool
	}{rows, officeRoles.allow(q.user.Role)}, "", "")
}

type meetingData struct {
	View      relay.MeetingView
	AdoptedBy string // who adopted it, by name and role
	Proposed  bool
	CanAdopt  bool
	Rows      []meetingItem
	Notices   []noticeView
	// Instructors: the inspection office may write an instruction on the meeting's
	// tasks on behalf of one of them (changes.go).
	Instructors []directory.Leader
	// Warnings: a submitted list's warnings as of today (tasklist.Warnings), shown
	// until it is adopted; Late: the items whose deadline had passed at dispatch.
	Warnings tasklist.Problems
	Late     tasklist.Problems
}

type meetingItem struct {
	relay.Item
	TaskID     string
	LeadName   string
	CoNames    []string
	DeputyName string
}

type noticeView struct {
	relay.DispatchNotice
	Items  []noticeItem
	ReadAt *time.Time // when one of the unit's people first opened it
}

func (s *Server) meetingPage(q *req) {
	id := q.r.PathValue("id")
	v, err := s.meeting(q, id)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, refusal.ErrNotFound) {
			status = http.StatusNotFound
		}
		s.fail(q, status, err.Error())
		return
	}
	flash := ""
	switch q.r.URL.Query().Get("done") {
	case "submitted":
		flash = "任务清单已通过校验并提交，请核对分解方案后通过。"
	case "exists":
		flash = "这次会议的任务清单已提交过，未重复创建。"
	case "adopted":
		flash = "已通过并交办：各任务已启动，每个单位收到一份交办单。"
	case "instructed":
		if n, err := strconv.Atoi(q.r.URL.Query().Get("n")); err == nil {
			flash = fmt.Sprintf("批示已录入：%d 项任务的各单位已收到。", n)
		}
	}
	s.renderMeeting(q, http.StatusOK, v, flash, "")
}

func (s *Server) renderMeeting(q *req, status int, v relay.MeetingView, flash, errMsg string) {
	d := meetingData{View: v, Proposed: v.State == relay.MeetingProposed, CanAdopt: officeRoles.allow(q.user.Role),
		AdoptedBy: s.actorLabel(v.AdoptedBy)}
	if isInspection(q.user) {
		d.Instructors = s.instructors()
	}
	switch {
	case d.Proposed:
		today := s.cfg.Now().In(relay.TimeZone).Format(relay.DateLayout)
		d.Warnings = tasklist.Warnings(relay.Plan{Meeting: v.Meeting, Items: v.Items, Units: v.Units, SourceFile: v.SourceFile}, today)
	case v.DispatchedAt != nil:
		d.Late = tasklist.LateWarnings(v.Items, *v.DispatchedAt)
	}
	unit := func(id string) string {
		for _, u := range v.Units {
			if u.ID == id {
				return u.Name
			}
		}
		return id
	}
	titles := map[int]string{}
	for _, it := range v.Items {
		row := meetingItem{Item: it, TaskID: relay.TaskID(v.Meeting.ID, it.No), LeadName: unit(it.Lead)}
		for _, c := range it.Co {
			row.CoNames = append(row.CoNames, unit(c))
		}
		for _, l := range v.Leaders {
			if l.ID == it.Deputy {
				row.DeputyName = l.Name
			}
		}
		titles[it.No] = it.Title
		d.Rows = append(d.Rows, row)
	}
	var reads map[string]time.Time
	if len(v.Notices) > 0 {
		reads = s.readTimes(q, v.Meeting.ID)
	}
	for _, n := range v.Notices {
		nv := noticeView{DispatchNotice: n}
		if at, ok := reads[n.Unit]; ok {
			nv.ReadAt = &at
		}
		for _, it := range n.Items {
			nv.Items = append(nv.Items, noticeItem{it.No, relay.TaskID(v.Meeting.ID, it.No), titles[it.No], it.Role})
		}
		d.Notices = append(d.Notices, nv)
	}
	sort.Slice(d.Notices, func(i, j int) bool { return d.Notices[i].Unit < d.Notices[j].Unit })
	s.render(q, status, "meeting", v.Meeting.Name, d, flash, errMsg)
}

// meeting reads a meeting named in a path; the engine's calls refuse an id that is
// not UTF-8 outright, and no such meeting exists.
func (s *Server) meeting(q *req, id string) (relay.MeetingView, error) {
	if !utf8.ValidString(id) {
		return relay.MeetingView{}, &refusal.Error{Kind: refusal.ErrNotFound, Subject: refusal.Meeting, ID: strings.ToValidUTF8(id, "\uFFFD")}
	}
	return s.cfg.API.Meeting(q.ctx, id)
}

// adopt records the executive meeting's adoption with any change of deputy.
func (s *Server) adopt(q *req) {
	id := q.r.PathValue("id")
	v, err := s.meeting(q, id)
	if err != nil {
		s.fail(q, http.StatusNotFound, err.Error())
		return
	}
	ar := relay.AdoptRequest{By: q.user.Username}
	known := map[string]bool{}
	for _, l := range v.Leaders {
		known[l.ID] = true
	}
	for _, it := range v.Items {
		d := q.r.PostFormValue("deputy_" + strconv.Itoa(it.No))
		if d == "" || d == it.Deputy {
			continue
		}
		if !known[d] {
			s.renderMeeting(q, http.StatusUnprocessableEntity, v, "", fmt.Sprintf("第%d项：没有县领导 %q", it.No, d))
			return
		}
		if ar.Deputies == nil {
			ar.Deputies = map[int]string{}
		}
		ar.Deputies[it.No] = d
	}
	if _, err := s.cfg.API.Adopt(q.ctx, id, ar); err != nil {
		s.renderMeeting(q, http.StatusConflict, v, "", relayclient.Reason(err).Error())
		return
	}
	s.redirect(q, MeetingURL(id)+"?done=adopted")
}

// --- upload ---

type problemRow struct {
	Where   string
	Field   string
	Message string
}

type uploadData struct {
	File     string
	Meeting  tasklist.MeetingFlags
	Problems []problemRow
	MaxMiB   int
}

func (s *Server) uploadPage(q *req) {
	s.render(q, http.StatusOK, "upload", "上传任务清单", uploadData{MaxMiB: tasklist.MaxFileSize >> 20}, "", "")
}

// upload validates a task list with tasklist.Parse; any problem is shown inline, by
// item and field, and nothing starts. A valid list is submitted (not yet adopted).
func (s *Server) upload(q *req) {
	d := uploadData{MaxMiB: tasklist.MaxFileSize >> 20, Meeting: tasklist.MeetingFlags{
		ID:   strings.TrimSpace(q.r.PostFormValue("meeting_id")),
		Name: strings.TrimSpace(q.r.PostFormValue("meeting_name")),
		Date: strings.TrimSpace(q.r.PostFormValue("meeting_date")),
	}}
	file, hdr, err := q.r.FormFile("file")
	if err != nil {
		s.render(q, http.StatusUnprocessableEntity, "upload", "上传任务清单", d, "", "请选择任务清单文件（.xlsx、.docx、.yaml 或 .json）")
		return
	}
	defer file.Close()
	d.File = filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
	data, err := io.ReadAll(io.LimitReader(file, tasklist.MaxFileSize+1))
	if err != nil {
		s.render(q, http.StatusUnprocessableEntity, "upload", "上传任务清单", d, "", "无法读取上传的文件")
		return
	}
	plan, err := tasklist.Parse(d.File, data, s.cfg.Directory, d.Meeting)
	if err != nil {
		var ps tasklist.Problems
		if !errors.As(err, &ps) {
			ps = tasklist.Problems{{File: d.File, Message: err.Error()}}
		}
		for _, p := range ps {
			where, field := "整个文件", p.Field
			if p.Item > 0 {
				where = fmt.Sprintf("第%d项", p.Item)
			}
			// A table's problem names its row and its own column heading.
			if p.Row > 0 {
				where += fmt.Sprintf("（表格第%d行）", p.Row)
			}
			if p.Column != "" {
				field = "列“" + p.Column + "”"
			}
			d.Problems = append(d.Problems, problemRow{where, field, p.Message})
		}
		s.render(q, http.StatusUnprocessableEntity, "upload", "上传任务清单", d, "",
			fmt.Sprintf("任务清单 %s 未通过校验，共 %d 个问题，未启动任何流程。", d.File, len(d.Problems)))
		return
	}
	created, err := s.cfg.API.Submit(q.ctx, *plan)
	if err != nil {
		s.render(q, http.StatusBadGateway, "upload", "上传任务清单", d, "", relayclient.Reason(err).Error())
		return
	}
	done := "submitted"
	if !created {
		done = "exists"
	}
	s.redirect(q, MeetingURL(plan.Meeting.ID)+"?"+url.Values{"done": {done}}.Encode())
}
