package accounts

import (
	"errors"
	"fmt"
	"regexp"
)

// Platforms a person may be linked to (Links), by the names the command line and
// the login paths use.
const (
	PlatformDingTalk = "dingtalk" // 钉钉（含政务钉钉、浙政钉）: the userid of the enterprise's directory
	PlatformWeCom    = "wecom"    // 企业微信（含政务微信）: the member's userid
	PlatformFeishu   = "feishu"   // 飞书: the user's open_id under the county's app
	PlatformOIDC     = "oidc"     // 统一身份认证: the username claim (the account's own username)
)

// PlatformName is a platform's Chinese name.
func PlatformName(p string) string {
	switch p {
	case PlatformDingTalk:
		return "钉钉"
	case PlatformWeCom:
		return "企业微信"
	case PlatformFeishu:
		return "飞书"
	case PlatformOIDC:
		return "统一身份认证"
	}
	return p
}

// Links are a person's identities on the office apps: the work notices and 待办 go to
// them, and a login from inside the app finds the account by them.
type Links struct {
	DingTalk string `json:"dingtalk,omitempty"`
	// DingTalkUnion is the DingTalk unionId of DingTalk (the 待办 API addresses people
	// by it), looked up through the contact API when the link is made.
	DingTalkUnion string `json:"dingtalk_union,omitempty"`
	WeCom         string `json:"wecom,omitempty"`
	Feishu        string `json:"feishu,omitempty"`
}

// ID is the person's identity on platform ("" : not linked). OIDC identities are
// the usernames themselves.
func (l Links) ID(platform string) string {
	switch platform {
	case PlatformDingTalk:
		return l.DingTalk
	case PlatformWeCom:
		return l.WeCom
	case PlatformFeishu:
		return l.Feishu
	}
	return ""
}

// Set links platform's identity id ("" unlinks). Setting DingTalk clears the
// unionId, which belongs to the previous userid.
func (l *Links) Set(platform, id string) error {
	switch platform {
	case PlatformDingTalk:
		if l.DingTalk != id {
			l.DingTalkUnion = ""
		}
		l.DingTalk = id
	case PlatformWeCom:
		l.WeCom = id
	case PlatformFeishu:
		l.Feishu = id
	default:
		return fmt.Errorf("未知的平台 %q，应为 dingtalk、wecom 或 feishu", platform)
	}
	return nil
}

// The platforms' identities are short ASCII tokens; anything else is a typo or
// pasted text.
var linkRE = regexp.MustCompile(`^[A-Za-z0-9_.@+=/-]{1,128}$`)

// Check reports a malformed identity.
func (l Links) Check() error {
	var errs []error
	for _, f := range []struct{ label, v string }{ // worded for the console's form and the command line alike
		{"钉钉 userid", l.DingTalk}, {"钉钉 unionId", l.DingTalkUnion}, {"企业微信 userid", l.WeCom}, {"飞书 open_id", l.Feishu},
	} {
		if f.v != "" && !linkRE.MatchString(f.v) {
			errs = append(errs, fmt.Errorf("%s %q 无效：只能是字母、数字和 _.@+=/- ，最长 128 个字符", f.label, f.v))
		}
	}
	return errors.Join(errs...)
}

// checkLinksUnique refuses one platform identity on two accounts: a login from the
// app must find exactly one person.
func checkLinksUnique(users []User) error {
	seen := map[string]string{}
	var errs []error
	for _, u := range users {
		if u.Removed {
			continue
		}
		for _, p := range []string{PlatformDingTalk, PlatformWeCom, PlatformFeishu} {
			id := u.Links.ID(p)
			if id == "" {
				continue
			}
			k := p + "\x00" + id
			if other, dup := seen[k]; dup {
				errs = append(errs, fmt.Errorf("%s账号 %s 不能同时关联用户 %s 和 %s：一个平台账号只对应一个用户", PlatformName(p), id, other, u.Username))
				continue
			}
			seen[k] = u.Username
		}
	}
	return errors.Join(errs...)
}

// ByLink returns the account linked to platform's identity id (OIDC: the username).
func (s *Store) ByLink(platform, id string) (User, bool, error) {
	if id == "" {
		return User{}, false, nil
	}
	if platform == PlatformOIDC {
		return s.Get(id)
	}
	users, err := s.List()
	if err != nil {
		return User{}, false, err
	}
	for _, u := range users {
		if !u.Removed && u.Links.ID(platform) == id {
			return u, true, nil
		}
	}
	return User{}, false, nil
}
