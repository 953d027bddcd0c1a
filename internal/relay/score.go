package relay

import (
	"fmt"
	"strconv"
	"strings"
)

// Unit scores (考评): every unit starts a period from the rule's base and gains or
// loses points for what its tasks' typed records show. Each point is an event (see
// report.ScoreEvent) naming the task and what happened.
const (
	ScoreOverdue          = "overdue"             // 逾期: per overdue task per day overdue
	ScoreReturned         = "completion_rejected" // 办结被退回
	ScoreUnansweredChase  = "unanswered_chase"    // 催办逾期未回复
	ScoreUnsignedDispatch = "unsigned_dispatch"   // 交办逾期未签收
	ScoreEarly            = "early_completion"    // 提前办结
)

var scoreEventLabels = map[string]string{
	ScoreOverdue: "逾期未办结", ScoreReturned: "办结被退回", ScoreUnansweredChase: "催办逾期未回复",
	ScoreUnsignedDispatch: "交办逾期未签收", ScoreEarly: "提前办结",
}

// ScoreEventLabel is a score event in Chinese.
func ScoreEventLabel(e string) string { return label(scoreEventLabels, e) }

// ScoreRule is the county's scoring rule (TASKRELAY_SCORE_RULE): points per event.
type ScoreRule struct {
	Base          float64 `json:"base"`            // each unit's score before any event
	OverduePerDay float64 `json:"overdue_per_day"` // minus, per overdue task per day overdue
	Returned      float64 `json:"returned"`        // minus, per completion sent back
	Chase         float64 `json:"chase"`           // minus, per chase unanswered past its reply date
	Unsigned      float64 `json:"unsigned"`        // minus, per task not signed for within AckDays
	AckDays       int     `json:"ack_days"`        // 签收时限, days after dispatch
	Early         float64 `json:"early"`           // plus, per task closed EarlyDays or more before its deadline
	EarlyDays     int     `json:"early_days"`
}

// DefaultScoreRule: 100 points; 0.5 per overdue day, 2 per completion sent back, 3 per
// unanswered chase, 1 per dispatch unsigned after 3 days; 1 for a completion a week early.
func DefaultScoreRule() ScoreRule {
	return ScoreRule{Base: 100, OverduePerDay: 0.5, Returned: 2, Chase: 3, Unsigned: 1, AckDays: 3, Early: 1, EarlyDays: 7}
}

// scoreKeys are the rule's names in TASKRELAY_SCORE_RULE, in the order String writes them.
var scoreKeys = []string{"base", "overdue_per_day", "returned", "chase", "unsigned", "ack_days", "early", "early_days"}

func (r *ScoreRule) field(key string) (f *float64, n *int) {
	switch key {
	case "base":
		return &r.Base, nil
	case "overdue_per_day":
		return &r.OverduePerDay, nil
	case "returned":
		return &r.Returned, nil
	case "chase":
		return &r.Chase, nil
	case "unsigned":
		return &r.Unsigned, nil
	case "ack_days":
		return nil, &r.AckDays
	case "early":
		return &r.Early, nil
	case "early_days":
		return nil, &r.EarlyDays
	}
	return nil, nil
}

// ParseScoreRule reads "base=100,overdue_per_day=0.5,…" over the default rule: the
// names left out keep their defaults. Every problem is reported at once.
func ParseScoreRule(s string) (ScoreRule, error) {
	r := DefaultScoreRule()
	var problems []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		f, n := r.field(key)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%q 应写成 名称=数值", part))
		case f == nil && n == nil:
			problems = append(problems, fmt.Sprintf("未知的名称 %q（可用：%s）", key, strings.Join(scoreKeys, "、")))
		case f != nil:
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || v < 0 || v > 1000 {
				problems = append(problems, fmt.Sprintf("%s=%q 应为 0 到 1000 之间的数", key, val))
				continue
			}
			*f = v
		default:
			v, err := strconv.Atoi(val)
			if err != nil || v < 0 || v > 366 {
				problems = append(problems, fmt.Sprintf("%s=%q 应为 0 到 366 之间的整数天数", key, val))
				continue
			}
			*n = v
		}
	}
	if len(problems) > 0 {
		return DefaultScoreRule(), fmt.Errorf("考评规则有误：%s", strings.Join(problems, "；"))
	}
	return r, nil
}

// Describe is the rule in Chinese, as the 通报 and `report --json` (score_rule) give it.
func (r ScoreRule) Describe() string {
	g := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return fmt.Sprintf("基础分%s分；逾期未办结事项每逾期1天扣%s分；办结被退回每次扣%s分；催办逾期未回复每次扣%s分；交办后%d天未签收每件扣%s分；提前%d天以上办结每件加%s分",
		g(r.Base), g(r.OverduePerDay), g(r.Returned), g(r.Chase), r.AckDays, g(r.Unsigned), r.EarlyDays, g(r.Early))
}
