// Package tasklist reads the task list (任务清单) a county committee standing
// committee meeting adopted — YAML, JSON or XLSX — and validates it against the
// county's directory into a relay.Plan, every unit and leader name resolved to ids.
//
// Validation is complete before anything is returned: a file with problems yields
// Problems listing every one of them, each naming the file, the item and the field.
package tasklist

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"taskrelay/internal/problem"

	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
)

// Limits.
const (
	MaxFileSize        = 10 << 20 // bytes of a task list file
	MaxUnzippedSize    = 32 << 20 // total bytes an .xlsx or .docx actually inflates to
	MaxItems           = 20000
	MaxTitleLen        = 500  // runes
	MaxRequirementsLen = 4000 // runes
	MaxMeetingIDLen    = 64
)

// MeetingFlags supplies or overrides the meeting's fields (the flags of `submit`).
// A non-empty field replaces the file's; for .xlsx files they are the only source.
type MeetingFlags struct{ ID, Name, Date string }

// Problem is one thing wrong with a task list. Item is the item's number (its
// position in the list when the number itself is missing or invalid), 0 when the
// problem is not about an item. Field is the English field name. In a spreadsheet or
// Word table, Row is the table's row and Column the column's heading as the table
// writes it (完成时限, 时限 …), which the problem names instead of the field.
type Problem struct {
	File    string
	Item    int
	Field   string
	Message string
	Row     int
	Column  string
	// Suggestions are the directory's names close to an unknown unit or leader.
	Suggestions []string
}

func (p Problem) String() string {
	where := ""
	if p.Item > 0 {
		where = fmt.Sprintf("第%d项", p.Item)
	}
	if p.Row > 0 {
		where += fmt.Sprintf("（表格第%d行）", p.Row)
	}
	if p.Column != "" {
		return problem.Line(p.File, where, "", "列“"+p.Column+"”: "+p.Message)
	}
	return problem.Line(p.File, where, p.Field, p.Message)
}

// Problems is every problem found in a task list, sorted by item (file-level
// problems first). It is the error ParseFile and Parse return.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string { return problem.Join(ps) }

// ParseFile reads the task list at path (format by extension) and validates it.
// Files larger than MaxFileSize are refused before they are read.
func ParseFile(path string, dir *directory.Directory, flags MeetingFlags) (*relay.Plan, error) {
	p, _, err := CheckFile(path, dir, flags)
	return p, err
}

// CheckFile is ParseFile, also returning the warnings: what is accepted but worth a
// look (each message starts 提示：), such as a deadline already past.
func CheckFile(path string, dir *directory.Directory, flags MeetingFlags) (*relay.Plan, Problems, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, unreadable(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err == nil && st.IsDir():
		return nil, nil, Problems{{File: path, Message: "无法读取任务清单：这是一个文件夹，请给出其中的任务清单文件（.yaml、.json、.xlsx 或 .docx）"}}
	case err == nil && st.Size() > MaxFileSize:
		return nil, nil, Problems{{File: path, Message: tooLarge(st.Size())}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, nil, unreadable(path, err)
	}
	return Check(path, data, dir, flags)
}

// unreadable says in Chinese why the file could not be read: a clerk who mistyped
// the path reads 文件不存在, not the system's English.
func unreadable(path string, err error) Problems {
	msg := "无法读取任务清单：" + err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "无法读取任务清单：文件不存在，请检查路径和文件名"
		if !filepath.IsAbs(path) {
			if wd, werr := os.Getwd(); werr == nil {
				msg += "（相对路径从当前目录 " + wd + " 算起）"
			}
		}
	case errors.Is(err, fs.ErrPermission):
		msg = "无法读取任务清单：没有读取该文件的权限"
	}
	return Problems{{File: path, Message: msg}}
}

func tooLarge(n int64) string {
	return fmt.Sprintf("文件过大（%d 字节），任务清单文件不得超过 %d MiB", n, MaxFileSize>>20)
}

// Parse validates a task list given as bytes; the format follows file's extension
// (.yaml, .yml, .json, .xlsx, .docx: the first table of a Word document). The plan's
// SourceFile is file.
func Parse(file string, data []byte, dir *directory.Directory, flags MeetingFlags) (*relay.Plan, error) {
	p, _, err := Check(file, data, dir, flags)
	return p, err
}

// Check is Parse, also returning the warnings of an accepted list (see CheckFile).
func Check(file string, data []byte, dir *directory.Directory, flags MeetingFlags) (*relay.Plan, Problems, error) {
	plan, c := parse(file, data, dir, flags)
	if plan == nil {
		return nil, nil, c.problems()
	}
	sort.SliceStable(c.warnings, func(i, j int) bool { return c.warnings[i].Item < c.warnings[j].Item })
	return plan, c.warnings, nil
}

func parse(file string, data []byte, dir *directory.Directory, flags MeetingFlags) (*relay.Plan, *collector) {
	c := &collector{file: file}
	if dir == nil {
		c.add(0, "", "没有提供机构目录，无法核对单位和县领导")
		return nil, c
	}
	if len(data) > MaxFileSize {
		c.add(0, "", "%s", tooLarge(int64(len(data))))
		return nil, c
	}
	var (
		m     rawMeeting
		items []rawItem
		ok    bool
	)
	switch ext := strings.ToLower(filepath.Ext(file)); ext {
	case ".yaml", ".yml":
		m, items, ok = decodeYAML(c, data)
	case ".json":
		m, items, ok = decodeJSON(c, data)
	case ".xlsx":
		m, items, ok = decodeXLSX(c, data)
		c.table = "XLSX"
	case ".docx":
		m, items, ok = decodeDOCX(c, data)
		c.table = "DOCX"
	case ".doc", ".wps":
		c.add(0, "", "不支持 %s 文件，请在文字处理软件中另存为 .docx", ext)
		return nil, c
	case ".xls", ".et", ".csv":
		c.add(0, "", "不支持 %s 文件，请在表格软件中另存为 .xlsx", ext)
		return nil, c
	default:
		c.add(0, "", "无法识别文件类型“%s”，任务清单应为 .yaml、.yml、.json、.xlsx 或 .docx 文件", ext)
		return nil, c
	}
	if !ok {
		return nil, c
	}
	plan := build(c, m, items, dir, flags)
	if len(c.ps) > 0 {
		return nil, c
	}
	plan.SourceFile = file
	return plan, c
}

// rawMeeting and rawItem are a task list as written, before validation.
type rawMeeting struct {
	ID, Name, Date string
	failed         map[string]bool // fields whose value could not be decoded (already reported)
}

type rawItem struct {
	pos          int    // 1-based position in the list
	row          int    // spreadsheet row, 0 for YAML/JSON
	no           int    // 0 when absent or invalid
	noText       string // the number as written, when it is not a positive integer
	title        string
	requirements string
	lead         string
	co           []string
	leader       string
	deadline     string
	feedback     string
	milestones   []rawMilestone
	failed       map[string]bool // fields whose value could not be decoded (already reported)
}

// ref is how problems name the item: its number, else its position.
func (it *rawItem) ref() int {
	if it.no > 0 {
		return it.no
	}
	return it.pos
}

func (it *rawItem) fail(field string) {
	if it.failed == nil {
		it.failed = map[string]bool{}
	}
	it.failed[field] = true
}

// collector accumulates problems and warnings.
type collector struct {
	file  string
	table string // "XLSX", "DOCX": a table, whose meeting comes from the caller
	// headings are a table's column headings as written, by field.
	headings map[string]string
	ps       Problems
	warnings Problems
}

// today is the county's date, for the warning on deadlines already past.
var today = func() string { return time.Now().In(relay.TimeZone).Format(relay.DateLayout) }

// PastDeadline is the one warning about a deadline that has passed by day (today, when
// a list is checked; the dispatch day, when it is adopted): the list check and the
// adoption say it in the same words, so a clerk reads one sentence per item.
func PastDeadline(deadline, day string) string {
	return fmt.Sprintf("提示：完成时限 %s 已过（截至 %s），交办即为逾期；逾期天数自单位收到任务之日起算", deadline, day)
}

// warnItem records a warning (accepted, worth a look) about an item.
func (c *collector) warnItem(it *rawItem, field, format string, args ...any) {
	n := len(c.ps)
	c.addItem(it, field, format, args...)
	c.warnings = append(c.warnings, c.ps[n])
	c.ps = c.ps[:n]
}

// addSuggested records a problem about a name, with the names the directory has
// close to it (您是否要找).
func (c *collector) addSuggested(it *rawItem, field string, suggestions []string, format string, args ...any) {
	if len(suggestions) > 0 {
		format += "（您是否要找：%s）"
		args = append(args, strings.Join(suggestions, "、"))
	}
	c.addItem(it, field, format, args...)
	c.ps[len(c.ps)-1].Suggestions = suggestions
}

// unresolved words a unit field that designates no single unit: each unknown name
// with suggestions, or the different bodies it names.
func (c *collector) unresolved(it *rawItem, field string, dir *directory.Directory, err error) {
	var we *directory.WrittenError
	if !errors.As(err, &we) {
		c.addItem(it, field, "%v", err)
		return
	}
	if unknown := we.Unknown(); len(unknown) > 0 {
		for _, n := range unknown {
			c.addSuggested(it, field, dir.SuggestUnits(n), "找不到单位%s", quote(n))
		}
		return
	}
	names := make([]string, len(we.Names))
	for i, n := range we.Names {
		names[i] = quote(n)
		if we.Units[i].Name != n {
			names[i] += "（" + we.Units[i].Name + "）"
		}
	}
	if field == "lead" {
		c.addItem(it, field, "%s写了不同的单位：%s；牵头单位只能有一个，其余单位请写入配合单位", quote(we.Written), strings.Join(names, "、"))
	} else {
		c.addItem(it, field, "%s写了不同的单位：%s；括号中只能写同一单位的其他名称，几个单位请用“、”分开", quote(we.Written), strings.Join(names, "、"))
	}
}

func (c *collector) add(item int, field, format string, args ...any) {
	msg := strings.ToValidUTF8(fmt.Sprintf(format, args...), "") // libraries may cut values mid-character
	c.ps = append(c.ps, Problem{File: c.file, Item: item, Field: field, Message: msg})
}

// addItem records a problem about an item, saying where it is when its number
// cannot identify it.
func (c *collector) addItem(it *rawItem, field, format string, args ...any) {
	msg := strings.ToValidUTF8(fmt.Sprintf(format, args...), "")
	if it.row == 0 && it.no <= 0 {
		msg += fmt.Sprintf("（列表第%d条）", it.pos)
	}
	c.ps = append(c.ps, Problem{File: c.file, Item: it.ref(), Field: field, Message: msg, Row: it.row, Column: c.headings[field]})
}

// use tells where to write a field, for a message: in the table's column (在“牵头县
// 领导”列), else by the field and its meaning (用 leader（牵头县领导）).
func (c *collector) use(field, meaning string) string {
	if h, ok := c.headings[field]; ok {
		meaning = h
	}
	if c.table != "" {
		return "在“" + meaning + "”列"
	}
	return "用 " + field + "（" + meaning + "）"
}

func (c *collector) problems() Problems {
	ps := c.ps
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Item < ps[j].Item })
	return ps
}

var meetingIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// build validates the decoded list against the directory and resolves it.
func build(c *collector, m rawMeeting, items []rawItem, dir *directory.Directory, flags MeetingFlags) *relay.Plan {
	if s := strings.TrimSpace(flags.ID); s != "" {
		m.ID = s
	}
	if s := strings.TrimSpace(flags.Name); s != "" {
		m.Name = s
	}
	if s := strings.TrimSpace(flags.Date); s != "" {
		m.Date = s
	}
	m.ID, m.Name, m.Date = strings.TrimSpace(m.ID), strings.TrimSpace(m.Name), strings.TrimSpace(m.Date)
	hint := ""
	if c.table != "" {
		hint = "（" + c.table + " 任务清单的会议信息须在提交时提供）"
	}
	switch {
	case m.ID == "" && m.failed["id"]:
	case m.ID == "":
		c.add(0, "meeting.id", "缺少会议编号%s", hint)
	case utf8.RuneCountInString(m.ID) > MaxMeetingIDLen:
		c.add(0, "meeting.id", "会议编号过长（%d 个字符），不得超过 %d 个字符", utf8.RuneCountInString(m.ID), MaxMeetingIDLen)
	case !meetingIDRE.MatchString(m.ID):
		c.add(0, "meeting.id", "会议编号%s只能由字母、数字和 . _ - 组成", quote(m.ID))
	}
	if m.Name == "" && !m.failed["name"] {
		c.add(0, "meeting.name", "缺少会议名称%s", hint)
	}
	var meetingDate string
	if d, ok := normalizeDate(m.Date); ok {
		meetingDate = d
	} else if m.Date != "" {
		c.add(0, "meeting.date", "会议日期%s无法识别，应写作 %s", quote(m.Date), DateForms)
	} else if !m.failed["date"] {
		c.add(0, "meeting.date", "缺少会议日期%s", hint)
	}

	if len(items) == 0 {
		c.add(0, "items", "任务清单为空，没有任何任务事项")
		return nil
	}
	if len(items) > MaxItems {
		c.add(0, "items", "任务事项过多（%d 项），一份任务清单不得超过 %d 项", len(items), MaxItems)
		return nil
	}

	plan := &relay.Plan{
		Meeting: relay.Meeting{ID: m.ID, Name: m.Name, Date: meetingDate},
		Leaders: dir.RelayLeaders(),
	}
	named := map[string]bool{}
	seenNo := map[int]int{} // no -> position
	for i := range items {
		it := &items[i]
		item := relay.Item{No: it.no}

		switch {
		case it.failed["no"]:
		case it.no > 0:
			if p, dup := seenNo[it.no]; dup {
				c.addItem(it, "no", "序号 %d 重复（列表第%d条已使用）", it.no, p)
			} else {
				seenNo[it.no] = it.pos
			}
		case it.noText != "":
			c.addItem(it, "no", "序号%s不是正整数", quote(it.noText))
		default:
			c.addItem(it, "no", "缺少序号（应为正整数）")
		}

		item.Title = strings.TrimSpace(it.title)
		switch n := utf8.RuneCountInString(item.Title); {
		case it.failed["title"]:
		case n == 0:
			c.addItem(it, "title", "缺少任务事项")
		case n > MaxTitleLen:
			c.addItem(it, "title", "任务事项过长（%d 字），不得超过 %d 字", n, MaxTitleLen)
		}
		item.Requirements = strings.TrimSpace(it.requirements)
		if n := utf8.RuneCountInString(item.Requirements); n > MaxRequirementsLen {
			c.addItem(it, "requirements", "具体要求过长（%d 字），不得超过 %d 字", n, MaxRequirementsLen)
		}

		// Lead and supporting units, each as the committee wrote it: a name, an
		// alias, or one body under several of its names.
		lead := strings.TrimSpace(it.lead)
		item.Source.Lead = lead
		var leadUnit directory.Unit
		leadOK := false
		switch {
		case it.failed["lead"]:
		case lead == "":
			c.addItem(it, "lead", "缺少牵头单位")
		default:
			var err error
			if leadUnit, err = dir.ResolveWritten(lead); err == nil {
				leadOK = true
				item.Lead = leadUnit.ID
				item.Source.LeadID = leadUnit.ID
				named[leadUnit.ID] = true
			} else {
				c.unresolved(it, "lead", dir, err)
			}
		}
		coSeen := map[string]string{} // unit id -> the name that first named it
		if leadOK {
			coSeen[leadUnit.ID] = lead
		}
		for _, name := range it.co {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			item.Source.Co = append(item.Source.Co, name)
			u, err := dir.ResolveWritten(name)
			item.Source.CoIDs = append(item.Source.CoIDs, u.ID)
			if err != nil {
				c.unresolved(it, "co", dir, err)
				continue
			}
			// The lead unit, or a unit named twice (under two of its names), is given
			// the task once: said (itemWarnings), never silently dropped.
			if _, dup := coSeen[u.ID]; dup {
				continue
			}
			coSeen[u.ID] = name
			item.Co = append(item.Co, u.ID)
			named[u.ID] = true
		}

		// The deputy in charge: the explicit leader, else the lead unit's.
		leader := strings.TrimSpace(it.leader)
		item.Source.Leader = leader
		switch {
		case it.failed["leader"]:
		case leader != "":
			if l, ok := dir.ResolveLeader(leader); ok {
				item.Deputy = l.ID
			} else {
				c.addSuggested(it, "leader", dir.SuggestLeaders(leader), "找不到县领导%s", quote(leader))
			}
		case leadOK:
			if l, ok := dir.DeputyOf(leadUnit.ID); ok {
				item.Deputy = l.ID
			} else {
				c.addItem(it, "leader", "牵头单位%s没有分管副县长，请%s指定负责的县领导", quote(leadUnit.Name), c.use("leader", "牵头县领导"))
			}
		}

		dl := strings.TrimSpace(it.deadline)
		switch {
		case it.failed["deadline"]:
		case dl == "":
			c.addItem(it, "deadline", "缺少完成时限")
		case standingDeadline(dl):
			item.Standing = true
		default:
			d, ok := normalizeDate(dl)
			switch {
			case !ok:
				c.addItem(it, "deadline", "完成时限%s无法识别，应写作 %s；长期任务写“长期”", quote(dl), DateForms)
			case meetingDate != "" && d < meetingDate:
				c.addItem(it, "deadline", "完成时限 %s 早于会议日期 %s", d, meetingDate)
			default:
				item.Deadline = d
			}
		}
		c.buildFollowUp(it, &item, meetingDate, item.Deadline)
		plan.Items = append(plan.Items, item)
	}
	for _, u := range dir.Units {
		if named[u.ID] {
			plan.Units = append(plan.Units, relay.Unit{ID: u.ID, Name: u.Name})
		}
	}
	if len(c.ps) == 0 { // an accepted list: its warnings, where each item was written
		now := today()
		for i := range plan.Items {
			for _, w := range itemWarnings(*plan, plan.Items[i], now) {
				c.warnItem(&items[i], w.field, "%s", w.message)
			}
		}
	}
	return plan
}

// quote writes a value for a message, in Chinese quotes, shortened when long.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return "“" + s + "”"
}
