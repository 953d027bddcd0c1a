package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/config"
	"taskrelay/internal/imapp"
	"taskrelay/internal/notify"
)

// linkFlags are --dingtalk, --wecom and --feishu, on user add and user link.
type linkFlags struct{ dingtalk, wecom, feishu *string }

func addLinkFlags(fs *flag.FlagSet) linkFlags {
	return linkFlags{
		dingtalk: fs.String("dingtalk", "", "the person's DingTalk userid (钉钉通讯录中的 userid)"),
		wecom:    fs.String("wecom", "", "the person's WeCom userid (企业微信成员账号)"),
		feishu:   fs.String("feishu", "", "the person's Feishu open_id under the county's app"),
	}
}

func (f linkFlags) any() bool { return *f.dingtalk != "" || *f.wecom != "" || *f.feishu != "" }

// apply sets the given links on l ("-" unlinks), and looks the DingTalk unionId
// up in the enterprise's directory (the 待办 address people by it).
func (f linkFlags) apply(ctx context.Context, l *accounts.Links) error {
	for _, x := range []struct{ platform, v string }{
		{accounts.PlatformDingTalk, *f.dingtalk}, {accounts.PlatformWeCom, *f.wecom}, {accounts.PlatformFeishu, *f.feishu},
	} {
		switch x.v {
		case "":
		case "-":
			_ = l.Set(x.platform, "")
		default:
			_ = l.Set(x.platform, strings.TrimSpace(x.v))
		}
	}
	if l.DingTalk == "" || l.DingTalkUnion != "" {
		return nil
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return fmt.Errorf("配置有误: %w", err)
	}
	apps, err := notify.LoadApps(cfg.SecretsFile)
	if err != nil {
		return err
	}
	if apps.DingTalk == nil {
		fmt.Fprintln(os.Stderr, "提示：未配置钉钉应用（TASKRELAY_DINGTALK_APP_KEY 等），暂未查询 unionId；配置后再运行 user link 即可补上（钉钉待办需要它）")
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	union, err := imapp.NewDingTalk(*apps.DingTalk, &http.Client{Timeout: imapp.DefaultTimeout}).UnionID(ctx, l.DingTalk)
	if err != nil {
		return fmt.Errorf("查询钉钉用户 %s 的 unionId: %w", l.DingTalk, err)
	}
	l.DingTalkUnion = union
	return nil
}

// cmdUserLink: `starter user link USERNAME --dingtalk USERID --wecom USERID --feishu OPEN_ID`
// links (or, with "-", unlinks) an account's identities on the office apps.
func cmdUserLink(args []string) error {
	fs := flag.NewFlagSet("user link", flag.ContinueOnError)
	links := addLinkFlags(fs)
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	pos, err := parse(fs, args, 1, "用户名 NAME")
	if err != nil {
		return err
	}
	if !links.any() {
		return exitError{"user link: 需要 --dingtalk、--wecom 或 --feishu（值 - 表示取消关联）"}
	}
	store, err := accounts.Open(usersPath(*file))
	if err != nil {
		return err
	}
	u, ok, err := store.Get(pos[0])
	if err != nil {
		return err
	}
	if !ok || u.Removed {
		return exitError{fmt.Sprintf("user link: 用户 %s 不存在", pos[0])}
	}
	l := u.Links
	if err := links.apply(context.Background(), &l); err != nil {
		return exitError{"user link: " + oneLine(err.Error())}
	}
	if err := store.Update(u.Username, func(x *accounts.User) error { x.Links = l; return nil }); err != nil {
		return exitError{"user link: " + oneLine(err.Error())}
	}
	fmt.Printf("已更新用户 %s 的关联：%s\n", u.Username, describeLinks(l))
	return nil
}

func describeLinks(l accounts.Links) string {
	var parts []string
	if l.DingTalk != "" {
		s := "钉钉 " + l.DingTalk
		if l.DingTalkUnion != "" {
			s += "（unionId " + l.DingTalkUnion + "）"
		}
		parts = append(parts, s)
	}
	if l.WeCom != "" {
		parts = append(parts, "企业微信 "+l.WeCom)
	}
	if l.Feishu != "" {
		parts = append(parts, "飞书 "+l.Feishu)
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "，")
}
