package relay

import (
	"fmt"
	"sort"
	"time"
)

// A big task list does not fit in one payload (the engine refuses payloads over
// 2 MB; 10,000 items are about 4 MB), so a list past InlineMaxItems or InlineMaxBytes
// is kept in parts: each part is a MeetingPlanPart workflow whose input is up to
// PartMaxItems items (at most PartMaxBytes), and the meeting's relay carries only
// references to its parts. A closed workflow's input is immutable, retained with the
// namespace, readable in the Temporal UI, and shared by every worker replica.
const (
	PartWorkflowName = "MeetingPlanPart"

	InlineMaxItems = 500
	InlineMaxBytes = 512 << 10
	PartMaxItems   = 500
	PartMaxBytes   = 256 << 10
)

// PartWorkflowID names part k of a meeting's list; digest identifies the list's
// content, so a resubmission of the same list finds its parts, and a different list
// under the same meeting id never mixes with them.
func PartWorkflowID(meetingID, digest string, k int) string {
	return fmt.Sprintf("meeting-plan:%s:%s:%d", meetingID, digest, k)
}

// PartInput is one part of a list: the part workflow's input.
type PartInput struct {
	MeetingID string `json:"meeting_id"`
	Index     int    `json:"index"`
	Items     []Item `json:"items"`
}

// PlanPart is the meeting's reference to one part: where it is, how many items it
// holds and their numbers.
type PlanPart struct {
	WorkflowID string    `json:"workflow_id"`
	Count      int       `json:"count"`
	Nos        []NoRange `json:"nos"`
}

// NoRange is an inclusive range of item numbers, [from, to].
type NoRange [2]int

// NoRanges compresses item numbers into sorted inclusive ranges.
func NoRanges(items []Item) []NoRange {
	nos := make([]int, 0, len(items))
	for _, it := range items {
		nos = append(nos, it.No)
	}
	sort.Ints(nos)
	var rs []NoRange
	for _, n := range nos {
		if k := len(rs) - 1; k >= 0 && (n == rs[k][1] || n == rs[k][1]+1) {
			rs[k][1] = n
			continue
		}
		rs = append(rs, NoRange{n, n})
	}
	return rs
}

// Has reports whether item no is in the part.
func (p PlanPart) Has(no int) bool {
	i := sort.Search(len(p.Nos), func(i int) bool { return p.Nos[i][1] >= no })
	return i < len(p.Nos) && p.Nos[i][0] <= no
}

// ApplyDeputies returns items with the deputies the executive meeting changed.
func ApplyDeputies(items []Item, deputies map[int]string) []Item {
	if len(deputies) == 0 {
		return items
	}
	out := make([]Item, len(items))
	copy(out, items)
	for i := range out {
		if d, ok := deputies[out[i].No]; ok {
			out[i].Deputy = d
		}
	}
	return out
}

// TaskInput is the start of an item's task. p needs its meeting, units and leaders
// only, not its items.
func (p *Plan) TaskInput(it Item, adopted time.Time) TaskInput {
	in := TaskInput{
		TaskID:       TaskID(p.Meeting.ID, it.No),
		Meeting:      p.Meeting,
		Item:         it,
		LeadName:     p.UnitName(it.Lead),
		DispatchedAt: adopted,
	}
	for _, c := range it.Co {
		in.CoNames = append(in.CoNames, p.UnitName(c))
	}
	if l, ok := p.Leader(it.Deputy); ok {
		in.DeputyName = l.Name
	}
	return in
}

// DispatchNumbers is the part of byUnit (unit -> 交办单 number) that concerns item
// it: its lead and co units' numbers; nil when none is numbered.
func DispatchNumbers(it Item, byUnit map[string]string) map[string]string {
	var out map[string]string
	for _, u := range append([]string{it.Lead}, it.Co...) {
		if no := byUnit[u]; no != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[u] = no
		}
	}
	return out
}

// DispatchNoticeID is the stable id of a unit's dispatch notice for a meeting.
func DispatchNoticeID(meetingID, unit string) string { return "dispatch:" + meetingID + ":" + unit }

// DispatchNotices builds one notice per unit listing every item it leads or
// supports (令出一家), in unit id order, and the matching summary for the meeting's
// view. Deterministic: workflow code calls it.
func (p *Plan) DispatchNotices(items []Item, at time.Time) ([]Notice, []DispatchNotice) {
	byUnit := map[string][]NoticeItem{}
	written := map[string][]string{} // unit -> the list's wordings of it
	for _, it := range items {
		in := p.TaskInput(it, at)
		// The units as the committee wrote them (县人力资源和社会保障局（县医疗保障局）).
		leadName, coNames := AddressedNames(it, in.LeadName, in.CoNames)
		ni := NoticeItem{
			No: it.No, TaskID: in.TaskID, Title: it.Title, Requirements: it.Requirements,
			Deadline: it.Deadline, Standing: it.Standing, DeputyName: in.DeputyName,
			LeadUnitName: leadName, CoUnitNames: coNames,
			ItemHash: ItemRoot(p.Meeting, it),
		}
		lw, cw := Written(it, in.LeadName, in.CoNames)
		written[it.Lead] = append(written[it.Lead], lw)
		lead := ni
		lead.Role = RoleLead
		byUnit[it.Lead] = append(byUnit[it.Lead], lead)
		for i, c := range it.Co {
			if c == it.Lead {
				continue
			}
			if i < len(cw) {
				written[c] = append(written[c], cw[i])
			}
			co := ni
			co.Role = RoleCo
			byUnit[c] = append(byUnit[c], co)
		}
	}
	units := make([]string, 0, len(byUnit))
	for u := range byUnit {
		units = append(units, u)
	}
	sort.Strings(units)
	notices := make([]Notice, 0, len(units))
	views := make([]DispatchNotice, 0, len(units))
	for _, u := range units {
		items := byUnit[u]
		sort.SliceStable(items, func(i, j int) bool { return items[i].No < items[j].No })
		lead := 0
		refs := make([]NoticeRef, 0, len(items))
		for _, it := range items {
			if it.Role == RoleLead {
				lead++
			}
			refs = append(refs, NoticeRef{No: it.No, Role: it.Role})
		}
		id := DispatchNoticeID(p.Meeting.ID, u)
		toName := AddressedAsAll(p.UnitName(u), written[u])
		notices = append(notices, sealed(Notice{
			ID: id, Kind: NoticeDispatch,
			MeetingID: p.Meeting.ID, MeetingName: p.Meeting.Name,
			ToKind: ToUnit, To: u, ToName: toName,
			Subject: fmt.Sprintf("交办单：%s任务清单（%s）", p.Meeting.Name, toName),
			Body: fmt.Sprintf("经县政府常务会议研究，%s确定的事项中，共%d项由你单位承办，其中牵头%d项、配合%d项。请按时限要求抓好落实，及时在系统中签收并报送进展。",
				p.Meeting.Name, len(items), lead, len(items)-lead),
			Items:    items,
			IssuedAt: at,
		}))
		views = append(views, DispatchNotice{Unit: u, UnitName: p.UnitName(u), NoticeID: id, Items: refs})
	}
	return notices, views
}
