package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// TestBrowserReportSignoff: the sign-off in a real browser. An inspection officer runs
// the report and sees the draft with no buttons; the inspection office head returns it
// (a note is required) and then approves it; the government office head signs it off,
// and the page shows it issued with its number and every step under the people's names.
func TestBrowserReportSignoff(t *testing.T) {
	c := newCounty(t)
	t.Setenv("TASKRELAY_DATA", c.data)
	c.start()
	con := startConsole(t, c)
	userAdd(t, c, "Ducha-pass-1", "duban", "--role", "inspection", "--name", "督查室王五", "--password-stdin")
	userAdd(t, c, "Zhuren-pass-1", "dcszr", "--role", "inspection", "--signoff", "review", "--name", "督查室赵主任", "--password-stdin")
	userAdd(t, c, "Bangong-pass-1", "bgszr", "--role", "office", "--signoff", "sign", "--name", "办公室钱主任", "--password-stdin")
	c.ok("submit", sample, "--adopt")
	month := time.Now().In(relay.TimeZone).Format(report.MonthLayout)
	form := "#signoff-" + month
	p := newBrowser(t, con.URL)

	p.login("duban", "Ducha-pass-1", "督查室王五")
	p.open("/reports")
	p.click("#run-report")
	p.see(".flash", "拟稿")
	p.see("#reports", "拟稿待审核")
	p.see(form, "拟稿")
	if p.text("#review-approve-"+month) != "" || p.text("#sign-approve-"+month) != "" {
		t.Fatal("an officer without the duty is offered the sign-off")
	}
	p.logout()

	p.login("dcszr", "Zhuren-pass-1", "督查室赵主任")
	p.open("/reports")
	p.see("#review-approve-"+month, "审核同意")
	p.click("#review-return-" + month)
	p.see("#error", "意见")
	p.set("#note-"+month, "逾期事项请写明原因")
	p.click("#review-return-" + month)
	p.see(".flash", "已办理")
	p.see(form, "逾期事项请写明原因")
	p.see(form, "督查室赵主任")
	p.click("#review-approve-" + month)
	p.see(".flash", "已办理")
	p.see("#reports", "已审核待签发")
	if p.text("#review-approve-"+month) != "" || p.text("#sign-approve-"+month) != "" {
		t.Fatal("the reviewer is offered a second step")
	}
	p.logout()

	p.login("bgszr", "Bangong-pass-1", "办公室钱主任")
	p.open("/reports")
	p.see("#sign-approve-"+month, "签发")
	p.click("#sign-approve-" + month)
	p.see(".flash", "已办理")
	p.see("#reports", "已签发印发")
	p.see("#reports", "县府督办〔")
	p.see(form, "办公室钱主任")
	p.see(form, "印发")
	// Steps are dated in county time.
	p.see(form, time.Now().In(relay.TimeZone).Format("2006-01-02 15:"))
	p.shot("reports-signoff")
	so, err := report.NewArchive(c.shared()).ReadSignoff(context.Background(), month)
	if err != nil || so == nil || so.State != relay.ReportIssued || so.DocNo == "" {
		t.Fatalf("record: %+v %v", so, err)
	}
	var by []string
	for _, e := range so.Timeline {
		by = append(by, e.Step+":"+e.By)
	}
	if got := strings.Join(by, " "); got != "draft: review:dcszr draft: review:dcszr sign:bgszr issue:" {
		t.Errorf("timeline: %s", got)
	}
}
