package tasklist

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"taskrelay/internal/relay"
)

// Follow-up fields of an item:
//
//	feedback: monthly                 # a continuing task: progress every month
//	milestones:                       # a one-off task's nodes (序时进度)
//	  - {date: 2026-10-31, goal: 完成方案, percent: 30}   # percent optional
//
// In a spreadsheet, 反馈要求 (每月 or monthly) and 节点目标 ("2026-10-31 完成方案（30%）",
// several separated by line breaks or ；). A node without a percentage expects an even
// share of the way to the deadline (the last node): the i-th of n nodes i/(n+1).

// Limits of the follow-up fields.
const (
	MaxMilestones = 24
	MaxGoalLen    = 200 // runes
)

// rawMilestone is a node as written.
type rawMilestone struct {
	date    string
	goal    string
	percent int    // 0 when absent
	bad     string // a problem found while decoding, reported with the node
}

var feedbackWords = map[string]string{
	"monthly": relay.FeedbackMonthly, "每月": relay.FeedbackMonthly, "按月": relay.FeedbackMonthly,
	"月": relay.FeedbackMonthly, "每月报送": relay.FeedbackMonthly, "每月反馈": relay.FeedbackMonthly,
	"": "", "无": "", "none": "",
}

// decodeMilestones reads the milestones value of a YAML or JSON item: a list of
// {date, goal, percent} mappings, or one text in the spreadsheet's form.
func (c *collector) decodeMilestones(it *rawItem, v value) {
	var text string
	if err := v(&text); err == nil {
		it.milestones = parseMilestoneText(text)
		return
	}
	var list []map[string]any
	if err := v(&list); err != nil {
		c.addItem(it, "milestones", "节点目标应为列表，每个节点包含 date（日期）和 goal（目标），可选 percent（序时进度）")
		it.fail("milestones")
		return
	}
	for _, m := range list {
		var r rawMilestone
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch k {
			case "date":
				r.date = dateText(m[k])
			case "goal":
				if s, ok := m[k].(string); ok {
					r.goal = s
				} else if m[k] != nil {
					r.bad = "goal（目标）应为文本"
				}
			case "percent":
				if p, ok := percentOf(m[k]); ok {
					r.percent = p
				} else {
					r.bad = fmt.Sprintf("percent（序时进度）%s应为 1 到 100 的整数", quote(fmt.Sprint(m[k])))
				}
			default:
				r.bad = fmt.Sprintf("未知字段 %s（节点的字段为 date、goal、percent）", k)
			}
		}
		it.milestones = append(it.milestones, r)
	}
}

// dateText is a node's date as written: YAML reads an unquoted date as a time.
func dateText(v any) string {
	switch d := v.(type) {
	case string:
		return d
	case time.Time:
		return d.Format(relay.DateLayout)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func percentOf(v any) (int, bool) {
	switch p := v.(type) {
	case int:
		return p, p >= 1 && p <= 100
	case float64:
		return int(p), p == math.Trunc(p) && p >= 1 && p <= 100
	case string:
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(p), "%"))
		return n, err == nil && n >= 1 && n <= 100
	}
	return 0, false
}

// milestoneRE is one node as a spreadsheet cell writes it: a date, the goal, and an
// optional percentage in brackets.
var milestoneRE = regexp.MustCompile(`^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*[：:]?\s*(.*?)\s*(?:[（(]\s*(\d{1,3})\s*[%％]\s*[）)])?$`)

// parseMilestoneText reads nodes separated by line breaks or semicolons.
func parseMilestoneText(s string) []rawMilestone {
	var out []rawMilestone
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '；' || r == ';' }) {
		part = strings.TrimSpace(foldWidth(part))
		if part == "" {
			continue
		}
		m := milestoneRE.FindStringSubmatch(part)
		if m == nil {
			out = append(out, rawMilestone{goal: part, bad: fmt.Sprintf("节点%s应写作“日期 目标”，如“2026-10-31 完成方案（30%%）”", quote(part))})
			continue
		}
		r := rawMilestone{date: m[1], goal: m[2]}
		if m[3] != "" {
			if p, ok := percentOf(m[3]); ok {
				r.percent = p
			} else {
				r.bad = fmt.Sprintf("序时进度“%s%%”应为 1 到 100 的整数", m[3])
			}
		}
		out = append(out, r)
	}
	return out
}

// buildFollowUp validates an item's feedback and milestones into item. deadline and
// meetingDate are the item's valid dates, empty when they are not.
func (c *collector) buildFollowUp(it *rawItem, item *relay.Item, meetingDate, deadline string) {
	fb := strings.ToLower(strings.TrimSpace(it.feedback))
	if v, ok := feedbackWords[fb]; ok {
		item.Feedback = v
	} else if !it.failed["feedback"] {
		want := " monthly（每月报送进展）"
		if c.table != "" {
			want = "“每月”"
		}
		c.addItem(it, "feedback", "反馈要求%s无法识别，应为%s或不填", quote(it.feedback), want)
	}
	if it.failed["milestones"] || len(it.milestones) == 0 {
		return
	}
	if len(it.milestones) > MaxMilestones {
		c.addItem(it, "milestones", "节点过多（%d 个），不得超过 %d 个", len(it.milestones), MaxMilestones)
		return
	}
	ok := true
	var ms []relay.Milestone
	seen := map[string]bool{}
	for i, r := range it.milestones {
		node := fmt.Sprintf("第%d个节点", i+1)
		if r.bad != "" {
			c.addItem(it, "milestones", "%s: %s", node, r.bad)
			ok = false
			continue
		}
		goal := strings.TrimSpace(r.goal)
		d, dateOK := normalizeDate(r.date)
		switch {
		case strings.TrimSpace(r.date) == "":
			c.addItem(it, "milestones", "%s: 缺少日期", node)
			ok = false
		case !dateOK:
			c.addItem(it, "milestones", "%s: 日期%s无法识别，应写作 %s", node, quote(r.date), DateForms)
			ok = false
		case seen[d]:
			c.addItem(it, "milestones", "%s: 日期 %s 重复", node, d)
			ok = false
		case meetingDate != "" && d < meetingDate:
			c.addItem(it, "milestones", "%s: 日期 %s 早于会议日期 %s", node, d, meetingDate)
			ok = false
		case deadline != "" && d > deadline:
			c.addItem(it, "milestones", "%s: 日期 %s 晚于完成时限 %s", node, d, deadline)
			ok = false
		}
		seen[d] = true
		switch n := utf8.RuneCountInString(goal); {
		case n == 0:
			c.addItem(it, "milestones", "%s: 缺少目标", node)
			ok = false
		case n > MaxGoalLen:
			c.addItem(it, "milestones", "%s: 目标过长（%d 字），不得超过 %d 字", node, n, MaxGoalLen)
			ok = false
		}
		ms = append(ms, relay.Milestone{Date: d, Goal: goal, Percent: r.percent})
	}
	if !ok {
		return
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Date < ms[j].Date })
	prev := 0
	for i := range ms {
		if ms[i].Percent == 0 {
			ms[i].Percent = max(prev, 100*(i+1)/(len(ms)+1))
		} else if ms[i].Percent < prev {
			c.addItem(it, "milestones", "节点 %s 的序时进度 %d%% 低于前一节点的 %d%%", ms[i].Date, ms[i].Percent, prev)
			return
		}
		prev = ms[i].Percent
	}
	item.Milestones = ms
}

// MilestoneText writes nodes the way a spreadsheet cell holds them.
func MilestoneText(ms []relay.Milestone) string {
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = fmt.Sprintf("%s %s（%d%%）", m.Date, m.Goal, m.Percent)
	}
	return strings.Join(lines, "\n")
}
