package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserClerkConsole: the console as clerks see it, measured in a real browser
// at 1,280 px. The account table's 停用/删除 buttons stand out from the table behind
// them (contrast of the computed colours) and the table names units; the board's
// dates, states and column headings keep to one line and its meeting filter offers
// the meeting by name; the meeting says who adopted it by name and role; the office
// picks 配合单位 with checkboxes; a unit's 收到的通知 shows the 文号 and downloads the
// .docx.
func TestBrowserClerkConsole(t *testing.T) {
	c := newCounty(t)
	c.start()
	con := startConsole(t, c)
	userAdd(t, c, "Yibao-pass-1", "rsj1", "--role", "unit", "--unit", "县医疗保障局", "--name", "人社局张三", "--password-stdin")
	userAdd(t, c, "Zhengfu-pass-1", "office1", "--role", "office", "--name", "政府办刘六", "--password-stdin")
	userAdd(t, c, "Ducha-pass-1", "duban", "--role", "inspection", "--name", "督查室王五", "--password-stdin")
	c.ok("submit", sample, "--adopt")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.api().WaitDispatched(ctx, "cwh-2026-12"); err != nil {
		t.Fatal(err)
	}
	p := newBrowser(t, con.URL)

	// The administrator's account table.
	p.loginFirst("admin", con.AdminPassword, "Guanli-new-2026", "系统管理员")
	p.open("/users")
	p.see("#users", "县人力资源和社会保障局")
	low := evaluate[[]string](p, "measure the buttons' contrast", contrastJS)
	if len(low) > 0 {
		t.Errorf("account buttons hard to see (contrast below 4.5:1): %v", low)
	}
	if wrapped := evaluate[[]string](p, "measure the account table's cells", oneLineJS(`#users th, #users td[data-label="用户名"], #users td[data-label="姓名"], #users td[data-label="状态"]`)); len(wrapped) > 0 {
		t.Errorf("account table cells wrap at 1,280 px: %v", wrapped)
	}
	p.shot("users")
	p.logout()

	// The inspection office's board at 1,280 px.
	p.loginFirst("duban", "Ducha-pass-1", "Ducha-new-2026", "督查室王五")
	p.seeAfterReload("/board", "#counts", "共 10 项")
	wrapped := evaluate[[]string](p, "measure the board's cells", oneLineJS("main table.tasks td.date, main table.tasks td.state, main table.tasks th"))
	if len(wrapped) > 0 {
		t.Errorf("board cells wrap at 1,280 px: %v", wrapped)
	}
	if got := p.text(`#f-meeting option[value="cwh-2026-12"]`); got != "县委常委会2026年第12次会议" {
		t.Errorf("the meeting filter offers %q", got)
	}
	p.shot("board-1280")
	p.open("/meetings/cwh-2026-12")
	p.see("#meeting-state", "由 e2e（操作员）通过")
	p.logout()

	// The office reassigns with 配合单位 ticked, not Ctrl-clicked.
	p.loginFirst("office1", "Zhengfu-pass-1", "Zhengfu-new-2026", "政府办刘六")
	p.open("/tasks/cwh-2026-12:1")
	p.see("h1", "县委常委会2026年第12次会议 第1项")
	if n := p.count("select[multiple]"); n != 0 {
		t.Errorf("%d multi-select lists left on the task page", n)
	}
	p.click(`#rs-co input[value="czj"]`)
	p.set("#rs-reason", "增加县财政局配合资金保障")
	p.shot("task-reassign")
	p.click("#reassign")
	p.see(".flash", "已调整分工")
	p.see("main", "县财政局")
	p.logout()

	// The unit reads its 交办单 by its 文号 and downloads the official document.
	p.loginFirst("rsj1", "Yibao-pass-1", "Yibao-new-2026", "人社局张三")
	p.seeAfterReload("/notices", "main", "县府督办〔")
	if strings.Contains(p.text("main"), "dispatch:") {
		t.Errorf("收到的通知 shows a dispatch: id:\n%s", p.text("main"))
	}
	p.see("main h2", "县委常委会2026年第12次会议交办单")
	got := evaluate[string](p, "download the 交办单",
		`fetch(document.querySelector("a.docx").href).then(r => r.status + " " + r.headers.get("content-type"))`, chromedp.EvalAwaitPromise)
	if !strings.HasPrefix(got, "200 ") || !strings.Contains(got, "wordprocessingml") {
		t.Errorf("the 交办单 download answered %q", got)
	}
	p.shot("notices")
}

// loginFirst logs in, changing the password first when the account must (a new
// account's initial password is the administrator's).
func (p *page) loginFirst(user, password, newPassword, wantName string) {
	p.t.Helper()
	p.login(user, password, wantName)
	if !strings.Contains(p.text("h1"), "修改密码") {
		return
	}
	p.set("#current", password)
	p.set("#new", newPassword)
	p.set("#confirm", newPassword)
	p.click("main form button[type=submit]")
	p.see(".flash", "密码已修改")
}

// count is how many elements match css.
func (p *page) count(css string) int {
	return evaluate[int](p, "count "+css, "document.querySelectorAll(`"+css+"`).length")
}

// evaluate runs a script in the page and returns its value.
func evaluate[T any](p *page, what, expr string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// contrastJS lists the account table's buttons whose text contrasts less than 4.5:1
// (WCAG AA) with the first opaque background behind them.
const contrastJS = `(() => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
  const out = [];
  const buttons = document.querySelectorAll("#users button");
  if (buttons.length === 0) return ["no buttons"];
  for (const b of buttons) {
    const fg = rgb(getComputedStyle(b).color), back = bg(b);
    const [hi, lo] = [lum(fg), lum(back)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) out.push(b.textContent.trim() + " " + ratio.toFixed(2) + " (" + getComputedStyle(b).color + " on " + back + ")");
  }
  return out;
})()`

// oneLineJS lists the cells matching css (the board's dates, states and column
// headings) whose text takes more than one line: the height of the text itself (a
// Range over the cell's content), against the cell's line height.
func oneLineJS(css string) string {
	return "(() => { const cells = document.querySelectorAll(`" + css + "`);" + oneLineBody
}

const oneLineBody = `
  const out = [];
  if (cells.length === 0) return ["no cells"];
  for (const c of cells) {
    const r = document.createRange(); r.selectNodeContents(c);
    const h = r.getBoundingClientRect().height;
    const lh = parseFloat(getComputedStyle(c).lineHeight) || parseFloat(getComputedStyle(c).fontSize) * 1.55;
    if (h > lh * 1.5) out.push(c.textContent.trim() + " " + h.toFixed(0) + "px");
  }
  return out;
})()`
