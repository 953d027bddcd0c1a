package gongwen_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

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
