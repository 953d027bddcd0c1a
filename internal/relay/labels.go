package relay

import (
	"fmt"
	"sort"
)

// Timeline actions: what an entry of a task's timeline records. Persisted in every
// task's history, so a code never changes once used.
const (
	ActDispatched          = "dispatched"
	ActAcknowledged        = "acknowledged"
	ActProgress            = "progress"
	ActExtensionRequested  = "extension_requested"
	ActExtensionApproved   = "extension_approved"
	ActExtensionDenied     = "extension_denied"
	ActCompletionSubmitted = "completion_submitted"
	ActCompletionAccepted  = "completion_accepted"
	ActCompletionRejected  = "completion_rejected"
	ActReminder            = "reminder"
	ActOverdue             = "overdue"
	ActEscalation          = "escalation"
	ActNoticeFailed        = "notice_failed"
	ActListed              = "listed"            // red tier: named in the monthly report
	ActBehindMilestone     = "behind_milestone"  // a node passed with too little progress
	ActFeedbackReminded    = "feedback_reminded" // the month's progress reminder sent
	// People (责任到人): the unit head names the officer responsible; an officer's
	// completion waits for the head, who signs it off or returns it.
	ActAssigned          = "assigned"
	ActHeadReviewPending = "head_review_pending"
	ActHeadApproved      = "head_approved"
	ActHeadReturned      = "head_returned"
	// ActDocNumbered records the 发文字号 the engine gave an official document the
	// task issued (its DocNo field).
	ActDocNumbered = "doc_numbered"
)

// The Chinese labels of every code a user sees: one table each, used by the console,
// the command line, the notices and the reports. labels_test.go fails when a constant
// of this package has no label.
var (
	actionLabels = map[string]string{
		ActDispatched:          "交办",
		ActAcknowledged:        "签收",
		ActProgress:            "报告进展",
		ActExtensionRequested:  "申请延期",
		ActExtensionApproved:   "同意延期",
		ActExtensionDenied:     "不同意延期",
		ActCompletionSubmitted: "报送办结",
		ActCompletionAccepted:  "审核通过（销号）",
		ActCompletionRejected:  "退回重办",
		ActReminder:            "到期提醒",
		ActOverdue:             "逾期通知",
		ActEscalation:          "督办",
		ActNoticeFailed:        "通知投递失败",
		ActListed:              "列入月度通报",
		ActBehindMilestone:     "进度滞后于节点",
		ActFeedbackReminded:    "进展催报",
		ActAssigned:            "确定责任人",
		ActHeadReviewPending:   "报单位负责人审核",
		ActHeadApproved:        "单位负责人审核同意",
		ActHeadReturned:        "单位负责人退回",
		ActDocNumbered:         "编发文号",
		// changes (changes.go)
		ActReassigned:       "调整分工",
		ActAmended:          "调整事项",
		ActWithdrawn:        "撤销任务",
		ActPushedBack:       "退回交办",
		ActPushbackKept:     "维持原分工",
		ActPushbackAccepted: "同意退回调整",
		ActInstruction:      "领导批示",
		ActChased:           "催办",
		ActAckReminded:      "签收提醒",
	}
	updateLabels = map[string]string{
		UpdateAdopt:            "通过任务清单",
		UpdateAck:              "签收",
		UpdateProgress:         "报告进展",
		UpdateExtend:           "申请延期",
		UpdateDecideExtension:  "批复延期",
		UpdateComplete:         "报送办结",
		UpdateVerify:           "审核办结",
		UpdateFeedbackReminded: "记录进展催报",
		UpdateRead:             "阅读交办单（已读）",
		UpdateAssign:           "确定责任人",
		UpdateHeadReview:       "单位负责人审核",
		UpdateDocNumber:        "取发文字号",
		UpdateReportDraft:      "取月度报告拟稿",
		UpdateReportSignoff:    "月度报告审核签发",
		UpdateReassign:         "调整分工",
		UpdateAmend:            "调整事项",
		UpdateWithdraw:         "撤销任务",
		UpdatePushback:         "退回交办",
		UpdateDecidePushback:   "决定退回申请",
		UpdateInstruct:         "领导批示",
		UpdateChase:            "催办",
		UpdateSetKeys:          "更新受信任密钥",
	}
	noticeKindLabels = map[string]string{
		NoticeDispatch:          "交办单",
		NoticeReminder:          "到期提醒",
		NoticeOverdue:           "逾期通知",
		NoticeEscalation:        "督办单",
		NoticeExtensionRequest:  "延期申请",
		NoticeExtensionDecision: "延期批复",
		NoticeReturned:          "退回通知",
		NoticeClosed:            "办结通知",
		NoticeFeedback:          "进展催报",
		NoticeReportReady:       "月度报告已生成",
		NoticeReportIssued:      "月度通报印发",
		NoticeWithdrawn:         "撤销通知",
		NoticeAmended:           "调整通知",
		NoticePushback:          "退回申请",
		NoticePushbackDecision:  "退回答复",
		NoticeInstruction:       "领导批示",
		NoticeChase:             "催办单",
		NoticeAckReminder:       "签收提醒",
		NoticeDigest:            "汇总通知",
	}
	stateLabels = map[State]string{
		StateDispatched:          "已交办",
		StateAcknowledged:        "已签收",
		StateInProgress:          "办理中",
		StateHeadReview:          "待单位负责人审核",
		StateCompletionSubmitted: "待审核办结",
		StateClosed:              "已办结",
		StateWithdrawn:           "已撤销",
		MeetingProposed:          "待县政府常务会议通过",
		MeetingAdopted:           "已通过并交办",
	}
	lightLabels = map[Light]string{Green: "绿灯", Yellow: "黄灯", Red: "红灯"}
	roleLabels  = map[string]string{RoleLead: "牵头", RoleCo: "配合", RoleCountyHead: "县长", RoleHead: "单位负责人"}
	tierLabels  = map[string]string{TierBlue: "蓝色督办", TierYellow: "黄色督办", TierRed: "红色督办"}
)

func label[K ~string](table map[K]string, code K) string {
	if l, ok := table[code]; ok {
		return l
	}
	return string(code) // unknown: a newer peer's code, shown rather than hidden
}

// Actions lists every timeline action, sorted.
func Actions() []string {
	out := make([]string, 0, len(actionLabels))
	for a := range actionLabels {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// ActionLabel is a timeline action in Chinese.
func ActionLabel(action string) string { return label(actionLabels, action) }

// UpdateLabel is a command on a task or meeting (an update's name) in Chinese.
func UpdateLabel(update string) string { return label(updateLabels, update) }

// NoticeKindLabel is a notice kind in Chinese.
func NoticeKindLabel(kind string) string { return label(noticeKindLabels, kind) }

// StateLabel is a task's or a meeting's state in Chinese.
func StateLabel(s State) string { return label(stateLabels, s) }

// LightLabel is a light in Chinese ("—" for none).
func LightLabel(l Light) string {
	if l == "" {
		return "—"
	}
	return label(lightLabels, l)
}

// StandingLabel is how a standing task's 完成时限 reads wherever a deadline is shown.
const StandingLabel = "长期"

// DeadlineLabel is a task's 完成时限 as every page, notice, document and sheet shows
// it: the date, or 长期 for a standing task, which has none.
func DeadlineLabel(deadline string, standing bool) string {
	if standing {
		return StandingLabel
	}
	return deadline
}

// RoleLabel is a unit's role in an item in Chinese.
func RoleLabel(role string) string { return label(roleLabels, role) }

// TierLabel is an escalation tier in Chinese (empty for none).
func TierLabel(tier string) string {
	if tier == "" {
		return ""
	}
	return label(tierLabels, tier)
}

// LightMeaning is a light with what it means, for pages that show it without a task.
func LightMeaning(l Light) string {
	switch l {
	case Red:
		return LightLabel(l) + "（逾期）"
	case Yellow:
		return LightLabel(l) + "（需关注）"
	}
	return LightLabel(l)
}

// LightReason is the task's light with its reason: a yellow light is near its
// deadline, waiting for an extension decision, or behind a milestone.
func (t *TaskView) LightReason() string {
	if t.Light == Red && t.OverdueDays > 0 {
		// Counted by the task model from the later of the deadline and the lead
		// unit's receipt of the task.
		return fmt.Sprintf("%s（逾期%d天）", LightLabel(Red), t.OverdueDays)
	}
	if t.Light != Yellow {
		return LightMeaning(t.Light)
	}
	switch {
	case t.Extension != nil:
		return LightLabel(Yellow) + "（延期待批）"
	case t.BehindMilestone != nil:
		return LightLabel(Yellow) + "（进度滞后）"
	case t.Pushback != nil && t.Pushback.State == PushbackPending:
		return LightLabel(Yellow) + "（退回待定）"
	}
	return LightLabel(Yellow) + "（临期）"
}
