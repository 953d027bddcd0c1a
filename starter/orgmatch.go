package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/imapp"
	"taskrelay/internal/notify"
)

// cmdOrg: `starter org match dingtalk [--apply]` proposes DingTalk links for the
// accounts the directory's contacts (联络员) name: the contact's mobile number is
// looked up in DingTalk's directory, and an unlinked account of that unit (or
// leader) with the contact's name gets the userid found. A dry run prints the
// proposals; --apply makes them (unionId looked up, like user link).
func cmdOrg(args []string) error {
	if len(args) < 2 || args[0] != "match" || args[1] != accounts.PlatformDingTalk {
		return exitError{"org: 用法 starter org match dingtalk [--apply]"}
	}
	fs := flag.NewFlagSet("org match", flag.ContinueOnError)
	apply := fs.Bool("apply", false, "make the proposed links (default: only print them)")
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	if _, err := parse(fs, args[2:], 0, "无其他参数"); err != nil {
		return err
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
		return exitError{"org match: 未配置钉钉应用（TASKRELAY_DINGTALK_APP_KEY、TASKRELAY_DINGTALK_APP_SECRET、TASKRELAY_DINGTALK_AGENT_ID）"}
	}
	dir, err := loadDirectory("")
	if err != nil {
		return err
	}
	store, err := accounts.Open(usersPath(*file))
	if err != nil {
		return err
	}
	users, err := store.List()
	if err != nil {
		return err
	}
	ding := imapp.NewDingTalk(*apps.DingTalk, &http.Client{Timeout: imapp.DefaultTimeout})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	type entry struct {
		what, unit, leader string
		c                  *directory.Contact
	}
	var entries []entry
	for _, u := range dir.Units {
		entries = append(entries, entry{"单位 " + u.Name, u.ID, "", u.Contact})
	}
	for _, l := range dir.Leaders {
		entries = append(entries, entry{"县领导 " + l.Name, "", l.ID, l.Contact})
	}
	proposed, made := 0, 0
	for _, e := range entries {
		if e.c == nil || e.c.Mobile == "" || e.c.Name == "" {
			continue
		}
		var match []accounts.User
		for _, u := range users {
			if !u.Removed && u.DingTalk == "" && u.Name == e.c.Name && ((e.unit != "" && u.Unit == e.unit) || (e.leader != "" && u.Leader == e.leader)) {
				match = append(match, u)
			}
		}
		if len(match) != 1 {
			continue // none, or several of one name: left to a person
		}
		id, err := ding.UserByMobile(ctx, e.c.Mobile)
		if err != nil {
			return exitError{"org match: " + oneLine(err.Error())}
		}
		if id == "" {
			fmt.Printf("%s 联络员 %s（%s）：钉钉通讯录中没有这个手机号\n", e.what, e.c.Name, e.c.Mobile)
			continue
		}
		proposed++
		fmt.Printf("%s 联络员 %s（%s）→ 用户 %s 关联钉钉 %s\n", e.what, e.c.Name, e.c.Mobile, match[0].Username, id)
		if !*apply {
			continue
		}
		l := match[0].Links
		d := id
		lf := linkFlags{dingtalk: &d, wecom: new(string), feishu: new(string)}
		if err := lf.apply(ctx, &l); err != nil {
			return exitError{"org match: " + oneLine(err.Error())}
		}
		if err := store.Update(match[0].Username, func(x *accounts.User) error { x.Links = l; return nil }); err != nil {
			return exitError{"org match: " + oneLine(err.Error())}
		}
		made++
	}
	if *apply {
		fmt.Printf("已关联 %d 个用户\n", made)
	} else {
		fmt.Printf("共 %d 条建议（试运行，未做任何修改；加 --apply 执行）\n", proposed)
	}
	return nil
}
