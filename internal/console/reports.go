package console

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// The monthly reports: the archive the MonthlyInspection workflow writes into the
// shared blob store (Config.Reports: reports/YYYY-MM/), listed, viewed and downloaded
// here, the same from every console, and a report run now on request.

var (
	reportViewRoles = roles{accounts.RoleInspection, accounts.RoleOffice, accounts.RoleAdmin, accounts.RoleLeader}
	reportRunRoles  = roles{accounts.RoleInspection, accounts.RoleAdmin}
	// The sign-off is the two heads' own: their role opens the route, their duty
	// (accounts.User.Signoff) the step. An administrator signs nothing (三员分立).
	reportSignRoles = roles{accounts.RoleInspection, accounts.RoleOffice}
)

func init() { extraNav = append(extraNav, navLink{"/reports", "月度报告", reportViewRoles}) }

func (s *Server) reportRoutes() {
	s.mux.Handle("GET /reports", s.auth(reportViewRoles, s.reportsPage))
	s.mux.Handle("POST /reports", s.auth(reportRunRoles, s.runReport))
	s.mux.Handle("GET /reports/{month}/{file}", s.auth(reportViewRoles, s.reportFile))
	s.mux.Handle("POST /reports/{month}/signoff", s.auth(reportSignRoles, s.signoffReport))
}

type reportLink struct {
	Label, Href string
	Download    bool
}

type reportEntry struct {
	report.Entry
	Links []reportLink
	// Step is the sign-off step this user may take now (review or sign), or "".
	Step string
}

// StateLabel is the entry's sign-off state in Chinese ("" for a report archived
// before the sign-off existed).
func (e reportEntry) StateLabel() string {
	if e.State == "" {
		return ""
	}
	return relay.ReportStateLabel(e.State)
}

// nextStep is the step a month's report waits for ("" when none).
func nextStep(st relay.ReportState) string {
	switch st {
	case relay.ReportDraft:
		return relay.StepReview
	case relay.ReportReviewed:
		return relay.StepSign
	}
	return ""
}

type reportsData struct {
	Entries []reportEntry
	CanRun  bool
	Month   string
	AsOf    string
}

// StepLabel is a sign-off step in Chinese (for the timeline).
func (reportsData) StepLabel(step string) string { return relay.StepLabel(step) }

// When is a step's time, county time.
func (reportsData) When(t time.Time) string { return t.In(relay.TimeZone).Format("2006-01-02 15:04") }

// reportFiles is every file of a month the console serves, with its label.
func reportFiles(month string) []reportLink {
	exMD, exHTML, coMD, coHTML, ledger := report.Files(month)
	exDocx, coDocx := report.DocxFiles(month)
	base := "/reports/" + month + "/"
	return []reportLink{
		{"督查通报（公文 .docx）", base + exDocx, true},
		{"向县委报告（公文 .docx）", base + coDocx, true},
		{"督查通报（网页）", base + exHTML, false},
		{"向县委报告（网页）", base + coHTML, false},
		{"督查台账（.xlsx）", base + ledger, true},
		{"督查通报（Markdown）", base + exMD, true},
		{"向县委报告（Markdown）", base + coMD, true},
	}
}

func (s *Server) reportsPage(q *req) {
	flash := ""
	if m := q.r.URL.Query().Get("done"); m != "" {
		flash = "已生成 " + m + " 月度报告（拟稿，待审核签发）。"
	}
	if m := q.r.URL.Query().Get("signed"); m != "" {
		flash = m + " 月度报告：已办理。"
	}
	s.renderReports(q, http.StatusOK, "", "", flash, "")
}

func (s *Server) renderReports(q *req, status int, month, asOf, flash, errMsg string) {
	list, err := s.cfg.Reports.List(q.ctx)
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	d := reportsData{CanRun: reportRunRoles.allow(q.user.Role), Month: month, AsOf: asOf}
	if d.Month == "" {
		d.Month = s.cfg.Now().In(relay.TimeZone).Format(report.MonthLayout)
	}
	for _, e := range list {
		re := reportEntry{Entry: e}
		if step := nextStep(e.State); step != "" && q.user.Takes(step) {
			re.Step = step
		}
		have := map[string]bool{}
		for _, f := range e.Files {
			have[f] = true
		}
		for _, l := range reportFiles(e.Month) {
			if have[filepath.Base(l.Href)] {
				re.Links = append(re.Links, l)
			}
		}
		d.Entries = append(d.Entries, re)
	}
	s.render(q, status, "reports", "月度报告", d, flash, errMsg)
}

// runReport runs the monthly inspection now and waits for the archive (seconds).
func (s *Server) runReport(q *req) {
	month := strings.TrimSpace(q.r.PostFormValue("month"))
	asOf := strings.TrimSpace(q.r.PostFormValue("as_of"))
	if _, err := report.ParseMonth(month); err != nil {
		s.renderReports(q, http.StatusUnprocessableEntity, month, asOf, "", err.Error())
		return
	}
	ctx := q.ctx
	res, err := s.cfg.API.RunReport(ctx, report.Request{Month: month, AsOf: asOf})
	if err != nil {
		s.renderReports(q, http.StatusUnprocessableEntity, month, asOf, "", err.Error())
		return
	}
	s.redirect(q, "/reports?done="+url.QueryEscape(res.Figures.Month))
}

// reportFile serves one archived file: only the names report.Files gives for a valid
// month, so no path can leave the archive.
func (s *Server) reportFile(q *req) {
	month, file := q.r.PathValue("month"), q.r.PathValue("file")
	if _, err := report.ParseMonth(month); err != nil {
		s.fail(q, http.StatusNotFound, err.Error())
		return
	}
	var link *reportLink
	for _, l := range reportFiles(month) {
		if filepath.Base(l.Href) == file {
			l := l
			link = &l
		}
	}
	if link == nil {
		s.fail(q, http.StatusNotFound, "没有文件 "+file)
		return
	}
	f, err := s.cfg.Reports.Open(q.ctx, month, file)
	if err != nil {
		s.fail(q, http.StatusNotFound, month+" 的报告尚未生成")
		return
	}
	defer f.Close()
	h := q.w.Header()
	switch filepath.Ext(file) {
	case ".html":
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The report page is self-contained: its own inline styles and images only.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	case ".md":
		h.Set("Content-Type", "text/markdown; charset=utf-8")
	case ".xlsx":
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	case ".docx":
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	}
	if link.Download {
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", file))
	}
	http.ServeContent(q.w, q.r, file, f.ModTime(), f)
}

// signoffReport takes the review or the sign-off of a month's draft, by the head whose
// duty it is: approving it, or returning it with a note (the draft is made again).
func (s *Server) signoffReport(q *req) {
	month := q.r.PathValue("month")
	if _, err := report.ParseMonth(month); err != nil {
		s.fail(q, http.StatusNotFound, err.Error())
		return
	}
	step := q.r.PostFormValue("step")
	if step != relay.StepReview && step != relay.StepSign {
		s.fail(q, http.StatusUnprocessableEntity, "未知的签发步骤")
		return
	}
	if !q.user.Takes(step) {
		s.fail(q, http.StatusForbidden, "月度报告的"+relay.StepLabel(step)+"须由承担该职责的负责人办理")
		return
	}
	so, err := s.cfg.Reports.ReadSignoff(q.ctx, month)
	if err != nil {
		s.fail(q, http.StatusInternalServerError, err.Error())
		return
	}
	if so == nil {
		s.fail(q, http.StatusNotFound, month+" 没有待签发的月度报告")
		return
	}
	r := relay.SignoffRequest{Step: step, Approve: q.r.PostFormValue("decision") != "return",
		Note: strings.TrimSpace(q.r.PostFormValue("note")), By: q.user.Username, ByName: q.user.Name}
	if _, err := s.cfg.API.ReportSignoff(q.ctx, *so, r); err != nil {
		s.renderReports(q, http.StatusUnprocessableEntity, "", "", "", err.Error())
		return
	}
	s.redirect(q, "/reports?signed="+url.QueryEscape(month))
}
