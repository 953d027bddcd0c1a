package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/imapp/imapptest"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestDingTalkAppWithTheWorker: the worker configured with a DingTalk enterprise
// app (a fake platform) sends the adopted list's dispatch to the linked people of
// the unit as 工作通知, once each, visible in `starter deliveries` under
// dingtalk-work; each gets one 待办 of the task the unit supports; withdrawing the
// task marks both done.
func TestDingTalkAppWithTheWorker(t *testing.T) {
	fake := imapptest.NewDingTalk(t, 2*time.Hour)
	fake.AddUser("d-rsjhead", "u-rsjhead", "")
	fake.AddUser("d-rsj1", "u-rsj1", "")
	app := fake.App()
	t.Setenv("TASKRELAY_DINGTALK_APP_KEY", app.AppKey)
	t.Setenv("TASKRELAY_DINGTALK_APP_SECRET", app.AppSecret)
	t.Setenv("TASKRELAY_DINGTALK_AGENT_ID", app.AgentID)
	t.Setenv("TASKRELAY_DINGTALK_OAPI", app.OAPI)
	t.Setenv("TASKRELAY_DINGTALK_API", app.API)
	t.Setenv("TASKRELAY_DINGTALK_LOGIN", app.Login)
	t.Setenv("TASKRELAY_PUBLIC_URL", "https://duban.example.gov.cn")
	c := newCounty(t)
	t.Setenv("TASKRELAY_DATA", c.data)
	users, err := accounts.Open(filepath.Join(c.data, accounts.UsersFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []accounts.User{
		{Username: "rsjhead", Role: accounts.RoleUnitHead, Unit: "rsj", Links: accounts.Links{DingTalk: "d-rsjhead", DingTalkUnion: "u-rsjhead"}},
		{Username: "rsj1", Role: accounts.RoleUnit, Unit: "rsj", Links: accounts.Links{DingTalk: "d-rsj1", DingTalkUnion: "u-rsj1"}},
	} {
		if err := users.Add(u, "E2e-Passw0rd"); err != nil {
			t.Fatal(err)
		}
	}
	c.start()
	c.ok("submit", sample, "--adopt")
	const task = "cwh-2026-12:2" // 县人社局 supports it
	eventually(t, "work notices and 待办", func() bool {
		open := 0
		for _, td := range fake.Todos() {
			if td.SourceID == task && !td.Done {
				open++
			}
		}
		return open == 2 && dispatches(t, fake)["d-rsjhead"] == 1 && dispatches(t, fake)["d-rsj1"] == 1
	})
	time.Sleep(time.Second) // nothing more arrives
	if per := dispatches(t, fake); len(per) != 2 || per["d-rsjhead"] != 1 || per["d-rsj1"] != 1 {
		t.Errorf("the dispatch per person: %v", per)
	}
	if fake.Duplicates != 0 {
		t.Errorf("%d identical messages to one person", fake.Duplicates)
	}
	var ds []relay.Delivery
	eventually(t, "deliveries listed", func() bool {
		c.jsonOf(&ds, "deliveries", "--json")
		n := 0
		for _, d := range ds {
			if d.Channel == notify.ChannelDingTalkWork && d.State == relay.DeliveryDelivered {
				n++
			}
		}
		return n >= 2
	})

	c.ok("withdraw", task, "--reason", "县委常委会决定不再实施")
	eventually(t, "待办 done after the withdrawal", func() bool {
		done := 0
		for _, td := range fake.Todos() {
			if td.SourceID == task && td.Done {
				done++
			}
		}
		return done == 2
	})
	seen := map[string]int{}
	for _, td := range fake.Todos() {
		seen[td.UnionID+"/"+td.SourceID]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%d 待办 for %s", n, k)
		}
	}
}

// dispatches counts the dispatch (交办单) work notices per DingTalk user.
func dispatches(t *testing.T, fake *imapptest.DingTalk) map[string]int {
	per := map[string]int{}
	for _, m := range fake.Messages() {
		if strings.Contains(m.Text, "通知编号：") && strings.Contains(m.Title, "交办") {
			per[m.To]++
		}
		if !strings.HasPrefix(m.URL, "https://duban.example.gov.cn/login/dingtalk?next=") {
			t.Errorf("link: %q", m.URL)
		}
	}
	return per
}
