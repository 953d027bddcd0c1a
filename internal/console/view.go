package console

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/internal/seclog"
)

// LightFor names a task's light with its reason (relay.TaskView.LightReason) for
// whichever form of a task a page holds.
func LightFor(v any) string {
	switch x := v.(type) {
	case relay.TaskView:
		return x.LightReason()
	case *relay.TaskView:
		return x.LightReason()
	case relay.TaskSummary:
		return x.LightReason()
	case *relay.TaskSummary:
		return x.LightReason()
	}
	return "—"
}

func countyTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(relay.TimeZone).Format("2006-01-02 15:04")
}

var funcs = template.FuncMap{
	"state":       relay.StateLabel,
	"deadline":    relay.DeadlineLabel,
	"light":       relay.LightMeaning,
	"lightFor":    LightFor,
	"action":      relay.ActionLabel,
	"roleName":    accounts.RoleName,
	"privileged":  accounts.IsPrivileged,
	"maxSessions": func() int { return accounts.MaxSessions },
	"itemRole":    relay.RoleLabel,
	"time":        countyTime,
	"taskURL":     TaskURL,
	"meetURL":     MeetingURL,
	"noticeURL":   func(id string) string { return "/notices/" + url.PathEscape(id) },
	"join":        strings.Join,
	"fileURL":     FileURL,
	"fileType": func(t string) string {
		if ft, ok := relay.FileTypeOf(t); ok {
			return ft.Label
		}
		return t
	},
	"size": func(n int64) string {
		if n < 1<<20 {
			return fmt.Sprintf("%.1f KB", float64(n)/1024)
		}
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	},
	"accept": func() string { return acceptAttr },
	"lightClass": func(l relay.Light) string {
		switch l {
		case relay.Red, relay.Yellow, relay.Green:
			return "light-" + string(l)
		}
		return "light-none"
	},
	"timeptr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return countyTime(*t)
	},
	"add":           func(a, b int) int { return a + b },
	"deliveryState": relay.DeliveryStateLabel,
	"channelLabel":  relay.ChannelLabel,
	// requestID: every form rendered gets its own id, so that submitting it twice acts once.
	"requestID":  func() string { return accounts.NewCSRFSecret() },
	"eventLabel": seclog.Label,
	"maxNote":    func() int { return relay.MaxNoteRunes },
}
