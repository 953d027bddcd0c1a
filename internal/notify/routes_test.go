package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
)

const routesYAML = `county: 示例县
leaders:
  - id: ld-li
    name: 李某
    units: [rsj]
    channels:
      - type: email
        to: [lili@county.gov.cn]
units:
  - id: rsj
    name: 县人力资源和社会保障局
    contact: {name: 王联络员, mobile: "13800001111"}
    channels:
      - type: dingtalk
        token: RSJ_DINGTALK_TOKEN
        secret: RSJ_DINGTALK_SECRET
      - type: wecom
        token: RSJ_WECOM_KEY
      - type: email
        to: [rsj@county.gov.cn]
  - id: czj
    name: 县财政局
`

func TestRoutesFromTheDirectoryResolveSecrets(t *testing.T) {
	d, err := directory.Parse("directory.yaml", []byte(routesYAML))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "secrets.env")
	os.WriteFile(file, []byte("# 县人社局\nRSJ_DINGTALK_TOKEN=tok\nRSJ_DINGTALK_SECRET=SEC\n"), 0o600)
	secrets, err := LoadSecrets(file)
	if err != nil {
		t.Fatal(err)
	}
	smtp, _ := ParseSMTPURL("smtp://duchashi%40county.gov.cn:p@mail.county.gov.cn")

	// A secret found nowhere, and e-mail without a server: named, nothing built.
	_, err = NewRoutes(d, secrets, RouteOptions{})
	for _, want := range []string{"单位 rsj 字段 channels[2]: 密钥 RSJ_WECOM_KEY 在环境变量和密钥文件中都找不到",
		"单位 rsj 字段 channels[3]: 电子邮件渠道需要设置 TASKRELAY_SMTP_URL", "县领导 ld-li 字段 channels[1]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}

	t.Setenv("RSJ_WECOM_KEY", "key-from-env")
	rs, err := NewRoutes(d, secrets, RouteOptions{SMTP: smtp, WebhookURL: "https://hooks.county.gov.cn/x", PublicURL: "https://duban.county.gov.cn"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rs.For(relay.Notice{ToKind: relay.ToUnit, To: "rsj"}) {
		names = append(names, r.Name)
		if (r.Channel == relay.ChannelDingTalk || r.Channel == relay.ChannelWeCom) != (len(r.Mobiles) == 1) {
			t.Errorf("%s mentions %v", r.Name, r.Mobiles)
		}
	}
	if got := strings.Join(names, " "); got != "dingtalk:rsj wecom:rsj email:rsj webhook" {
		t.Errorf("rsj routes: %s", got)
	}
	if got := rs.For(relay.Notice{ToKind: relay.ToLeader, To: "ld-li"}); len(got) != 2 || got[0].Name != "email:leader:ld-li" {
		t.Errorf("leader routes: %+v", got)
	}
	if got := rs.For(relay.Notice{ToKind: relay.ToUnit, To: "czj"}); len(got) != 1 {
		t.Errorf("czj routes: %+v", got)
	}
	wc, _ := rs.Route("wecom:rsj")
	if key, _ := wc.Out.Rate(); !strings.Contains(key, "key=key-from-env") {
		t.Errorf("wecom robot not built from the environment's key: %s", key)
	}
	if wh, _ := rs.Route("webhook"); wh.Key("n1") != "n1" {
		t.Error("the county webhook's Idempotency-Key changed")
	}
	if dt, _ := rs.Route("dingtalk:rsj"); dt.Key("n1") != "n1|dingtalk:rsj" {
		t.Error("per-channel key")
	}

	if _, err := LoadSecrets(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing secrets file accepted")
	}
	os.WriteFile(file, []byte("lower=x\n"), 0o600)
	if _, err := LoadSecrets(file); err == nil || !strings.Contains(err.Error(), "第1行") {
		t.Errorf("bad secrets file: %v", err)
	}
}
