package relay

import "time"

// Delivery channels: where a notice reaches the people of a unit or leader.
const (
	ChannelDingTalk = "dingtalk" // 钉钉（含政务钉钉、浙政钉）自定义机器人
	ChannelWeCom    = "wecom"    // 企业微信（含政务微信、粤政易）群机器人
	ChannelFeishu   = "feishu"   // 飞书 / Lark 自定义机器人
	ChannelEmail    = "email"    // 电子邮件（SMTP）
	ChannelWebhook  = "webhook"  // 通用 webhook
)

// The office apps' channels (package notify, apps_route.go): a message to one
// person, and the DingTalk 待办 kept in step with the tasks. A directory names none
// of them: the accounts' links say who receives.
const (
	ChannelDingTalkWork = "dingtalk-work" // 钉钉工作通知
	ChannelDingTalkTodo = "dingtalk-todo" // 钉钉待办
	ChannelWeComApp     = "wecom-app"     // 企业微信应用消息
	ChannelFeishuApp    = "feishu-app"    // 飞书应用消息
)

// Channels lists every delivery channel, in the order they are shown.
var Channels = []string{ChannelDingTalk, ChannelWeCom, ChannelFeishu, ChannelEmail, ChannelWebhook}

// ChannelLabel is a channel as people read it.
func ChannelLabel(ch string) string {
	switch ch {
	case ChannelDingTalk:
		return "钉钉"
	case ChannelWeCom:
		return "企业微信"
	case ChannelFeishu:
		return "飞书"
	case ChannelEmail:
		return "电子邮件"
	case ChannelWebhook:
		return "Webhook"
	case ChannelDingTalkWork:
		return "钉钉工作通知"
	case ChannelDingTalkTodo:
		return "钉钉待办"
	case ChannelWeComApp:
		return "企业微信应用消息"
	case ChannelFeishuApp:
		return "飞书应用消息"
	}
	return ch
}

// Delivery states: one delivery is one notice to one recipient on one channel.
const (
	DeliveryPending   = "pending"   // 待发送: spooled, being sent or retried with backoff
	DeliveryDelivered = "delivered" // 已送达: the platform accepted every part
	DeliveryFailed    = "failed"    // 已搁置: refused for good; waits for a person (retry)
)

// DeliveryStateLabel is a delivery state as people read it.
func DeliveryStateLabel(state string) string {
	switch state {
	case DeliveryPending:
		return "待发送"
	case DeliveryDelivered:
		return "已送达"
	case DeliveryFailed:
		return "已搁置"
	}
	return state
}

// Delivery is the state of one notice on one channel to one recipient, as
// `starter deliveries --json` prints it and the console shows it.
type Delivery struct {
	Notice    string    `json:"notice"`
	Channel   string    `json:"channel"`
	To        string    `json:"to"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	QueuedAt  time.Time `json:"-"`
	// Route names the configured channel entry (e.g. "dingtalk:rsj"); the retry
	// button and `starter deliveries` address a delivery by notice and route.
	Route string `json:"-"`
}

// Read is a unit's read receipt (已读): the first time one of its people opened the
// notice in the console.
type Read struct {
	Unit string    `json:"unit"`
	At   time.Time `json:"at"`
}

// UnreadAfter is how long a dispatched task's notice may stay unread before the
// 督查看板 lists it.
const UnreadAfter = 24 * time.Hour
