package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"taskrelay/examples"
	"taskrelay/internal/actor"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	model "taskrelay/internal/task"
	"taskrelay/internal/tasklist"
)

func connect(ctx context.Context) (*relayclient.Client, error) {
	cfg, err := countyConfig()
	if err != nil {
		return nil, err
	}
	c, err := relayclient.Dial(ctx, cfg, nil, 0)
	if err != nil {
		return nil, notConnected{err}
	}
	// A worker that does not answer is said so after CallTimeout, not after the
	// command's ten minutes; status waits a moment for a dispatch still catching up.
	c.CallTimeout, c.CatchUp = cfg.CallTimeout, statusCatchUp
	// Actions are signed with the operator's key (--operator, TASKRELAY_OPERATOR, or
	// the only one in the data folder); none: unsigned, which tasks refuse.
	if c.Signer, err = actor.PickOperator(cfg.DataDir, cfg.Operator); err != nil {
		c.Close()
		return nil, exitError{err.Error()}
	}
	// A meeting submitted from here accepts its adoption signed by these keys.
	if c.TrustedKeys, err = actor.ReadKeys(cfg.TrustedKeys()); err != nil {
		c.Close()
		return nil, exitError{err.Error()}
	}
	return c, nil
}

// statusCatchUp is how long status waits for an adopted meeting's dispatch to finish
// before saying it is still under way: enough for a small list right after a restart,
// short enough that the clerk is told at once.
const statusCatchUp = 5 * time.Second

// countyConfig is the configuration of the county a command acts on. When the
// environment lists several counties (TEMPORAL_NAMESPACES), one must be named: a list
// submitted to the wrong county would be relayed there.
func countyConfig() (config.Config, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return cfg, fmt.Errorf("配置有误: %w", err)
	}
	if len(cfg.Counties) > 1 && !cfg.NamespaceSet {
		return cfg, exitError{fmt.Sprintf("TEMPORAL_NAMESPACES 列出了多个县（%s）：请用 --namespace 或 TEMPORAL_NAMESPACE 指定县", strings.Join(cfg.NamespaceNames(), ","))}
	}
	return cfg.Selected(), nil
}

// withClient connects to the engine for f and closes the connection after it.
func withClient(ctx context.Context, f func(*relayclient.Client) error) error {
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c)
}

// readCommand runs a command that reads one thing (named by its one argument) from
// the engine and prints it, as text or with --json.
func readCommand(ctx context.Context, name string, args []string, what string, f func(c *relayclient.Client, arg string, asJSON bool) error) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, what)
	if err != nil {
		return err
	}
	return withClient(ctx, func(c *relayclient.Client) error { return f(c, pos[0], *asJSON) })
}

func loadDirectory(path string) (*directory.Directory, error) {
	if path == "" {
		cfg, err := config.FromEnv()
		if err != nil {
			return nil, fmt.Errorf("配置有误: %w", err)
		}
		path = cfg.Selected().Directory // the county's, when the worker serves several
	}
	return directory.LoadOr(path, examples.DirectoryFile, examples.Directory)
}

// problemsError prints one problem per line.
type problemsError struct{ lines []string }

func (p problemsError) Error() string { return strings.Join(p.lines, "\n") }

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func cmdSubmit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	adopt := fs.Bool("adopt", false, "adopt at once (the executive meeting's decision)")
	var mf tasklist.MeetingFlags
	fs.StringVar(&mf.ID, "meeting-id", "", "meeting id (required for .xlsx and .docx)")
	fs.StringVar(&mf.Name, "meeting-name", "", "meeting name")
	fs.StringVar(&mf.Date, "meeting-date", "", "meeting date YYYY-MM-DD")
	dirPath := fs.String("directory", "", "county directory file")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, "任务清单文件 FILE")
	if err != nil {
		return err
	}
	dir, err := loadDirectory(*dirPath)
	if err != nil {
		return asProblems(err)
	}
	plan, warnings, err := tasklist.CheckFile(pos[0], dir, mf)
	if err != nil {
		if *asJSON {
			if jerr := printJSON(map[string]any{"problems": problemsJSON(err)}); jerr != nil {
				return jerr
			}
		}
		return asProblems(err)
	}
	if !*asJSON {
		for _, w := range warnings {
			fmt.Println(w.String())
		}
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// A meeting that trusts no key would take its adoption from anyone: refused here,
	// before anything starts.
	if len(c.TrustedKeys) == 0 {
		cfg, _ := countyConfig() // read by connect without error
		return exitError{fmt.Sprintf("submit: 受信任密钥为空（%s）：请先运行 starter operator add NAME，或先启动控制台", cfg.TrustedKeys())}
	}
	t0 := time.Now()
	created, err := c.Submit(ctx, *plan)
	if err != nil {
		return err
	}
	if !*asJSON {
		if created {
			fmt.Printf("已提交：%s（%s），%d 项任务，待县政府常务会议通过。\n", plan.Meeting.Name, plan.Meeting.ID, len(plan.Items))
		} else {
			fmt.Printf("会议 %s 已提交过，未重复创建。\n", plan.Meeting.ID)
		}
	}
	if !*adopt {
		if *asJSON {
			return printJSON(map[string]any{"meeting": plan.Meeting.ID, "created": created, "items": len(plan.Items), "warnings": warningsJSON(warnings)})
		}
		m, tasks, err := c.Status(ctx, plan.Meeting.ID)
		if err != nil {
			return submitted{meeting: plan.Meeting.ID, err: err}
		}
		printStatus(m, tasks)
		fmt.Printf("\n通过并交办：starter adopt %s [--deputy 序号=县领导]...\n", plan.Meeting.ID)
		return nil
	}
	if err := adoptAndWait(ctx, c, plan.Meeting.ID, relay.AdoptRequest{By: adopter(c)}, t0, *asJSON, warningsJSON(warnings)); err != nil {
		return submitted{meeting: plan.Meeting.ID, adopting: true, err: err}
	}
	return nil
}

// adopter is who the adoption is recorded under: the operator signing it (the
// console shows 王某（操作员）), or the office when none signs.
func adopter(c *relayclient.Client) string {
	if c.Signer != nil && c.Signer.Name != "" {
		return c.Signer.Name
	}
	return relay.Office
}

// problemJSON is one problem of a refused list in `submit --json`; Row and Column
// locate it in a spreadsheet or Word table.
type problemJSON struct {
	File        string   `json:"file"`
	Item        int      `json:"item"`
	Field       string   `json:"field"`
	Message     string   `json:"message"`
	Suggestions []string `json:"suggestions"`
	Row         int      `json:"row,omitempty"`
	Column      string   `json:"column,omitempty"`
}

// warningJSON is one warning of an accepted list in `submit --json`.
type warningJSON struct {
	Item    int    `json:"item"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func problemsJSON(err error) []problemJSON {
	var ps tasklist.Problems
	if !errors.As(err, &ps) {
		return []problemJSON{{Message: err.Error(), Suggestions: []string{}}}
	}
	out := make([]problemJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, problemJSON{File: p.File, Item: p.Item, Field: p.Field, Message: p.Message,
			Suggestions: append([]string{}, p.Suggestions...), Row: p.Row, Column: p.Column})
	}
	return out
}

func warningsJSON(ws tasklist.Problems) []warningJSON {
	out := make([]warningJSON, 0, len(ws))
	for _, w := range ws {
		out = append(out, warningJSON{Item: w.Item, Field: w.Field, Message: w.Message})
	}
	return out
}

// adoptAndWait adopts and waits for the dispatch; warnings are the list's, when it
// was submitted in the same command (nil otherwise).
func adoptAndWait(ctx context.Context, c *relayclient.Client, meetingID string, req relay.AdoptRequest, t0 time.Time, asJSON bool, warnings []warningJSON) error {
	if _, err := c.Adopt(ctx, meetingID, req); err != nil {
		return err
	}
	m, err := c.WaitDispatched(ctx, meetingID)
	if err != nil {
		return err
	}
	took := time.Since(t0)
	// The adoption's own warnings: an item the list check already warned about (in
	// the same words, tasklist.PastDeadline) is not warned about twice.
	warnings, added := adoptionWarnings(warnings, m)
	if asJSON {
		out := map[string]any{"meeting": m.Meeting, "state": m.State, "tasks": len(m.Items),
			"notices": len(m.Notices), "seconds": took.Seconds()}
		if warnings != nil {
			out["warnings"] = warnings
		}
		return printJSON(out)
	}
	fmt.Printf("已通过并交办：%d 项任务已启动，%d 个单位各收到一份交办单（用时 %.2f 秒）。\n", len(m.Items), len(m.Notices), took.Seconds())
	for _, w := range added {
		fmt.Println(tasklist.Problem{File: meetingID, Item: w.Item, Field: w.Field, Message: w.Message}.String())
	}
	for _, f := range m.FailedNotices {
		fmt.Printf("注意：通知投递被拒绝：%s\n", f)
	}
	fmt.Printf("查看：starter status %s\n", meetingID)
	return nil
}

// adoptionWarnings are the list's warnings (given when it was submitted in the same
// command) and the adoption's added to them, each item's past deadline once; added
// are the adoption's new ones.
func adoptionWarnings(list []warningJSON, m relay.MeetingView) (all, added []warningJSON) {
	if m.DispatchedAt == nil {
		return list, nil
	}
	for _, w := range lateWarnings(m.Items, *m.DispatchedAt) {
		if !hasWarning(list, w.Item, w.Field) {
			added = append(added, w)
		}
	}
	if added == nil {
		return list, nil
	}
	return append(list, added...), added
}

func hasWarning(ws []warningJSON, item int, field string) bool {
	for _, w := range ws {
		if w.Item == item && w.Field == field {
			return true
		}
	}
	return false
}

// lateWarnings name each item whose deadline had passed when it was dispatched
// (tasklist.LateWarnings, in the list check's words).
func lateWarnings(items []relay.Item, dispatched time.Time) []warningJSON {
	return warningsJSON(tasklist.LateWarnings(items, dispatched))
}

func cmdAdopt(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("adopt", flag.ContinueOnError)
	d := deputies{}
	fs.Var(d, "deputy", "NO=LEADER: change the deputy in charge of item NO (repeatable)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, "会议编号 MEETING")
	if err != nil {
		return err
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return adoptAndWait(ctx, c, pos[0], relay.AdoptRequest{Deputies: d, By: adopter(c)}, time.Now(), *asJSON, nil)
}

// statusJSON is the shape `status --json` prints.
type statusJSON struct {
	Meeting struct {
		relay.Meeting
		State string `json:"state"`
	} `json:"meeting"`
	Tasks []taskLine `json:"tasks"`
}

type taskLine struct {
	ID           string      `json:"id"`
	No           int         `json:"no"`
	Title        string      `json:"title"`
	LeadUnit     string      `json:"lead_unit"`
	LeadUnitName string      `json:"lead_unit_name"`
	CoUnits      []string    `json:"co_units"`
	Deputy       string      `json:"deputy"`
	Deadline     string      `json:"deadline"`
	State        relay.State `json:"state"`
	Progress     int         `json:"progress"`
	Light        relay.Light `json:"light"`

	Standing        bool     `json:"standing"`
	OverdueDays     int      `json:"overdue_days"`
	LeadUnitWritten string   `json:"lead_unit_written,omitempty"`
	CoUnitsWritten  []string `json:"co_units_written,omitempty"`
}

// statusLine is one task of `status --json`.
func statusLine(t relay.TaskView) taskLine {
	return taskLine{ID: t.ID, No: t.No, Title: t.Title, LeadUnit: t.LeadUnit,
		LeadUnitName: t.LeadUnitName, CoUnits: t.CoUnits, Deputy: t.Deputy, Deadline: t.Deadline,
		State: t.State, Progress: t.Progress, Light: t.Light,
		Standing: t.Standing, OverdueDays: t.OverdueDays, LeadUnitWritten: t.LeadUnitWritten, CoUnitsWritten: t.CoUnitsWritten}
}

func cmdStatus(ctx context.Context, args []string) error {
	return readCommand(ctx, "status", args, "会议编号 MEETING", func(c *relayclient.Client, arg string, asJSON bool) error {
		m, tasks, err := c.Status(ctx, arg)
		if err != nil {
			return err
		}
		if !asJSON {
			printStatus(m, tasks)
			return nil
		}
		var out statusJSON
		out.Meeting.Meeting = m.Meeting
		out.Meeting.State = m.State
		out.Tasks = []taskLine{}
		for _, t := range tasks {
			out.Tasks = append(out.Tasks, statusLine(t))
		}
		return printJSON(out)
	})
}

func cmdTask(ctx context.Context, args []string) error {
	return readCommand(ctx, "task", args, "任务编号 TASK", func(c *relayclient.Client, arg string, asJSON bool) error {
		t, err := c.Task(ctx, arg)
		if err != nil {
			return err
		}
		if t.Timeline == nil {
			t.Timeline = []relay.Event{}
		}
		if asJSON {
			// instructions are always listed (empty when none); pushback only when there is one
			return printJSON(struct {
				relay.TaskView
				Instructions []relay.Instruction `json:"instructions"`
			}{t, append([]relay.Instruction{}, t.Instructions...)})
		}
		printTask(os.Stdout, t)
		return nil
	})
}

// noticeJSON is the shape `notices --json` prints.
type noticeJSON struct {
	Unit     string            `json:"unit"`
	UnitName string            `json:"unit_name"`
	NoticeID string            `json:"notice_id"`
	Items    []relay.NoticeRef `json:"items"`
	// ReadAt is when one of the unit's people first opened the notice (null: unread).
	ReadAt *time.Time `json:"read_at"`
}

func cmdNotices(ctx context.Context, args []string) error {
	return readCommand(ctx, "notices", args, "会议编号 MEETING", func(c *relayclient.Client, arg string, asJSON bool) error {
		ns, err := c.Notices(ctx, arg)
		if err != nil {
			return err
		}
		reads := map[string]time.Time{}
		if len(ns) > 0 {
			if reads, err = c.NoticeReads(ctx, arg); err != nil {
				return err
			}
		}
		readAt := func(unit string) *time.Time {
			if at, ok := reads[unit]; ok {
				return &at
			}
			return nil
		}
		if asJSON {
			out := []noticeJSON{}
			for _, n := range ns {
				out = append(out, noticeJSON{Unit: n.Unit, UnitName: n.UnitName, NoticeID: n.NoticeID, Items: n.Items, ReadAt: readAt(n.Unit)})
			}
			return printJSON(out)
		}
		if len(ns) == 0 {
			fmt.Println("尚未交办（会议任务清单未通过）。")
			return nil
		}
		for _, n := range ns {
			var parts []string
			for _, it := range n.Items {
				parts = append(parts, fmt.Sprintf("第%d项(%s)", it.No, relay.RoleLabel(it.Role)))
			}
			read := "未读"
			if at := readAt(n.Unit); at != nil {
				read = "已读 " + at.In(relay.TimeZone).Format("2006-01-02 15:04")
			}
			fmt.Printf("%s（%s）：交办单 1 份，%d 项：%s；%s\n", n.UnitName, n.Unit, len(n.Items), strings.Join(parts, "、"), read)
		}
		return nil
	})
}

// resolveUnit lets people name a unit by id, name or any of its plaques; an unknown
// name is refused (找不到单位, with suggestions).
func resolveUnit(name string) (string, error) {
	dir, err := loadDirectory("")
	if err != nil {
		return "", asProblems(err)
	}
	u, err := unitByName(dir, name)
	return u.ID, err
}

func resolveLeader(name string) (string, error) {
	if name == relay.Inspection || name == "督查室" || name == "县政府督查室" {
		return relay.Inspection, nil
	}
	dir, err := loadDirectory("")
	if err != nil {
		return "", asProblems(err)
	}
	l, err := leaderByName(dir, name)
	return l.ID, err
}

func cmdUnitAction(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	var req model.Request
	var percent string
	fs.StringVar(&req.Unit, "unit", "", "acting unit (id, name or alias)")
	fs.StringVar(&req.User, "user", "", "the person acting")
	asJSON := fs.Bool("json", false, "print JSON")
	var attach files
	if cmd != "ack" {
		fs.Var(&attach, "attach", "a file of evidence (repeatable)")
	}
	switch cmd {
	case "progress":
		fs.StringVar(&percent, "percent", "", "progress in per cent (40 or 40%)")
		fs.StringVar(&req.Note, "note", "", "progress note")
	case "extend":
		fs.StringVar(&req.Until, "until", "", "new deadline YYYY-MM-DD")
		fs.StringVar(&req.Note, "reason", "", "reason")
	case "complete":
		fs.StringVar(&req.Note, "note", "", "completion note")
	}
	pos, err := parse(fs, args, 1, "任务编号 TASK")
	if err != nil {
		return err
	}
	if req.Unit == "" {
		return exitError{cmd + ": 需要 --unit 指明操作单位"}
	}
	if cmd == "progress" {
		if strings.TrimSpace(percent) == "" {
			return exitError{"progress: 需要 --percent（0 到 100）"}
		}
		p, err := model.ParsePercent(percent)
		if err != nil {
			return exitError{fmt.Sprintf("progress: --percent %s：%v", percent, err)}
		}
		req.Percent = p
	}
	if req.Unit, err = resolveUnit(req.Unit); err != nil {
		return err
	}
	if cmd == "ack" {
		return act(ctx, pos[0], cmd, req, *asJSON)
	}
	if cmd == "complete" {
		if req.HeadReview, err = headReviewFor(req.Unit, req.User); err != nil {
			return err
		}
	}
	return actWithFiles(ctx, pos[0], cmd, req, attach, *asJSON)
}

func cmdDecide(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("decide-extension", flag.ContinueOnError)
	approve := fs.Bool("approve", false, "approve the extension")
	deny := fs.Bool("deny", false, "deny the extension")
	var req model.Request
	fs.StringVar(&req.By, "by", "", "deciding leader id, or inspection")
	fs.StringVar(&req.Note, "note", "", "opinion")
	fs.StringVar(&req.User, "user", "", "the person acting")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, "任务编号 TASK")
	if err != nil {
		return err
	}
	if *approve == *deny {
		return exitError{"decide-extension: 需要 --approve 或 --deny 之一"}
	}
	if req.By == "" {
		return exitError{"decide-extension: 需要 --by（分管县领导编号或 inspection）"}
	}
	if req.By, err = resolveLeader(req.By); err != nil {
		return err
	}
	req.Approve = *approve
	return act(ctx, pos[0], relay.UpdateDecideExtension, req, *asJSON)
}

func cmdVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	accept := fs.Bool("accept", false, "accept the completion")
	reject := fs.Bool("reject", false, "send the completion back")
	var req model.Request
	fs.StringVar(&req.Note, "note", "", "opinion (required to reject)")
	fs.StringVar(&req.User, "user", "", "the person acting")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, "任务编号 TASK")
	if err != nil {
		return err
	}
	if *accept == *reject {
		return exitError{"verify: 需要 --accept 或 --reject 之一"}
	}
	req.By = relay.Inspection
	req.Approve = *accept
	return act(ctx, pos[0], relay.UpdateVerify, req, *asJSON)
}

func act(ctx context.Context, taskID, action string, req model.Request, asJSON bool) error {
	// The engine refuses it too; checked here first so nothing is sent.
	if err := req.CheckText(action); err != nil {
		return exitError{action + ": " + err.Error()}
	}
	return withClient(ctx, func(c *relayclient.Client) error {
		t, err := c.Act(ctx, taskID, action, req)
		if err != nil {
			return err
		}
		return printActed(action, t, asJSON)
	})
}

func printActed(action string, t relay.TaskView, asJSON bool) error {
	if asJSON {
		return printJSON(t)
	}
	fmt.Printf("已完成：%s %s → 状态 %s，进度 %d%%，%s，时限 %s\n", relay.UpdateLabel(action), t.ID, relay.StateLabel(t.State), t.Progress, relay.LightLabel(t.Light), relay.DeadlineLabel(t.Deadline, t.Standing))
	return nil
}

// asProblems turns a validation error into one line per problem.
func asProblems(err error) error {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 1 {
		lines = append([]string{fmt.Sprintf("任务清单未通过校验，共 %d 个问题，未启动任何流程：", len(lines))}, lines...)
	}
	return problemsError{lines}
}
