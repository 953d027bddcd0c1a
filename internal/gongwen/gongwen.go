// Package gongwen writes official documents (公文) as .docx, laid out to GB/T 9704-2012
// (党政机关公文格式): A4, top margin 37 mm, binding-side margin 28 mm, a type area of
// 156 mm × 225 mm holding 22 lines of 28 characters, the title in 方正小标宋简体 2号,
// the body in 仿宋_GB2312 3号, the 发文机关标志 in red over the 发文字号 and the red
// separator line, the 成文日期 in Chinese figures, and page numbers "— 1 —" on the
// outside edge (odd pages right, even pages left). Tables break across pages and repeat
// their header row.
//
// The WordprocessingML is written by this package (encoding/xml escaping, archive/zip):
// the Go libraries served by the module proxy that were looked at build ordinary Word
// documents and leave out what the standard rests on (the line and character grid,
// different odd and even footers with a PAGE field, East Asian font slots with
// alternates), and the free ones are young; the part of the format a 公文 needs is small.
package gongwen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Settings are the county's choices for its documents (from configuration).
type Settings struct {
	// Issuer is the 发文机关 of the inspection office's documents (交办单, 督办单, 通报):
	// it heads them (发文机关标志) and signs them.
	Issuer string `json:"issuer"`
	// Prefix is their 发文字号 prefix (机关代字), as in 县府督办〔2026〕7号.
	Prefix string `json:"prefix"`
	// CommitteeIssuer and CommitteePrefix are the report to the county committee's.
	CommitteeIssuer string `json:"committee_issuer"`
	CommitteePrefix string `json:"committee_prefix"`
	// TitleFonts and BodyFonts are font names, most wanted first: the first is named
	// in the document, the next one as its alternate for a reader that lacks it.
	TitleFonts []string `json:"title_fonts"`
	BodyFonts  []string `json:"body_fonts"`
}

// Default fonts: the standard's, then what Windows, macOS and Linux machines have.
var (
	DefaultTitleFonts = []string{"方正小标宋简体", "方正小标宋_GBK", "华文中宋", "宋体", "SimSun"}
	DefaultBodyFonts  = []string{"仿宋_GB2312", "仿宋", "FangSong", "STFangsong"}
	headingFonts      = []string{"黑体", "SimHei", "STHeiti"}
	subheadingFonts   = []string{"楷体_GB2312", "楷体", "KaiTi", "STKaiti"}
	pageNumberFonts   = []string{"宋体", "SimSun"}
)

// DefaultSettings are used where configuration says nothing.
func DefaultSettings() Settings {
	return Settings{
		Issuer: "县人民政府督查室", Prefix: "县府督办",
		CommitteeIssuer: "县人民政府", CommitteePrefix: "县政报",
		TitleFonts: DefaultTitleFonts, BodyFonts: DefaultBodyFonts,
	}
}

// DraftMark heads a draft (拟稿) until it is signed off and numbered.
const DraftMark = "拟稿（未经签发）"

// Number writes a 发文字号: prefix, the year in 六角括号 〔〕, the sequence number, 号.
//
//	Number("县府督办", 2026, 7) == "县府督办〔2026〕7号"
func Number(prefix string, year, seq int) string {
	return fmt.Sprintf("%s〔%d〕%d号", prefix, year, seq)
}

var cnDigits = []string{"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// ChineseDate writes a 成文日期 in Chinese figures, as the standard asks: the year digit
// by digit with 〇 for zero, month and day as numbers (十, 十二, 二十一, 三十).
//
//	ChineseDate(2026-12-01) == "二〇二六年十二月一日"
func ChineseDate(t time.Time) string {
	var b strings.Builder
	for _, r := range strconv.Itoa(t.Year()) {
		b.WriteString(cnDigits[r-'0'])
	}
	b.WriteString("年")
	b.WriteString(cnNumber(int(t.Month())))
	b.WriteString("月")
	b.WriteString(cnNumber(t.Day()))
	b.WriteString("日")
	return b.String()
}

// cnNumber writes 1-99 in Chinese figures.
func cnNumber(n int) string {
	tens, ones := n/10, n%10
	s := ""
	switch {
	case tens == 1:
		s = "十"
	case tens > 1:
		s = cnDigits[tens] + "十"
	}
	if ones > 0 || n == 0 {
		s += cnDigits[ones]
	}
	return s
}

// BlockKind is what a block of the body is.
type BlockKind int

// Block kinds: 一、 headings in 黑体, （一） headings in 楷体, paragraphs, numbered
// items, tables.
const (
	Heading1 BlockKind = iota
	Heading2
	Paragraph
	Item
	Table
	Centered // a centred line under the title (a 副标题 such as the month)
)

// Block is one part of the body.
type Block struct {
	Kind BlockKind
	Text string
	Head []string   // table header row (repeated on every page)
	Rows [][]string // table rows; line breaks inside a cell are kept
}

// Doc is one official document.
type Doc struct {
	// Mark is the 发文机关标志 (red, at the top of the first page); empty: no 版头.
	Mark string
	// Number is the 发文字号 under the mark, e.g. 县府督办〔2026〕7号.
	Number string
	// Draft marks a document not yet signed off: a line DraftMark at the top left.
	Draft bool
	Title string
	// Subtitle lines are centred under the title (the month, the period).
	Subtitle []string
	// Addressee is the 主送机关 (a line under the title ending in a full-width colon).
	Addressee string
	Blocks    []Block
	// Issuer and Date sign the document (发文机关署名, 成文日期 in Chinese figures).
	Issuer string
	Date   time.Time
	// CC is the 抄送机关 line of the 版记; PrintedBy the 印发机关 (印发日期 = Date).
	CC        string
	PrintedBy string
}

// P adds a paragraph, H1 and H2 headings, I a numbered item, T a table, C a centred line.
func (d *Doc) P(text string)  { d.Blocks = append(d.Blocks, Block{Kind: Paragraph, Text: text}) }
func (d *Doc) H1(text string) { d.Blocks = append(d.Blocks, Block{Kind: Heading1, Text: text}) }
func (d *Doc) H2(text string) { d.Blocks = append(d.Blocks, Block{Kind: Heading2, Text: text}) }
func (d *Doc) I(text string)  { d.Blocks = append(d.Blocks, Block{Kind: Item, Text: text}) }
func (d *Doc) C(text string)  { d.Blocks = append(d.Blocks, Block{Kind: Centered, Text: text}) }
func (d *Doc) T(head []string, rows [][]string) {
	d.Blocks = append(d.Blocks, Block{Kind: Table, Head: head, Rows: rows})
}

// width is a string's width in full-width characters (ASCII counts one half).
func width(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += 0.5
		} else {
			w++
		}
	}
	return w
}

// runes counts characters, for the signature's indents.
func runes(s string) int { return utf8.RuneCountInString(s) }
