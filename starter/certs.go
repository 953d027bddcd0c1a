package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"taskrelay/internal/mtls"
)

// cmdCerts writes the engine's mutual-TLS certificates for docker-compose:
// `starter certs --out DIR [--server-name NAME]... [--client NAME]... [--renew]`.
// Existing files are kept unless --renew.
func cmdCerts(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	dir := fs.String("out", "", "folder for the certificates (made 0700 if missing)")
	var servers, clients files
	fs.Var(&servers, "server-name", "an extra DNS name or IP of the server (repeatable)")
	fs.Var(&clients, "client", "a client certificate to make (repeatable; default worker, console, starter)")
	renew := fs.Bool("renew", false, "replace existing certificates (new CA)")
	if _, err := parse(fs, args, 0, "无位置参数，用 --out DIR 指定目录"); err != nil {
		return err
	}
	if *dir == "" {
		return exitError{"certs: 须用 --out DIR 指定证书目录"}
	}
	s, err := mtls.Ensure(*dir, mtls.Options{ServerNames: servers, Clients: clients, Renew: *renew})
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
