package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"taskrelay/internal/mtls"
)

// owners collects repeated --owner NAME=UID[:GID] (GID defaults to UID).
type owners map[string][2]int

func (o owners) String() string { return fmt.Sprint(map[string][2]int(o)) }

func (o owners) Set(v string) error {
	name, ids, ok := strings.Cut(v, "=")
	u, g, hasG := strings.Cut(ids, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := uid, error(nil)
	if hasG {
		gid, err2 = strconv.Atoi(g)
	}
	if !ok || name == "" || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return fmt.Errorf("--owner %q 应写作 名称=UID[:GID]，例如 server=1000:1000", v)
	}
	o[name] = [2]int{uid, gid}
	return nil
}

// cmdCerts writes the engine's mutual-TLS certificates for docker-compose:
// `starter certs --out DIR [--server-name NAME]... [--client NAME]... [--owner NAME=UID[:GID]]... [--renew]`.
// Existing files are kept unless --renew.
func cmdCerts(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	dir := fs.String("out", "", "folder for the certificates (made 0700 if missing)")
	var servers, clients files
	fs.Var(&servers, "server-name", "an extra DNS name or IP of the server (repeatable)")
	fs.Var(&clients, "client", "a client certificate to make (repeatable; default worker, console, starter)")
	renew := fs.Bool("renew", false, "replace existing certificates (new CA)")
	owners := owners{}
	fs.Var(owners, "owner", "NAME=UID[:GID]: give server's or a client's files to a user (repeatable; needs root)")
	if _, err := parse(fs, args, 0, "无位置参数，用 --out DIR 指定目录"); err != nil {
		return err
	}
	if *dir == "" {
		return exitError{"certs: 须用 --out DIR 指定证书目录"}
	}
	s, err := mtls.Ensure(*dir, mtls.Options{ServerNames: servers, Clients: clients, Renew: *renew, Owners: owners})
	if err != nil {
		return exitError{"certs: " + err.Error()}
	}
	verb := "已生成"
	if !s.Made {
		verb = "已存在，保留未改（--renew 可重新生成）"
	}
	names := append([]string{"localhost", "127.0.0.1"}, servers...)
	fmt.Fprintf(out, "证书%s：%s（CA、服务端 %s、客户端 %s；私钥权限 0600）\n", verb, *dir,
		strings.Join(names, ","), strings.Join(s.Names, ","))
	return nil
}
