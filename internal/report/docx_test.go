package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/gongwen/gongwentest"
)

// TestDocxReadByLibreOffice opens both reports as LibreOffice would and reads them:
// A4, the title, the issuer, the date in Chinese figures, every overdue item and every
// unit of the table; a long month (synthetic, hundreds of items) breaks over pages.
func TestDocxReadByLibreOffice(t *testing.T) {
	r := compute(t, fixture())
	r.Documents = gongwen.DefaultSettings()
	r.Documents.Issuer = "示例县人民政府督查室"
	// As issued after the sign-off: numbered.
	r.DocNo, r.CommitteeDocNo = gongwen.Number("县府督办", 2026, 12), gongwen.Number("县政报", 2026, 3)
	big := compute(t, synthetic(400))
	docs := map[string][]byte{}
	for name, f := range map[string]func() ([]byte, error){
		"tongbao": r.ExecutiveDocx, "baogao": r.CommitteeDocx, "tongbao-400": big.ExecutiveDocx,
	} {
		b, err := f()
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	pdfs := gongwentest.ConvertAll(t, docs)
	ex, co := pdfs["tongbao"], pdfs["baogao"]
	for _, p := range pdfs {
		p.CheckA4(t)
	}
	ex.CheckText(t, "示例县人民政府督查室", r.Executive().Title, gongwen.ChineseDate(r.GeneratedAt), "二、工作要求", r.DocNo, "单位考评排名")
	co.CheckText(t, "县人民政府", r.Committee().Title, "特此报告。", gongwen.ChineseDate(r.GeneratedAt), r.CommitteeDocNo)
	for _, o := range r.Overdue {
		ex.CheckText(t, o.Title)
		co.CheckText(t, o.Title)
	}
	for _, u := range r.Units {
		ex.CheckText(t, u.Name)
	}
	for _, us := range r.Scores {
		ex.CheckText(t, us.UnitName, points(us.Score))
	}
	if p := pdfs["tongbao-400"]; p.Pages < 3 {
		t.Errorf("%s: a month of 400 items should run over several pages", p)
	} else {
		p.CheckText(t, fmt.Sprintf("—%d—", p.Pages))
	}
	ex.Screenshots(t, "report-tongbao-docx", 2)
	co.Screenshots(t, "report-baogao-docx", 1)
}

// TestDraftDocxSaysDraft: until the sign-off numbers them, both reports' documents
// carry the 拟稿 line; numbered, they do not.
func TestDraftDocxSaysDraft(t *testing.T) {
	r := compute(t, fixture())
	text := func() (string, string) {
		t.Helper()
		ex, err := r.ExecutiveDocx()
		if err != nil {
			t.Fatal(err)
		}
		co, err := r.CommitteeDocx()
		if err != nil {
			t.Fatal(err)
		}
		return string(docXML(t, ex)), string(docXML(t, co))
	}
	ex, co := text()
	if !strings.Contains(ex, gongwen.DraftMark) || !strings.Contains(co, gongwen.DraftMark) {
		t.Errorf("a draft report's documents lack %s", gongwen.DraftMark)
	}
	r.DocNo, r.CommitteeDocNo = gongwen.Number("县府督办", 2026, 12), gongwen.Number("县政报", 2026, 3)
	ex, co = text()
	if strings.Contains(ex, "拟稿") || strings.Contains(co, "拟稿") {
		t.Error("an issued report's documents say 拟稿")
	}
}

// docXML is a .docx's main part.
func docXML(t *testing.T, b []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			defer rc.Close()
			x, _ := io.ReadAll(rc)
			return x
		}
	}
	t.Fatal("no word/document.xml")
	return nil
}
