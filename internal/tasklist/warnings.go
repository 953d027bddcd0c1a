package tasklist

import (
	"fmt"
	"time"

	"taskrelay/internal/relay"
	model "taskrelay/internal/task"
)

// Warnings are an accepted list's warnings, from the plan alone: what Check says at
// submission, and what a page showing the submitted list (before it is adopted) says
// again. today is the county's date (YYYY-MM-DD). Each message starts 提示：.
func Warnings(p relay.Plan, today string) Problems {
	var out Problems
	for _, it := range p.Items {
		for _, w := range itemWarnings(p, it, today) {
			out = append(out, Problem{File: p.SourceFile, Item: it.No, Field: w.field, Message: w.message})
		}
	}
	return out
}

type warning struct{ field, message string }

// itemWarnings: a supporting unit that is the lead unit or another supporting unit
// under another of its names (合署办公, plaques: given the task once), a deadline
// already past, a standing task.
func itemWarnings(p relay.Plan, it relay.Item, today string) []warning {
	var out []warning
	src := it.Source
	seen := map[string]string{} // unit id -> the name that first named it
	if src.LeadID != "" {
		seen[src.LeadID] = src.Lead
	}
	for j, id := range src.CoIDs {
		if id == "" || j >= len(src.Co) {
			continue
		}
		name := src.Co[j]
		first, dup := seen[id]
		if !dup {
			seen[id] = name
			continue
		}
		if id == src.LeadID {
			out = append(out, warning{"co", fmt.Sprintf("提示：配合单位%s与牵头单位%s是同一单位（%s），任务只交办一次，由其牵头", quote(name), quote(first), p.UnitName(id))})
		} else {
			out = append(out, warning{"co", fmt.Sprintf("提示：配合单位%s与%s是同一单位（%s），只交办一次", quote(name), quote(first), p.UnitName(id))})
		}
	}
	switch {
	case it.Standing:
		out = append(out, warning{"deadline", "提示：按长期事项交办：不设完成时限，不计逾期，每月报送进展"})
	case it.Deadline != "" && it.Deadline < today:
		out = append(out, warning{"deadline", PastDeadline(it.Deadline, today)})
	}
	return out
}

// LateWarnings name each item whose deadline had passed when its units received it at
// dispatched (model.PastAtReceipt: a list adopted late), in the list check's words
// (PastDeadline): its overdue days count from the dispatch. The adoption says so, at
// the command line and in the console.
func LateWarnings(items []relay.Item, dispatched time.Time) Problems {
	var out Problems
	day := dispatched.In(relay.TimeZone).Format(relay.DateLayout)
	for _, it := range model.PastAtReceipt(items, dispatched) {
		out = append(out, Problem{Item: it.No, Field: "deadline", Message: PastDeadline(it.Deadline, day)})
	}
	return out
}
