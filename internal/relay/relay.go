// Package relay holds the vocabulary of taskrelay: the committee's meeting and its
// items, the decomposition the executive meeting adopts, the tasks that carry it out,
// and the one place that names what the engine knows (task queue, workflow ids,
// search attributes).
package relay

import (
	"fmt"
	"strings"
	"time"
)

// TimeZone is the county's local time zone. China keeps one offset all year, so a fixed
// zone avoids depending on the machine's tz database.
var TimeZone = time.FixedZone("CST", 8*3600)

// DateLayout is how dates are written everywhere: files, flags and JSON.
const DateLayout = "2006-01-02"

// ParseDate reads a county-local date (YYYY-MM-DD).
func ParseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(DateLayout, s, TimeZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("日期 %q 无法识别，应为 YYYY-MM-DD", s)
	}
	return t, nil
}

// DeadlineEnd is the instant a deadline passes: the end of its county-local day.
func DeadlineEnd(date string) (time.Time, error) {
	d, err := ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1), nil
}

// Meeting identifies the standing committee meeting that adopted a task list.
type Meeting struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	Date string `json:"date" yaml:"date"` // YYYY-MM-DD
}

// Unit is a responsible unit (责任单位), named by its directory id.
type Unit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Leader is a deputy county head (分管副县长).
type Leader struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title"`
}

// Item is one decomposed item of a meeting's task list: the committee's text plus
// the responsibility the executive meeting assigns, all as directory ids.
type Item struct {
	No           int      `json:"no"`
	Title        string   `json:"title"`
	Requirements string   `json:"requirements,omitempty"`
	Lead         string   `json:"lead"`             // unit id
	Co           []string `json:"co,omitempty"`     // unit ids
	Deputy       string   `json:"deputy"`           // leader id
	Deadline     string   `json:"deadline"`         // YYYY-MM-DD; "" for a standing task
	Source       Source   `json:"source,omitempty"` // the item as the committee wrote it
	// Standing: a standing task (长期坚持, 持续推进, 常态化): no deadline.
	Standing bool `json:"standing,omitempty"`
	// Feedback is the follow-up cadence: FeedbackMonthly (a continuing task, progress
	// reported every month) or empty.
	Feedback string `json:"feedback,omitempty"`
	// Milestones are the nodes of a one-off task (序时进度), by date.
	Milestones []Milestone `json:"milestones,omitempty"`
}

// Source keeps the committee's original wording of an item, before names were
// resolved to ids, so what was adopted can always be shown as it was written.
type Source struct {
	Lead   string   `json:"lead,omitempty"`
	Co     []string `json:"co,omitempty"`
	Leader string   `json:"leader,omitempty"`
	// LeadID and CoIDs are the units those names designated when the list was read
	// (CoIDs parallel to Co), so that the wording stays with the unit it named even
	// after a reassignment. Empty for items read before they were kept.
	LeadID string   `json:"lead_id,omitempty"`
	CoIDs  []string `json:"co_ids,omitempty"`
}

// Written is the list's wording of the lead unit and of each supporting unit where it
// differs from the directory's name: lead "" when equal, co parallel to it.Co ("" where
// equal) and nil when none differs. leadName and coNames are the directory's names of
// it.Lead and it.Co.
func Written(it Item, leadName string, coNames []string) (lead string, co []string) {
	src := it.Source
	if src.LeadID != "" && src.LeadID == it.Lead && differs(src.Lead, leadName, it.Lead) {
		lead = src.Lead
	}
	differ := false
	out := make([]string, len(it.Co))
	for i, id := range it.Co {
		name := ""
		if i < len(coNames) {
			name = coNames[i]
		}
		for j, cid := range src.CoIDs {
			if cid == id && j < len(src.Co) {
				if differs(src.Co[j], name, id) {
					out[i], differ = src.Co[j], true
				}
				break
			}
		}
	}
	if differ {
		co = out
	}
	return lead, co
}

// differs reports whether the wording w says more than the unit's name or id.
func differs(w, name, id string) bool { return w != "" && w != name && w != id }

// AddressedNames are the names a notice gives the item's units: the directory's
// names with the list's wording where it differs (AddressedAs), the lead's and the
// supporting units' (parallel to it.Co).
func AddressedNames(it Item, leadName string, coNames []string) (string, []string) {
	lw, cw := Written(it, leadName, coNames)
	co := make([]string, len(coNames))
	for i, n := range coNames {
		co[i] = n
		if i < len(cw) {
			co[i] = AddressedAs(n, cw[i])
		}
	}
	if coNames == nil {
		co = nil
	}
	return AddressedAs(leadName, lw), co
}

// AddressedAsAll is AddressedAs for a unit the list names in several ways (a notice
// listing several items): every distinct wording, in the order given.
func AddressedAsAll(name string, written []string) string {
	var extra []string
	seen := map[string]bool{}
	for _, w := range written {
		if w == "" || w == name || seen[w] {
			continue
		}
		seen[w] = true
		extra = append(extra, w)
	}
	switch {
	case len(extra) == 0:
		return name
	case len(extra) == 1:
		return AddressedAs(name, extra[0])
	}
	var inner []string
	for _, w := range extra {
		if !strings.HasPrefix(w, name) { // a merged form already names the body
			inner = append(inner, w)
		}
	}
	if len(inner) == 0 {
		return AddressedAs(name, extra[0])
	}
	return name + "（" + strings.Join(inner, "、") + "）"
}

// AddressedAs is how a unit is named where the list's wording differs from the
// directory's name: the name with the wording in brackets (县人力资源和社会保障局（县医疗
// 保障局）), or the wording alone when it already names the body (a merged form that
// starts with the name).
func AddressedAs(name, written string) string {
	switch {
	case written == "" || written == name:
		return name
	case strings.HasPrefix(written, name):
		return written
	}
	return name + "（" + written + "）"
}

// Plan is a validated task list with every name resolved: what `submit` hands to the
// engine and the executive meeting adopts. It carries the names of the units and
// leaders it mentions so that the engine never needs the directory file.
type Plan struct {
	Meeting    Meeting  `json:"meeting"`
	Items      []Item   `json:"items"`
	Units      []Unit   `json:"units"`   // every unit the items name
	Leaders    []Leader `json:"leaders"` // every deputy of the directory (adoption may pick any)
	SourceFile string   `json:"source_file,omitempty"`
}

// UnitName returns a unit's name, or its id when the plan does not know it.
func (p *Plan) UnitName(id string) string {
	for _, u := range p.Units {
		if u.ID == id {
			return u.Name
		}
	}
	return id
}

// Leader returns the deputy with the given id.
func (p *Plan) Leader(id string) (Leader, bool) {
	for _, l := range p.Leaders {
		if l.ID == id {
			return l, true
		}
	}
	return Leader{}, false
}
