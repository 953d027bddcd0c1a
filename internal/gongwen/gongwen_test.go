package gongwen_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/gongwen/gongwentest"
)

func TestChineseDate(t *testing.T) {
	for _, c := range []struct {
		y, m, d int
		want    string
	}{
		{2026, 12, 1, "二〇二六年十二月一日"},
		{2012, 7, 1, "二〇一二年七月一日"},
		{2030, 10, 20, "二〇三〇年十月二十日"},
		{2027, 1, 31, "二〇二七年一月三十一日"},
		{2026, 11, 10, "二〇二六年十一月十日"},
	} {
		got := gongwen.ChineseDate(time.Date(c.y, time.Month(c.m), c.d, 0, 0, 0, 0, time.UTC))
		if got != c.want {
			t.Errorf("%d-%d-%d: %s, want %s", c.y, c.m, c.d, got, c.want)
		}
	}
}

func TestNumber(t *testing.T) {
	if got := gongwen.Number("X府督办", 2026, 7); got != "X府督办〔2026〕7号" {
		t.Errorf("got %s", got)
	}
}

// sample is a document with every part: 版头, title, 主送, headings, a table long
// enough to break across pages, signature and 版记. User text carries XML specials.
func sample(rows int) *gongwen.Doc {
	d := &gongwen.Doc{
		Mark: "示例县人民政府督查室", Number: "县府督办〔2026〕7号",
		Title:     "关于县委常委会会议确定事项落实情况的通报",
		Subtitle:  []string{"（2026年11月）"},
		Addressee: "各乡（镇）人民政府，县直各有关单位：",
		Issuer:    "示例县人民政府督查室", Date: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		CC: "县委办公室", PrintedBy: "示例县人民政府督查室",
	}
	d.H1("一、总体情况")
	d.P("按照“县委常委会会议任务清单直达县政府常务会议”工作机制，县政府督查室对确定事项逐项跟踪问效。<现将> & “落实情况”通报如下。")
	d.H2("（一）各牵头单位落实情况")
	var body [][]string
	for i := 1; i <= rows; i++ {
		body = append(body, []string{fmt.Sprint(i), fmt.Sprintf("第%d项任务：推进农村人居环境整治", i), "示例县住房和城乡建设局\n（牵头）", "2026-12-31"})
	}
	d.T([]string{"序号", "任务事项", "牵头单位", "完成时限"}, body)
	d.H1("二、工作要求")
	d.P("各牵头单位要倒排工期、挂图作战，确保按时办结。")
	return d
}

func TestDocxPartsAreWellFormed(t *testing.T) {
	b, err := sample(3).Docx(gongwen.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
		if f.Name == "word/document.xml" {
			doc = string(data)
		}
	}
	for _, want := range []string{
		`<w:pgSz w:w="11906" w:h="16838"/>`, // A4
		`w:top="2098"`, `w:left="1587"`,     // 37 mm, 28 mm
		`w:linePitch="579"`, `<w:tblHeader/>`, `<w:cantSplit/>`,
		`w:eastAsia="方正小标宋简体"`, `w:eastAsia="仿宋_GB2312"`,
		"二〇二六年十二月一日", "&lt;现将&gt; &amp;",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
}

// TestDocxReadByLibreOffice converts the sample with LibreOffice and checks it as a
// reader would: A4, several pages, every row there, the header row repeated on the
// next page, page numbers "— N —".
func TestDocxReadByLibreOffice(t *testing.T) {
	b, err := sample(60).Docx(gongwen.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	p := gongwentest.Convert(t, "sample", b)
	p.CheckA4(t)
	if p.Pages < 3 {
		t.Fatalf("%s: want the 60-row table to run over at least 3 pages", p)
	}
	p.CheckText(t, "示例县人民政府督查室", "县府督办〔2026〕7号", "关于县委常委会会议确定事项落实情况的通报",
		"<现将>&“落实情况”", "二〇二六年十二月一日", "2026年12月1日印发", "抄送：县委办公室。")
	for i := 1; i <= 60; i++ {
		p.CheckText(t, fmt.Sprintf("第%d项任务", i))
	}
	for page := 1; page <= p.Pages; page++ {
		text := p.PageText(t, page)
		if want := fmt.Sprintf("—%d—", page); !strings.Contains(text, want) {
			t.Errorf("page %d: no page number %s", page, want)
		}
		if page == 2 {
			// The header's words appear nowhere else in the table.
			for _, h := range []string{"序号", "任务事项", "牵头单位", "完成时限"} {
				if !strings.Contains(text, h) {
					t.Errorf("page 2 does not repeat the table's header %s: %.80s…", h, text)
				}
			}
		}
	}
	p.Screenshots(t, "gongwen-sample", 2)
}

// TestTypeArea checks the grid: 22 lines of 28 characters a page. A paragraph of 26
// characters with its two-character indent fills one line exactly.
func TestTypeArea(t *testing.T) {
	line := strings.Repeat("国", 26)
	cases := []struct {
		name  string
		paras int
		text  string
		pages int
	}{
		{"22-lines", 22, line, 1},
		{"23-lines", 23, line, 2},
		{"29-chars", 11, line + "国", 1}, // 29 characters wrap: 22 lines
		{"29-chars-12", 12, line + "国", 2},
	}
	docs := map[string][]byte{}
	for _, c := range cases {
		d := &gongwen.Doc{}
		for range c.paras {
			d.P(c.text)
		}
		b, err := d.Docx(gongwen.DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		docs[c.name] = b
	}
	pdfs := gongwentest.ConvertAll(t, docs)
	for _, c := range cases {
		if p := pdfs[c.name]; p.Pages != c.pages {
			t.Errorf("%s: %d pages, want %d", c.name, p.Pages, c.pages)
		}
	}
}

// jiaobandan is a 交办单's table: six columns, deputies with two-character names (the
// narrowest 分管县领导 column), each row's 具体要求 marked where it starts and ends.
func jiaobandan(reqs ...string) *gongwen.Doc {
	d := &gongwen.Doc{Mark: "示例县人民政府督查室", Number: "县府督办〔2026〕8号", Title: "关于县委常委会2026年第12次会议确定事项的交办单",
		Addressee: "县人力资源和社会保障局：", Issuer: "示例县人民政府督查室", Date: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), PrintedBy: "示例县人民政府督查室"}
	d.P("经县政府常务会议研究，现将县委常委会会议确定由你单位承办的事项交办如下，请抓好落实。")
	var rows [][]string
	for i, r := range reqs {
		rows = append(rows, []string{fmt.Sprint(i + 1), fmt.Sprintf("第%d项任务事项", i+1), fmt.Sprintf("第%d项起%s第%d项止", i+1, r, i+1), "牵头", "2026-12-31", "张某"})
	}
	d.T([]string{"序号", "任务事项", "具体要求", "本单位角色", "完成时限", "分管县领导"}, rows)
	d.P("请于收到后及时在系统中签收。")
	return d
}

// TestJiaobandanTable converts 交办单 with LibreOffice and reads them back: every row
// on one page, a row too tall for the rest of the first page starting there rather
// than leaving the page blank under the header, the 分管县领导 heading on at most two
// lines; a draft says 拟稿 and an issued document does not.
func TestJiaobandanTable(t *testing.T) {
	medium := strings.Repeat("对照目标任务逐项细化措施，明确责任人和完成时限，", 5) // about six lines a row
	var many []string
	for range 12 {
		many = append(many, medium)
	}
	tall := strings.Repeat("建立台账、挂图作战、定期调度、跟踪问效，确保按期办结。", 14) // most of a page
	draft := jiaobandan(medium)
	draft.Number, draft.Draft = "", true
	docs := map[string][]byte{}
	for name, d := range map[string]*gongwen.Doc{"rows": jiaobandan(many...), "tall": jiaobandan(tall, medium), "draft": draft, "issued": jiaobandan(medium)} {
		b, err := d.Docx(gongwen.DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	pdfs := gongwentest.ConvertAll(t, docs)

	rows := pdfs["rows"]
	if rows.Pages < 2 {
		t.Fatalf("%s: want the 12 rows over at least 2 pages", rows)
	}
	pageOf := func(p gongwentest.PDF, s string) int {
		for page := 1; page <= p.Pages; page++ {
			if strings.Contains(p.PageText(t, page), s) {
				return page
			}
		}
		return 0
	}
	for i := 1; i <= 12; i++ {
		from, to := pageOf(rows, fmt.Sprintf("第%d项起", i)), pageOf(rows, fmt.Sprintf("第%d项止", i))
		if from == 0 || from != to {
			t.Errorf("row %d split across pages %d and %d", i, from, to)
		}
	}
	if n := headingLines(t, rows.Path, "分管县领导"); n < 1 || n > 2 {
		t.Errorf("the 分管县领导 heading takes %d lines, want at most two", n)
	}
	p1 := pdfs["tall"].PageText(t, 1)
	if !strings.Contains(p1, "第1项起") {
		t.Errorf("the tall first row was pushed off page 1, leaving it empty under the header:\n%.300s", p1)
	}
	pdfs["tall"].CheckText(t, "第1项止", "第2项起", "第2项止")
	if !strings.Contains(pdfs["draft"].PageText(t, 1), gongwen.DraftMark) {
		t.Errorf("the draft is not marked %s", gongwen.DraftMark)
	}
	if strings.Contains(pdfs["issued"].Text, "拟稿") {
		t.Error("the issued document says 拟稿")
	}
}

// headingLines is how many lines the first occurrence of text on a PDF's first page
// takes (pdftotext -bbox: the words' vertical positions).
func headingLines(t *testing.T, pdf, text string) int {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", "-f", "1", "-l", "1", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	word := regexp.MustCompile(`<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>`)
	var chars []rune
	var ys []float64
	for _, m := range word.FindAllStringSubmatch(string(out), -1) {
		y, _ := strconv.ParseFloat(m[1], 64)
		for _, r := range m[2] {
			chars, ys = append(chars, r), append(ys, y)
		}
	}
	i := strings.Index(string(chars), text)
	if i < 0 {
		return 0
	}
	at := utf8.RuneCountInString(string(chars)[:i])
	lines := map[int]bool{}
	for k := range utf8.RuneCountInString(text) {
		lines[int(math.Round(ys[at+k]))] = true
	}
	return len(lines)
}
