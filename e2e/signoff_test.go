package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// TestReportSignoffOnTheRealServer: `starter report` gives a draft at once and the run
// waits; steps out of order are refused (exit 1, one Chinese line, the record
// unchanged); a return regenerates the draft; after the review and the sign-off the
// 通报 is numbered, its .docx carries the number, every unit and the committee get a
// report_issued notice, and `reports --json` shows each state and the number; an
// issued month refuses further steps and a new report.
func TestReportSignoffOnTheRealServer(t *testing.T) {
	c := newCounty(t)
	t.Setenv("TASKRELAY_DATA", c.data) // `starter reports` and `report-signoff` read the archive
	c.start()
	c.ok("submit", sample, "--adopt")
	month := time.Now().In(relay.TimeZone).AddDate(0, 0, -time.Now().In(relay.TimeZone).Day()).Format(report.MonthLayout)

	t0 := time.Now()
	if out := c.ok("report", "--month", month); !strings.Contains(out, month+" 月度报告已生成（拟稿") {
		t.Fatalf("report: %s", out)
	}
	t.Logf("report --month to draft archived: %.2fs", time.Since(t0).Seconds())
	state := func() report.Entry {
		t.Helper()
		var list []report.Entry
		c.jsonOf(&list, "reports", "--json")
		for _, e := range list {
			if e.Month == month {
				return e
			}
		}
		t.Fatalf("reports --json lacks %s", month)
		return report.Entry{}
	}
	if e := state(); e.State != relay.ReportDraft || e.DocNo != "" || e.Signoff == nil || len(e.Signoff.Timeline) != 1 {
		t.Fatalf("after the draft: %+v", e)
	}
	shared := c.shared()
	record := report.Key(month, report.SignoffFile)
	unchanged := func(step func()) {
		t.Helper()
		before, err := shared.ReadAll(context.Background(), record)
		if err != nil {
			t.Fatal(err)
		}
		step()
		if after, _ := shared.ReadAll(context.Background(), record); string(after) != string(before) {
			t.Errorf("a refused step changed the record:\n%s\n%s", before, after)
		}
	}
	signoff := func(args ...string) []string { return append([]string{"report-signoff", "--month", month}, args...) }
	unchanged(func() { c.refused("尚未审核", signoff("--sign", "--approve")...) })
	unchanged(func() { c.refused("意见", signoff("--review", "--return")...) })
	c.refused("--review", signoff("--approve")...)

	c.ok(signoff("--review", "--return", "--note", "请核实逾期事项的责任单位", "--by", "dcs-zhuren")...)
	e := state()
	if e.State != relay.ReportDraft || len(e.Signoff.Timeline) != 3 || e.Signoff.Timeline[1].Note != "请核实逾期事项的责任单位" ||
		e.Signoff.Timeline[1].By != "dcs-zhuren" || e.Signoff.Timeline[2].Step != relay.StepDraft {
		t.Fatalf("after the return: %+v", e.Signoff)
	}
	c.ok(signoff("--review", "--approve")...)
	if e := state(); e.State != relay.ReportReviewed {
		t.Fatalf("after the review: %+v", e)
	}
	unchanged(func() { c.refused("已审核", signoff("--review", "--approve")...) })
	out := c.ok(signoff("--sign", "--approve")...)
	e = state()
	if e.State != relay.ReportIssued || e.DocNo == "" || !strings.Contains(out, e.DocNo) || !strings.HasPrefix(e.DocNo, "县府督办〔") {
		t.Fatalf("after the sign-off: %s\n%+v", out, e)
	}
	var steps []string
	for _, x := range e.Signoff.Timeline {
		if x.At.IsZero() {
			t.Errorf("step without time: %+v", x)
		}
		steps = append(steps, x.Step)
	}
	if strings.Join(steps, " ") != "draft review draft review sign issue" || e.Signoff.Timeline[5].DocNo != e.DocNo {
		t.Errorf("timeline: %v %+v", steps, e.Signoff.Timeline)
	}
	// The issued .docx carries its number; the draft had none.
	exDocx, coDocx := report.DocxFiles(month)
	for name, no := range map[string]string{exDocx: e.DocNo, coDocx: e.Signoff.CommitteeDocNo} {
		docx, err := shared.ReadAll(context.Background(), report.Key(month, name))
		if err != nil {
			t.Fatal(err)
		}
		if body := docxText(t, name, docx); no == "" || !strings.Contains(body, no) {
			t.Errorf("%s lacks its number %q", name, no)
		}
	}
	notices, err := notify.NewOutbox(filepath.Join(c.data, "outbox")).List(func(n relay.Notice) bool { return n.Kind == relay.NoticeReportIssued })
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]string{}
	for _, n := range notices {
		to[n.ToKind+":"+n.To] = n.DocNo
	}
	if to["committee:committee"] != e.Signoff.CommitteeDocNo || to["unit:rsj"] != e.DocNo || len(to) < 10 {
		t.Errorf("report_issued notices: %v", to)
	}
	unchanged(func() { c.refused("已签发", signoff("--sign", "--approve")...) })
	c.refused("已签发", "report", "--month", month)
	c.record(e.Signoff.WorkflowID, "monthly-signoff")
}

// docxText is a .docx's document text (its XML, enough to find a string in).
func docxText(t *testing.T, path string, docx []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s: no word/document.xml", path)
	return ""
}
