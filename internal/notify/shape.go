package notify

import (
	"errors"
	"fmt"
	"strings"

	"taskrelay/internal/relay"
)

// ConsoleLinkText is the text of the link every chat message and e-mail carries.
const ConsoleLinkText = "在控制台查看"

// MaxParts is how many numbered messages one notice may take on a chat platform;
// a longer notice is summarised with the console link instead.
const MaxParts = 5

// Outgoing is one notice on its way to one recipient on one channel.
type Outgoing struct {
	Notice relay.Notice
	// Link opens the notice in the console (see NoticeLink); empty when no public
	// URL is configured.
	Link string
	// Mobiles are the contact's mobile numbers to @-mention (DingTalk, WeCom).
	Mobiles []string
	// Key is the idempotency key of this notice on this channel: the
	// Idempotency-Key of a webhook, the Message-ID of an e-mail.
	Key string
}

// NoticeLink is the console page of a notice under a public base URL ("" when the
// base is empty): the task's page for a notice about one task, else the notice's
// own page (/notices/<id>), where opening it marks it read for the unit.
func NoticeLink(base string, n relay.Notice) string {
	if base == "" {
		return ""
	}
	if n.TaskID != "" {
		return strings.TrimRight(base, "/") + "/tasks/" + pathEscape(n.TaskID)
	}
	return strings.TrimRight(base, "/") + "/notices/" + pathEscape(n.ID)
}

// pathEscape escapes one path segment; ':' stays readable.
func pathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-._~:", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// part is one message of a notice on a chat platform: the title (numbered when the
// notice takes several) and its lines of Markdown.
type part struct {
	Title string
	Lines []string
}

// layout lays a notice out for chat platforms: a title, then short lines (who, which
// meeting, when), the body, and the items as a short list.
func layout(n relay.Notice) (string, []string) {
	title := oneLine(n.Subject)
	if title == "" {
		title = relay.NoticeKindLabel(n.Kind)
	}
	var lines []string
	if s := oneLine(n.ToName); s != "" {
		lines = append(lines, "**致**："+mdEscape(s))
	}
	if s := oneLine(n.Contact.String()); s != "" {
		lines = append(lines, "**联络员**："+mdEscape(s))
	}
	if s := oneLine(n.MeetingName); s != "" {
		lines = append(lines, "**会议**："+mdEscape(s))
	}
	if !n.IssuedAt.IsZero() {
		lines = append(lines, "**时间**："+n.IssuedAt.In(relay.TimeZone).Format(TimeLayout))
	}
	for _, l := range strings.Split(strings.TrimSpace(normalizeNewlines(n.Body)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, mdLine(l))
		}
	}
	var items strings.Builder
	renderList(&items, n.Items, addressedToUnit(n))
	for _, l := range strings.Split(strings.TrimRight(items.String(), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return title, lines
}

// errTooLong is returned when not even a summary fits a platform's limit.
var errTooLong = errors.New("notify: message does not fit the platform's size limit")

// split packs a notice into at most MaxParts messages for which fits holds, numbering
// them "（1/3）" when there are several. A notice that needs more is summarised (its
// header, the number of items, the console link); a single line too long for a
// message is shortened with a visible mark. Nothing is dropped without saying so.
func split(n relay.Notice, link string, fits func(part) bool) ([]part, error) {
	title, lines := layout(n)
	if p := (part{Title: title, Lines: lines}); fits(p) {
		return []part{p}, nil
	}
	// Reserve room for the widest number the parts can carry.
	probe := func(ls []string) bool {
		return fits(part{Title: numbered(title, MaxParts, MaxParts), Lines: ls})
	}
	var parts [][]string
	var cur []string
	for _, l := range lines {
		if probe(append(cur[:len(cur):len(cur)], l)) {
			cur = append(cur, l)
			continue
		}
		if len(cur) > 0 {
			parts = append(parts, cur)
			cur = nil
		}
		if !probe([]string{l}) {
			l = shorten(l, func(s string) bool { return probe([]string{s}) })
		}
		cur = []string{l}
		if len(parts) >= MaxParts {
			break
		}
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	if len(parts) <= MaxParts {
		out := make([]part, len(parts))
		for i, ls := range parts {
			out[i] = part{Title: numbered(title, i+1, len(parts)), Lines: ls}
		}
		return out, nil
	}
	return summary(n, title, link, fits)
}

// summary is the one message of a notice too long for MaxParts messages.
func summary(n relay.Notice, title, link string, fits func(part) bool) ([]part, error) {
	_, lines := layout(relay.Notice{ToName: n.ToName, MeetingName: n.MeetingName, IssuedAt: n.IssuedAt})
	note := fmt.Sprintf("本通知篇幅较长（共 %d 项），此处只发摘要，全文请在控制台查看。", len(n.Items))
	if link == "" {
		note = fmt.Sprintf("本通知篇幅较长（共 %d 项），此处只发摘要，全文请登录控制台查看。", len(n.Items))
	}
	p := part{Title: title, Lines: append(lines, note)}
	if fits(p) {
		return []part{p}, nil
	}
	p.Title = shorten(title, func(s string) bool { return fits(part{Title: s, Lines: p.Lines}) })
	if fits(p) {
		return []part{p}, nil
	}
	return nil, errTooLong
}

func numbered(title string, i, n int) string {
	if n <= 1 {
		return title
	}
	return fmt.Sprintf("%s（%d/%d）", title, i, n)
}

// shortenMark ends a line that had to be shortened.
const shortenMark = "…（过长，全文见控制台）"

// shorten returns the longest prefix of s (whole runes) that fits with the mark.
func shorten(s string, fits func(string) bool) string {
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(string(rs[:mid]) + shortenMark) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(rs[:lo]) + shortenMark
}

// markdown writes a part as chat Markdown: a heading, the lines, the link and the
// @-mentions (DingTalk shows a mention only when "@mobile" is in the text).
func (p part) markdown(heading, link string, mentions []string) string {
	var b strings.Builder
	if heading != "" {
		b.WriteString(heading)
		b.WriteString(" ")
		b.WriteString(mdEscape(p.Title))
		b.WriteString("\n\n")
	}
	for _, l := range p.Lines {
		b.WriteString(l)
		b.WriteString("\n\n")
	}
	if link != "" {
		fmt.Fprintf(&b, "[%s](%s)\n\n", ConsoleLinkText, link)
	}
	for _, m := range mentions {
		b.WriteString("@")
		b.WriteString(m)
		b.WriteString(" ")
	}
	return strings.TrimRight(b.String(), "\n ")
}
