package notify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"taskrelay/internal/directory"
	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// Secrets resolves the secrets a directory names: from the environment first, then
// from the secrets file (TASKRELAY_SECRETS_FILE: NAME=value lines, '#' comments),
// which lives outside the directory file and outside version control.
type Secrets struct {
	file map[string]string
	path string
}

// LoadSecrets reads the secrets file at path ("" : none).
func LoadSecrets(path string) (Secrets, error) {
	s := Secrets{file: map[string]string{}, path: path}
	if path == "" {
		return s, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("TASKRELAY_SECRETS_FILE: 无法读取密钥文件: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, value, ok := strings.Cut(l, "=")
		name = strings.TrimSpace(name)
		if !ok || !directory.SecretNamePattern.MatchString(name) {
			return s, fmt.Errorf("%s: 第%d行 应为 名称=值（名称用大写字母、数字和下划线）", path, line)
		}
		s.file[name] = strings.TrimSpace(value)
	}
	return s, nil
}

// Lookup returns the secret called name.
func (s Secrets) Lookup(name string) (string, bool) {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v, true
	}
	v, ok := s.file[name]
	return v, ok && v != ""
}

// Route is one configured way a recipient's notices travel: a channel entry of the
// directory with its secrets resolved, or the county-wide webhook.
type Route struct {
	// Name identifies the route in the spool: "<channel>:<recipient>" ("#2" for a
	// second entry of the same channel), "webhook" for TASKRELAY_WEBHOOK_URL.
	Name    string
	Channel string
	Mobiles []string
	Out     Channel
	// Key is the idempotency key of a notice on this route.
	Key func(noticeID string) string
}

// RouteOptions are the process-wide settings routes are built with.
type RouteOptions struct {
	PublicURL  string // TASKRELAY_PUBLIC_URL: the console as people reach it
	WebhookURL string // TASKRELAY_WEBHOOK_URL: every notice, county-wide
	SMTP       *SMTP  // TASKRELAY_SMTP_URL; nil when e-mail is not configured
	Client     *http.Client
	// Documents, when set, attach a 交办单's or 督办单's .docx to its e-mail.
	Documents *gongwen.Settings
}

// Routes finds the routes of a notice's recipient.
type Routes struct {
	PublicURL string
	byTo      map[string][]Route // "unit:rsj", "leader:ld-li"
	county    []Route
	byName    map[string]Route
}

// NewRoutes builds the routes of every unit and leader of d (nil: none) and the
// county-wide webhook. Every missing secret and unusable entry is reported at once,
// naming the entry and field.
func NewRoutes(d *directory.Directory, secrets Secrets, opt RouteOptions) (*Routes, error) {
	rs := &Routes{PublicURL: opt.PublicURL, byTo: map[string][]Route{}, byName: map[string]Route{}}
	if opt.WebhookURL != "" {
		r := Route{Name: relay.ChannelWebhook, Channel: relay.ChannelWebhook, Out: NewWebhook(opt.WebhookURL, opt.Client),
			Key: func(id string) string { return id }} // today's key: receivers dedupe by it
		rs.county = append(rs.county, r)
		rs.byName[r.Name] = r
	}
	if d == nil {
		return rs, nil
	}
	var errs []error
	add := func(kind, id, entry string, c *directory.Contact, chs []directory.Channel) {
		var mobiles []string
		if c != nil && c.Mobile != "" {
			mobiles = []string{c.Mobile}
		}
		for i, ch := range chs {
			name := ch.Type + ":" + id
			if kind == relay.ToLeader {
				name = ch.Type + ":leader:" + id
			}
			for k := 2; ; k++ {
				if _, dup := rs.byName[name]; !dup {
					break
				}
				name = fmt.Sprintf("%s:%s#%d", ch.Type, id, k)
			}
			out, err := channelFor(ch, secrets, opt)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s 字段 channels[%d]: %w", entry, i+1, err))
				continue
			}
			r := Route{Name: name, Channel: ch.Type, Out: out, Key: func(id string) string { return id + "|" + name }}
			if ch.Type == relay.ChannelDingTalk || ch.Type == relay.ChannelWeCom {
				r.Mobiles = mobiles
			}
			rs.byTo[kind+":"+id] = append(rs.byTo[kind+":"+id], r)
			rs.byName[name] = r
		}
	}
	for _, u := range d.Units {
		add(relay.ToUnit, u.ID, "单位 "+u.ID, u.Contact, u.Channels)
	}
	for _, l := range d.Leaders {
		add(relay.ToLeader, l.ID, "县领导 "+l.ID, l.Contact, l.Channels)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rs, nil
}

func channelFor(ch directory.Channel, secrets Secrets, opt RouteOptions) (Channel, error) {
	secret := func(name string) (string, error) {
		if name == "" {
			return "", nil
		}
		v, ok := secrets.Lookup(name)
		if !ok {
			return "", fmt.Errorf("密钥 %s 在环境变量和密钥文件中都找不到", name)
		}
		return v, nil
	}
	token, err := secret(ch.Token)
	if err != nil {
		return nil, err
	}
	sign, err := secret(ch.Secret)
	if err != nil {
		return nil, err
	}
	switch ch.Type {
	case relay.ChannelDingTalk:
		return NewDingTalk(ch.URL, token, sign, opt.Client), nil
	case relay.ChannelWeCom:
		return NewWeCom(ch.URL, token, opt.Client), nil
	case relay.ChannelFeishu:
		return NewFeishu(ch.URL, token, sign, opt.Client), nil
	case relay.ChannelEmail:
		if opt.SMTP == nil {
			return nil, errors.New("电子邮件渠道需要设置 TASKRELAY_SMTP_URL")
		}
		e := NewEmail(opt.SMTP, ch.To)
		e.Documents = opt.Documents
		return e, nil
	case relay.ChannelWebhook:
		return NewWebhook(ch.URL, opt.Client), nil
	}
	return nil, fmt.Errorf("未知的渠道类型 %q", ch.Type)
}

// Any reports whether any notice has somewhere to go besides the outbox.
func (rs *Routes) Any() bool { return len(rs.byName) > 0 }

// For returns the routes a notice travels: its recipient's channels and the
// county-wide webhook.
func (rs *Routes) For(n relay.Notice) []Route {
	out := append([]Route(nil), rs.byTo[n.ToKind+":"+n.To]...)
	return append(out, rs.county...)
}

// Route returns the route called name.
func (rs *Routes) Route(name string) (Route, bool) {
	r, ok := rs.byName[name]
	return r, ok
}

// Add puts a route for one recipient (tests, and callers building routes by hand).
func (rs *Routes) Add(toKind, to string, r Route) {
	if rs.byTo == nil {
		rs.byTo, rs.byName = map[string][]Route{}, map[string]Route{}
	}
	if r.Key == nil {
		name := r.Name
		r.Key = func(id string) string { return id + "|" + name }
	}
	rs.byTo[toKind+":"+to] = append(rs.byTo[toKind+":"+to], r)
	rs.byName[r.Name] = r
}
