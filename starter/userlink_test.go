package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/imapp/imapptest"
)

func setDingTalkEnv(t *testing.T, fake *imapptest.DingTalk) {
	app := fake.App()
	t.Setenv("TASKRELAY_SECRETS_FILE", "")
	t.Setenv("TASKRELAY_DINGTALK_APP_KEY", app.AppKey)
	t.Setenv("TASKRELAY_DINGTALK_APP_SECRET", app.AppSecret)
	t.Setenv("TASKRELAY_DINGTALK_AGENT_ID", app.AgentID)
	t.Setenv("TASKRELAY_DINGTALK_OAPI", app.OAPI)
	t.Setenv("TASKRELAY_DINGTALK_API", app.API)
	t.Setenv("TASKRELAY_DINGTALK_LOGIN", app.Login)
}

// user add --dingtalk and user link keep the userid and the unionId looked up in
// DingTalk's directory; an unknown userid, or one already linked to another
// account, is refused and changes nothing.
func TestUserLinkKeepsUnionID(t *testing.T) {
	fake := imapptest.NewDingTalk(t, time.Hour)
	fake.AddUser("ding-zhang", "union-zhang", "")
	fake.AddUser("ding-li", "union-li", "")
	setDingTalkEnv(t, fake)
	file := filepath.Join(t.TempDir(), "users.json")
	t.Setenv("TASKRELAY_DATA", filepath.Dir(file))
	if err := cmdUserAdd([]string{"zhang", "--role", "inspection", "--dingtalk", "ding-zhang", "--wecom", "zhangsan", "--password-stdin", "--file", file},
		strings.NewReader("Passw0rd-Zh\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmdUserAdd([]string{"li", "--role", "inspection", "--password-stdin", "--file", file}, strings.NewReader("Passw0rd-Li\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmdUserLink([]string{"li", "--dingtalk", "ding-li", "--feishu", "ou_li", "--file", file}); err != nil {
		t.Fatal(err)
	}
	store, _ := accounts.Open(file)
	zhang, _, _ := store.Get("zhang")
	li, _, _ := store.Get("li")
	if zhang.DingTalk != "ding-zhang" || zhang.DingTalkUnion != "union-zhang" || zhang.WeCom != "zhangsan" {
		t.Errorf("zhang: %+v", zhang.Links)
	}
	if li.DingTalk != "ding-li" || li.DingTalkUnion != "union-li" || li.Feishu != "ou_li" {
		t.Errorf("li: %+v", li.Links)
	}
	if u, ok, _ := store.ByLink(accounts.PlatformDingTalk, "ding-li"); !ok || u.Username != "li" {
		t.Errorf("ByLink: %v %v", u.Username, ok)
	}
	err := cmdUserLink([]string{"li", "--dingtalk", "nobody", "--file", file})
	if err == nil || !strings.Contains(err.Error(), "找不到该用户") {
		t.Errorf("unknown userid: %v", err)
	}
	err = cmdUserLink([]string{"li", "--wecom", "zhangsan", "--file", file})
	if err == nil || !strings.Contains(err.Error(), "不能同时关联用户 li 和 zhang") {
		t.Errorf("identity of another account: %v", err)
	}
	store, _ = accounts.Open(file)
	if li2, _, _ := store.Get("li"); li2.Links != li.Links {
		t.Errorf("a refused link changed the account: %+v", li2.Links)
	}
	if err := cmdUserLink([]string{"li", "--dingtalk", "-", "--file", file}); err != nil {
		t.Fatal(err)
	}
	store, _ = accounts.Open(file)
	if li3, _, _ := store.Get("li"); li3.DingTalk != "" || li3.DingTalkUnion != "" || li3.Feishu != "ou_li" {
		t.Errorf("unlinked: %+v", li3.Links)
	}
}

// org match dingtalk proposes, by the directory contact's mobile, the DingTalk
// link of the unit's account of that name; a dry run changes nothing, --apply
// links it with its unionId.
func TestOrgMatchDingTalk(t *testing.T) {
	fake := imapptest.NewDingTalk(t, time.Hour)
	fake.AddUser("d-zhou", "union-zhou", "13800870009") // 县人社局's 联络员 in the sample directory
	setDingTalkEnv(t, fake)
	t.Setenv("TASKRELAY_DIRECTORY", "")
	file := filepath.Join(t.TempDir(), "users.json")
	t.Setenv("TASKRELAY_DATA", filepath.Dir(file))
	if err := cmdUserAdd([]string{"zhou", "--role", "unit", "--unit", "rsj", "--name", "周某某", "--password-stdin", "--file", file},
		strings.NewReader("Passw0rd-Zh\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmdOrg([]string{"match", "dingtalk", "--file", file}); err != nil {
		t.Fatal(err)
	}
	store, _ := accounts.Open(file)
	if u, _, _ := store.Get("zhou"); u.DingTalk != "" {
		t.Fatalf("the dry run linked: %+v", u.Links)
	}
	if err := cmdOrg([]string{"match", "dingtalk", "--apply", "--file", file}); err != nil {
		t.Fatal(err)
	}
	store, _ = accounts.Open(file)
	if u, _, _ := store.Get("zhou"); u.DingTalk != "d-zhou" || u.DingTalkUnion != "union-zhou" {
		t.Fatalf("after --apply: %+v", u.Links)
	}
}
