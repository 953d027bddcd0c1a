package notify

import (
	"fmt"
	"strings"

	"taskrelay/internal/relay"
)

// TimeLayout is how Render writes the issue time, in county time (relay.TimeZone).
const TimeLayout = "2006年1月2日 15:04"

// Render returns the notice as Markdown in Simplified Chinese, for people: the
// subject as a heading, the recipient and its contact (联络员), the meeting, the issue
// time in county time, the body, then the items. A dispatch notice (交办单) lists its items as a table
// (序号 | 任务事项 | 具体要求 | 本单位角色 | 完成时限 | 分管县领导); other notices list
// them briefly, one bullet each.
//
// Text from users (titles, requirements, names) cannot break the structure: inside
// table cells '|' and '\' are escaped and line breaks become <br>; in headings,
// header lines and bullets line breaks become spaces.
func Render(n relay.Notice) string {
	var b strings.Builder
	subject := oneLine(n.Subject)
	if subject == "" {
		subject = relay.NoticeKindLabel(n.Kind)
	}
	fmt.Fprintf(&b, "## %s\n\n", mdEscape(subject))
	if s := oneLine(n.ToName); s != "" {
		fmt.Fprintf(&b, "**致**：%s  \n", mdEscape(s))
	}
	if s := oneLine(n.Contact.String()); s != "" {
		fmt.Fprintf(&b, "**联络员**：%s  \n", mdEscape(s))
	}
	if s := oneLine(n.MeetingName); s != "" {
		fmt.Fprintf(&b, "**会议**：%s  \n", mdEscape(s))
	}
	if !n.IssuedAt.IsZero() {
		fmt.Fprintf(&b, "**时间**：%s  \n", n.IssuedAt.In(relay.TimeZone).Format(TimeLayout))
	}
	if body := strings.TrimSpace(normalizeNewlines(n.Body)); body != "" {
		b.WriteString("\n")
		for i, l := range strings.Split(body, "\n") {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(mdLine(l))
		}
		b.WriteString("\n")
	}
	if len(n.Items) > 0 {
		b.WriteString("\n")
		if n.Kind == relay.NoticeDispatch {
			renderTable(&b, n.Items)
		} else {
			renderList(&b, n.Items, addressedToUnit(n))
		}
	}
	return b.String()
}

func renderTable(b *strings.Builder, items []relay.NoticeItem) {
	b.WriteString("| 序号 | 任务事项 | 具体要求 | 本单位角色 | 完成时限 | 分管县领导 |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, it := range items {
		cells := []string{
			fmt.Sprint(it.No),
			it.Title,
			it.Requirements,
			roleText(it),
			relay.DeadlineLabel(it.Deadline, it.Standing),
			it.DeputyName,
		}
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" ")
			b.WriteString(cell(c))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
}

// addressedToUnit: the notice goes to a unit, which has a role (牵头, 配合) in its items.
// The offices (a push back to decide, a completion to verify) and the deputies have
// none, so their notices carry no 本单位角色.
func addressedToUnit(n relay.Notice) bool {
	switch n.ToKind {
	case relay.ToOffice, relay.ToInspection, relay.ToLeader:
		return false
	}
	return true
}

func renderList(b *strings.Builder, items []relay.NoticeItem, withRole bool) {
	for _, it := range items {
		var details []string
		if it.Why != "" { // an item of a digest: the notice it stands for
			details = append(details, "事由："+it.Why)
		}
		if withRole && it.Role != "" {
			details = append(details, "本单位角色："+relay.RoleLabel(it.Role))
		}
		if it.LeadUnitName != "" {
			details = append(details, "牵头单位："+it.LeadUnitName)
		}
		if d := relay.DeadlineLabel(it.Deadline, it.Standing); d != "" {
			details = append(details, "完成时限："+d)
		}
		if it.DeputyName != "" {
			details = append(details, "分管县领导："+it.DeputyName)
		}
		line := fmt.Sprintf("第%d项：%s", it.No, it.Title)
		if len(details) > 0 {
			line += "（" + strings.Join(details, "；") + "）"
		}
		// oneLine keeps each item on its bullet line whatever its title holds.
		b.WriteString("- ")
		b.WriteString(mdEscape(oneLine(line)))
		b.WriteString("\n")
	}
}

// roleText is the 本单位角色 cell: 牵头 with the supporting units, or 配合 with the
// lead unit, so that every unit sees who else works on the item.
func roleText(it relay.NoticeItem) string {
	switch it.Role {
	case relay.RoleLead:
		if len(it.CoUnitNames) > 0 {
			return "牵头（配合：" + strings.Join(it.CoUnitNames, "、") + "）"
		}
		return "牵头"
	case relay.RoleCo:
		if it.LeadUnitName != "" {
			return "配合（牵头：" + it.LeadUnitName + "）"
		}
		return "配合"
	}
	return relay.RoleLabel(it.Role)
}

// lineBreaks are the sequences treated as line breaks in user text: CommonMark's
// (LF, CR, CRLF) plus the Unicode ones some editors produce.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n", "\v", "\n", "\f", "\n")

func normalizeNewlines(s string) string { return lineBreaks.Replace(s) }

// oneLine folds text onto one line: line breaks and other control characters become
// spaces, runs of spaces collapse.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// mdSpecial are the characters that make Markdown of user text: emphasis, code,
// links and images, raw HTML, strikethrough, table cells. Escaped, a list title such
// as [点此](http://evil.example/) reads as written on every chat platform and never
// becomes a link. A '(' is escaped only right after a ']': written units such as
// 县人力资源和社会保障局(县医疗保障局) keep their brackets, and a renderer that ignores
// escapes still finds no "](" to make a link of.
const mdSpecial = "\\`*_[]<>~|!"

// mdEscape escapes user text for Markdown (see mdSpecial).
func mdEscape(s string) string {
	if !strings.ContainsAny(s, mdSpecial) {
		return s
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if strings.ContainsRune(mdSpecial, r) || (r == '(' && prev == ']') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// mdLine escapes one line of user text standing at the start of a line, where #, >,
// -, + and "1." would also make a heading, a quote or a list.
func mdLine(s string) string {
	s = mdEscape(s)
	t := strings.TrimLeft(s, " ")
	lead := s[:len(s)-len(t)]
	if t != "" && strings.ContainsRune("#>-+=", rune(t[0])) {
		return lead + "\\" + t
	}
	if i := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (t[i] == '.' || t[i] == ')') {
		return lead + t[:i] + "\\" + t[i:]
	}
	return s
}

// cell makes text safe inside a Markdown table cell: Markdown is escaped (mdEscape),
// line breaks become <br>, other control characters spaces. An empty cell shows "—".
func cell(s string) string {
	s = strings.TrimSpace(normalizeNewlines(s))
	if s == "" {
		return "—"
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		switch {
		case strings.ContainsRune(mdSpecial, r) || (r == '(' && prev == ']'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString("<br>")
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}
