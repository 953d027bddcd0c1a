package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	osuser "os/user"
	"path/filepath"
	"strings"

	"taskrelay/internal/accounts"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/seclog"
)

// usersPath is the console's users file: --file, else the data folder (TASKRELAY_DATA,
// default ./data), the same place the worker and the console read it from.
func usersPath(file string) string {
	if file != "" {
		return file
	}
	return filepath.Join(dataDir(), accounts.UsersFile)
}

// cmdUser manages console accounts: user add | list | passwd | role | disable |
// enable | remove. The privileged roles (三员, province) are given, changed and taken
// away only here, on the server; every change is written to the security log.
func cmdUser(args []string, stdin io.Reader) error {
	if len(args) == 0 {
		return exitError{"user: 需要子命令 add、list、link、passwd、role、disable、enable 或 remove"}
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(args[1:], stdin)
	case "list":
		return cmdUserList(args[1:])
	case "passwd":
		return cmdUserPasswd(args[1:], stdin)
	case "link":
		return cmdUserLink(args[1:])
	case "role":
		return cmdUserRole(args[1:])
	case "disable", "enable", "remove":
		return cmdUserState(args[0], args[1:])
	}
	return exitError{fmt.Sprintf("user: 未知子命令 %q，应为 add、list、link、passwd、role、disable、enable 或 remove", args[0])}
}

// readPassword takes the first line of stdin (so `echo pw | starter ...` works).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("读取密码: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", exitError{"标准输入中没有密码"}
	}
	return pw, nil
}

func cmdUserAdd(args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var u accounts.User
	fs.StringVar(&u.Role, "role", "", "office|inspection|unit|unit_head|leader|admin|security|auditor|province")
	fs.StringVar(&u.Section, "section", "", "unit roles: the section (股室) of the unit, from the directory's sections")
	unit := fs.String("unit", "", "the unit (id, name or alias) for role unit")
	leader := fs.String("leader", "", "the deputy (id or name) for role leader")
	fs.StringVar(&u.Name, "name", "", "the person's name, shown on pages and the timeline")
	fs.StringVar(&u.Signoff, "signoff", "", "the monthly report's sign-off step this person takes: review (inspection head) or sign (office head)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	links := addLinkFlags(fs)
	pos, err := parse(fs, args, 1, "用户名 NAME")
	if err != nil {
		return err
	}
	u.Username = pos[0]
	if !*pwStdin {
		return exitError{"user add: 须用 --password-stdin 从标准输入提供密码（不在命令行上写密码）"}
	}
	// One console for several counties: the account belongs to the county named by
	// --namespace or TEMPORAL_NAMESPACE; a province account reads them all.
	if cfg, err := config.FromEnv(); err == nil && cfg.Multi() && u.Role != accounts.RoleProvince {
		k, err := countyConfig()
		if err != nil {
			return err
		}
		u.Namespace = k.Namespace
	}
	if *unit != "" || *leader != "" {
		dir, err := loadDirectory("")
		if err != nil {
			return err
		}
		if err := resolveAccountScope(&u, dir, *unit, *leader); err != nil {
			return err
		}
	}
	if u.Section != "" {
		if err := checkSection(u); err != nil {
			return err
		}
	}
	if err := u.Check(); err != nil {
		return exitError{"user add: " + oneLine(err.Error())}
	}
	if links.any() {
		if err := links.apply(context.Background(), &u.Links); err != nil {
			return exitError{"user add: " + oneLine(err.Error())}
		}
	}
	store, pw, err := storeAndPassword(*file, stdin)
	if err != nil {
		return err
	}
	// The operator knows the initial password: the person sets their own at the first
	// login (等保 2.0 身份鉴别).
	u.MustChange = true
	if err := store.Add(u, pw); err != nil {
		return exitError{"user add: " + oneLine(err.Error())}
	}
	hostLog(store, seclog.AccountAdded, fmt.Sprintf("在服务器上添加账号 %s（%s）", u.Username, accounts.RoleName(u.Role)))
	scope := ""
	if u.Namespace != "" {
		scope = "，县 " + u.Namespace
	}
	if u.Unit != "" {
		scope += "，单位 " + u.Unit
	}
	if u.Leader != "" {
		scope += "，县领导 " + u.Leader
	}
	if links.any() {
		scope += "，关联 " + describeLinks(u.Links)
	}
	fmt.Printf("已添加用户 %s（%s%s），写入 %s\n", u.Username, accounts.RoleName(u.Role), scope, store.Path())
	return nil
}

func cmdUserList(args []string) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, "无参数"); err != nil {
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
	if *asJSON {
		type line struct {
			Username string `json:"username"`
			Name     string `json:"name"`
			Role     string `json:"role"`
			Unit     string `json:"unit,omitempty"`
			Leader   string `json:"leader,omitempty"`
			// Namespace: the county, when one console serves several.
			Namespace string `json:"namespace,omitempty"`
		}
		out := []line{}
		for _, u := range users {
			out = append(out, line{u.Username, u.Name, u.Role, u.Unit, u.Leader, u.Namespace})
		}
		return printJSON(out)
	}
	for _, u := range users {
		fmt.Printf("%-16s %-10s %-12s %s%s %s\n", u.Username, u.Role, u.Name, u.Unit, u.Leader, u.Namespace)
	}
	return nil
}

func cmdUserPasswd(args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("user passwd", flag.ContinueOnError)
	pwStdin := fs.Bool("password-stdin", false, "read the new password from the first line of stdin")
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	pos, err := parse(fs, args, 1, "用户名 NAME")
	if err != nil {
		return err
	}
	if !*pwStdin {
		return exitError{"user passwd: 须用 --password-stdin 从标准输入提供新密码"}
	}
	store, pw, err := storeAndPassword(*file, stdin)
	if err != nil {
		return err
	}
	if err := store.ResetPassword(pos[0], pw); err != nil {
		return exitError{"user passwd: " + oneLine(err.Error())}
	}
	hostLog(store, seclog.PasswordChanged, "在服务器上重设账号 "+pos[0]+" 的密码")
	fmt.Printf("已重设用户 %s 的密码\n", pos[0])
	return nil
}

// checkSection refuses a section the unit does not have in the directory.
func checkSection(u accounts.User) error {
	dir, err := loadDirectory("")
	if err != nil {
		return err
	}
	x, ok := dir.ResolveUnit(u.Unit)
	if u.Unit == "" || !ok {
		return exitError{"user add: --section 须与 --unit 一起使用"}
	}
	for _, s := range x.Sections {
		if s == u.Section {
			return nil
		}
	}
	return exitError{fmt.Sprintf("user add: 单位 %s 在机构目录中没有股室 %q（sections）", x.Name, u.Section)}
}

// resolveAccountScope sets an account's unit or leader from any of its names.
func resolveAccountScope(u *accounts.User, dir *directory.Directory, unit, leader string) error {
	if unit != "" {
		x, err := unitByName(dir, unit)
		if err != nil {
			return exitError{"user add: " + err.Error()}
		}
		u.Unit = x.ID
	}
	if leader != "" {
		l, ok := dir.ResolveLeader(leader)
		if !ok {
			// The county head (the directory's head) signs in as a leader too.
			if l, ok = dir.ResolveHead(leader); !ok {
				_, err := leaderByName(dir, leader)
				return exitError{"user add: " + err.Error()}
			}
		}
		u.Leader = l.ID
	}
	return nil
}

// storeAndPassword reads the password from stdin and opens the users file, for the
// commands that set a password.
func storeAndPassword(file string, stdin io.Reader) (*accounts.Store, string, error) {
	pw, err := readPassword(stdin)
	if err != nil {
		return nil, "", err
	}
	store, err := accounts.Open(usersPath(file))
	return store, pw, err
}

// hostLog writes a change made on the server to the security log beside the users
// file, naming the operating-system user who ran the command. A log that cannot be
// written is said on stderr (the change is made: the file is the operator's own).
func hostLog(store *accounts.Store, event, detail string) {
	actor := "host"
	if u, err := osuser.Current(); err == nil && u.Username != "" {
		actor = "host:" + u.Username
	}
	l := seclog.Open(filepath.Join(filepath.Dir(store.Path()), seclog.File))
	if err := l.Append(seclog.Entry{User: actor, IP: "本机", Event: event, Detail: detail}); err != nil {
		fmt.Fprintf(os.Stderr, "警告：安全日志未能写入：%v\n", err)
	}
}

// cmdUserRole gives an account another role (with its unit or leader): `starter user
// role NAME --role R [--unit U | --leader L]`. Its sessions end; taking a privileged
// role away is logged apart for the auditor.
func cmdUserRole(args []string) error {
	fs := flag.NewFlagSet("user role", flag.ContinueOnError)
	role := fs.String("role", "", "office|inspection|unit|unit_head|leader|admin|security|auditor|province")
	unit := fs.String("unit", "", "the unit (id, name or alias) for role unit or unit_head")
	leader := fs.String("leader", "", "the leader (id or name) for role leader")
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	pos, err := parse(fs, args, 1, "用户名 NAME")
	if err != nil {
		return err
	}
	next := accounts.User{Username: pos[0], Role: *role}
	if *unit != "" || *leader != "" {
		dir, err := loadDirectory("")
		if err != nil {
			return err
		}
		if err := resolveAccountScope(&next, dir, *unit, *leader); err != nil {
			return exitError{"user role: " + strings.TrimPrefix(err.Error(), "user add: ")}
		}
	}
	if err := next.Check(); err != nil {
		return exitError{"user role: " + oneLine(err.Error())}
	}
	store, err := accounts.Open(usersPath(*file))
	if err != nil {
		return err
	}
	cur, ok, err := store.Get(pos[0])
	if err != nil {
		return err
	}
	if !ok || cur.Removed {
		return exitError{fmt.Sprintf("user role: 没有用户 %s", pos[0])}
	}
	if err := store.SetRole(cur.Username, next.Role, next.Unit, next.Leader); err != nil {
		return exitError{"user role: " + oneLine(err.Error())}
	}
	ended := endSessions(store, cur.Username)
	event := seclog.RoleChanged
	if accounts.IsPrivileged(cur.Role) && cur.Role != next.Role {
		event = seclog.PrivilegeRevoked
	}
	hostLog(store, event, fmt.Sprintf("在服务器上将账号 %s 的角色由 %s%s 改为 %s%s，结束其登录 %d 个",
		cur.Username, accounts.RoleName(cur.Role), cur.Unit+cur.Leader, accounts.RoleName(next.Role), next.Unit+next.Leader, ended))
	fmt.Printf("已将用户 %s 的角色改为 %s\n", cur.Username, accounts.RoleName(next.Role))
	return nil
}

// cmdUserState disables, enables or removes an account: `starter user disable|enable|remove NAME`.
func cmdUserState(op string, args []string) error {
	fs := flag.NewFlagSet("user "+op, flag.ContinueOnError)
	file := fs.String("file", "", "users file (default: TASKRELAY_DATA/users.json)")
	pos, err := parse(fs, args, 1, "用户名 NAME")
	if err != nil {
		return err
	}
	store, err := accounts.Open(usersPath(*file))
	if err != nil {
		return err
	}
	cur, ok, err := store.Get(pos[0])
	if err != nil {
		return err
	}
	if !ok || cur.Removed {
		return exitError{fmt.Sprintf("user %s: 没有用户 %s", op, pos[0])}
	}
	event, words := seclog.AccountDisabled, "停用"
	switch op {
	case "disable":
		err = store.SetDisabled(cur.Username, true)
	case "enable":
		event, words = seclog.AccountEnabled, "启用"
		err = store.SetDisabled(cur.Username, false)
	case "remove":
		event, words = seclog.AccountRemoved, "删除"
		err = store.Remove(cur.Username)
	}
	if err != nil {
		return exitError{fmt.Sprintf("user %s: %s", op, oneLine(err.Error()))}
	}
	ended := 0
	if op != "enable" {
		ended = endSessions(store, cur.Username)
		if accounts.IsPrivileged(cur.Role) {
			event = seclog.PrivilegeRevoked
		}
	}
	hostLog(store, event, fmt.Sprintf("在服务器上%s账号 %s（%s），结束其登录 %d 个", words, cur.Username, accounts.RoleName(cur.Role), ended))
	fmt.Printf("已%s用户 %s\n", words, cur.Username)
	return nil
}

// endSessions ends an account's console sessions (the records beside the users file).
func endSessions(store *accounts.Store, username string) int {
	ss := accounts.NewSessions(nil, 0)
	if err := ss.KeepIn(filepath.Join(filepath.Dir(store.Path()), accounts.SessionsFile)); err != nil {
		fmt.Fprintf(os.Stderr, "警告：会话记录未能读取：%v\n", err)
		return 0
	}
	n, err := ss.EndAll(username, "")
	if err != nil {
		fmt.Fprintf(os.Stderr, "警告：会话未能结束：%v\n", err)
	}
	return n
}
