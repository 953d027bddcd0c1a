package notify

import (
	"context"
	"fmt"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
)

// People finds the linked people a notice or a task concerns: the one rule both
// the work notices and the 待办 follow.
type People struct {
	Users *accounts.Store
	// Task reads a task's view (its state, units and 责任人); nil: no task is read
	// and a unit's notice goes to its head and officers.
	Task func(ctx context.Context, taskID string) (relay.TaskView, error)
}

// usable: an account that may be reached (not disabled, not removed).
func usable(u accounts.User) bool { return !u.Disabled && !u.Removed }

// unitPeople are a unit's 责任人 for a task (assignee, when named and usable), else
// the unit's head and officers with accounts.
func unitPeople(users []accounts.User, unit, assignee string) []accounts.User {
	if assignee != "" {
		for _, u := range users {
			if u.Username == assignee && usable(u) && accounts.IsUnitRole(u.Role) && u.Unit == unit {
				return []accounts.User{u}
			}
		}
	}
	var out []accounts.User
	for _, u := range users {
		if usable(u) && accounts.IsUnitRole(u.Role) && u.Unit == unit {
			out = append(out, u)
		}
	}
	return out
}

// ForNotice are the people a notice concerns: a leader's, the leader; a unit's,
// the task's 责任人 of that unit where one is named, else the unit's head and
// officers. Notices to the inspection office go to its robots only.
func (p People) ForNotice(ctx context.Context, n relay.Notice) ([]accounts.User, error) {
	users, err := p.Users.List()
	if err != nil {
		return nil, err
	}
	switch n.ToKind {
	case relay.ToLeader:
		var out []accounts.User
		for _, u := range users {
			if usable(u) && u.Role == accounts.RoleLeader && u.Leader == n.To {
				out = append(out, u)
			}
		}
		return out, nil
	case relay.ToUnit:
		assignee := ""
		if n.TaskID != "" && p.Task != nil {
			v, err := p.Task(ctx, n.TaskID)
			switch {
			case err == nil:
				assignee = assigneeOf(v, n.To)
			case ctx.Err() != nil:
				return nil, fmt.Errorf("读取任务 %s 的责任人: %w", n.TaskID, err)
			}
			// A task that cannot be read (gone from the engine's retention) must not
			// hold up the notice's other channels: it goes to the unit's head and officers.
		}
		return unitPeople(users, n.To, assignee), nil
	}
	return nil, nil
}

// assigneeOf is the task's 责任人 for unit ("" : none named).
func assigneeOf(v relay.TaskView, unit string) string {
	if p, ok := v.Assignees[unit]; ok {
		return p
	}
	if unit == v.LeadUnit {
		return v.Assignee
	}
	return ""
}

// Open reports whether a task still waits on its units: not closed (completed and
// verified) nor withdrawn.
func Open(v relay.TaskView) bool {
	return v.State != relay.StateClosed && v.State != relay.StateWithdrawn && v.WithdrawnAt == nil
}

// ForTask are the people responsible for an open task: for each of its units, the
// unit's 责任人 where named, else its head and officers (none once it is closed or
// withdrawn). A unit taken off the task is not among its units any more.
func (p People) ForTask(v relay.TaskView) ([]accounts.User, error) {
	if !Open(v) {
		return nil, nil
	}
	users, err := p.Users.List()
	if err != nil {
		return nil, err
	}
	var out []accounts.User
	seen := map[string]bool{}
	for _, unit := range append([]string{v.LeadUnit}, v.CoUnits...) {
		for _, u := range unitPeople(users, unit, assigneeOf(v, unit)) {
			if !seen[u.Username] {
				seen[u.Username] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}
