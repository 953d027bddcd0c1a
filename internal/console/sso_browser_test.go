package console

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
)

// TestSSOBrowserLogin drives Debian's chromium: on the login page a person clicks
// 钉钉登录, goes through the (fake) DingTalk authorisation and back, and lands on
// 我的任务 logged in; then the same with 统一身份认证登录 against the in-process
// OIDC provider. Without a chromium it skips, unless TASKRELAY_REQUIRE_BROWSER=1.
func TestSSOBrowserLogin(t *testing.T) {
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if os.Getenv("TASKRELAY_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium found (apt-get install chromium)")
		}
		t.Skip("no chromium found")
	}
	w := newSSOWorld(t, "")
	w.ding.AddUser("d-sso", "u-sso", "")
	w.ding.LoginAs = "u-sso"
	for _, c := range []struct{ link, label string }{{"/login/dingtalk", "钉钉登录"}, {"/login/oidc", "统一身份认证登录"}} {
		if c.link == "/login/oidc" {
			w.oidc.QueueUser(&mockoidc.MockUser{Subject: "sub-sso", PreferredUsername: "ssoding"})
		}
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(exe), chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck, chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()))
		ctx, cancelB := chromedp.NewContext(actx)
		ctx, cancelC := context.WithTimeout(ctx, 2*time.Minute)
		if err := chromedp.Do(ctx, chromedp.Navigate(w.srv.URL+"/login")); err != nil {
			t.Fatal(err)
		}
		label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href="`+c.link+`"]').innerText`))
		if err != nil || label != c.label {
			t.Fatalf("login page link %s: %q %v", c.link, label, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="`+c.link+`"]`))); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		loc, title := "", ""
		for time.Now().Before(deadline) {
			loc, _ = chromedp.Run(ctx, chromedp.Location())
			title, _ = chromedp.Run(ctx, chromedp.Title())
			if strings.HasSuffix(loc, "/my") && strings.Contains(title, "我的任务") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !strings.HasSuffix(loc, "/my") || !strings.Contains(title, "我的任务") {
			t.Errorf("%s: the browser ended on %s (%q), not 我的任务", c.label, loc, title)
		}
		cancelC()
		cancelB()
		cancelA()
	}
}
