package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"taskrelay/internal/accounts"
	"taskrelay/internal/seclog"
)

// formLinks reads the 用户管理 form's platform identities into l ("" keeps none)
// and looks the DingTalk unionId up when a DingTalk app is configured.
func (s *Server) formLinks(ctx context.Context, l *accounts.Links, f url.Values) error {
	for _, p := range []string{accounts.PlatformDingTalk, accounts.PlatformWeCom, accounts.PlatformFeishu} {
		if err := l.Set(p, strings.TrimSpace(f.Get(p))); err != nil {
			return err
		}
	}
	if err := l.Check(); err != nil {
		return err
	}
	if l.DingTalk == "" || l.DingTalkUnion != "" || s.sso == nil || s.sso.dingtalk == nil {
		return nil
	}
	union, err := s.sso.dingtalk.UnionID(ctx, l.DingTalk)
	if err != nil {
		return fmt.Errorf("查询钉钉用户 %s 的 unionId: %w", l.DingTalk, err)
	}
	l.DingTalkUnion = union
	return nil
}

// linkUser: the system administrator links an account to its platform identities
// (an empty field unlinks).
func (s *Server) linkUser(q *req) {
	u, ok := s.target(q)
	if !ok {
		return
	}
	l := u.Links
	if err := s.formLinks(q.r.Context(), &l, q.r.PostForm); err != nil {
		s.renderUsers(q, http.StatusUnprocessableEntity, accounts.User{Role: accounts.RoleUnit}, "", strings.ReplaceAll(err.Error(), "\n", "；"))
		return
	}
	if err := s.cfg.Users.Update(u.Username, func(x *accounts.User) error { x.Links = l; return nil }); err != nil {
		s.renderUsers(q, http.StatusUnprocessableEntity, accounts.User{Role: accounts.RoleUnit}, "", strings.ReplaceAll(err.Error(), "\n", "；"))
		return
	}
	s.secLog(q, q.user.Username, seclog.AccountLinked, fmt.Sprintf("更新账号 %s 的平台关联：钉钉 %q，企业微信 %q，飞书 %q", u.Username, l.DingTalk, l.WeCom, l.Feishu))
	s.redirect(q, "/users?done="+url.QueryEscape("更新账号 "+u.Username+" 的平台关联"))
}
