package directory

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"taskrelay/internal/relay"
)

var (
	// SecretNamePattern is what a secret's name looks like: an environment variable
	// name in capitals, so that a token pasted by mistake is refused.
	SecretNamePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
	mobilePattern     = regexp.MustCompile(`^\+?[0-9]{5,15}$`)
)

// validateReach checks an entry's contact and channels, trimming as it goes.
func validateReach(file, entry string, c *Contact, chs []Channel) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{File: file, Entry: entry, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if c != nil {
		c.Name, c.Mobile = strings.TrimSpace(c.Name), strings.TrimSpace(c.Mobile)
		if c.Mobile != "" && !mobilePattern.MatchString(c.Mobile) {
			add("contact.mobile", "手机号“%s”格式不对（应为数字，如 13800001111）", c.Mobile)
		}
	}
	for i := range chs {
		ch := &chs[i]
		field := func(name string) string { return fmt.Sprintf("channels[%d].%s", i+1, name) }
		ch.Type, ch.URL = strings.TrimSpace(ch.Type), strings.TrimSpace(ch.URL)
		ch.Token, ch.Secret = strings.TrimSpace(ch.Token), strings.TrimSpace(ch.Secret)
		if !slices.Contains(relay.Channels, ch.Type) {
			add(field("type"), "未知的渠道类型“%s”（可选：%s）", ch.Type, strings.Join(relay.Channels, "、"))
			continue
		}
		if ch.URL != "" {
			if u, err := url.Parse(ch.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(field("url"), "地址“%s”不是 http(s) 地址", ch.URL)
			} else if u.RawQuery != "" || u.User != nil {
				add(field("url"), "地址中不能带口令或查询参数（令牌请写在密钥文件中，此处用 token 引用其名称）")
			}
		}
		robot := ch.Type == relay.ChannelDingTalk || ch.Type == relay.ChannelWeCom || ch.Type == relay.ChannelFeishu
		for _, ref := range []struct{ name, value string }{{"token", ch.Token}, {"secret", ch.Secret}} {
			if ref.value != "" && !SecretNamePattern.MatchString(ref.value) {
				add(field(ref.name), "应填写密钥的名称（大写字母、数字和下划线，如 RSJ_DINGTALK_TOKEN），不要把密钥本身写进目录文件")
			}
		}
		switch {
		case robot && ch.Token == "":
			add(field("token"), "%s机器人需要 token（密钥名称）", relay.ChannelLabel(ch.Type))
		case !robot && ch.Token != "":
			add(field("token"), "%s渠道不使用 token", relay.ChannelLabel(ch.Type))
		}
		if ch.Secret != "" && ch.Type != relay.ChannelDingTalk && ch.Type != relay.ChannelFeishu {
			add(field("secret"), "%s渠道不使用签名密钥", relay.ChannelLabel(ch.Type))
		}
		if ch.Type == relay.ChannelWebhook && ch.URL == "" {
			add(field("url"), "webhook 渠道需要地址 url")
		}
		if ch.Type == relay.ChannelEmail {
			if len(ch.To) == 0 {
				add(field("to"), "电子邮件渠道需要收件地址 to")
			}
			for k := range ch.To {
				ch.To[k] = strings.TrimSpace(ch.To[k])
				if a, err := mail.ParseAddress(ch.To[k]); err != nil || a.Address != ch.To[k] {
					add(field("to"), "第%d个收件地址“%s”无效", k+1, ch.To[k])
				}
			}
		} else if len(ch.To) > 0 {
			add(field("to"), "只有电子邮件渠道使用 to")
		}
	}
	return ps
}
