package directory

import (
	"strings"
	"testing"
)

const reachYAML = `county: 示例县
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
      - type: feishu
        url: https://open.larksuite.com/open-apis/bot/v2/hook
        token: RSJ_FEISHU_HOOK
        secret: RSJ_FEISHU_SECRET
      - type: email
        to: [rsj@county.gov.cn]
      - type: webhook
        url: https://oa.county.gov.cn/hooks/taskrelay
`

func TestChannelsParse(t *testing.T) {
	d, err := Parse("directory.yaml", []byte(reachYAML))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := d.Unit("rsj")
	if len(u.Channels) != 5 || u.Contact.Mobile != "13800001111" || u.Channels[0].Secret != "RSJ_DINGTALK_SECRET" {
		t.Fatalf("unit = %+v", u)
	}
	if l, _ := d.Leader("ld-li"); len(l.Channels) != 1 || l.Channels[0].To[0] != "lili@county.gov.cn" {
		t.Fatalf("leader = %+v", l)
	}
}

func TestChannelProblemsNameTheField(t *testing.T) {
	bad := strings.NewReplacer(
		"token: RSJ_DINGTALK_TOKEN", "token: 3f2a9c0d1e8b7f6a5c4d3e2f1a0b9c8d",
		"mobile: \"13800001111\"", "mobile: \"138-0000\"",
		"type: wecom", "type: weixin",
		"to: [rsj@county.gov.cn]", "to: [rsj-at-county]",
		"url: https://oa.county.gov.cn/hooks/taskrelay", "url: https://oa.county.gov.cn/hooks?token=abc",
	).Replace(reachYAML)
	_, err := Parse("directory.yaml", []byte(bad))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"单位 rsj 字段 channels[1].token: 应填写密钥的名称",
		"单位 rsj 字段 contact.mobile: 手机号“138-0000”格式不对",
		"单位 rsj 字段 channels[2].type: 未知的渠道类型“weixin”",
		"单位 rsj 字段 channels[4].to: 第1个收件地址“rsj-at-county”无效",
		"单位 rsj 字段 channels[5].url: 地址中不能带口令或查询参数",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
