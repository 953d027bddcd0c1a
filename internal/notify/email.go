package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// SMTP is the mail server notices are sent through, from TASKRELAY_SMTP_URL:
//
//	smtp://user:pass@host:587   STARTTLS, required (port 587 by default)
//	smtps://user:pass@host:465  TLS from the first byte (port 465 by default)
//
// with an optional ?from=address (default: the user name when it is an address).
type SMTP struct {
	Host        string
	Port        int
	User, Pass  string
	From        string
	ImplicitTLS bool
	// TLSConfig, when set, replaces the default (server name checked against the
	// system's roots); tests trust their own certificate with it.
	TLSConfig *tls.Config
}

// ParseSMTPURL reads TASKRELAY_SMTP_URL. Errors are in Chinese and name the variable.
func ParseSMTPURL(raw string) (*SMTP, error) {
	bad := func(why string) error { return fmt.Errorf("TASKRELAY_SMTP_URL: %s", why) }
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("不是有效的地址")
	}
	s := &SMTP{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.ImplicitTLS = 465, true
	default:
		return nil, bad("应以 smtp://（STARTTLS）或 smtps://（TLS）开头")
	}
	if s.Host == "" {
		return nil, bad("缺少邮件服务器主机名")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, bad("端口无效：" + p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Pass, _ = u.User.Password()
	}
	s.From = u.Query().Get("from")
	if s.From == "" && strings.Contains(s.User, "@") {
		s.From = s.User
	}
	if s.From == "" {
		return nil, bad("缺少发件地址（用户名不是邮件地址时请加 ?from=地址）")
	}
	return s, nil
}

// Email is a Channel to one recipient's mailboxes.
type Email struct {
	smtp *SMTP
	to   []string
	// Documents, when set, attach the official document (.docx) of a 交办单 or
	// 督办单 (see Documented).
	Documents *gongwen.Settings
}

// NewEmail sends to the addresses through s.
func NewEmail(s *SMTP, to []string) *Email { return &Email{smtp: s, to: to} }

// Rate implements Channel: mail servers queue; no robot limits apply.
func (e *Email) Rate() (string, []Window) { return "", nil }

// Prepare implements Channel: one e-mail, whatever its length (mail has room).
func (e *Email) Prepare(o Outgoing) ([][]byte, error) { return [][]byte{nil}, nil }

// Send implements Channel: the notice as text and HTML, with a Message-ID made from
// the delivery's key, so a resent mail is recognisably the same one.
func (e *Email) Send(ctx context.Context, o Outgoing, _ []byte) error {
	m := mail.NewMsg()
	if err := m.From(e.smtp.From); err != nil {
		return permanent(fmt.Errorf("notify: 邮件发件地址 %q 无效: %w", e.smtp.From, err))
	}
	if err := m.To(e.to...); err != nil {
		return permanent(fmt.Errorf("notify: 收件地址无效: %w", err))
	}
	title, _ := layout(o.Notice)
	m.Subject(title)
	m.SetMessageIDWithValue(FileName(o.Key) + "@taskrelay")
	text := Render(o.Notice)
	if o.Link != "" {
		text += "\n" + ConsoleLinkText + "：" + o.Link + "\n"
	}
	m.SetBodyString(mail.TypeTextPlain, text)
	htmlBody, err := emailHTML(o)
	if err != nil {
		return permanent(err)
	}
	m.AddAlternativeString(mail.TypeTextHTML, htmlBody)
	if e.Documents != nil && Documented(o.Notice.Kind) {
		doc, err := Document(o.Notice, *e.Documents).Docx(*e.Documents)
		if err != nil {
			return permanent(fmt.Errorf("notify: 邮件附件: %w", err))
		}
		name := oneLine(title) + ".docx"
		if err := m.AttachReader(name, bytes.NewReader(doc),
			mail.WithFileContentType("application/vnd.openxmlformats-officedocument.wordprocessingml.document")); err != nil {
			return permanent(fmt.Errorf("notify: 邮件附件: %w", err))
		}
	}

	opts := []mail.Option{mail.WithPort(e.smtp.Port), mail.WithTimeout(DefaultTimeout)}
	if e.smtp.ImplicitTLS {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if e.smtp.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(e.smtp.TLSConfig))
	}
	if e.smtp.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(e.smtp.User), mail.WithPassword(e.smtp.Pass))
	}
	c, err := mail.NewClient(e.smtp.Host, opts...)
	if err != nil {
		return permanent(fmt.Errorf("notify: 邮件服务器设置: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		err = fmt.Errorf("notify: 邮件经 %s 发送: %w", net.JoinHostPort(e.smtp.Host, strconv.Itoa(e.smtp.Port)), err)
		if smtpPermanent(err) {
			return permanent(err)
		}
		return err
	}
	return nil
}

// smtpPermanent: a 5xx reply (mailbox unknown, refused) is final; 4xx and network
// errors are worth retrying.
func smtpPermanent(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp()
	}
	return false
}

var emailTemplate = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family:sans-serif">
<h2>{{.Title}}</h2>
<p>{{with .N.ToName}}<b>致</b>：{{.}}<br>{{end}}{{with .N.Contact}}<b>联络员</b>：{{.String}}<br>{{end}}{{with .N.MeetingName}}<b>会议</b>：{{.}}<br>{{end}}{{with .Time}}<b>时间</b>：{{.}}{{end}}</p>
{{range .Body}}<p>{{.}}</p>
{{end}}{{if .N.Items}}<table border="1" cellpadding="4" style="border-collapse:collapse">
<tr><th>序号</th><th>任务事项</th><th>具体要求</th>{{if .WithRole}}<th>本单位角色</th>{{end}}<th>完成时限</th><th>分管县领导</th></tr>
{{range .Items}}<tr><td>{{.No}}</td><td>{{.Title}}</td><td>{{.Requirements}}</td>{{if $.WithRole}}<td>{{.Role}}</td>{{end}}<td>{{.Deadline}}</td><td>{{.DeputyName}}</td></tr>
{{end}}</table>{{end}}
{{with .Link}}<p><a href="{{.}}">` + ConsoleLinkText + `</a></p>{{end}}
</body></html>
`))

func emailHTML(o Outgoing) (string, error) {
	title, _ := layout(o.Notice)
	type row struct {
		No                                              int
		Title, Requirements, Role, Deadline, DeputyName string
	}
	data := struct {
		Title, Time, Link string
		WithRole          bool
		N                 relay.Notice
		Body              []string
		Items             []row
	}{Title: title, Link: o.Link, N: o.Notice, WithRole: addressedToUnit(o.Notice)}
	if !o.Notice.IssuedAt.IsZero() {
		data.Time = o.Notice.IssuedAt.In(relay.TimeZone).Format(TimeLayout)
	}
	for _, l := range strings.Split(strings.TrimSpace(normalizeNewlines(o.Notice.Body)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			data.Body = append(data.Body, l)
		}
	}
	for _, it := range o.Notice.Items {
		data.Items = append(data.Items, row{it.No, it.Title, it.Requirements, roleText(it), relay.DeadlineLabel(it.Deadline, it.Standing), it.DeputyName})
	}
	var b bytes.Buffer
	if err := emailTemplate.Execute(&b, data); err != nil {
		return "", fmt.Errorf("notify: 邮件正文: %w", err)
	}
	return b.String(), nil
}
