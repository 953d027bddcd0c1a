package gongwen

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// Page geometry in twips (1/1440 inch): A4, the margins and the type area of
// GB/T 9704-2012 §5.2.
const (
	pageW        = 11906
	pageH        = 16838
	marginTop    = 2098 // 37 mm
	marginLeft   = 1587 // 28 mm, the binding side
	marginRight  = 1474 // 210 − 28 − 156 = 26 mm
	marginBottom = 1984 // 297 − 37 − 225 = 35 mm
	typeAreaW    = pageW - marginLeft - marginRight
	footerDist   = 1247 // the page number line starts about 7 mm below the type area
	headerDist   = 851
	// linePitch puts 22 lines in 225 mm (a line grid); body characters are set 0.25 pt
	// closer than their 16 pt so that 28 fit in 156 mm (28 × 15.75 pt = 441 pt of
	// 442.2). A character grid (linesAndChars) would say the same to Word, but
	// LibreOffice lays it out with wider cells.
	linePitch = 579
	bodyKern  = -5 // twentieths of a point
	bodySize  = 32 // half-points: 3号 = 16 pt
	titleSize = 44 // 2号 = 22 pt
	tableSize = 24 // 小四 = 12 pt, so a wide table keeps its columns
	footSize  = 28 // 4号 = 14 pt: page number and 版记
	red       = "FF0000"
)

const (
	nsW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

// Docx writes the document as a .docx package.
func (d *Doc) Docx(s Settings) ([]byte, error) {
	s = s.withDefaults()
	w := &writer{s: s}
	w.document(d)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", coreProps(d)},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/document.xml", w.b.String()},
		{"word/styles.xml", styles(s)},
		{"word/settings.xml", settingsXML},
		{"word/fontTable.xml", fontTable(s)},
		{"word/footer1.xml", footer(true)},
		{"word/footer2.xml", footer(false)},
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, p := range parts {
		f, err := z.Create(p.name)
		if err != nil {
			return nil, fmt.Errorf("公文 %s：%w", p.name, err)
		}
		if _, err := f.Write([]byte(p.body)); err != nil {
			return nil, fmt.Errorf("公文 %s：%w", p.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("公文打包：%w", err)
	}
	return buf.Bytes(), nil
}

func (s Settings) withDefaults() Settings {
	def := DefaultSettings()
	if len(s.TitleFonts) == 0 {
		s.TitleFonts = def.TitleFonts
	}
	if len(s.BodyFonts) == 0 {
		s.BodyFonts = def.BodyFonts
	}
	return s
}

type writer struct {
	s Settings
	b strings.Builder
}

// esc escapes text for XML; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runStyle is how a run looks.
type runStyle struct {
	fonts []string
	size  int // half-points
	bold  bool
	color string
}

func (r runStyle) rPr() string {
	var b strings.Builder
	b.WriteString("<w:rPr>")
	f := esc(r.fonts[0])
	latin := "Times New Roman"
	fmt.Fprintf(&b, `<w:rFonts w:ascii="%s" w:hAnsi="%s" w:eastAsia="%s" w:cs="%s" w:hint="eastAsia"/>`, latin, latin, f, latin)
	if r.bold {
		b.WriteString(`<w:b/><w:bCs/>`)
	}
	if r.color != "" {
		fmt.Fprintf(&b, `<w:color w:val="%s"/>`, r.color)
	}
	if r.size == bodySize {
		fmt.Fprintf(&b, `<w:spacing w:val="%d"/>`, bodyKern)
	}
	fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, r.size, r.size)
	b.WriteString("</w:rPr>")
	return b.String()
}

// run writes text, keeping line breaks as breaks.
func (w *writer) run(text string, st runStyle) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	rpr := st.rPr()
	w.b.WriteString("<w:r>" + rpr)
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			w.b.WriteString("<w:br/>")
		}
		fmt.Fprintf(&w.b, `<w:t xml:space="preserve">%s</w:t>`, esc(line))
	}
	w.b.WriteString("</w:r>")
}

// para is a paragraph's layout, written in the order the schema wants.
type para struct {
	keepNext   bool
	border     string // a <w:pBdr> element, or ""
	noGrid     bool
	before     int // twips
	line       int // exact line height in twips; 0: the grid's
	indLeft    int // in hundredths of a character
	indRight   int
	firstLine  int
	jc         string
	outlineLvl int // 1-based; 0: none
}

func (p para) pPr(w *writer) {
	w.b.WriteString("<w:pPr>")
	if p.keepNext {
		w.b.WriteString("<w:keepNext/>")
	}
	w.b.WriteString(p.border)
	if p.noGrid {
		w.b.WriteString(`<w:snapToGrid w:val="0"/>`)
	}
	if p.line > 0 {
		fmt.Fprintf(&w.b, `<w:spacing w:before="%d" w:after="0" w:line="%d" w:lineRule="exact"/>`, p.before, p.line)
	} else {
		fmt.Fprintf(&w.b, `<w:spacing w:before="%d" w:after="0" w:line="240" w:lineRule="auto"/>`, p.before)
	}
	if p.indLeft != 0 || p.indRight != 0 || p.firstLine != 0 {
		// Character units (…Chars) for Word, twips at the body size for other readers.
		fmt.Fprintf(&w.b, `<w:ind w:leftChars="%d" w:left="%d" w:rightChars="%d" w:right="%d" w:firstLineChars="%d" w:firstLine="%d"/>`,
			p.indLeft, p.indLeft*320/100, p.indRight, p.indRight*320/100, p.firstLine, p.firstLine*320/100)
	}
	if p.jc != "" {
		fmt.Fprintf(&w.b, `<w:jc w:val="%s"/>`, p.jc)
	}
	if p.outlineLvl > 0 {
		fmt.Fprintf(&w.b, `<w:outlineLvl w:val="%d"/>`, p.outlineLvl-1)
	}
	w.b.WriteString("</w:pPr>")
}

func (w *writer) p(p para, text string, st runStyle) {
	w.b.WriteString("<w:p>")
	p.pPr(w)
	if text != "" {
		w.run(text, st)
	}
	w.b.WriteString("</w:p>")
}

func (w *writer) blank() { w.p(para{}, "", w.body()) }

func (w *writer) body() runStyle  { return runStyle{fonts: w.s.BodyFonts, size: bodySize} }
func (w *writer) title() runStyle { return runStyle{fonts: w.s.TitleFonts, size: titleSize} }

func border(side, val string, eighths int, color string, space int) string {
	return fmt.Sprintf(`<w:%s w:val="%s" w:sz="%d" w:space="%d" w:color="%s"/>`, side, val, eighths, space, color)
}

func (w *writer) document(d *Doc) {
	fmt.Fprintf(&w.b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<w:document xmlns:w="%s" xmlns:r="%s"><w:body>`, nsW, nsR)
	if d.Draft {
		// Where the standard puts 份号, 密级 and 紧急程度: the top left, in 黑体.
		w.p(para{}, DraftMark, runStyle{fonts: headingFonts, size: bodySize})
	}
	w.head(d)
	if d.Title != "" {
		w.p(para{jc: "center", outlineLvl: 1}, d.Title, w.title())
	}
	for _, line := range d.Subtitle {
		w.p(para{jc: "center"}, line, w.body())
	}
	if d.Addressee != "" {
		w.blank()
		w.p(para{}, d.Addressee, w.body())
	}
	for _, bl := range d.Blocks {
		w.block(bl)
	}
	w.signature(d)
	w.imprint(d)
	fmt.Fprintf(&w.b, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="%d" w:footer="%d" w:gutter="0"/>`+
		`<w:cols w:space="425"/><w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr></w:body></w:document>`,
		pageW, pageH, marginTop, marginRight, marginBottom, marginLeft, headerDist, footerDist, linePitch)
}

// head writes the 版头: the red 发文机关标志, the 发文字号 and the red separator line
// (GB/T 9704-2012 §7.2), then leaves a line before the title.
func (w *writer) head(d *Doc) {
	if d.Mark == "" {
		return
	}
	// As large as fits one line of the type area, never above 44 pt.
	size := min(88, int(2*440*0.95/max(1, width(d.Mark))))
	w.p(para{jc: "center", noGrid: true, line: size * 20 * 6 / 10}, d.Mark,
		runStyle{fonts: w.s.TitleFonts, size: size, color: red})
	w.blank()
	// The separator sits 4 mm under the 发文字号, across the type area.
	line := `<w:pBdr>` + border("bottom", "single", 12, red, 11) + `</w:pBdr>`
	w.p(para{jc: "center", border: line}, d.Number, w.body())
	w.blank()
}

func (w *writer) block(bl Block) {
	switch bl.Kind {
	case Heading1:
		w.p(para{keepNext: true, firstLine: 200, jc: "both", outlineLvl: 2}, bl.Text, runStyle{fonts: headingFonts, size: bodySize})
	case Heading2:
		w.p(para{keepNext: true, firstLine: 200, jc: "both", outlineLvl: 3}, bl.Text, runStyle{fonts: subheadingFonts, size: bodySize})
	case Paragraph, Item:
		w.p(para{firstLine: 200, jc: "both"}, bl.Text, w.body())
	case Centered:
		w.p(para{jc: "center"}, bl.Text, w.body())
	case Table:
		w.table(bl.Head, bl.Rows)
	}
}

// signature writes the 发文机关署名 and the 成文日期 for a document without a seal
// (§7.3.5.2): the issuer two characters from the right edge, the date on the next line
// starting two characters to the right of the issuer; a date longer than that keeps
// two characters from the edge and the issuer moves left.
func (w *writer) signature(d *Doc) {
	if d.Issuer == "" && d.Date.IsZero() {
		return
	}
	date := ""
	if !d.Date.IsZero() {
		date = ChineseDate(d.Date)
	}
	li, ld := runes(d.Issuer), runes(date)
	issuerR, dateR := 2, li-ld
	if li-ld < 2 {
		dateR, issuerR = 2, 4+ld-li
	}
	w.blank()
	if d.Issuer != "" {
		w.p(para{jc: "right", indRight: issuerR * 100}, d.Issuer, w.body())
	}
	if date != "" {
		w.p(para{jc: "right", indRight: dateR * 100}, date, w.body())
	}
}

// imprint writes the 版记 (§7.4): 抄送 and the 印发机关 with the 印发日期 (in Arabic
// figures), between a thick first and last line, a thin line between them.
func (w *writer) imprint(d *Doc) {
	if d.PrintedBy == "" {
		return
	}
	st := runStyle{fonts: w.s.BodyFonts, size: footSize}
	w.blank()
	thick, thin := border("top", "single", 8, "000000", 1), border("top", "single", 6, "000000", 1)
	bottomThick := border("bottom", "single", 8, "000000", 1)
	if d.CC != "" {
		w.p(para{border: "<w:pBdr>" + thick + "</w:pBdr>", indLeft: 100, indRight: 100}, "抄送："+d.CC+"。", st)
		thick = thin
	}
	printed := ""
	if !d.Date.IsZero() {
		printed = fmt.Sprintf("%d年%d月%d日印发", d.Date.Year(), int(d.Date.Month()), d.Date.Day())
	}
	// The 印发机关 on the left, the date on the right (a right tab at the edge less one
	// character).
	w.b.WriteString("<w:p><w:pPr><w:pBdr>" + thick + bottomThick + "</w:pBdr>")
	fmt.Fprintf(&w.b, `<w:tabs><w:tab w:val="right" w:pos="%d"/></w:tabs>`, typeAreaW-280)
	w.b.WriteString(`<w:ind w:leftChars="100" w:left="280"/></w:pPr>`)
	w.run(d.PrintedBy, st)
	w.b.WriteString("<w:r><w:tab/></w:r>")
	w.run(printed, st)
	w.b.WriteString("</w:p>")
}

// table writes a table across the type area; its header row repeats on every page and
// no row is split between pages.
func (w *writer) table(head []string, rows [][]string) {
	cols := len(head)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	widths := columnWidths(head, rows, cols)
	fmt.Fprintf(&w.b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>`, typeAreaW)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		w.b.WriteString(border(side, "single", 4, "000000", 0))
	}
	w.b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for _, cw := range widths {
		fmt.Fprintf(&w.b, `<w:gridCol w:w="%d"/>`, cw)
	}
	w.b.WriteString("</w:tblGrid>")
	if len(head) > 0 {
		w.row(head, widths, true, true)
	}
	for _, r := range rows {
		w.row(r, widths, false, rowLines(r, widths) <= maxWholeRowLines)
	}
	w.b.WriteString("</w:tbl>")
	// A paragraph after a table keeps two tables apart and the text after it clear.
	w.p(para{noGrid: true, line: 120}, "", w.body())
}

// maxWholeRowLines is the tallest row (in table lines, about 6 mm each; a page holds
// some 37) kept whole on one page. A taller row may break across pages: kept whole,
// it would be pushed to the next page and leave this one blank under the header.
const maxWholeRowLines = 15

// rowLines estimates how many lines a row takes: its tallest cell's text wrapped at
// its column's width.
func rowLines(cells []string, widths []int) int {
	most := 1
	for i, c := range cells {
		if i >= len(widths) {
			break
		}
		per := max(1, float64(widths[i]-cellPad)/float64(tableChar))
		n := 0
		for _, line := range strings.Split(c, "\n") {
			n += max(1, int(math.Ceil(width(line)/per)))
		}
		most = max(most, n)
	}
	return most
}

func (w *writer) row(cells []string, widths []int, header, whole bool) {
	w.b.WriteString("<w:tr><w:trPr>")
	if whole {
		w.b.WriteString("<w:cantSplit/>")
	}
	if header {
		w.b.WriteString("<w:tblHeader/>")
	}
	w.b.WriteString("</w:trPr>")
	st := runStyle{fonts: w.s.BodyFonts, size: tableSize}
	if header {
		st = runStyle{fonts: headingFonts, size: tableSize}
	}
	for i, cw := range widths {
		text := ""
		if i < len(cells) {
			text = cells[i]
		}
		fmt.Fprintf(&w.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>`, cw)
		jc := "left"
		if header || short(text) {
			jc = "center"
		}
		w.p(para{noGrid: true, line: 340, jc: jc}, text, st)
		w.b.WriteString("</w:tc>")
	}
	w.b.WriteString("</w:tr>")
}

// A table's measures: twips per full-width character at the table's size, and a
// cell's margins.
const (
	tableChar = tableSize * 10
	cellPad   = 140
)

// short cells (numbers, dates, a few characters) are centred.
func short(s string) bool { return width(s) <= 5 && !strings.Contains(s, "\n") }

// columnWidths gives each column room for its longest unbreakable run (a date, a
// number) and at least two characters, then shares the rest of the type area by how
// much each column holds (at most 24 characters' worth of weight).
func columnWidths(head []string, rows [][]string, cols int) []int {
	const char, pad = tableChar, cellPad
	weight := make([]float64, cols)
	least := make([]int, cols)
	for c := range cols {
		w, word := 0.0, 2.0
		if c < len(head) {
			w = width(head[c]) * 0.6 // headers may wrap, onto two lines at most
			word = max(word, math.Ceil(width(head[c])/2))
		}
		for _, r := range rows {
			if c >= len(r) {
				continue
			}
			for _, line := range strings.Split(r[c], "\n") {
				w = max(w, width(line))
				if width(line) <= 6 { // a name or a short phrase stays on one line
					word = max(word, width(line))
				}
				for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r >= 0x80 || r == ' ' }) {
					word = max(word, width(f)*1.1)
				}
			}
		}
		weight[c] = min(24, max(1, w-word)) // what the least width already holds counts once
		least[c] = int(word*char) + pad
	}
	rest := typeAreaW
	total := 0.0
	for c := range cols {
		rest -= least[c]
		total += weight[c]
	}
	rest = max(0, rest)
	out := make([]int, cols)
	used := 0
	for c := range cols {
		out[c] = least[c] + int(float64(rest)*weight[c]/total)
		used += out[c]
	}
	out[cols-1] += typeAreaW - used
	return out
}

func footer(odd bool) string {
	jc, ind := "right", `<w:ind w:right="280" w:rightChars="100"/>`
	if !odd {
		jc, ind = "left", `<w:ind w:left="280" w:leftChars="100"/>`
	}
	rpr := runStyle{fonts: pageNumberFonts, size: footSize}.rPr()
	r := func(inner string) string { return "<w:r>" + rpr + inner + "</w:r>" }
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<w:ftr xmlns:w="%s" xmlns:r="%s"><w:p><w:pPr><w:snapToGrid w:val="0"/>%s<w:jc w:val="%s"/></w:pPr>%s%s%s%s%s%s</w:p></w:ftr>`,
		nsW, nsR, ind, jc,
		r(`<w:t xml:space="preserve">— </w:t>`),
		r(`<w:fldChar w:fldCharType="begin"/>`),
		r(`<w:instrText xml:space="preserve"> PAGE </w:instrText>`),
		r(`<w:fldChar w:fldCharType="separate"/>`)+r(`<w:t>1</w:t>`),
		r(`<w:fldChar w:fldCharType="end"/>`),
		r(`<w:t xml:space="preserve"> —</w:t>`))
}

func styles(s Settings) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<w:styles xmlns:w="%s"><w:docDefaults><w:rPrDefault>%s</w:rPrDefault>`+
		`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>`+
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>`+
		`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>`+
		`<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>`+
		`</w:styles>`, nsW, runStyle{fonts: s.BodyFonts, size: bodySize}.rPr())
}

// fontTable names each font with its alternate, the next in its list.
func fontTable(s Settings) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<w:fonts xmlns:w="%s">`, nsW)
	seen := map[string]bool{}
	for _, list := range [][]string{s.TitleFonts, s.BodyFonts, headingFonts, subheadingFonts, pageNumberFonts} {
		for i, f := range list {
			if seen[f] {
				continue
			}
			seen[f] = true
			fmt.Fprintf(&b, `<w:font w:name="%s">`, esc(f))
			if i+1 < len(list) {
				fmt.Fprintf(&b, `<w:altName w:val="%s"/>`, esc(list[i+1]))
			}
			b.WriteString(`<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>`)
		}
	}
	b.WriteString(`<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>`)
	return b.String()
}

func coreProps(d *Doc) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">`+
		`<dc:title>%s</dc:title><dc:creator>%s</dc:creator></cp:coreProperties>`, esc(d.Title), esc(d.Issuer))
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const documentRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
	`<Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>` +
	`<Relationship Id="rIdFooterOdd" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
	`<Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>` +
	`</Relationships>`

// settingsXML turns on different odd and even footers (page numbers outside).
const settingsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:evenAndOddHeaders/><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`
