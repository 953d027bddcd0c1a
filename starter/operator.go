package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"taskrelay/internal/actor"
	"taskrelay/internal/config"
)

// cmdOperator manages operator keys: `starter operator add NAME` makes NAME's key pair
// (the private key in the data folder's operators/NAME.key, 0600) and adds its public
// key to the trusted-keys file, so tasks started from then on accept what the starter
// signs with it ("操作员 NAME 代 …" on their timelines).
func cmdOperator(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return exitError{"operator: 用法 starter operator add NAME"}
	}
	fs := flag.NewFlagSet("operator add", flag.ContinueOnError)
	pos, err := parse(fs, args[1:], 1, "操作员名称 NAME")
	if err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return fmt.Errorf("配置有误: %w", err)
	}
	trusted := actor.TrustedFile(cfg.DataDir)
	s, path, err := actor.AddOperator(cfg.DataDir, trusted, pos[0])
	if err != nil {
		return exitError{"operator add: " + err.Error()}
	}
	fmt.Fprintf(out, "操作员 %s 的签名密钥已生成：%s（权限 0600，密钥 %s）；公钥已加入受信任密钥 %s。\n"+
		"此后启动的任务信任它；已在办的任务须运行 starter keys push 推送新的密钥集。\n",
		s.Name, path, s.Public().ID(), trusted)
	return nil
}

// takeOperator removes the global --operator NAME (or --operator=NAME) from args and
// puts it in TASKRELAY_OPERATOR, where connect picks the key to sign with.
func takeOperator(args []string) ([]string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--operator" || a == "-operator":
			if i+1 >= len(args) {
				return nil, exitError{"--operator 需要操作员名称"}
			}
			os.Setenv(actor.OperatorEnv, args[i+1])
			i++
		case strings.HasPrefix(a, "--operator=") || strings.HasPrefix(a, "-operator="):
			_, v, _ := strings.Cut(a, "=")
			os.Setenv(actor.OperatorEnv, v)
		default:
			out = append(out, a)
		}
	}
	return out, nil
}
