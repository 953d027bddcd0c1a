package notify

import (
	"fmt"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// Documented reports whether a notice kind is also written as an official document
// (.docx): the 交办单 and the 督办单.
func Documented(kind string) bool { return relay.Numbered(kind) }

// Document lays a 交办单 or 督办单 out as an official document (GB/T 9704-2012): the
// inspection office's mark and number (DocNo, once allocated), a title, the recipient
// as 主送机关, the body, the items as a table, the recipient's 联络员, the office's
// signature on the day of issue.
func Document(n relay.Notice, s gongwen.Settings) *gongwen.Doc {
	title := "交办单"
	if n.Kind == relay.NoticeEscalation {
		title = "督办单"
	}
	if n.MeetingName != "" {
		title = fmt.Sprintf("关于%s确定事项的%s", oneLine(n.MeetingName), title)
	}
	d := &gongwen.Doc{
		Mark: s.Issuer, Number: n.DocNo, Title: title, Issuer: s.Issuer, PrintedBy: s.Issuer,
		Date: n.IssuedAt.In(relay.TimeZone),
	}
	if to := oneLine(n.ToName); to != "" {
		d.Addressee = to + "："
	}
	d.P(normalizeNewlines(n.Body))
	var rows [][]string
	for _, it := range n.Items {
		if n.Kind == relay.NoticeDispatch {
			rows = append(rows, []string{fmt.Sprint(it.No), it.Title, it.Requirements, roleText(it), relay.DeadlineLabel(it.Deadline, it.Standing), it.DeputyName})
		} else {
			rows = append(rows, []string{fmt.Sprint(it.No), it.Title, it.LeadUnitName, relay.DeadlineLabel(it.Deadline, it.Standing)})
		}
	}
	if len(rows) > 0 {
		if n.Kind == relay.NoticeDispatch {
			d.T([]string{"序号", "任务事项", "具体要求", "本单位角色", "完成时限", "分管县领导"}, rows)
		} else {
			d.T([]string{"事项序号", "任务事项", "牵头单位", "完成时限"}, rows)
		}
	}
	if c := oneLine(n.Contact.String()); c != "" {
		d.P("联络员：" + c)
	}
	if n.Kind == relay.NoticeDispatch {
		d.P("请于收到后及时在系统中签收，按时限要求抓好落实，每月报送进展；办结后报送办结情况并附佐证材料。")
	} else {
		d.P("请督促牵头单位立即办理，并将办理情况报县政府督查室。")
	}
	return d
}
