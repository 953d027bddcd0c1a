package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

func TestReports(t *testing.T) {
	e := setup(t)
	e.adopted(t, "cwh-report")
	month := time.Now().In(relay.TimeZone).Format(report.MonthLayout)

	must(t, e.login(t, "rsj1").get("/reports"), http.StatusForbidden)
	off := e.login(t, "office1")
	must(t, off.get("/reports"), http.StatusOK, "月度报告")
	if strings.Contains(off.get("/reports").body, `id="report-form"`) {
		t.Fatal("the office is offered to run a report")
	}
	must(t, off.post("/reports", url.Values{"month": {month}}), http.StatusForbidden)

	b := e.login(t, "duban")
	must(t, b.get("/reports"), http.StatusOK, `id="report-form"`, `value="`+month+`"`)
	must(t, b.post("/reports", url.Values{"month": {"2026-13"}}), http.StatusUnprocessableEntity, "无法识别")
	must(t, b.post("/reports", url.Values{"month": {"2999-01"}}), http.StatusUnprocessableEntity, "尚未开始")
	r := b.post("/reports", url.Values{"month": {month}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("run report: %d\n%s", r.status, snippet(r.body))
	}
	r = b.get(r.loc)
	exMD, exHTML, _, coHTML, ledger := report.Files(month)
	must(t, r, http.StatusOK, "已生成 "+month+" 月度报告", `id="reports"`, "/reports/"+month+"/"+exHTML, "/reports/"+month+"/"+ledger)
	r = b.get("/reports/" + month + "/" + exHTML)
	must(t, r, http.StatusOK, "关于县委常委会会议确定事项落实情况的通报")
	must(t, b.get("/reports/"+month+"/"+coHTML), http.StatusOK, "关于县委常委会会议确定事项落实情况的报告")
	must(t, b.get("/reports/"+month+"/"+exMD), http.StatusOK, "# ")
	must(t, b.get("/reports/"+month+"/"+ledger), http.StatusOK)
	// Only the archive's own files, of a real month.
	must(t, b.get("/reports/"+month+"/snapshot.json"), http.StatusNotFound)
	must(t, b.get("/reports/"+month+"/..%2F..%2Fusers.json"), http.StatusNotFound)
	must(t, b.get("/reports/1999-01/"+strings.ReplaceAll(exHTML, month, "1999-01")), http.StatusNotFound, "尚未生成")
	// A deputy reads them too.
	must(t, e.login(t, "chang").get("/reports/"+month+"/"+exHTML), http.StatusOK)
}
