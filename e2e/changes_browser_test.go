package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBrowserPushbackToReassignment: in a real browser, a push back from the unit to
// the office's reassignment. The lead unit says the task is not its own and suggests
// another; the office sees the push back on the task's page and reassigns the task
// to the unit suggested; the new unit finds the task on its page and may act on it,
// and the old one can no longer open it.
func TestBrowserPushbackToReassignment(t *testing.T) {
	c := newCounty(t)
	c.start()
	con := startConsole(t, c)
	userAdd(t, c, "Yibao-pass-1", "rsj1", "--role", "unit", "--unit", "县医疗保障局", "--name", "人社局张三", "--password-stdin")
	userAdd(t, c, "Minzheng-pass-1", "mzj1", "--role", "unit", "--unit", "县民政局", "--name", "民政局赵六", "--password-stdin")
	userAdd(t, c, "Zhengfu-pass-1", "office1", "--role", "office", "--name", "政府办刘六", "--password-stdin")
	c.ok("submit", sample, "--adopt")
	api := c.api()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := api.WaitDispatched(ctx, "cwh-2026-12"); err != nil {
		t.Fatal(err)
	}
	const task = "/tasks/cwh-2026-12:1"
	p := newBrowser(t, con.URL)

	// The lead unit pushes back, suggesting the civil affairs bureau.
	p.login("rsj1", "Yibao-pass-1", "人社局张三")
	p.seeAfterReload("/my", "main", "推进社保医保")
	p.open(task)
	p.see("#form-pushback", "申请退回")
	p.set("#pb-reason", "两险征缴不含社会救助对象核定，该项应由民政部门牵头")
	p.set("#pb-suggest", "mzj")
	p.click("#pushback")
	p.see(".flash", "退回申请已提交")
	p.see("#pushback", "待县政府办公室决定")
	p.see("#pushback", "建议由县民政局承办")
	if p.text("#form-pushback") != "" {
		t.Fatal("the push back form is still offered")
	}
	p.logout()

	// The office sees it and reassigns the task to the unit suggested.
	p.login("office1", "Zhengfu-pass-1", "政府办刘六")
	p.open(task)
	p.see("#pushback", "人力资源和社会保障局")
	p.see("#form-decide-pushback", "维持原分工")
	p.click("#dp-reassign")
	p.set("#dp-lead", "mzj")
	p.set("#dp-note", "同意由县民政局牵头，县人社局不再承办")
	p.shot("task-pushback")
	p.click("#decide-pushback")
	p.see(".flash", "已对退回申请作出决定")
	p.see("#pushback", "已决定：调整分工")
	p.see("main", "县民政局")
	p.see("#timeline", "政府办刘六（office1）")
	p.logout()

	// The new unit has the task on its page and may act on it.
	p.login("mzj1", "Minzheng-pass-1", "民政局赵六")
	p.seeAfterReload("/my", "main", "推进社保医保")
	p.click(`a[href="/tasks/cwh-2026-12:1"]`)
	p.see("#task-title", "推进社保医保")
	p.see("#form-progress", "报告进展")
	p.logout()

	// The old unit can no longer open it, nor finds it on its page.
	p.login("rsj1", "Yibao-pass-1", "人社局张三")
	p.open(task)
	p.see("#error", "无权查看任务")
	deadline := time.Now().Add(20 * time.Second)
	for {
		p.open("/my")
		if !strings.Contains(p.text("main"), "推进社保医保") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old unit still lists the task after the reassignment")
		}
		time.Sleep(300 * time.Millisecond)
	}

	v, err := api.Task(ctx, "cwh-2026-12:1")
	if err != nil {
		t.Fatal(err)
	}
	if v.LeadUnit != "mzj" || v.IsUnitOf("rsj") || v.Pushback == nil || v.Pushback.State != "reassigned" {
		t.Fatalf("after the browser walk: lead %s co %v push back %+v", v.LeadUnit, v.CoUnits, v.Pushback)
	}
}
