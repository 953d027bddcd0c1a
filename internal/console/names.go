package console

import (
	"sync"

	"taskrelay/internal/accounts"
	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
)

// A clerk knows a meeting by its name (县委常委会2026年第15次会议), not its id. A
// meeting's name never changes once submitted, so the console keeps the names it has
// read and reads only new meetings' views.
type meetingNames struct {
	mu sync.Mutex
	m  map[string]string // meeting id -> name
}

// meetingOption is a meeting as a filter offers it.
type meetingOption struct {
	ID, Name string
}

// meetingOptions names every meeting of refs, reading the views of those it has not
// named yet; a meeting whose view cannot be read keeps its id for now.
func (s *Server) meetingOptions(q *req, refs []relayclient.MeetingRef) []meetingOption {
	n := &s.names
	n.mu.Lock()
	if n.m == nil {
		n.m = map[string]string{}
	}
	var missing []string
	for _, r := range refs {
		if _, ok := n.m[r.ID]; !ok {
			missing = append(missing, r.ID)
		}
	}
	n.mu.Unlock()
	if len(missing) > 0 {
		views, errs := s.cfg.API.MeetingViews(q.ctx, missing)
		n.mu.Lock()
		for i, id := range missing {
			if errs[i] == nil && views[i].Meeting.Name != "" {
				n.m[id] = views[i].Meeting.Name
			}
		}
		n.mu.Unlock()
	}
	out := make([]meetingOption, len(refs))
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, r := range refs {
		out[i] = meetingOption{ID: r.ID, Name: r.ID}
		if name := n.m[r.ID]; name != "" {
			out[i].Name = name
		}
	}
	return out
}

// actorLabel names who took a step recorded by account name (the meeting's adoption):
// a console account as 王某（县政府办公室）, an operator of the command line as
// 王某（操作员）, the command line's office as 县政府办公室.
func (s *Server) actorLabel(by string) string {
	if u, ok, _ := s.cfg.Users.Get(by); ok && !u.Removed {
		return u.DisplayName() + "（" + accounts.RoleName(u.Role) + "）"
	}
	for _, k := range s.cfg.TrustedKeys {
		if k.Kind == actor.Operator && k.Name == by {
			return by + "（" + relay.SignerKindLabel(actor.Operator) + "）"
		}
	}
	if by == relay.Office {
		return accounts.RoleName(accounts.RoleOffice)
	}
	return by
}
