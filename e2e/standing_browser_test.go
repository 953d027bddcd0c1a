package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"taskrelay/internal/relay"
)

// TestBrowserListWarningsAndStanding: in a real browser, the office uploads a list
// with a standing item, one body as lead and supporting unit (合署办公) and a deadline
// already past: the proposed list shows each warning and 长期 for the standing item;
// once adopted the meeting names the item that was late at dispatch, and the board
// reads 长期. The administrator's 用户管理 offers no 停用/删除 for a privileged account.
func TestBrowserListWarningsAndStanding(t *testing.T) {
	c := newCounty(t)
	c.start()
	con := startConsole(t, c)
	userAdd(t, c, "Zhengfu-pass-1", "office1", "--role", "office", "--name", "政府办刘六", "--password-stdin")
	userAdd(t, c, "Ducha-pass-1", "duban", "--role", "inspection", "--name", "督查室王五", "--password-stdin")
	userAdd(t, c, "Anquan-pass-1", "sec1", "--role", "security", "--name", "安全员", "--password-stdin")
	now := time.Now().In(relay.TimeZone)
	d := func(days int) string { return now.AddDate(0, 0, days).Format(relay.DateLayout) }
	list := filepath.Join(t.TempDir(), "长期与提示.yaml")
	if err := os.WriteFile(list, fmt.Appendf(nil, `meeting: {id: cwh-warn, name: 县委常委会提示测试会议, date: %s}
items:
  - {no: 1, title: 推进两险同宣同征, lead: 县医疗保障局, deadline: %s}
  - {no: 2, title: 常态化稳岗就业, lead: 县人社局, co: [县财政局], deadline: 长期坚持}
  - {no: 3, title: 平安建设, lead: 县委政法委, co: [县司法局], deadline: %s}
  - {no: 4, title: 补录事项, lead: 县财政局, deadline: %s}
`, d(-30), d(60), d(90), d(-3)), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newBrowser(t, con.URL)

	p.login("office1", "Zhengfu-pass-1", "政府办刘六")
	p.open("/upload")
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{list}))
	p.click("#upload")
	p.see(".flash", "已通过校验并提交")
	p.see("#warnings", "提示（3）")
	p.see("#warnings", "第2项：提示：按长期事项交办")
	p.see("#warnings", "配合单位“县司法局”与牵头单位“县委政法委”是同一单位")
	p.see("#warnings", "第4项：提示：完成时限 "+d(-3)+" 已过")
	p.see("#adopt-form", "长期")
	p.shot("list-warnings")
	p.click("#adopt")
	p.see(".flash", "已通过并交办")
	p.seeAfterReload("/meetings/cwh-warn", "#late", "第4项：提示：完成时限 "+d(-3)+" 已过（截至 "+d(0)+"）")
	p.logout()

	p.login("duban", "Ducha-pass-1", "督查室王五")
	p.seeAfterReload("/board?meeting=cwh-warn", "main table.tasks", "长期")
	p.logout()

	p.loginFirst("admin", con.AdminPassword, "Guanli-new-2026", "系统管理员")
	p.open("/users")
	p.see("#users", "由系统管理员在服务器上管理")
	for _, form := range []string{`form[action="/users/sec1/disable"]`, `form[action="/users/sec1/remove"]`} {
		if n := p.count(form); n != 0 {
			t.Errorf("%d %s on 用户管理", n, form)
		}
	}
	if n := p.count(`form[action="/users/office1/disable"]`); n != 1 {
		t.Errorf("office1 has %d 停用 forms, want 1", n)
	}
}
