package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"taskrelay/internal/actor"
	"taskrelay/internal/config"
	"taskrelay/internal/relayclient"
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
	trusted := cfg.TrustedKeys()
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

// cmdKeys pushes the trusted-keys file to the running workflows: `starter keys push
// [--json]` (a key rotation: edit the file, then push; signed by the operator's key,
// which the workflows must trust already).
func cmdKeys(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "push" {
		return exitError{"keys: 用法 starter keys push [--json]"}
	}
	fs := flag.NewFlagSet("keys push", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if _, err := parse(fs, args[1:], 0, "无位置参数"); err != nil {
		return err
	}
	return withClient(ctx, func(c *relayclient.Client) error {
		if len(c.TrustedKeys) == 0 {
			return exitError{"keys push: 受信任密钥文件为空或不存在（" + actor.TrustedKeysEnv + "，或数据目录下的 " + actor.TrustedKeysFile + "）"}
		}
		res, err := c.PushKeys(ctx, c.TrustedKeys)
		if err != nil {
			return exitError{"keys push: " + err.Error()}
		}
		if *asJSON {
			if err := printJSON(res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(out, "已向 %d 个在办流程推送受信任密钥（%d 把）。\n", len(res.Updated), res.Keys)
		}
		if len(res.Refused) > 0 {
			return exitError{fmt.Sprintf("keys push: %d 个流程拒绝：%s", len(res.Refused), strings.Join(res.Refused, "；"))}
		}
		return nil
	})
}
