package console

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"taskrelay/internal/accounts"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
)

// The deliveries of notices on their channels (钉钉, 企业微信, 飞书, 邮件, webhook), as
// the worker's spool in its data folder holds them, for the inspection office: the
// same list as `starter deliveries`, with a button that sends a set-aside one again.
// Read receipts: a unit's person opening a notice marks it read for the unit.

var deliveryRoles = roles{accounts.RoleInspection, accounts.RoleAdmin}

func init() { extraNav = append(extraNav, navLink{"/deliveries", "通知投递", deliveryRoles}) }

func (s *Server) deliveryRoutes() {
	s.mux.Handle("GET /deliveries", s.auth(deliveryRoles, s.deliveriesPage))
	s.mux.Handle("POST /deliveries/retry", s.auth(deliveryRoles, s.retryDelivery))
	s.mux.Handle("GET /notices/{id}", s.auth(anyone, s.openNotice))
	s.mux.Handle("GET /notices/{id}/docx", s.auth(anyone, s.noticeDocx))
}

type deliveryRow struct {
	relay.Delivery
	ToName string
}

func (s *Server) deliveriesPage(q *req) {
	failedOnly := q.r.URL.Query().Get("failed") == "1"
	ds, err := s.cfg.Deliveries.Deliveries(q.ctx, failedOnly)
	if err != nil {
		s.fail(q, http.StatusInternalServerError, "读取投递记录失败："+err.Error())
		return
	}
	rows := make([]deliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = deliveryRow{Delivery: d, ToName: s.recipientName(d.To)}
	}
	flash := ""
	if q.r.URL.Query().Get("done") == "retry" {
		flash = "已重新排队，几秒内重新发送。"
	}
	s.render(q, http.StatusOK, "deliveries", "通知投递", struct {
		Rows       []deliveryRow
		FailedOnly bool
	}{rows, failedOnly}, flash, "")
}

// recipientName is a unit's or leader's name for an id.
func (s *Server) recipientName(id string) string {
	if u, ok := s.cfg.Directory.Unit(id); ok {
		return u.Name
	}
	if l, ok := s.cfg.Directory.Leader(id); ok {
		return l.Name
	}
	if id == relay.Inspection {
		return "县政府督查室"
	}
	return id
}

func (s *Server) retryDelivery(q *req) {
	notice, route := q.r.PostForm.Get("notice"), q.r.PostForm.Get("route")
	if err := s.cfg.Deliveries.Retry(q.ctx, notice, route); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, notify.ErrNoSuchDelivery) {
			status = http.StatusNotFound
		}
		s.fail(q, status, "无法重发："+err.Error())
		return
	}
	s.cfg.Log.Info("delivery retried", zap.String("user", q.user.Username), zap.String("notice", notice), zap.String("route", route))
	http.Redirect(q.w, q.r, "/deliveries?done=retry", http.StatusSeeOther)
}

// openNotice is the page a message's "在控制台查看" link opens. For a person of the
// unit it is addressed to, it records the read receipt (on the engine, so every
// console replica sees it) and shows the unit's notices; the offices land on the
// meeting, where they see who has read it.
func (s *Server) openNotice(q *req) {
	id := q.r.PathValue("id")
	ms, views, errs, ok := s.allMeetings(q)
	if !ok {
		return
	}
	for i, v := range views {
		if errs[i] != nil {
			continue
		}
		for _, n := range v.Notices {
			if n.NoticeID != id {
				continue
			}
			switch {
			case accounts.IsUnitRole(q.user.Role) && n.Unit == q.user.Unit:
				if _, err := s.cfg.API.MarkRead(q.ctx, ms[i].ID, id, n.Unit, q.user.Username); err != nil {
					s.fail(q, http.StatusBadGateway, err.Error())
					return
				}
				http.Redirect(q.w, q.r, "/notices?opened="+url.QueryEscape(id)+"#"+noticeAnchor(id), http.StatusSeeOther)
			case boardRoles.allow(q.user.Role):
				http.Redirect(q.w, q.r, MeetingURL(ms[i].ID)+"#notices", http.StatusSeeOther)
			default:
				s.fail(q, http.StatusForbidden, "这份通知不是发给本单位的，不能查看")
			}
			return
		}
	}
	s.fail(q, http.StatusNotFound, "没有这份通知："+id)
}

// noticeDocx serves a 交办单 as the official document (.docx, with its 文号), laid
// out as the worker lays out the one it sends: to the unit it is addressed to and to
// the offices; any other unit is refused.
func (s *Server) noticeDocx(q *req) {
	id := q.r.PathValue("id")
	ms, views, errs, ok := s.allMeetings(q)
	if !ok {
		return
	}
	var found *relay.DispatchNotice
	var meeting string
	for i, v := range views {
		if errs[i] != nil {
			continue
		}
		for j := range v.Notices {
			if v.Notices[j].NoticeID == id {
				found, meeting = &views[i].Notices[j], ms[i].ID
			}
		}
	}
	switch {
	case found == nil:
		s.fail(q, http.StatusNotFound, "没有这份交办单："+id)
		return
	case accounts.IsUnitRole(q.user.Role) && found.Unit == q.user.Unit, boardRoles.allow(q.user.Role):
	default:
		s.fail(q, http.StatusForbidden, "这份交办单不是发给本单位的，不能查看")
		return
	}
	if s.cfg.Notices == nil {
		s.fail(q, http.StatusNotFound, "交办单尚未发出，请稍后再试")
		return
	}
	n, err := s.cfg.Notices.Get(q.ctx, id)
	if errors.Is(err, fs.ErrNotExist) {
		s.fail(q, http.StatusNotFound, "交办单正在发出，请稍后再试")
		return
	}
	if err != nil {
		s.fail(q, http.StatusInternalServerError, "读取交办单失败："+err.Error())
		return
	}
	set := gongwen.DefaultSettings()
	if s.cfg.Documents != nil {
		set = *s.cfg.Documents
	}
	b, err := notify.Document(n, set).Docx(set)
	if err != nil {
		s.fail(q, http.StatusInternalServerError, "生成交办单失败："+err.Error())
		return
	}
	// The unit's person who downloads it has read it, as one who opens it.
	if accounts.IsUnitRole(q.user.Role) {
		if _, err := s.cfg.API.MarkRead(q.ctx, meeting, id, found.Unit, q.user.Username); err != nil {
			s.cfg.Log.Warn("read receipt of a downloaded notice", zap.String("notice", id), zap.Error(err))
		}
	}
	name := "交办单"
	if n.DocNo != "" {
		name += "（" + n.DocNo + "）"
	}
	h := q.w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".docx"))
	_, _ = q.w.Write(b)
}

// noticeAnchor is a notice's element id on the notices page.
func noticeAnchor(id string) string { return "n-" + notify.FileName(id) }

// readTimes are the meeting's read receipts by unit, from the task summaries (the
// visibility store: one call per 1,000 tasks).
func (s *Server) readTimes(q *req, meetingID string) map[string]time.Time {
	sums, err := s.cfg.API.Tasks(q.ctx, relay.SAMeeting.GetName()+" = '"+meetingID+"'")
	if err != nil {
		return nil
	}
	views := make([]relay.TaskView, len(sums))
	for i := range sums {
		views[i] = sums[i].TaskView
	}
	return relayclient.ReadsOf(views)
}
