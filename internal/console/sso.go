package console

import (
	"net/http"

	"taskrelay/internal/config"
	"taskrelay/internal/imapp"
)

// sso holds the office apps' clients the console logs people in with.
type sso struct {
	dingtalk *imapp.DingTalk
	wecom    *imapp.WeCom
	feishu   *imapp.Feishu
}

func newSSO(cfg Config) *sso {
	client := cfg.AppClient
	if client == nil {
		client = &http.Client{Timeout: imapp.DefaultTimeout}
	}
	x := &sso{}
	if a := cfg.Apps.DingTalk; a != nil {
		x.dingtalk = imapp.NewDingTalk(*a, client)
	}
	if a := cfg.Apps.WeCom; a != nil {
		x.wecom = imapp.NewWeCom(*a, client)
	}
	if a := cfg.Apps.Feishu; a != nil {
		x.feishu = imapp.NewFeishu(*a, client)
	}
	return x
}

var _ = config.Apps{}
