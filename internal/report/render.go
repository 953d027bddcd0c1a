package report

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// flat makes user text one line: reports quote titles and notes inline.
func flat(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ", "\t", " ").Replace(s)), " ")
}

// mdCell keeps a table cell inside its cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", "｜", "\\", "＼").Replace(flat(s))
}

// mdText keeps user text from turning into Markdown structure (a leading # or a list).
func mdText(s string) string {
	s = flat(s)
	if s != "" && strings.ContainsAny(s[:1], "#>-*+=") {
		s = "\\" + s
	}
	return s
}

// Markdown renders the document.
func (d *doc) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", d.Title)
	for _, s := range d.Subtitle {
		fmt.Fprintf(&b, "%s  \n", s)
	}
	b.WriteString("\n")
	for _, bl := range d.Blocks {
		switch bl.Kind {
		case bH2:
			fmt.Fprintf(&b, "## %s\n\n", bl.Text)
		case bH3:
			fmt.Fprintf(&b, "### %s\n\n", bl.Text)
		case bPara:
			fmt.Fprintf(&b, "%s\n\n", mdText(bl.Text))
		case bList:
			for i, it := range bl.Items {
				fmt.Fprintf(&b, "%d. %s\n", i+1, flat(it))
			}
			b.WriteString("\n")
		case bTable:
			b.WriteString("|")
			for _, h := range bl.Head {
				fmt.Fprintf(&b, " %s |", h)
			}
			b.WriteString("\n|")
			for range bl.Head {
				b.WriteString(" --- |")
			}
			b.WriteString("\n")
			for _, row := range bl.Rows {
				b.WriteString("|")
				for _, c := range row {
					fmt.Fprintf(&b, " %s |", mdCell(c))
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		case bChart:
			b.WriteString("（各牵头单位办结情况图见 HTML 版。）\n\n")
		}
	}
	for _, s := range d.Sign {
		fmt.Fprintf(&b, "%s  \n", s)
	}
	return b.String()
}

const css = `
body{font-family:"FangSong","仿宋","STFangsong","SimSun","Songti SC","Noto Serif CJK SC",serif;font-size:16pt;line-height:1.75;max-width:190mm;margin:0 auto;padding:12mm;color:#000}
h1{font-family:"SimHei","黑体","Heiti SC","Noto Sans CJK SC",sans-serif;font-size:22pt;text-align:center;margin:0 0 .3em}
.sub{text-align:center;margin:0}
h2{font-family:"SimHei","黑体","Heiti SC",sans-serif;font-size:16pt;margin:1em 0 .3em}
h3{font-family:"KaiTi","楷体","STKaiti",serif;font-size:16pt;margin:.8em 0 .2em}
p{text-indent:2em;margin:.2em 0}
ol{margin:.2em 0 .2em 2em;padding:0}
table{border-collapse:collapse;width:100%;font-size:10.5pt;line-height:1.4;margin:.4em 0}
th,td{border:1px solid #000;padding:2px 4px;vertical-align:top}
th{background:#eee}
td.n{text-align:right;white-space:nowrap}
.sign{text-align:right;margin-top:2em}
.sign div{margin:0}
svg text{font-family:"SimSun","Noto Sans CJK SC",sans-serif}
@media print{body{padding:0;max-width:none}table{page-break-inside:auto}tr{page-break-inside:avoid}}
`

// HTML renders the document as one self-contained printable page (no external files).
func (d *doc) HTML() string {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", e(d.Title), css)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", e(d.Title))
	for _, s := range d.Subtitle {
		fmt.Fprintf(&b, "<p class=\"sub\">%s</p>\n", e(s))
	}
	for _, bl := range d.Blocks {
		switch bl.Kind {
		case bH2:
			fmt.Fprintf(&b, "<h2>%s</h2>\n", e(bl.Text))
		case bH3:
			fmt.Fprintf(&b, "<h3>%s</h3>\n", e(bl.Text))
		case bPara:
			fmt.Fprintf(&b, "<p>%s</p>\n", e(flat(bl.Text)))
		case bList:
			b.WriteString("<ol>\n")
			for _, it := range bl.Items {
				fmt.Fprintf(&b, "<li>%s</li>\n", e(flat(it)))
			}
			b.WriteString("</ol>\n")
		case bTable:
			b.WriteString("<table>\n<thead><tr>")
			for _, h := range bl.Head {
				fmt.Fprintf(&b, "<th>%s</th>", e(h))
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			for _, row := range bl.Rows {
				b.WriteString("<tr>")
				for _, c := range row {
					class := ""
					if isNumeric(c) {
						class = ` class="n"`
					}
					fmt.Fprintf(&b, "<td%s>%s</td>", class, e(flat(c)))
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		case bChart:
			b.WriteString(chartSVG(bl.Units))
		}
	}
	b.WriteString("<div class=\"sign\">")
	for _, s := range d.Sign {
		fmt.Fprintf(&b, "<div>%s</div>", e(s))
	}
	b.WriteString("</div>\n</body>\n</html>\n")
	return b.String()
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range strings.TrimSuffix(s, "%") {
		if (r < '0' || r > '9') && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

// chart colours: on time, late, open not due, open overdue.
var chartParts = []struct{ label, color string }{
	{"按时办结", "#2e7d32"}, {"逾期办结", "#f9a825"}, {"未到时限", "#90a4ae"}, {"逾期未办结", "#c62828"},
}

// chartSVG draws completion by lead unit: one stacked bar per unit, scaled to the unit
// with most items, with the completion rate at the end.
func chartSVG(units []GroupRow) string {
	const (
		labelW = 200
		barW   = 400
		rateW  = 70
		rowH   = 22
		top    = 34
	)
	maxN := 1
	for _, u := range units {
		maxN = max(maxN, u.Tasks)
	}
	h := top + rowH*len(units) + 10
	w := labelW + barW + rateW
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, "<figure style=\"margin:.5em 0\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" aria-label=\"各牵头单位办结情况\">\n", w, h)
	x := labelW
	for _, p := range chartParts {
		fmt.Fprintf(&b, "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"17\" font-size=\"12\">%s</text>\n", x, p.color, x+16, p.label)
		x += 100
	}
	for i, u := range units {
		y := top + i*rowH
		name := u.Name
		if utf8.RuneCountInString(name) > 13 {
			name = string([]rune(name)[:12]) + "…"
		}
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">%s</text>\n", labelW-6, y+15, e(name))
		x := float64(labelW)
		for j, n := range []int{u.ClosedOnTime, u.ClosedLate, u.OpenNotDue, u.OpenOverdue} {
			if n == 0 {
				continue
			}
			bw := float64(barW) * float64(n) / float64(maxN)
			fmt.Fprintf(&b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s：%d件</title></rect>\n",
				x, y+3, bw, rowH-6, chartParts[j].color, e(u.Name), chartParts[j].label, n)
			x += bw
		}
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>\n", x+4, y+15, rate(u.CompletionRate))
	}
	b.WriteString("</svg><figcaption style=\"text-align:center;font-size:11pt\">各牵头单位办结情况（件）</figcaption></figure>\n")
	return b.String()
}
