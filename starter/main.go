// Command starter is the command line of taskrelay: submit a committee's task list,
// adopt it, act on tasks and read their state. It reaches the engine at
// TEMPORAL_ADDRESS (with TEMPORAL_TLS_*), else the worker's embedded engine at
// TASKRELAY_ENGINE_ADDR with the client certificate in TASKRELAY_DATA/tls. A refused
// command exits non-zero with a
// one-line reason on stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

const usage = `用法 (usage): starter [--namespace NS] COMMAND ...（--namespace：县的命名空间，同 TEMPORAL_NAMESPACE）
  starter submit FILE [--adopt] [--meeting-id ID --meeting-name N --meeting-date D] [--directory F] [--json]
  starter adopt MEETING [--deputy NO=LEADER]...
  starter status MEETING [--json]
  starter task TASK [--json]
  starter notices MEETING [--json]
  starter deliveries [--failed] [--json]
  starter deliveries retry NOTICE ROUTE
  starter ack TASK --unit U
  starter progress TASK --unit U --percent N --note TEXT [--attach FILE]...
  starter extend TASK --unit U --until DATE --reason TEXT [--attach FILE]...
  starter decide-extension TASK (--approve|--deny) --by LEADER_OR_inspection [--note TEXT]
  starter complete TASK --unit U --note TEXT [--attach FILE]...
  starter attachment get TASK SHA256 --out FILE
  starter assign TASK --unit U --person USERNAME
  starter verify TASK (--accept|--reject) --note TEXT
  starter reassign TASK [--lead U] [--co U,U] [--deputy LEADER] --reason TEXT
  starter amend TASK [--deadline DATE] [--requirements TEXT] --reason TEXT
  starter pushback TASK --unit U --reason TEXT [--suggest U]
  starter decide-pushback TASK (--keep | --lead U [--co U,U]) --note TEXT
  starter withdraw TASK --reason TEXT
  starter instruct (TASK | --meeting MEETING) --by LEADER --text TEXT
  starter chase --unit U [--tasks TASK,TASK] --reply-by DATE --note TEXT
  starter audit [MEETING] [--outbox DIR] [--security-log FILE] [--json]
  starter security-log [--since DATE] [--json]
  starter operator add NAME
  starter keys push [--json]
  starter backup --out FILE
  starter restore FILE --data DIR
  starter certs --out DIR [--server-name NAME]... [--client NAME]... [--owner NAME=UID[:GID]]... [--renew]
  starter report --month YYYY-MM [--as-of DATE] [--out DIR] [--json]
  starter reports [--json]
  starter score UNIT --month YYYY-MM [--ytd] [--json]
  starter report-signoff --month YYYY-MM (--review|--sign) (--approve|--return --note TEXT) [--by NAME]
  starter schedule (describe|trigger|pause|unpause) [--json] [--note TEXT]
  starter schedule backfill --month YYYY-MM
  starter followup [--as-of DATE] [--json]
  starter user add NAME --role office|inspection|unit|unit_head|leader|admin|security|auditor|province [--unit U [--section S] | --leader L] [--name 姓名] [--signoff review|sign] --password-stdin
  starter user list [--json]
  starter user passwd NAME --password-stdin
  starter user link NAME [--dingtalk USERID] [--wecom USERID] [--feishu OPEN_ID]   (值 - 表示取消关联；user add 也接受这三项)
  starter org match dingtalk [--apply]   (按机构目录联络员的手机号建议钉钉关联；默认只试运行)
  starter user role NAME --role R [--unit U | --leader L]
  starter user disable|enable|remove NAME
环境变量: TEMPORAL_ADDRESS (集群地址；不设则连接本机 worker 的内置引擎 TASKRELAY_ENGINE_ADDR，默认 127.0.0.1:7233，
          使用 TASKRELAY_DATA/tls 中的客户端证书), TEMPORAL_TLS_CERT/KEY/CA/SERVER_NAME (连接集群的证书),
          TEMPORAL_NAMESPACE (默认 default；TEMPORAL_NAMESPACES 列出多个县时默认第一个),
          TASKRELAY_DIRECTORY (默认: 内置示例县), TASKRELAY_DATA (用户文件所在目录，默认 ./data),
          TASKRELAY_BLOB_URL (附件存储，默认 TASKRELAY_DATA 下的 blobs 目录), TASKRELAY_ATTACH_MAX_MB (默认 20)
          TASKRELAY_OPERATOR (或任一命令加 --operator NAME：签名所用的操作员密钥；仅一把时自动使用),
          TASKRELAY_TRUSTED_KEYS (受信任公钥文件，默认 TASKRELAY_DATA/trusted-keys)
          worker 定时备份: TASKRELAY_BACKUP_DIR (备份目录；不设则不定时备份), TASKRELAY_BACKUP_EVERY (间隔，默认 24h),
          TASKRELAY_BACKUP_KEEP (保留份数，默认 7)
单位可写编号、名称或别名；县领导可写编号或姓名。`

// exitError carries a refusal: printed as one line, exit status 1.
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Fprintln(os.Stderr, usage)
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	args, err := takeOperator(os.Args[1:])
	if err == nil && len(args) == 0 {
		err = exitError{"缺少命令；运行 starter help 查看用法"}
	}
	if err == nil {
		args, err = namespaceFlag(args)
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		err = run(ctx, args[0], args[1:])
	}
	if err == nil {
		return
	}
	var multi problemsError
	if errors.As(err, &multi) {
		for _, line := range multi.lines {
			fmt.Fprintln(os.Stderr, line)
		}
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "错误: "+say(args, err))
	os.Exit(1)
}

// namespaceFlag takes a leading --namespace NS (or --namespace=NS): the county the
// command is about, as TEMPORAL_NAMESPACE would say, which it overrides.
func namespaceFlag(args []string) ([]string, error) {
	var ns string
	switch {
	case strings.HasPrefix(args[0], "--namespace="):
		ns, args = strings.TrimPrefix(args[0], "--namespace="), args[1:]
	case args[0] == "--namespace" && len(args) > 1:
		ns, args = args[1], args[2:]
	case args[0] == "--namespace":
		return nil, exitError{"--namespace 需要县的命名空间"}
	default:
		return args, nil
	}
	if ns == "" || len(args) == 0 {
		return nil, exitError{"--namespace 需要县的命名空间，其后是命令；运行 starter help 查看用法"}
	}
	if err := os.Setenv("TEMPORAL_NAMESPACE", ns); err != nil {
		return nil, err
	}
	return args, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "；")), " ")
}

func run(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "submit":
		return cmdSubmit(ctx, args)
	case "adopt":
		return cmdAdopt(ctx, args)
	case "status":
		return cmdStatus(ctx, args)
	case "task":
		return cmdTask(ctx, args)
	case "notices":
		return cmdNotices(ctx, args)
	case "deliveries":
		return cmdDeliveries(ctx, args)
	case "ack", "progress", "extend", "complete":
		return cmdUnitAction(ctx, cmd, args)
	case "decide-extension":
		return cmdDecide(ctx, args)
	case "verify":
		return cmdVerify(ctx, args)
	case "reassign":
		return cmdReassign(ctx, args)
	case "amend":
		return cmdAmend(ctx, args)
	case "withdraw":
		return cmdWithdraw(ctx, args)
	case "pushback":
		return cmdPushback(ctx, args)
	case "decide-pushback":
		return cmdDecidePushback(ctx, args)
	case "instruct":
		return cmdInstruct(ctx, args)
	case "chase":
		return cmdChase(ctx, args)
	case "audit":
		return cmdAudit(ctx, args)
	case "attachment":
		return cmdAttachment(ctx, args)
	case "assign":
		return cmdAssign(ctx, args)
	case "report":
		return cmdReport(ctx, args)
	case "reports":
		return cmdReports(ctx, args)
	case "report-signoff":
		return cmdReportSignoff(ctx, args)
	case "score":
		return cmdScore(ctx, args)
	case "schedule":
		return cmdSchedule(ctx, args)
	case "followup":
		return cmdFollowUp(ctx, args)
	case "org":
		return cmdOrg(args)
	case "user":
		return cmdUser(args, os.Stdin)
	case "security-log":
		return cmdSecurityLog(args)
	case "certs":
		return cmdCerts(args, os.Stdout)
	case "operator":
		return cmdOperator(args, os.Stdout)
	case "keys":
		return cmdKeys(ctx, args, os.Stdout)
	case "backup":
		return cmdBackup(ctx, args, os.Stdout)
	case "restore":
		return cmdRestore(args, os.Stdout)
	}
	return exitError{fmt.Sprintf("未知命令 %q；运行 starter help 查看用法", cmd)}
}
