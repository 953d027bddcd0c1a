package console

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"taskrelay/internal/accounts"
	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	model "taskrelay/internal/task"
)

// Filter is a list's filters, read from the query string. Every value is checked
// against the directory or a fixed set before it goes into a visibility query.
type Filter struct {
	Meeting, Unit, Deputy, State, Light string
	Due                                 bool   // due this month, not closed
	Page                                int    // the page's number, for display
	At                                  cursor // where the page starts
}

// cursor is where a page starts: a segment of the board's order and the visibility
// store's page token inside it. It travels in the "at" parameter.
type cursor struct {
	Seg   int
	Token []byte
}

func (c cursor) String() string {
	return strconv.Itoa(c.Seg) + "." + base64.RawURLEncoding.EncodeToString(c.Token)
}

func parseCursor(s string) (cursor, error) {
	seg, tok, ok := strings.Cut(s, ".")
	n, err := strconv.Atoi(seg)
	if !ok || err != nil || n < 0 || n >= segmentCount {
		return cursor{}, fmt.Errorf("翻页位置 %q 无效", s)
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return cursor{}, fmt.Errorf("翻页位置 %q 无效", s)
	}
	return cursor{n, b}, nil
}

// signCursor and openCursor: a page position in a link carries the console's
// signature, so the engine only gets back page tokens it issued (a made-up token can
// stall a listing until the request times out).
func (s *Server) signCursor(c cursor) string {
	v := c.String()
	return v + "." + s.cfg.Sessions.Sign("cursor", v)
}

func (s *Server) openCursor(p string) (cursor, error) {
	i := strings.LastIndexByte(p, '.')
	if i < 0 || !s.cfg.Sessions.Verify("cursor", p[:i], p[i+1:]) {
		return cursor{}, fmt.Errorf("翻页位置 %q 无效，请从第一页重新浏览", p)
	}
	return parseCursor(p[:i])
}

var meetingIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

var filterStates = []relay.State{relay.StateDispatched, relay.StateAcknowledged, relay.StateInProgress,
	relay.StateCompletionSubmitted, relay.StateClosed}

var filterLights = []relay.Light{relay.Red, relay.Yellow, relay.Green}

func (s *Server) readFilter(v url.Values) (Filter, error) {
	f := Filter{Meeting: strings.TrimSpace(v.Get("meeting")), Unit: v.Get("unit"), Deputy: v.Get("deputy"),
		State: v.Get("state"), Light: v.Get("light"), Due: v.Get("due") == "1", Page: 1}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return f, fmt.Errorf("页码 %q 无效", p)
		}
		f.Page = n
	}
	if at := v.Get("at"); at != "" {
		c, err := s.openCursor(at)
		if err != nil {
			return f, err
		}
		f.At = c
	}
	if f.Meeting != "" && !meetingIDRE.MatchString(f.Meeting) {
		return f, fmt.Errorf("会议编号 %q 无效", f.Meeting)
	}
	if f.Unit != "" {
		if _, ok := s.cfg.Directory.Unit(f.Unit); !ok {
			return f, fmt.Errorf("没有单位 %q", f.Unit)
		}
	}
	if f.Deputy != "" {
		if _, ok := s.cfg.Directory.Leader(f.Deputy); !ok {
			return f, fmt.Errorf("没有县领导 %q", f.Deputy)
		}
	}
	if f.State != "" && !oneOf(relay.State(f.State), filterStates) {
		return f, fmt.Errorf("状态 %q 无效", f.State)
	}
	if f.Light != "" && !oneOf(relay.Light(f.Light), filterLights) {
		return f, fmt.Errorf("灯色 %q 无效", f.Light)
	}
	return f, nil
}

func oneOf[T comparable](x T, xs []T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Query is the visibility filter for f: the filtering happens in the engine's store.
func (f Filter) Query(now time.Time) string {
	var due string
	if f.Due {
		// RelayDeadline is the end of the deadline day (a midnight): a deadline in this
		// month ends after the month's first midnight and at the latest on the next
		// month's first. The upper bound is a minute past that midnight and strict,
		// which selects the same instants without relying on equality of times.
		local := now.In(relay.TimeZone)
		first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, relay.TimeZone)
		due = relay.And(
			relay.Gt(relay.SADeadline, first.Add(time.Minute).Format(time.RFC3339)),
			relay.Lt(relay.SADeadline, first.AddDate(0, 1, 0).Add(time.Minute).Format(time.RFC3339)),
			relay.Ne(relay.SAState, relay.StateClosed))
	}
	return relay.And(
		optEq(relay.SAMeeting, f.Meeting), optEq(relay.SAUnits, f.Unit), optEq(relay.SADeputy, f.Deputy),
		optEq(relay.SAState, f.State), optEq(relay.SALight, f.Light), due)
}

// optEq is key = v, or no condition when v is empty.
func optEq(key temporal.SearchAttributeKey, v string) string {
	if v == "" {
		return ""
	}
	return relay.Eq(key, v)
}

// values is f as a query string, page excluded.
func (f Filter) values() url.Values {
	v := url.Values{}
	set := func(k, x string) {
		if x != "" {
			v.Set(k, x)
		}
	}
	set("meeting", f.Meeting)
	set("unit", f.Unit)
	set("deputy", f.Deputy)
	set("state", f.State)
	set("light", f.Light)
	if f.Due {
		v.Set("due", "1")
	}
	return v
}

// SortTasks puts open tasks first, red before yellow before green, then the earliest
// deadline, standing tasks (no deadline) after the dated ones: the red list leads
// every board.
func SortTasks(ts []relay.TaskSummary) {
	slices.SortFunc(ts, func(a, b relay.TaskSummary) int { return compareTasks(&a, &b) })
}

func taskRank(t *relay.TaskSummary) int {
	if t.State == relay.StateClosed {
		return 4
	}
	switch t.Light {
	case relay.Red:
		return 0
	case relay.Yellow:
		return 1
	case relay.Green:
		return 2
	}
	return 3
}

// standingRank: a standing task's empty deadline would sort before every date.
func standingRank(t *relay.TaskSummary) int {
	if t.Standing {
		return 1
	}
	return 0
}

// compareTasks is the board's order; it is total (meeting and item number last).
func compareTasks(a, b *relay.TaskSummary) int {
	return cmp.Or(
		cmp.Compare(taskRank(a), taskRank(b)),
		cmp.Compare(standingRank(a), standingRank(b)),
		cmp.Compare(a.Deadline, b.Deadline),
		cmp.Compare(a.Meeting, b.Meeting),
		cmp.Compare(a.No, b.No),
	)
}

// Listing is one page of a filtered task list in the board's order, with its counts.
type Listing struct {
	Path   string // the page the list is on
	Filter Filter
	Fixed  string // the filter the role imposes ("unit" or "deputy"), hidden from the form
	Tasks  []relay.TaskSummary
	Total  int
	Red    int
	Yellow int
	Green  int
	Closed int
	// Withdrawn (已撤销) are counted apart from the closed ones.
	Withdrawn int
	Page      int
	Pages     int
	First     int // 1-based index of the first task shown
	FirstURL  string
	NextURL   string
	Units     []directory.Unit
	Leaders   []directory.Leader
	States    []relay.State
	Lights    []relay.Light
	Meetings  []meetingOption
}

// The board's order is one segment per bucket of the task model (model.Buckets),
// each a visibility query: open red tasks, open yellow, open green, then closed and
// withdrawn ones, counted apart. Each is counted by the engine and read one page at a
// time, so a board of 10,000 tasks reads five counts and one page of rows, never the
// whole list.
const segmentCount = 5

func segments(base string) [segmentCount]string {
	var out [segmentCount]string
	for i, b := range model.Buckets {
		out[i] = relay.And(base, bucketQuery(b))
	}
	return out
}

// bucketQuery is the visibility filter of the tasks model.BucketOf puts in b.
func bucketQuery(b model.Bucket) string {
	open := relay.And(relay.Ne(relay.SAState, relay.StateClosed), relay.Ne(relay.SAState, relay.StateWithdrawn))
	switch b {
	case model.BucketClosed:
		return relay.Eq(relay.SAState, relay.StateClosed)
	case model.BucketWithdrawn:
		return relay.Eq(relay.SAState, relay.StateWithdrawn)
	case model.BucketRed:
		return relay.And(relay.Eq(relay.SALight, relay.Red), open)
	case model.BucketYellow:
		return relay.And(relay.Eq(relay.SALight, relay.Yellow), open)
	}
	return relay.And(relay.Eq(relay.SALight, relay.Green), open)
}

// list reads one page of a filtered listing; fixed names the filter the role imposes.
func (s *Server) list(q *req, path string, f Filter, fixed string) (Listing, error) {
	segs := segments(f.Query(s.cfg.Now()))
	var (
		counts [segmentCount]int
		errs   [segmentCount + 1]error
		ms     []relayclient.MeetingRef
		wg     sync.WaitGroup
	)
	for i := range segs {
		wg.Add(1)
		go func() { defer wg.Done(); counts[i], errs[i] = s.cfg.API.CountTasks(q.ctx, segs[i]) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); ms, errs[segmentCount] = s.cfg.API.Meetings(q.ctx) }()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Listing{}, err
		}
	}
	l := Listing{Path: path, Filter: f, Fixed: fixed, States: filterStates, Lights: filterLights,
		Units: s.cfg.Directory.Units, Leaders: s.cfg.Directory.Leaders, Meetings: s.meetingOptions(q, ms),
		Red: counts[0], Yellow: counts[1], Green: counts[2], Closed: counts[3], Withdrawn: counts[4]}
	l.Total = l.Red + l.Yellow + l.Green + l.Closed + l.Withdrawn
	size := s.cfg.PageSize
	l.Pages = max(1, (l.Total+size-1)/size)
	l.Page = min(max(f.Page, 1), l.Pages)
	l.First = (l.Page-1)*size + 1

	at := f.At
	for at.Seg < segmentCount && len(l.Tasks) < size {
		if counts[at.Seg] == 0 {
			at = cursor{Seg: at.Seg + 1}
			continue
		}
		rows, next, err := s.cfg.API.TasksPage(q.ctx, segs[at.Seg], size-len(l.Tasks), at.Token)
		if err != nil {
			return Listing{}, err
		}
		l.Tasks = append(l.Tasks, rows...)
		if len(next) == 0 {
			at = cursor{Seg: at.Seg + 1}
		} else {
			at.Token = next
		}
	}
	// Within the page, the board's order (segments stay in order: light ranks first).
	SortTasks(l.Tasks)
	link := func(page int, c *cursor) string {
		v := f.values()
		if c != nil {
			v.Set("page", strconv.Itoa(page))
			v.Set("at", s.signCursor(*c))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	rest := 0
	for i := at.Seg; i < segmentCount; i++ {
		rest += counts[i]
	}
	if at.Seg < segmentCount && rest > 0 && l.Page < l.Pages {
		l.NextURL = link(l.Page+1, &at)
	}
	if l.Page > 1 {
		l.FirstURL = link(1, nil)
	}
	return l, nil
}

type boardData struct {
	Listing
	Attention  []relay.TaskSummary // red and yellow, open
	Extensions []relay.TaskSummary // extension requests waiting for a decision
	Pending    []relay.TaskSummary // dispatched, not yet acknowledged
	Unread     []unreadTask        // open tasks whose notice a unit has not opened after a day
	Mine       []relay.TaskSummary // a unit officer's own open tasks (责任人), listed first
	ScopeName  string
	All        bool // the county head's page: every task, instructions on any
}

// unreadTask is a task whose dispatch notice some of its units have not opened.
type unreadTask struct {
	relay.TaskSummary
	UnitNames []string
}

// unreadMax bounds how many open tasks the board looks at for unread notices.
const unreadMax = 1000

// unread lists open tasks dispatched more than relay.UnreadAfter ago whose notice
// one of their units has not opened yet (from the task summaries' read receipts).
func (s *Server) unread(q *req) ([]unreadTask, error) {
	ts, _, err := s.cfg.API.TasksPage(q.ctx, fmt.Sprintf("%s != '%s'", relay.SAState.GetName(), relay.StateClosed), unreadMax, nil)
	if err != nil {
		return nil, err
	}
	cutoff := time.Now().Add(-relay.UnreadAfter)
	var out []unreadTask
	for _, t := range ts {
		if t.DispatchedAt.IsZero() || t.DispatchedAt.After(cutoff) {
			continue
		}
		if us := t.Unread(); len(us) > 0 {
			row := unreadTask{TaskSummary: t}
			for _, u := range us {
				row.UnitNames = append(row.UnitNames, s.unitName(u))
			}
			out = append(out, row)
		}
	}
	slices.SortFunc(out, func(a, b unreadTask) int { return a.DispatchedAt.Compare(b.DispatchedAt) })
	return out, nil
}

func (s *Server) board(q *req) {
	f, err := s.readFilter(q.r.URL.Query())
	if err != nil {
		s.fail(q, http.StatusBadRequest, "筛选条件无效："+err.Error())
		return
	}
	l, err := s.list(q, "/board", f, "")
	if err != nil {
		s.fail(q, http.StatusBadGateway, err.Error())
		return
	}
	unread, err := s.unread(q)
	if err != nil {
		s.fail(q, http.StatusBadGateway, err.Error())
		return
	}
	s.render(q, http.StatusOK, "board", "督查看板", boardData{Listing: l, Unread: unread}, "", "")
}

// attentionMax bounds the "needs attention" lists above a unit's or deputy's tasks.
const attentionMax = 200

// attention lists a scope's open red and yellow tasks (and those not yet acknowledged).
func (s *Server) attention(q *req, scope string) ([]relay.TaskSummary, error) {
	ts, _, err := s.cfg.API.TasksPage(q.ctx, relay.And(scope, relay.Ne(relay.SAState, relay.StateClosed),
		relay.Or(relay.In(relay.SALight, relay.Red, relay.Yellow), relay.Eq(relay.SAState, relay.StateDispatched))),
		attentionMax, nil)
	SortTasks(ts)
	return ts, err
}

func (s *Server) myTasks(q *req) {
	f, ok := s.scopeFilter(q)
	if !ok {
		return
	}
	f.Unit = q.user.Unit
	l, att, ok := s.scoped(q, "/my", f, "unit", relay.Eq(relay.SAUnits, f.Unit))
	if !ok {
		return
	}
	d := boardData{Listing: l, ScopeName: s.unitName(q.user.Unit)}
	if d.Mine, ok = s.mine(q); !ok {
		return
	}
	for _, t := range att {
		if t.State == relay.StateDispatched {
			d.Pending = append(d.Pending, t)
		}
		if t.Light == relay.Red || t.Light == relay.Yellow {
			d.Attention = append(d.Attention, t)
		}
	}
	s.render(q, http.StatusOK, "my", "我的任务", d, "", "")
}

// mine lists the open tasks of the user's unit the unit head gave to the user, in
// the board's order; on an error it has already answered.
func (s *Server) mine(q *req) ([]relay.TaskSummary, bool) {
	ts, _, err := s.cfg.API.TasksPage(q.ctx, relay.And(relay.Eq(relay.SAUnits, q.user.Unit),
		relay.Ne(relay.SAState, relay.StateClosed)), attentionMax, nil)
	if err != nil {
		s.fail(q, http.StatusBadGateway, err.Error())
		return nil, false
	}
	var out []relay.TaskSummary
	for _, t := range ts {
		if t.AssignedTo(q.user.Unit, q.user.Username) {
			out = append(out, t)
		}
	}
	SortTasks(out)
	return out, true
}

func (s *Server) leader(q *req) {
	f, ok := s.scopeFilter(q)
	if !ok {
		return
	}
	// A deputy sees the portfolio; the county head every task (and decides no extension).
	_, all := s.head(q.user)
	fixed, scope := "", relay.Ne(relay.SAState, relay.StateWithdrawn)
	if !all {
		f.Deputy = q.user.Leader
		fixed, scope = "deputy", relay.Eq(relay.SADeputy, f.Deputy)
	}
	l, att, ok := s.scoped(q, "/leader", f, fixed, scope)
	if !ok {
		return
	}
	d := boardData{Listing: l, ScopeName: s.leaderName(q.user.Leader), All: all}
	for _, t := range att {
		if t.Extension != nil && !all {
			d.Extensions = append(d.Extensions, t)
		}
		if t.Light == relay.Red || t.Light == relay.Yellow {
			d.Attention = append(d.Attention, t)
		}
	}
	s.render(q, http.StatusOK, "leader", "分管任务", d, "", "")
}

// scopeFilter reads the filter of a page scoped to a unit or a deputy.
func (s *Server) scopeFilter(q *req) (Filter, bool) {
	f, err := s.readFilter(q.r.URL.Query())
	if err != nil {
		s.fail(q, http.StatusBadRequest, "筛选条件无效："+err.Error())
		return f, false
	}
	return f, true
}

// scoped reads, side by side, one page of a scope's tasks and the tasks in it that
// need attention; on an error it has already answered.
func (s *Server) scoped(q *req, path string, f Filter, fixed, scope string) (Listing, []relay.TaskSummary, bool) {
	var (
		l    Listing
		att  []relay.TaskSummary
		errs [2]error
		wg   sync.WaitGroup
	)
	wg.Add(2)
	go func() { defer wg.Done(); l, errs[0] = s.list(q, path, f, fixed) }()
	go func() { defer wg.Done(); att, errs[1] = s.attention(q, scope) }()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			s.fail(q, http.StatusBadGateway, err.Error())
			return l, nil, false
		}
	}
	return l, att, true
}

func (s *Server) unitName(id string) string {
	if u, ok := s.cfg.Directory.Unit(id); ok {
		return u.Name
	}
	return id
}

func (s *Server) leaderName(id string) string {
	if id == relay.Inspection {
		return "县政府督查室"
	}
	if l, ok := s.cfg.Directory.Leader(id); ok {
		return l.Name
	}
	if h, ok := s.cfg.Directory.ResolveHead(id); ok {
		return h.Name
	}
	return id
}

// --- the notices a unit received ---

type noticeRow struct {
	MeetingID   string
	MeetingName string
	NoticeID    string
	DocNo       string // the 交办单's 文号 (empty until numbered)
	Anchor      string
	At          *time.Time
	ReadAt      *time.Time // when one of the unit's people first opened it
	Items       []noticeItem
}

type noticeItem struct {
	No     int
	TaskID string
	Title  string
	Role   string
}

func (s *Server) notices(q *req) {
	ms, views, errs, ok := s.allMeetings(q)
	if !ok {
		return
	}
	var out []*noticeRow
	for i, v := range views {
		if errs[i] != nil {
			continue
		}
		id := ms[i].ID
		for _, n := range v.Notices {
			if n.Unit != q.user.Unit {
				continue
			}
			row := &noticeRow{MeetingID: id, MeetingName: v.Meeting.Name, NoticeID: n.NoticeID, DocNo: n.DocNo, Anchor: noticeAnchor(n.NoticeID), At: v.DispatchedAt}
			if row.MeetingName == "" {
				row.MeetingName = id
			}
			if at, ok := s.readTimes(q, id)[q.user.Unit]; ok {
				row.ReadAt = &at
			}
			titles := map[int]string{}
			for _, it := range v.Items {
				titles[it.No] = it.Title
			}
			for _, it := range n.Items {
				row.Items = append(row.Items, noticeItem{it.No, relay.TaskID(id, it.No), titles[it.No], it.Role})
			}
			out = append(out, row)
		}
	}
	flash := ""
	if q.r.URL.Query().Get("opened") != "" {
		flash = "已记录本单位已读。"
	}
	s.render(q, http.StatusOK, "notices", "收到的通知", struct {
		UnitName string
		Notices  []*noticeRow
	}{s.unitName(q.user.Unit), out}, flash, "")
}

// canSeeTask is the one rule for reading a task: the offices (and the province's
// inspectors) see all, a unit only its own (lead or supporting), a deputy only the
// portfolio's.
func canSeeTask(u accounts.User, t relay.TaskView) bool {
	switch u.Role {
	case accounts.RoleOffice, accounts.RoleInspection, accounts.RoleAdmin, accounts.RoleProvince:
		return true
	case accounts.RoleUnit, accounts.RoleUnitHead:
		return t.IsUnitOf(u.Unit)
	case accounts.RoleLeader:
		return t.Deputy == u.Leader
	}
	return false
}
