package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestBrowserReadReceiptAndDeliveryRetry: in a real browser, a unit's person opens
// the notice's link (marked read), the inspection office sees it read on the
// meeting's page, finds the deliveries the webhook refused set aside with the reason,
// and sends one again once the receiver accepts.
func TestBrowserReadReceiptAndDeliveryRetry(t *testing.T) {
	var accept atomic.Bool
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !accept.Load() {
			http.Error(w, "接收方拒收：未登记的来源", http.StatusForbidden)
		}
	}))
	defer hook.Close()
	t.Setenv("TASKRELAY_WEBHOOK_URL", hook.URL)
	c := newCounty(t)
	c.start()
	con := startConsole(t, c)
	userAdd(t, c, "Yibao-pass-1", "rsj1", "--role", "unit", "--unit", "县医疗保障局", "--name", "人社局张三", "--password-stdin")
	userAdd(t, c, "Ducha-pass-1", "duban", "--role", "inspection", "--name", "督查室王五", "--password-stdin")
	c.ok("submit", sample, "--adopt")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.api().WaitDispatched(ctx, "cwh-2026-12"); err != nil {
		t.Fatal(err)
	}
	p := newBrowser(t, con.URL)

	p.login("rsj1", "Yibao-pass-1", "人社局张三")
	p.open("/notices/dispatch:cwh-2026-12:rsj")
	p.see(".flash", "已记录本单位已读")
	p.see("main", "已读（")
	p.logout()

	p.login("duban", "Ducha-pass-1", "督查室王五")
	p.seeAfterReload("/meetings/cwh-2026-12", "#notices + table", "已读 ")
	p.seeAfterReload("/deliveries?failed=1", "#deliveries", "403 Forbidden")
	p.see("#deliveries", "已搁置")
	p.shot("deliveries")
	accept.Store(true)
	p.click("#deliveries button.retry")
	p.see(".flash", "已重新排队")
	p.seeAfterReload("/deliveries", "#deliveries", "已送达")
}
