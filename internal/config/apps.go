package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The office apps' API hosts when none is set: the public platforms. 政务钉钉, 政务微信
// and private Feishu deployments have their own hosts, set by the TASKRELAY_*_API
// variables.
const (
	DefaultDingTalkOAPI  = "https://oapi.dingtalk.com"
	DefaultDingTalkAPI   = "https://api.dingtalk.com"
	DefaultDingTalkLogin = "https://login.dingtalk.com"
	DefaultWeComAPI      = "https://qyapi.weixin.qq.com"
	DefaultWeComLogin    = "https://open.weixin.qq.com"
	DefaultFeishuAPI     = "https://open.feishu.cn"
)

// Apps are the county's enterprise apps on the office platforms and its single
// sign-on: each is configured when its credentials are set, else nil.
type Apps struct {
	DingTalk *DingTalkApp
	WeCom    *WeComApp
	Feishu   *FeishuApp
	OIDC     *OIDC
	// PasswordLogin is TASKRELAY_PASSWORD_LOGIN: "" (everyone) or PasswordAdminOnly.
	PasswordLogin string
	// UsersFile is where the worker finds the accounts' links (TASKRELAY_USERS_FILE,
	// default the data folder's users.json, which is where the console keeps them).
	UsersFile string
}

// PasswordAdminOnly turns password login off for everyone but the three administrators.
const PasswordAdminOnly = "admin-only"

// DingTalkApp is a DingTalk enterprise internal app (企业内部应用).
type DingTalkApp struct {
	AppKey, AppSecret, AgentID string
	OAPI, API, Login           string // hosts, without a trailing slash
}

// WeComApp is a WeCom self-built app (自建应用).
type WeComApp struct {
	CorpID, AgentID, Secret string
	API, Login              string
}

// FeishuApp is a Feishu enterprise self-built app (企业自建应用).
type FeishuApp struct {
	AppID, AppSecret string
	API              string
}

// OIDC is the county's unified identity platform (统一身份认证).
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	// UsernameClaim names the ID token's claim holding the account's username.
	UsernameClaim string
}

// AppsFromEnv reads the apps' settings. A secret's variable holds either the value
// or, like the directory's robots, a name in TASKRELAY_SECRETS_FILE; lookup resolves
// such names (nil: values only). A half-configured app is reported by name.
func AppsFromEnv(lookup func(name string) (string, bool)) (Apps, error) {
	secret := func(name string) string {
		v := os.Getenv(name)
		if lookup == nil {
			return v
		}
		if v == "" { // the variable's own name in the secrets file
			s, _ := lookup(name)
			return s
		}
		if s, ok := lookup(v); ok {
			return s
		}
		return v
	}
	host := func(name, def string) string { return strings.TrimRight(envOr(name, def), "/") }
	var a Apps
	var errs []error
	need := func(app string, vars ...string) bool {
		set, missing := 0, []string{}
		for _, v := range vars {
			if os.Getenv(v) != "" || secret(v) != "" {
				set++
			} else {
				missing = append(missing, v)
			}
		}
		if set > 0 && len(missing) > 0 {
			errs = append(errs, fmt.Errorf("%s未配置完整：缺少 %s", app, strings.Join(missing, "、")))
		}
		return set == len(vars)
	}
	if need("钉钉应用", "TASKRELAY_DINGTALK_APP_KEY", "TASKRELAY_DINGTALK_APP_SECRET", "TASKRELAY_DINGTALK_AGENT_ID") {
		a.DingTalk = &DingTalkApp{AppKey: os.Getenv("TASKRELAY_DINGTALK_APP_KEY"), AppSecret: secret("TASKRELAY_DINGTALK_APP_SECRET"),
			AgentID: os.Getenv("TASKRELAY_DINGTALK_AGENT_ID"),
			OAPI:    host("TASKRELAY_DINGTALK_OAPI", DefaultDingTalkOAPI), API: host("TASKRELAY_DINGTALK_API", DefaultDingTalkAPI),
			Login: host("TASKRELAY_DINGTALK_LOGIN", DefaultDingTalkLogin)}
	}
	if need("企业微信应用", "TASKRELAY_WECOM_CORP_ID", "TASKRELAY_WECOM_AGENT_ID", "TASKRELAY_WECOM_SECRET") {
		a.WeCom = &WeComApp{CorpID: os.Getenv("TASKRELAY_WECOM_CORP_ID"), AgentID: os.Getenv("TASKRELAY_WECOM_AGENT_ID"),
			Secret: secret("TASKRELAY_WECOM_SECRET"), API: host("TASKRELAY_WECOM_API", DefaultWeComAPI),
			Login: host("TASKRELAY_WECOM_LOGIN", DefaultWeComLogin)}
	}
	if need("飞书应用", "TASKRELAY_FEISHU_APP_ID", "TASKRELAY_FEISHU_APP_SECRET") {
		a.Feishu = &FeishuApp{AppID: os.Getenv("TASKRELAY_FEISHU_APP_ID"), AppSecret: secret("TASKRELAY_FEISHU_APP_SECRET"),
			API: host("TASKRELAY_FEISHU_API", DefaultFeishuAPI)}
	}
	if need("统一身份认证", "TASKRELAY_OIDC_ISSUER", "TASKRELAY_OIDC_CLIENT_ID", "TASKRELAY_OIDC_CLIENT_SECRET") {
		a.OIDC = &OIDC{Issuer: os.Getenv("TASKRELAY_OIDC_ISSUER"), ClientID: os.Getenv("TASKRELAY_OIDC_CLIENT_ID"),
			ClientSecret: secret("TASKRELAY_OIDC_CLIENT_SECRET"), UsernameClaim: envOr("TASKRELAY_OIDC_USERNAME_CLAIM", "preferred_username")}
	}
	for _, h := range []string{"TASKRELAY_DINGTALK_OAPI", "TASKRELAY_DINGTALK_API", "TASKRELAY_DINGTALK_LOGIN", "TASKRELAY_WECOM_API",
		"TASKRELAY_WECOM_LOGIN", "TASKRELAY_FEISHU_API", "TASKRELAY_OIDC_ISSUER"} {
		if v := os.Getenv(h); v != "" && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
			errs = append(errs, fmt.Errorf("%s=%q: 应为 http(s) 地址", h, v))
		}
	}
	switch v := os.Getenv("TASKRELAY_PASSWORD_LOGIN"); v {
	case "", "all":
	case PasswordAdminOnly:
		a.PasswordLogin = v
	default:
		errs = append(errs, fmt.Errorf("TASKRELAY_PASSWORD_LOGIN=%q: 应为 admin-only（只允许三员用密码登录）或不设置", v))
	}
	a.UsersFile = os.Getenv("TASKRELAY_USERS_FILE")
	return a, errors.Join(errs...)
}

// Any reports whether an office app is configured for messages.
func (a Apps) Any() bool { return a.DingTalk != nil || a.WeCom != nil || a.Feishu != nil }
