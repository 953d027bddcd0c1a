package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// receiver starts a webhook receiver that counts each idempotency key, closed with
// the test, and returns it with its URL.
func receiver(t *testing.T) (*countingReceiver, string) {
	recv := &countingReceiver{byKey: map[string]int{}}
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	return recv, srv.URL
}

type countingReceiver struct {
	mu       sync.Mutex
	failNext int
	status   int
	byKey    map[string]int
}

func (c *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failNext > 0 {
		c.failNext--
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if c.status != 0 {
		http.Error(w, "no", c.status)
		return
	}
	c.byKey[r.Header.Get("Idempotency-Key")]++
}

func (c *countingReceiver) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey[key]
}

func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runPusher runs p until the test ends, and waits for it to stop before the test's
// folders are removed.
func runPusher(t *testing.T, p *Pusher) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ctx
}

func notice(id string) relay.Notice {
	return relay.Notice{ID: id, Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj", ToName: "县人社局", Subject: "提醒", IssuedAt: time.Now()}
}

// countyHook routes every notice to one webhook, as TASKRELAY_WEBHOOK_URL does.
func countyHook(t *testing.T, url string) *Routes {
	rs, err := NewRoutes(nil, Secrets{}, RouteOptions{WebhookURL: url})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func fastPusher(dir string, r Router) *Pusher {
	p := NewPusher(dir, r)
	p.MinBackoff, p.MaxBackoff, p.Poll = 5*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
	return p
}

func deliveryStates(t *testing.T, dir string) map[string]relay.Delivery {
	t.Helper()
	ds, err := Deliveries(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]relay.Delivery{}
	for _, d := range ds {
		out[d.Notice+" "+d.Route] = d
	}
	return out
}

func TestPusherRetriesUntilTheReceiverIsBackAndPushesOnce(t *testing.T) {
	recv := &countingReceiver{failNext: 5, byKey: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	dir := t.TempDir()
	p := fastPusher(filepath.Join(dir, "deliveries"), countyHook(t, srv.URL))
	s := Spooled{Outbox: NewOutbox(filepath.Join(dir, "outbox")), Pusher: p}
	ctx := runPusher(t, p)
	for _, id := range []string{"reminder:a:1", "reminder:a:2"} {
		if err := s.Deliver(ctx, notice(id)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both pushed", func() bool { return recv.count("reminder:a:1") == 1 && recv.count("reminder:a:2") == 1 })
	// Recording the same notice again (a retried activity) pushes nothing more.
	if err := s.Deliver(ctx, notice("reminder:a:1")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if recv.count("reminder:a:1") != 1 || p.Pending() != 0 {
		t.Errorf("re-recorded notice pushed again: %d, pending %d", recv.count("reminder:a:1"), p.Pending())
	}
	waitFor(t, "recorded as delivered", func() bool {
		d := deliveryStates(t, filepath.Join(dir, "deliveries"))
		return d["reminder:a:1 webhook"].State == relay.DeliveryDelivered && d["reminder:a:2 webhook"].State == relay.DeliveryDelivered
	})
	if d := deliveryStates(t, filepath.Join(dir, "deliveries")); d["reminder:a:1 webhook"].Attempts+d["reminder:a:2 webhook"].Attempts != 7 {
		t.Errorf("attempts: %+v (5 refused + 2 accepted)", d)
	}
}

func TestPusherResumesAfterRestart(t *testing.T) {
	recv, url := receiver(t)
	dir := filepath.Join(t.TempDir(), "deliveries")
	first := NewPusher(dir, countyHook(t, url))
	if err := first.Enqueue(notice("escalation:b:3")); err != nil { // spooled, never run: the process died
		t.Fatal(err)
	}
	second := fastPusher(dir, countyHook(t, url))
	runPusher(t, second)
	waitFor(t, "pushed after restart", func() bool { return recv.count("escalation:b:3") == 1 })
}

func TestPusherSetsAsideRefusedNoticesAndRetries(t *testing.T) {
	recv := &countingReceiver{status: http.StatusBadRequest, byKey: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "deliveries")
	p := fastPusher(dir, countyHook(t, srv.URL))
	if err := p.Enqueue(notice("dispatch:c:czj")); err != nil {
		t.Fatal(err)
	}
	runPusher(t, p)
	waitFor(t, "set aside", func() bool {
		ds, _ := Deliveries(dir, true)
		return len(ds) == 1 && p.Pending() == 0
	})
	ds, _ := Deliveries(dir, true)
	if d := ds[0]; d.Notice != "dispatch:c:czj" || d.Channel != relay.ChannelWebhook || d.To != "rsj" ||
		d.State != relay.DeliveryFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "400 Bad Request") {
		t.Fatalf("set-aside delivery = %+v", d)
	}
	// Recording it again does not spool it again.
	if err := p.Enqueue(notice("dispatch:c:czj")); err != nil || p.Pending() != 0 {
		t.Errorf("a refused notice was spooled again: %v, pending %d", err, p.Pending())
	}
	// A person fixes the receiver and retries: delivered, attempts counted on.
	recv.mu.Lock()
	recv.status = 0
	recv.mu.Unlock()
	if err := Retry(dir, "dispatch:c:czj", "nope"); err == nil {
		t.Error("retry of an unknown delivery accepted")
	}
	if err := Retry(dir, "dispatch:c:czj", relay.ChannelWebhook); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivered after retry", func() bool {
		return deliveryStates(t, dir)["dispatch:c:czj webhook"].State == relay.DeliveryDelivered
	})
	if d := deliveryStates(t, dir)["dispatch:c:czj webhook"]; d.Attempts != 2 || d.LastError != "" || recv.count("dispatch:c:czj") != 1 {
		t.Errorf("after retry: %+v, received %d", d, recv.count("dispatch:c:czj"))
	}
}

// unitRoutes routes notices to unit rsj on one robot.
func unitRoutes(channel string, out Channel, mobiles ...string) *Routes {
	rs := &Routes{PublicURL: "https://duban.example.gov.cn"}
	rs.Add(relay.ToUnit, "rsj", Route{Name: channel + ":rsj", Channel: channel, Out: out, Mobiles: mobiles})
	return rs
}

func TestThirtyNoticesToOneDingTalkRobotStayWithinTheLimit(t *testing.T) {
	f, srv := newFakePlatform(t, relay.ChannelDingTalk, "tok", "SEC")
	// The platform's 20 a minute, scaled to 20 a second to keep the test short;
	// the robot is told the same limit.
	f.limit = Window{N: 20, Per: time.Second}
	robot := NewDingTalk(srv.URL, "tok", "SEC", nil)
	robot.Windows = []Window{f.limit}
	dir := filepath.Join(t.TempDir(), "deliveries")
	p := fastPusher(dir, unitRoutes(relay.ChannelDingTalk, robot, "13800001111"))
	runPusher(t, p)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Enqueue(notice(fmt.Sprintf("reminder:m:%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	waitFor(t, "30 delivered", func() bool { got, _, _ := f.snapshot(); return len(got) == 30 })
	took := time.Since(start)
	got, refused, burst := f.snapshot()
	if len(refused) > 0 || burst > 20 {
		t.Fatalf("refused %v, most in one window %d", refused, burst)
	}
	if took < time.Second {
		t.Errorf("30 messages in %v: faster than 20 a second allows", took)
	}
	waitFor(t, "30 recorded as delivered", func() bool {
		ds, _ := Deliveries(dir, false)
		delivered := 0
		for _, d := range ds {
			if d.State == relay.DeliveryDelivered && d.Attempts == 1 {
				delivered++
			}
		}
		return delivered == 30 && p.Pending() == 0
	})
	ids := map[string]bool{}
	for _, m := range got {
		for i := range 30 {
			if strings.Contains(m.Text, fmt.Sprintf("reminder:m:%d)", i)) {
				ids[fmt.Sprint(i)] = true
			}
		}
	}
	if len(ids) != 30 {
		t.Errorf("%d distinct notices received, want 30", len(ids))
	}
	t.Logf("30 notices to one robot limited to 20/s: %v, most in one window %d", took.Round(time.Millisecond), burst)
}

func TestRobotDownThenBackAndResumesMultiPartNotices(t *testing.T) {
	f, srv := newFakePlatform(t, relay.ChannelWeCom, "key", "")
	// The platform accepts the first part, then goes down.
	f.afterAccept = func(f *fakePlatform) {
		if len(f.accepted) == 1 {
			f.down = true
		}
	}
	dir := filepath.Join(t.TempDir(), "deliveries")
	p := fastPusher(dir, unitRoutes(relay.ChannelWeCom, NewWeCom(srv.URL, "key", nil), "13800001111"))
	n := bigNotice(60)
	n.ToKind, n.To = relay.ToUnit, "rsj"
	if err := p.Enqueue(n); err != nil {
		t.Fatal(err)
	}
	runPusher(t, p)
	waitFor(t, "failed attempts recorded", func() bool {
		d := deliveryStates(t, dir)[n.ID+" wecom:rsj"]
		return d.Attempts >= 3 && strings.Contains(d.LastError, "502")
	})
	f.setDown(false)
	waitFor(t, "delivered", func() bool {
		return deliveryStates(t, dir)[n.ID+" wecom:rsj"].State == relay.DeliveryDelivered
	})
	got, _, _ := f.snapshot()
	parts := map[string]int{}
	for _, m := range got {
		parts[m.Text[:min(len(m.Text), 200)]]++
	}
	for text, c := range parts {
		if c != 1 {
			t.Errorf("sent %d times: %.60s", c, text)
		}
	}
	if len(got) < 3 || got[len(got)-1].Type != "text" {
		t.Errorf("got %d messages, last %+v", len(got), got[len(got)-1])
	}
}

func TestPermanentRefusalOnOneRouteLeavesTheOthers(t *testing.T) {
	_, bad := newFakePlatform(t, relay.ChannelDingTalk, "tok", "right")
	good, goodSrv := newFakePlatform(t, relay.ChannelFeishu, "hook", "fs")
	rs := &Routes{}
	rs.Add(relay.ToUnit, "rsj", Route{Name: "dingtalk:rsj", Channel: relay.ChannelDingTalk, Out: NewDingTalk(bad.URL, "tok", "wrong", nil)})
	rs.Add(relay.ToUnit, "rsj", Route{Name: "feishu:rsj", Channel: relay.ChannelFeishu, Out: NewFeishu(goodSrv.URL+"/hook", "hook", "fs", nil)})
	dir := filepath.Join(t.TempDir(), "deliveries")
	p := fastPusher(dir, rs)
	if err := p.Enqueue(notice("overdue:x:1")); err != nil {
		t.Fatal(err)
	}
	runPusher(t, p)
	waitFor(t, "both settled", func() bool { return p.Pending() == 0 })
	d := deliveryStates(t, dir)
	if dt := d["overdue:x:1 dingtalk:rsj"]; dt.State != relay.DeliveryFailed || !strings.Contains(dt.LastError, "310000") {
		t.Errorf("dingtalk = %+v", dt)
	}
	if fs := d["overdue:x:1 feishu:rsj"]; fs.State != relay.DeliveryDelivered {
		t.Errorf("feishu = %+v", fs)
	}
	if got, _, _ := good.snapshot(); len(got) != 1 {
		t.Errorf("feishu got %d", len(got))
	}
}
