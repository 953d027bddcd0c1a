package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

const testLink = "https://duban.example.gov.cn/notices/dispatch:cwh-2026-12:rsj"

func outgoing(n relay.Notice, mobiles ...string) Outgoing {
	return Outgoing{Notice: n, Link: testLink, Mobiles: mobiles, Key: n.ID + "/test"}
}

// sendAll sends every prepared part in order, as the pusher does.
func sendAll(t *testing.T, ch Channel, o Outgoing) error {
	t.Helper()
	msgs, err := ch.Prepare(o)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := ch.Send(context.Background(), o, m); err != nil {
			return err
		}
	}
	return nil
}

// bigNotice lists n items with long requirements.
func bigNotice(items int) relay.Notice {
	n := sampleNotice()
	n.Kind = relay.NoticeReminder
	n.Items = nil
	for i := 1; i <= items; i++ {
		n.Items = append(n.Items, relay.NoticeItem{No: i, TaskID: fmt.Sprintf("cwh-2026-12:%d", i),
			Title: fmt.Sprintf("任务事项第%d号：%s", i, strings.Repeat("推进重点工作", 3)), Role: relay.RoleLead,
			Deadline: "2026-12-31", DeputyName: "张副县长"})
	}
	return n
}

func platformError(t *testing.T, err error, code int) {
	t.Helper()
	var pe *PlatformError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("want platform error code %d, got %v", code, err)
	}
}

func TestDingTalkSignedMarkdownMentionsTheContact(t *testing.T) {
	f, srv := newFakePlatform(t, relay.ChannelDingTalk, "tok-1", "SEC-rsj")
	r := NewDingTalk(srv.URL, "tok-1", "SEC-rsj", nil)
	if err := sendAll(t, r, outgoing(sampleNotice(), "13800001111")); err != nil {
		t.Fatal(err)
	}
	got, _, _ := f.snapshot()
	if len(got) != 1 {
		t.Fatalf("accepted %d messages, want 1", len(got))
	}
	m := got[0]
	for _, want := range []string{"交办单", "[在控制台查看](" + testLink + ")", "@13800001111", `第3项：稳就业 \| 保民生`} {
		if !strings.Contains(m.Title+m.Text, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Text)
		}
	}
	if len(m.Mobiles) != 1 || m.Mobiles[0] != "13800001111" {
		t.Errorf("atMobiles = %v", m.Mobiles)
	}

	// A wrong secret and a clock an hour and more off are refused with 310000 in an
	// HTTP 200, for good.
	bad := NewDingTalk(srv.URL, "tok-1", "wrong", nil)
	err := sendAll(t, bad, outgoing(sampleNotice()))
	platformError(t, err, 310000)
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("sign mismatch should be permanent: %v", err)
	}
	late := NewDingTalk(srv.URL, "tok-1", "SEC-rsj", nil)
	late.Now = func() time.Time { return time.Now().Add(-61 * time.Minute) }
	platformError(t, sendAll(t, late, outgoing(sampleNotice())), 310000)
	platformError(t, sendAll(t, NewDingTalk(srv.URL, "other", "SEC-rsj", nil), outgoing(sampleNotice())), 300001)
}

func TestWeComSplitsLongNoticesWithinTheLimit(t *testing.T) {
	f, srv := newFakePlatform(t, relay.ChannelWeCom, "key-1", "")
	r := NewWeCom(srv.URL, "key-1", nil)
	n := bigNotice(60)
	if err := sendAll(t, r, outgoing(n, "13800001111")); err != nil {
		t.Fatal(err)
	}
	got, refused, _ := f.snapshot()
	if len(refused) > 0 {
		t.Fatalf("platform refused %v", refused)
	}
	md := got[:len(got)-1]
	if len(md) < 2 || len(md) > MaxParts {
		t.Fatalf("%d markdown parts, want 2..%d", len(md), MaxParts)
	}
	all := ""
	for i, m := range md {
		if m.Type != "markdown" || !strings.Contains(m.Text, fmt.Sprintf("（%d/%d）", i+1, len(md))) {
			t.Errorf("part %d not numbered: %.80s", i+1, m.Text)
		}
		if !strings.Contains(m.Text, "[在控制台查看]") {
			t.Errorf("part %d has no console link", i+1)
		}
		all += m.Text
	}
	for _, it := range n.Items {
		if c := strings.Count(all, fmt.Sprintf("第%d项：", it.No)); c != 1 {
			t.Errorf("item %d appears %d times across the parts", it.No, c)
		}
	}
	last := got[len(got)-1]
	if last.Type != "text" || len(last.Mobiles) != 1 || last.Mobiles[0] != "13800001111" {
		t.Errorf("mention message = %+v", last)
	}

	// Far too long for five parts: one summary with the link, saying so.
	f2, srv2 := newFakePlatform(t, relay.ChannelWeCom, "key-1", "")
	if err := sendAll(t, NewWeCom(srv2.URL, "key-1", nil), outgoing(bigNotice(2000))); err != nil {
		t.Fatal(err)
	}
	got, _, _ = f2.snapshot()
	if len(got) != 1 || !strings.Contains(got[0].Text, "共 2000 项") || !strings.Contains(got[0].Text, testLink) {
		t.Fatalf("summary = %+v", got)
	}

	// A wrong key: errcode 93000 in an HTTP 200, permanent.
	err := sendAll(t, NewWeCom(srv.URL, "nope", nil), outgoing(sampleNotice()))
	platformError(t, err, 93000)
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("wrong key should be permanent: %v", err)
	}
}

func TestWeComRefusesWhatIsTooLong(t *testing.T) {
	// The fake platform itself enforces 4,096 bytes: an unsplit message is refused.
	_, srv := newFakePlatform(t, relay.ChannelWeCom, "key-1", "")
	r := NewWeCom(srv.URL, "key-1", nil)
	long := encodeJSON(weComMsg{MsgType: "markdown", Markdown: &weComContent{Content: strings.Repeat("字", 1366)}})
	platformError(t, r.Send(context.Background(), outgoing(sampleNotice()), long), 40058)
}

func TestFeishuSignedCardWithButton(t *testing.T) {
	f, srv := newFakePlatform(t, relay.ChannelFeishu, "hook-1", "fs-secret")
	r := NewFeishu(srv.URL+"/hook", "hook-1", "fs-secret", nil)
	if err := sendAll(t, r, outgoing(bigNotice(400))); err != nil {
		t.Fatal(err)
	}
	got, _, _ := f.snapshot()
	if len(got) < 2 {
		t.Fatalf("a 400-item notice fit one 20 KB card? parts %d", len(got))
	}
	for _, m := range got {
		if !strings.Contains(m.Text, "[在控制台查看]("+testLink+")") {
			t.Errorf("card has no button to the console: %.100s", m.Text)
		}
	}
	err := sendAll(t, NewFeishu(srv.URL+"/hook", "hook-1", "wrong", nil), outgoing(sampleNotice()))
	platformError(t, err, 19021)
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("feishu sign mismatch should be permanent: %v", err)
	}
}

func TestPlatformTooFastIsRetryableAndUnknownCodesFail(t *testing.T) {
	f, srv := newFakePlatform(t, relay.ChannelDingTalk, "tok", "")
	f.limit = Window{N: 1, Per: time.Minute}
	r := NewDingTalk(srv.URL, "tok", "", nil)
	if err := sendAll(t, r, outgoing(sampleNotice())); err != nil {
		t.Fatal(err)
	}
	err := sendAll(t, r, outgoing(sampleNotice()))
	retry, ok := IsRateLimited(err)
	if !ok || retry != 10*time.Minute || errors.Is(err, ErrPermanent) {
		t.Fatalf("second message within the minute: %v (rest %v)", err, retry)
	}
	platformError(t, err, 130101)

	// An HTTP 200 with an unknown error code is a failure, retried.
	r2 := &Robot{channel: relay.ChannelDingTalk}
	err = r2.verdict("钉钉机器人", []byte(`{"errcode":-1,"errmsg":"system busy"}`))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("unknown code: %v", err)
	}
	if err := r2.verdict("钉钉机器人", []byte(`<html>ok</html>`)); err == nil {
		t.Fatal("an answer without a result code counted as delivered")
	}
}

func TestLimiterKeepsEveryWindow(t *testing.T) {
	l := NewLimiter()
	ws := []Window{{N: 3, Per: time.Minute}, {N: 2, Per: time.Second}}
	t0 := time.Unix(1000, 0)
	if w := l.Wait("r", ws, t0); w != 0 {
		t.Fatalf("fresh robot waits %v", w)
	}
	l.Sent("r", t0)
	l.Sent("r", t0.Add(100*time.Millisecond))
	if w := l.Wait("r", ws, t0.Add(200*time.Millisecond)); w != 800*time.Millisecond {
		t.Fatalf("per-second window: wait %v", w)
	}
	l.Sent("r", t0.Add(time.Second))
	if w := l.Wait("r", ws, t0.Add(2*time.Second)); w != 58*time.Second {
		t.Fatalf("per-minute window: wait %v", w)
	}
	l.Block("r", t0.Add(5*time.Minute))
	if w := l.Wait("r", ws, t0.Add(2*time.Minute)); w != 3*time.Minute {
		t.Fatalf("blocked robot: wait %v", w)
	}
	if w := l.Wait("other", ws, t0); w != 0 {
		t.Fatalf("robots share a limit: %v", w)
	}
}
