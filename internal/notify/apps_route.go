package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/imapp"
	"taskrelay/internal/relay"
)

// The office apps' channels, by their short names here.
const (
	ChannelDingTalkWork = relay.ChannelDingTalkWork
	ChannelDingTalkTodo = relay.ChannelDingTalkTodo
	ChannelWeComApp     = relay.ChannelWeComApp
	ChannelFeishuApp    = relay.ChannelFeishuApp
)

// The platforms' documented limits on messages to one person: WeCom 30 a minute
// (and 1,000 an hour) from one app, Feishu 5 a second, DingTalk 500 a day of an
// enterprise app's work notices.
func appWindows(ch string) []Window {
	switch ch {
	case ChannelWeComApp:
		return []Window{{N: 30, Per: time.Minute}, {N: 1000, Per: time.Hour}}
	case ChannelFeishuApp:
		return []Window{{N: 5, Per: time.Second}}
	case ChannelDingTalkWork:
		return []Window{{N: 500, Per: 24 * time.Hour}}
	}
	return nil
}

// Apps are the office apps' clients a worker's senders share (one token each).
type Apps struct {
	DingTalk *imapp.DingTalk
	WeCom    *imapp.WeCom
	Feishu   *imapp.Feishu
	// Todos keeps the DingTalk 待办; nil without DingTalk or without a task reader.
	Todos *Todos
}

// Any reports whether any app sends.
func (a *Apps) Any() bool {
	return a != nil && (a.DingTalk != nil || a.WeCom != nil || a.Feishu != nil)
}

// AppRouter adds to a directory's routes the office apps' routes of the people a
// notice concerns, and the 待办 route of its tasks.
type AppRouter struct {
	Base   *Routes
	Apps   *Apps
	People People
	// LoginURL, when set, makes a message's link sign the person in through the
	// app first: PublicURL/login/<platform>?next=<page>.
	PublicURL string
}

// personRoute is the name of platform channel ch's route to a person.
func personRoute(ch, username string) string { return ch + ":user:" + username }

// ForContext implements the Pusher's routing with the people a notice concerns.
func (a *AppRouter) ForContext(ctx context.Context, n relay.Notice) ([]Route, error) {
	out := a.Base.For(n)
	if !a.Apps.Any() {
		return out, nil
	}
	people, err := a.People.ForNotice(ctx, n)
	if err != nil {
		return nil, err
	}
	for _, u := range people {
		for _, ch := range []string{ChannelDingTalkWork, ChannelWeComApp, ChannelFeishuApp} {
			if r, ok := a.personRoute(ch, u); ok {
				out = append(out, r)
			}
		}
	}
	if a.Apps.Todos != nil && len(noticeTasks(n)) > 0 {
		out = append(out, a.todoRoute())
	}
	return out, nil
}

// For implements Router without the people (they need a context and may fail).
func (a *AppRouter) For(n relay.Notice) []Route { return a.Base.For(n) }

// Route implements Router: the directory's routes, then the apps' by name.
func (a *AppRouter) Route(name string) (Route, bool) {
	if r, ok := a.Base.Route(name); ok {
		return r, true
	}
	if name == ChannelDingTalkTodo && a.Apps.Todos != nil {
		return a.todoRoute(), true
	}
	ch, username, ok := strings.Cut(name, ":user:")
	if !ok || a.People.Users == nil {
		return Route{}, false
	}
	u, found, err := a.People.Users.Get(username)
	if err != nil || !found || !usable(u) {
		return Route{}, false
	}
	return a.personRoute(ch, u)
}

func (a *AppRouter) personRoute(ch string, u accounts.User) (Route, bool) {
	c := &appChannel{channel: ch, apps: a.Apps, login: a.PublicURL}
	switch {
	case ch == ChannelDingTalkWork && a.Apps.DingTalk != nil && u.DingTalk != "":
		c.to, c.platform = u.DingTalk, accounts.PlatformDingTalk
	case ch == ChannelWeComApp && a.Apps.WeCom != nil && u.WeCom != "":
		c.to, c.platform = u.WeCom, accounts.PlatformWeCom
	case ch == ChannelFeishuApp && a.Apps.Feishu != nil && u.Feishu != "":
		c.to, c.platform = u.Feishu, accounts.PlatformFeishu
	default:
		return Route{}, false
	}
	name := personRoute(ch, u.Username)
	return Route{Name: name, Channel: ch, Out: c, Key: func(id string) string { return id + "|" + name }}, true
}

func (a *AppRouter) todoRoute() Route {
	return Route{Name: ChannelDingTalkTodo, Channel: ChannelDingTalkTodo, Out: todoChannel{a.Apps.Todos},
		Key: func(id string) string { return id + "|" + ChannelDingTalkTodo }}
}

// noticeTasks are the tasks a notice is about.
func noticeTasks(n relay.Notice) []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(n.TaskID)
	for _, it := range n.Items {
		add(it.TaskID)
	}
	return out
}

// appMessage is a prepared message to a person, the same for every platform.
type appMessage struct {
	Title string `json:"title"`
	Text  string `json:"text"`  // Markdown (DingTalk, Feishu)
	Short string `json:"short"` // plain, at most WeCom's 512 bytes
	URL   string `json:"url"`
}

// appChannel sends a notice to one person through an office app.
type appChannel struct {
	channel, platform, to string
	apps                  *Apps
	login                 string
}

// The app messages' sizes: WeCom's textcard title 128 bytes and description 512;
// DingTalk's action card and Feishu's card are kept as short as a phone shows.
const (
	appTitleMax = 128
	appShortMax = 500
	appTextMax  = 3000
)

// Prepare implements Channel: one message naming its notice (number or id), so
// that no two are identical (DingTalk shows identical text to a person once a day).
func (c *appChannel) Prepare(o Outgoing) ([][]byte, error) {
	n := o.Notice
	ref := n.DocNo
	if ref == "" {
		ref = n.ID
	}
	title := n.Subject
	if title == "" {
		title = relay.NoticeKindLabel(n.Kind)
	}
	if c.channel == ChannelWeComApp { // the only platform with a short title
		title = shorten(title, func(s string) bool { return len(s) <= appTitleMax })
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	if n.Body != "" {
		b.WriteString(n.Body + "\n\n")
	}
	for _, it := range n.Items {
		line := fmt.Sprintf("- %d. %s", it.No, it.Title)
		if d := relay.DeadlineLabel(it.Deadline, it.Standing); d != "" {
			line += "（完成时限 " + d + "）"
		}
		if b.Len()+len(line) > appTextMax-200 {
			fmt.Fprintf(&b, "- ……共 %d 项，详见控制台\n", len(n.Items))
			break
		}
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "\n通知编号：%s", ref)
	short := n.Body
	if short == "" && len(n.Items) > 0 {
		short = fmt.Sprintf("共 %d 项任务：%s 等", len(n.Items), n.Items[0].Title)
	}
	short = shorten(short, func(s string) bool { return len(s) <= appShortMax-len(ref)-40 })
	short += "\n通知编号：" + ref
	link := o.Link
	if link != "" && c.login != "" {
		// Opened inside the app, the link signs the person in on the way.
		link = strings.TrimRight(c.login, "/") + "/login/" + c.platform + "?next=" + url.QueryEscape(strings.TrimPrefix(link, strings.TrimRight(c.login, "/")))
	}
	return [][]byte{encodeJSON(appMessage{Title: title, Text: b.String(), Short: short, URL: link})}, nil
}

// Send implements Channel.
func (c *appChannel) Send(ctx context.Context, o Outgoing, msg []byte) error {
	var m appMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return permanent(fmt.Errorf("notify: %s: %w", c.channel, err))
	}
	var err error
	switch c.channel {
	case ChannelDingTalkWork:
		_, err = c.apps.DingTalk.SendWorkNotice(ctx, []string{c.to}, imapp.WorkNotice{Title: m.Title, Markdown: m.Text, Button: ConsoleLinkText, URL: m.URL})
	case ChannelWeComApp:
		link := m.URL
		if link == "" {
			link = "about:blank" // textcard requires one
		}
		err = c.apps.WeCom.SendTextCard(ctx, []string{c.to}, imapp.TextCard{Title: m.Title, Description: m.Short, URL: link, Button: "查看"})
	case ChannelFeishuApp:
		card := (&Robot{channel: relay.ChannelFeishu}).feishuCard(part{Title: m.Title, Lines: strings.Split(m.Text, "\n")[1:]}, m.URL).Card
		err = c.apps.Feishu.SendCard(ctx, c.to, encodeJSON(card), feishuUUID(o.Key))
	default:
		return permanent(fmt.Errorf("notify: unknown app channel %q", c.channel))
	}
	return appError(c.channel, err)
}

// Rate implements Channel: the person's limits on the platform.
func (c *appChannel) Rate() (string, []Window) { return c.channel + " " + c.to, appWindows(c.channel) }

// feishuUUID is a request's de-duplication key (Feishu takes at most 50 characters).
func feishuUUID(key string) string {
	if len(key) <= 50 {
		return key
	}
	return FileName(key)[:50]
}

// appError maps a platform's refusal onto the Pusher's kinds.
func appError(ch string, err error) error {
	if err == nil {
		return nil
	}
	var ae *imapp.APIError
	if !errors.As(err, &ae) {
		return err
	}
	code, cerr := strconv.Atoi(ae.Code)
	if cerr != nil {
		code = -1
	}
	perr := &PlatformError{Channel: ch, Code: code, Message: ae.Error()}
	switch {
	case ae.RateLimited():
		return &RateLimitError{PlatformError: perr, Retry: time.Minute}
	case ae.Permanent():
		return permanent(perr)
	}
	return fmt.Errorf("notify: %w", perr)
}
