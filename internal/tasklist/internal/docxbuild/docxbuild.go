// Package docxbuild writes small Word documents holding a task list table, with merged
// cells and line breaks, for the tests of package tasklist.
package docxbuild

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Cell is one table cell. Lines of Text ("\n") become paragraphs, or line breaks
// (w:br) inside one paragraph when Breaks is set. Span > 1 merges the cell across that
// many grid columns; Merge "restart" starts a merge down the rows, "continue" carries it
// on (Word leaves such a cell empty).
type Cell struct {
	Text   string
	Span   int
	Merge  string
	Breaks bool
}

// T is a plain cell.
func T(s string) Cell { return Cell{Text: s} }

// Build writes a document: a title paragraph, the table, then a second table that a
// reader of "the first table" must ignore.
func Build(rows [][]Cell) ([]byte, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	b.WriteString(`<w:p><w:r><w:t>县委常委会会议确定事项任务清单</w:t></w:r></w:p>`)
	table(&b, rows)
	b.WriteString(`<w:p><w:r><w:t>附表</w:t></w:r></w:p>`)
	table(&b, [][]Cell{{T("序号"), T("备注")}, {T("x"), T("不是任务")}})
	b.WriteString(`<w:sectPr/></w:body></w:document>`)

	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", b.String()},
	} {
		f, err := z.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := f.Write([]byte(p.body)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func table(b *strings.Builder, rows [][]Cell) {
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
	for _, r := range rows {
		b.WriteString(`<w:tr>`)
		for _, c := range r {
			b.WriteString(`<w:tc><w:tcPr>`)
			if c.Span > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, c.Span)
			}
			switch c.Merge {
			case "restart":
				b.WriteString(`<w:vMerge w:val="restart"/>`)
			case "continue":
				b.WriteString(`<w:vMerge/>`)
			}
			b.WriteString(`</w:tcPr>`)
			lines := strings.Split(c.Text, "\n")
			if c.Breaks {
				b.WriteString(`<w:p><w:r>`)
				for i, l := range lines {
					if i > 0 {
						b.WriteString(`<w:br/>`)
					}
					b.WriteString(`<w:t xml:space="preserve">` + esc(l) + `</w:t>`)
				}
				b.WriteString(`</w:r></w:p>`)
			} else {
				for _, l := range lines {
					// Word splits text into several runs; so do we.
					half := len([]rune(l)) / 2
					rs := []rune(l)
					b.WriteString(`<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t xml:space="preserve">` + esc(string(rs[:half])) + `</w:t></w:r><w:r><w:t xml:space="preserve">` + esc(string(rs[half:])) + `</w:t></w:r></w:p>`)
				}
			}
			b.WriteString(`</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
