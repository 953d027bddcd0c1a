package report

import (
	"fmt"
	"strings"
	"time"

	"taskrelay/internal/relay"
)

// doc is a report as a list of blocks, rendered alike to Markdown and HTML so that the
// two formats always say the same thing.
type doc struct {
	Title    string
	Subtitle []string
	Blocks   []block
	Sign     []string // signature lines, right-aligned
}

type blockKind int

const (
	bH2 blockKind = iota
	bH3
	bPara
	bList
	bTable
	bChart
)

type block struct {
	Kind  blockKind
	Text  string
	Items []string
	Head  []string
	Rows  [][]string
	Units []GroupRow // chart
}

func (d *doc) h2(s string) { d.Blocks = append(d.Blocks, block{Kind: bH2, Text: s}) }
func (d *doc) h3(s string) { d.Blocks = append(d.Blocks, block{Kind: bH3, Text: s}) }
func (d *doc) p(format string, a ...any) {
	d.Blocks = append(d.Blocks, block{Kind: bPara, Text: fmt.Sprintf(format, a...)})
}
func (d *doc) list(items []string) { d.Blocks = append(d.Blocks, block{Kind: bList, Items: items}) }
func (d *doc) table(head []string, rows [][]string) {
	d.Blocks = append(d.Blocks, block{Kind: bTable, Head: head, Rows: rows})
}

// Chinese numbering of sections and sub-sections.
var cnNum = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func cnDate(t time.Time) string {
	t = t.In(relay.TimeZone)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func cnDay(date string) string {
	d, err := relay.ParseDate(date)
	if err != nil {
		return date
	}
	return cnDate(d)
}

func cnMonth(month string) string {
	m, err := ParseMonth(month)
	if err != nil {
		return month
	}
	return fmt.Sprintf("%d年%d月", m.Year(), int(m.Month()))
}

func nextMonth(month string) string {
	m, err := ParseMonth(month)
	if err != nil {
		return month
	}
	return m.AddDate(0, 1, 0).Format(MonthLayout)
}

func rate(x Pct) string { return fmt.Sprintf("%.1f%%", float64(x)) }

// standing is the sentence the inspection office writes for a group of items.
func standing(t Totals) string {
	s := fmt.Sprintf("确定事项%d件，已办结%d件（按时办结%d件，逾期办结%d件），正在办理%d件（未到时限%d件，逾期未办结%d件），办结率%s",
		t.Tasks, t.Closed(), t.ClosedOnTime, t.ClosedLate, t.Open(), t.OpenNotDue, t.OpenOverdue, rate(t.CompletionRate))
	if t.Withdrawn > 0 {
		// Withdrawn tasks are counted apart (已撤销), not among the tasks nor in the rate.
		s += fmt.Sprintf("；另已撤销%d件", t.Withdrawn)
	}
	return s
}

func meetingLabel(m relay.Meeting) string {
	if m.Date == "" {
		return m.Name
	}
	return fmt.Sprintf("%s（%s）", m.Name, cnDay(m.Date))
}

var kindRank = map[string]int{relay.NoticeDispatch: 1, relay.NoticeReminder: 2, relay.NoticeOverdue: 3, relay.NoticeEscalation: 4}

func kindOrder(k string) int {
	if r, ok := kindRank[k]; ok {
		return r
	}
	return 10
}

// progressText is what the ledger and tables show as 进展情况.
func progressText(r TaskRow) string {
	switch {
	case r.State == relay.StateClosed && r.ClosedAt != nil:
		on := "按时"
		if !r.OnTime {
			on = "逾期"
		}
		return fmt.Sprintf("已于%s办结销号（%s）", cnDate(*r.ClosedAt), on)
	case r.State == relay.StateCompletionSubmitted && r.Note != "":
		return "已报送办结，待审核；" + r.Note
	case r.State == relay.StateCompletionSubmitted:
		return "已报送办结，待审核"
	case r.Note != "":
		return r.Note
	}
	return "尚未报送进展"
}

func itemRef(r TaskRow) string { return fmt.Sprintf("%s第%d项", r.MeetingName, r.No) }

// Executive is the 通报 for the county government's executive meeting.
func (r *Report) Executive() *doc {
	d := &doc{
		Title:    "关于县委常委会会议确定事项落实情况的通报",
		Subtitle: []string{fmt.Sprintf("（%s）", cnMonth(r.Figures.Month)), fmt.Sprintf("县人民政府督查室　　截至%s", cnDay(r.AsOf))},
		Sign:     []string{"县人民政府督查室", cnDate(r.GeneratedAt)},
	}
	d.p("按照“县委常委会会议任务清单直达县政府常务会议”工作机制，县政府督查室对县委常委会会议确定事项逐项跟踪问效。现将截至%s的落实情况通报如下。", cnDay(r.AsOf))

	d.h2("一、总体情况")
	if r.Totals.Tasks == 0 {
		d.p("截至%s，暂无交办的县委常委会会议确定事项。", cnDay(r.AsOf))
	} else {
		d.p("截至%s，县政府常务会议共承接县委常委会会议%d次，%s。其中，上月结转%d件，本月新交办%d件，本月办结%d件。",
			cnDay(r.AsOf), len(r.Meetings), standing(r.Totals), r.Period.CarriedOver, r.Period.New, r.Period.ClosedMonth)
	}
	sub := 0
	next := func(title string) {
		d.h3(fmt.Sprintf("（%s）%s", cnNum[sub%len(cnNum)], title))
		sub++
	}
	if len(r.Meetings) > 0 {
		next("各次会议确定事项落实情况")
		var items []string
		for _, m := range r.Meetings {
			items = append(items, fmt.Sprintf("%s：%s；上月结转%d件，本月新交办%d件，本月办结%d件。",
				meetingLabel(m.Meeting), standing(m.Totals), m.CarriedOver, m.New, m.ClosedMonth))
		}
		d.list(items)
	}
	if len(r.Units) > 0 {
		next("各牵头单位落实情况")
		d.Blocks = append(d.Blocks, block{Kind: bChart, Units: r.Units})
		var rows [][]string
		for i, u := range r.Units {
			rows = append(rows, []string{fmt.Sprint(i + 1), u.Name, fmt.Sprint(u.Tasks), fmt.Sprint(u.Closed()),
				fmt.Sprint(u.ClosedOnTime), fmt.Sprint(u.ClosedLate), fmt.Sprint(u.Open()), fmt.Sprint(u.OpenOverdue), rate(u.CompletionRate)})
		}
		d.table([]string{"序号", "牵头单位", "牵头事项", "已办结", "按时办结", "逾期办结", "正在办理", "逾期未办结", "办结率"}, rows)
	}
	if len(r.Deputies) > 0 {
		next("各分管县领导分管事项落实情况")
		var rows [][]string
		for i, g := range r.Deputies {
			rows = append(rows, []string{fmt.Sprint(i + 1), g.Name, fmt.Sprint(g.Tasks), fmt.Sprint(g.Closed()),
				fmt.Sprint(g.Open()), fmt.Sprint(g.OpenOverdue), rate(g.CompletionRate)})
		}
		d.table([]string{"序号", "分管县领导", "分管事项", "已办结", "正在办理", "逾期未办结", "办结率"}, rows)
	}

	if len(r.Scores) > 0 {
		next("单位考评排名")
		r.scoreSection(d)
	}

	next("滞后事项")
	if len(r.Overdue) == 0 {
		d.p("截至%s，无逾期未办结事项。", cnDay(r.AsOf))
	} else {
		d.p("逾期未办结事项%d件（红灯），按逾期时间排列如下：", len(r.Overdue))
		var rows [][]string
		for i, t := range r.Overdue {
			rows = append(rows, []string{fmt.Sprint(i + 1), t.MeetingName, fmt.Sprint(t.No), t.Title, t.UnitName, t.DeputyName,
				relay.DeadlineLabel(t.Deadline, t.Standing), fmt.Sprint(t.OverdueDays), progressText(t)})
		}
		d.table([]string{"序号", "会议", "事项序号", "任务事项", "牵头单位", "分管县领导", "完成时限", "逾期天数", "最新进展"}, rows)
	}
	if len(r.Yellow) > 0 {
		d.p("临近完成时限或进度滞后事项%d件（黄灯）：", len(r.Yellow))
		var rows [][]string
		for i, t := range r.Yellow {
			why := progressText(t)
			if t.Behind != "" {
				why = t.Behind + "；" + why
			}
			rows = append(rows, []string{fmt.Sprint(i + 1), t.MeetingName, fmt.Sprint(t.No), t.Title, t.UnitName, relay.DeadlineLabel(t.Deadline, t.Standing), why})
		}
		d.table([]string{"序号", "会议", "事项序号", "任务事项", "牵头单位", "完成时限", "滞后情况"}, rows)
	}

	next("延期事项")
	if len(r.Grants) == 0 {
		d.p("本月无经批准延期的事项。")
	} else {
		d.p("本月经批准延期事项%d件：", len(r.Grants))
		var rows [][]string
		for i, g := range r.Grants {
			rows = append(rows, []string{fmt.Sprint(i + 1), g.MeetingName, fmt.Sprint(g.No), g.Title, g.UnitName, g.Grant.From, g.Grant.To, approver(g.Grant.By, g.DeputyName)})
		}
		d.table([]string{"序号", "会议", "事项序号", "任务事项", "牵头单位", "原完成时限", "调整后时限", "批准"}, rows)
	}

	if len(r.Standing) > 0 {
		next(StandingGroup)
		d.p("长期坚持、持续推进事项%d件（不设完成时限，按月报送进展）：", len(r.Standing))
		var rows [][]string
		for i, t := range r.Standing {
			rows = append(rows, []string{fmt.Sprint(i + 1), t.MeetingName, fmt.Sprint(t.No), t.Title, t.UnitName, t.DeputyName, progressText(t)})
		}
		d.table([]string{"序号", "会议", "事项序号", "任务事项", "牵头单位", "分管县领导", "最新进展"}, rows)
	}

	if len(r.Instructions) > 0 {
		next("领导批示落实情况")
		r.instructionsSection(d)
	}

	next("“令出一家”成效")
	d.p("%s", reformSentence(r))
	var rows [][]string
	for _, k := range r.NoticeKinds {
		rows = append(rows, []string{relay.NoticeKindLabel(k.Kind), fmt.Sprint(k.Month), fmt.Sprint(k.YTD)})
	}
	rows = append(rows,
		[]string{"合计", fmt.Sprint(r.Notices.Issued), fmt.Sprint(r.NoticesYTD.Issued)},
		[]string{"按一事项一单位一通知测算", fmt.Sprint(r.Notices.OnePerItem), fmt.Sprint(r.NoticesYTD.OnePerItem)},
		[]string{"减少", rate(r.Notices.ReductionPct), rate(r.NoticesYTD.ReductionPct)})
	d.table([]string{"通知类别", "本月", "今年以来"}, rows)

	d.h2("二、工作要求")
	sub = 0
	next("红灯事项限期整改")
	if len(r.Overdue) == 0 {
		d.p("各牵头单位要保持工作力度，防止出现逾期事项。")
	} else {
		d.p("对逾期未办结的%d件事项，请牵头单位立即办理，并向县政府督查室书面说明未按时办结的原因和整改时限；分管县领导要加强督促，确保尽快办结。", len(r.Overdue))
	}
	if len(r.Named) > 0 {
		d.p("逾期满%d天仍未办结的事项（红色督办），予以点名通报：", r.Options.NameAfterDays)
		var items []string
		for _, t := range r.Named {
			items = append(items, fmt.Sprintf("%s：%s“%s”，完成时限%s，已逾期%d天（分管县领导：%s）。",
				t.UnitName, itemRef(t), t.Title, cnDay(t.Deadline), t.OverdueDays, t.DeputyName))
		}
		d.list(items)
	}
	if due := r.unsignedDue(); len(due) > 0 {
		next("交办事项及时签收")
		d.p("以下单位超过签收时限仍未签收交办事项，请立即签收并抓好落实：")
		d.list(due)
	}
	if due := r.chasesDue(); len(due) > 0 {
		next("催办事项限期回复")
		d.p("以下催办事项已过回复期限仍未报送进展，请有关单位立即报送：")
		d.list(due)
	}
	next("下月到期事项")
	if len(r.DueNext) == 0 {
		d.p("%s无到期事项。", cnMonth(nextMonth(r.Figures.Month)))
	} else {
		d.p("%s到期事项%d件，请各牵头单位倒排工期、挂图作战，确保按时办结：", cnMonth(nextMonth(r.Figures.Month)), len(r.DueNext))
		var rows [][]string
		for i, t := range r.DueNext {
			rows = append(rows, []string{fmt.Sprint(i + 1), t.MeetingName, fmt.Sprint(t.No), t.Title, t.UnitName, t.DeputyName, relay.DeadlineLabel(t.Deadline, t.Standing), relay.LightLabel(t.Light)})
		}
		d.table([]string{"序号", "会议", "事项序号", "任务事项", "牵头单位", "分管县领导", "完成时限", "灯"}, rows)
	}
	next("及时报送进展")
	d.p("各责任单位要在系统中及时签收交办事项、按时报送进展；事项办结后及时报送办结情况并附佐证材料，经县政府督查室审核后销号。确需延期的，须在完成时限前提出申请，经分管县领导或县政府督查室批准。县政府督查室将持续跟踪问效，每月通报落实情况。")
	return d
}

func approver(by, deputyName string) string {
	if by == relay.Inspection {
		return "县政府督查室"
	}
	if deputyName != "" {
		return deputyName
	}
	return by
}

func reformSentence(r *Report) string {
	return fmt.Sprintf("本月系统共发出交办、提醒、督办类通知%d件，按“一事项一单位一通知”的原有方式测算需发%d件，减少%s；今年以来累计发出%d件，测算需发%d件，减少%s。",
		r.Notices.Issued, r.Notices.OnePerItem, rate(r.Notices.ReductionPct),
		r.NoticesYTD.Issued, r.NoticesYTD.OnePerItem, rate(r.NoticesYTD.ReductionPct))
}

// keyProgressPerMeeting bounds the progress notes the committee report quotes.
const keyProgressPerMeeting = 10

// Committee is the shorter report to the county committee (向县委报告).
func (r *Report) Committee() *doc {
	county := "县委"
	if r.County != "" {
		county = "中共" + strings.TrimSuffix(r.County, "县") + "县委"
	}
	d := &doc{
		Title:    "关于县委常委会会议确定事项落实情况的报告",
		Subtitle: []string{fmt.Sprintf("（%s）", cnMonth(r.Figures.Month))},
		Sign:     []string{"县人民政府", cnDate(r.GeneratedAt)},
	}
	d.p("%s：", county)
	d.p("按照“县委常委会会议任务清单直达县政府常务会议”工作机制，县政府将县委常委会会议确定事项逐项分解到分管县领导和责任单位，由县政府督查室跟踪问效。现将截至%s的落实情况报告如下。", cnDay(r.AsOf))

	d.h2("一、总体情况")
	if r.Totals.Tasks == 0 {
		d.p("截至%s，暂无交办的县委常委会会议确定事项。", cnDay(r.AsOf))
	} else {
		d.p("县委常委会会议%d次，共%s；本月办结%d件。", len(r.Meetings), standing(r.Totals), r.Period.ClosedMonth)
		var items []string
		for _, m := range r.Meetings {
			items = append(items, fmt.Sprintf("%s：%s。", meetingLabel(m.Meeting), standing(m.Totals)))
		}
		d.list(items)
	}

	d.h2("二、主要进展")
	if len(r.ClosedMonth) > 0 {
		var names []string
		for _, t := range r.ClosedMonth {
			names = append(names, fmt.Sprintf("%s“%s”", itemRef(t), t.Title))
		}
		d.p("本月办结%d件：%s。", len(r.ClosedMonth), strings.Join(names, "、"))
	}
	perMeeting := map[string]int{}
	var items []string
	left, standingNotes := 0, 0
	for _, t := range r.Progress {
		if t.State == relay.StateClosed {
			continue // reported above as closed
		}
		if t.Standing {
			standingNotes++
			continue // reported below, with the standing tasks
		}
		if perMeeting[t.Meeting] >= keyProgressPerMeeting {
			left++
			continue
		}
		perMeeting[t.Meeting]++
		items = append(items, fmt.Sprintf("%s“%s”（%s）：%s", itemRef(t), t.Title, t.UnitName, t.Note))
	}
	if len(items) == 0 && len(r.ClosedMonth) == 0 && standingNotes == 0 {
		d.p("本月各责任单位未报送新的进展。")
	} else if len(items) > 0 {
		d.p("各责任单位本月报送的主要进展：")
		d.list(items)
		if left > 0 {
			d.p("另有%d件事项报送了进展，详见台账。", left)
		}
	}

	if len(r.Standing) > 0 {
		d.p("%s%d件（长期坚持、持续推进，不设完成时限，按月报送进展）：", StandingGroup, len(r.Standing))
		var items []string
		for _, t := range r.Standing {
			items = append(items, fmt.Sprintf("%s“%s”（%s）：%s", itemRef(t), t.Title, t.UnitName, progressText(t)))
		}
		d.list(items)
	}

	d.h2("三、存在问题")
	if len(r.Overdue) == 0 && len(r.Rejections) == 0 {
		d.p("截至%s，无逾期未办结事项，本月无退回的办结报告。", cnDay(r.AsOf))
	}
	if len(r.Overdue) > 0 {
		d.p("（一）逾期未办结事项%d件：", len(r.Overdue))
		var items []string
		for _, t := range r.Overdue {
			items = append(items, fmt.Sprintf("%s牵头的%s“%s”，完成时限%s，已逾期%d天。", t.UnitName, itemRef(t), t.Title, cnDay(t.Deadline), t.OverdueDays))
		}
		d.list(items)
	}
	if len(r.Rejections) > 0 {
		d.p("（%s）本月经审核退回的办结报告%d件：", cnNum[min(1, len(r.Overdue))], len(r.Rejections))
		var items []string
		for _, x := range r.Rejections {
			items = append(items, fmt.Sprintf("%s“%s”（%s），退回理由：%s。", itemRef(x.TaskRow), x.Title, x.UnitName, strings.TrimSuffix(x.Rejection.Note, "。")))
		}
		d.list(items)
	}

	d.h2("四、下一步工作")
	d.p("一是紧盯逾期事项。对%d件逾期未办结事项，督促牵头单位限期办结，分管县领导加强调度，逾期满%d天的在县政府常务会议上点名通报。", len(r.Overdue), r.Options.NameAfterDays)
	d.p("二是抓好下月到期事项。%s到期事项%d件，逐项提醒、跟踪，确保按时办结。", cnMonth(nextMonth(r.Figures.Month)), len(r.DueNext))
	d.p("三是坚持“令出一家”。%s", reformSentence(r))
	d.p("特此报告。")
	return d
}
