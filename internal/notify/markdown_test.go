package notify

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// escapes are Markdown's backslash escapes: what is left without them is what a
// renderer reads as markup.
var escapes = regexp.MustCompile(`\\.`)

// strs collects every string in a decoded JSON message.
func strs(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			strs(e, out)
		}
	case map[string]any:
		for _, e := range x {
			strs(e, out)
		}
	}
}

// User text reaches the chat robots as text, not Markdown: a list title written as a
// link, a meeting name in bold, a body line that would be a heading or a list, none
// becomes markup on DingTalk, WeCom or Feishu, nor in the Markdown notice itself.
func TestUserTextIsNoMarkdownOnChat(t *testing.T) {
	n := sampleNotice()
	n.Kind = relay.NoticeReminder
	n.MeetingName = "**县委常委会**"
	n.Subject = "到期提醒 [点此](http://evil.example/a)"
	n.Body = "# 不是标题\n- 不是列表\n1. 也不是\n<img src=x onerror=alert(1)>"
	n.Items = []relay.NoticeItem{{No: 1, Title: "[点此](http://evil.example/)", Role: relay.RoleLead, Deadline: "2026-12-31",
		DeputyName: "![图](http://evil.example/p.png)"}}
	check := func(where, text string) {
		t.Helper()
		bare := escapes.ReplaceAllString(text, "")
		for _, bad := range []string{"](http://evil", "**县委常委会**", "<img", "\n# 不是标题", "\n- 不是列表", "\n1. 也不是"} {
			if strings.Contains("\n"+bare, bad) {
				t.Errorf("%s: user text is live Markdown (%q):\n%s", where, bad, text)
			}
		}
		if !strings.Contains(text, "点此") {
			t.Errorf("%s: the title is gone:\n%s", where, text)
		}
	}
	check("notice", Render(n))
	for name, r := range map[string]*Robot{
		"dingtalk": NewDingTalk("http://127.0.0.1:1", "t", "s", nil),
		"wecom":    NewWeCom("http://127.0.0.1:1", "k", nil),
		"feishu":   NewFeishu("http://127.0.0.1:1", "t", "s", nil),
	} {
		msgs, err := r.Prepare(outgoing(n))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, m := range msgs {
			var v any
			if err := json.Unmarshal(m, &v); err != nil {
				t.Fatal(err)
			}
			var all []string
			strs(v, &all)
			for _, s := range all {
				if strings.Contains(s, "点此") && !strings.HasPrefix(s, "到期提醒") { // the plain notification title is no Markdown
					check(name, s)
				}
			}
		}
	}
}
