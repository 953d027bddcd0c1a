package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
	"taskrelay/internal/task"
)

// The changes to adopted tasks (relay/changes.go): reassign, amend, pushback,
// decide-pushback, withdraw, instruct. Units and leaders are named by id, name or
// alias and resolved here from the directory: an unknown one is refused before the
// engine is asked anything.

// resolver resolves names strictly against the directory.
type resolver struct{ dir *directory.Directory }

func newResolver() (resolver, error) {
	d, err := loadDirectory("")
	if err != nil {
		return resolver{}, asProblems(err)
	}
	return resolver{d}, nil
}

func (r resolver) unit(name string) (relay.UnitRef, error) {
	u, err := unitByName(r.dir, name)
	if err != nil {
		return relay.UnitRef{}, err
	}
	return relay.UnitRef{ID: u.ID, Name: u.Name}, nil
}

// unitByName is how every command resolves a unit named on the command line: by id,
// name, alias or a body's several names (县人力资源和社会保障局（县医疗保障局）). An
// unknown name is refused as such, with the directory's nearest names, before the
// engine is asked anything (the engine would only say the unit may not act).
func unitByName(dir *directory.Directory, name string) (directory.Unit, error) {
	u, err := dir.ResolveWritten(name)
	if err == nil {
		return u, nil
	}
	return directory.Unit{}, exitError{"找不到单位“" + strings.TrimSpace(name) + "”" + didYouMean(dir.SuggestUnits(name), "目录中没有这个编号、名称或别名")}
}

// leaderByName is unitByName for a county leader.
func leaderByName(dir *directory.Directory, name string) (directory.Leader, error) {
	if l, ok := dir.ResolveLeader(name); ok {
		return l, nil
	}
	return directory.Leader{}, exitError{"找不到县领导“" + strings.TrimSpace(name) + "”" + didYouMean(dir.SuggestLeaders(name), "目录中没有这个编号或姓名")}
}

// didYouMean words the suggestions, or else says why nothing matched.
func didYouMean(suggestions []string, otherwise string) string {
	if len(suggestions) == 0 {
		return "（" + otherwise + "）"
	}
	return "（您是否要找：" + strings.Join(suggestions, "、") + "）"
}

// unitNamed resolves one unit named on the command line, and gives the resolver for
// the others.
func unitNamed(name string) (resolver, relay.UnitRef, error) {
	r, err := newResolver()
	if err != nil {
		return r, relay.UnitRef{}, err
	}
	u, err := r.unit(name)
	return r, u, err
}

func (r resolver) units(list string) ([]relay.UnitRef, error) {
	var out []relay.UnitRef
	for _, n := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		u, err := r.unit(strings.TrimSpace(n))
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (r resolver) leader(name string) (relay.UnitRef, error) {
	l, err := leaderByName(r.dir, name)
	if err != nil {
		return relay.UnitRef{}, err
	}
	return relay.UnitRef{ID: l.ID, Name: l.Name}, nil
}

// assignment fills a request's lead and supporting units from --lead and --co (set
// when given, even empty: --co "" removes every supporting unit).
func (r resolver) assignment(fs *flag.FlagSet, lead, co string, req *task.Request) error {
	if lead != "" {
		u, err := r.unit(lead)
		if err != nil {
			return err
		}
		req.Lead = &u
	}
	if flagSet(fs, "co") {
		us, err := r.units(co)
		if err != nil {
			return err
		}
		req.Co, req.SetCo = us, true
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func required(cmd, flagName, value, what string) error {
	if strings.TrimSpace(value) == "" {
		return exitError{fmt.Sprintf("%s: 需要 --%s（%s）", cmd, flagName, what)}
	}
	return nil
}

// changeCommand is the common part of a change command: its flags (the one carrying
// the reason, --user and --json, added to fs by the caller's own flags), the task
// named as its one argument, and the reason required.
type changeCommand struct {
	name, reasonFlag, reasonLabel string
	fs                            *flag.FlagSet
	req                           task.Request
	asJSON                        *bool
}

func newChange(name, reasonFlag, reasonLabel string, by string) *changeCommand {
	c := &changeCommand{name: name, reasonFlag: reasonFlag, reasonLabel: reasonLabel,
		fs: flag.NewFlagSet(name, flag.ContinueOnError), req: task.Request{By: by}}
	c.fs.StringVar(&c.req.Reason, reasonFlag, "", "reason")
	c.fs.StringVar(&c.req.User, "user", "", "the person acting")
	c.asJSON = c.fs.Bool("json", false, "print JSON")
	return c
}

// parse reads args and returns the task; a missing reason is refused.
func (c *changeCommand) parse(args []string) (string, error) {
	pos, err := parse(c.fs, args, 1, "任务编号 TASK")
	if err != nil {
		return "", err
	}
	return pos[0], required(c.name, c.reasonFlag, c.req.Reason, c.reasonLabel)
}

// send applies the change to the task.
func (c *changeCommand) send(ctx context.Context, task, update string) error {
	return change(ctx, task, update, c.req, *c.asJSON)
}

func cmdReassign(ctx context.Context, args []string) error {
	c := newChange("reassign", "reason", "调整理由", relay.Office)
	fs := c.fs
	lead := fs.String("lead", "", "new lead unit")
	co := fs.String("co", "", "supporting units, comma separated (replaces them)")
	deputy := fs.String("deputy", "", "new deputy in charge")
	task, err := c.parse(args)
	if err != nil {
		return err
	}
	if *lead == "" && !flagSet(fs, "co") && *deputy == "" {
		return exitError{"reassign: 需要 --lead、--co 或 --deputy 之一"}
	}
	r, err := newResolver()
	if err != nil {
		return err
	}
	if err := r.assignment(fs, *lead, *co, &c.req); err != nil {
		return err
	}
	if *deputy != "" {
		l, err := r.leader(*deputy)
		if err != nil {
			return err
		}
		c.req.Deputy = &l
	}
	r.dir.FollowLead(&c.req)
	return c.send(ctx, task, relay.UpdateReassign)
}

func cmdAmend(ctx context.Context, args []string) error {
	c := newChange("amend", "reason", "调整理由", relay.Office)
	c.fs.StringVar(&c.req.Deadline, "deadline", "", "new deadline YYYY-MM-DD")
	c.fs.StringVar(&c.req.Requirements, "requirements", "", "new requirements")
	task, err := c.parse(args)
	if err != nil {
		return err
	}
	if c.req.Deadline == "" && c.req.Requirements == "" {
		return exitError{"amend: 需要 --deadline 或 --requirements 之一"}
	}
	return c.send(ctx, task, relay.UpdateAmend)
}

func cmdWithdraw(ctx context.Context, args []string) error {
	c := newChange("withdraw", "reason", "撤销理由", relay.Office)
	task, err := c.parse(args)
	if err != nil {
		return err
	}
	return c.send(ctx, task, relay.UpdateWithdraw)
}

func cmdPushback(ctx context.Context, args []string) error {
	c := newChange("pushback", "reason", "退回理由", "")
	unit := c.fs.String("unit", "", "the unit pushing back")
	suggest := c.fs.String("suggest", "", "the unit believed responsible")
	task, err := c.parse(args)
	if err != nil {
		return err
	}
	if err := required("pushback", "unit", *unit, "退回单位"); err != nil {
		return err
	}
	r, u, err := unitNamed(*unit)
	if err != nil {
		return err
	}
	c.req.Unit = u.ID
	if *suggest != "" {
		s, err := r.unit(*suggest)
		if err != nil {
			return err
		}
		c.req.Suggest = &s
	}
	return c.send(ctx, task, relay.UpdatePushback)
}

func cmdDecidePushback(ctx context.Context, args []string) error {
	c := newChange("decide-pushback", "note", "决定意见", relay.Office)
	fs := c.fs
	fs.BoolVar(&c.req.Keep, "keep", false, "keep the assignment")
	lead := fs.String("lead", "", "new lead unit")
	co := fs.String("co", "", "supporting units, comma separated")
	pos, err := parse(fs, args, 1, "任务编号 TASK")
	if err != nil {
		return err
	}
	if c.req.Keep == (*lead != "") {
		return exitError{"decide-pushback: 需要 --keep 或 --lead 之一"}
	}
	if c.req.Keep && flagSet(fs, "co") {
		return exitError{"decide-pushback: --keep 不能与 --co 同用"}
	}
	if err := required("decide-pushback", "note", c.req.Reason, "决定意见"); err != nil {
		return err
	}
	if !c.req.Keep {
		r, err := newResolver()
		if err != nil {
			return err
		}
		if err := r.assignment(fs, *lead, *co, &c.req); err != nil {
			return err
		}
		r.dir.FollowLead(&c.req)
	}
	return c.send(ctx, pos[0], relay.UpdateDecidePushback)
}

// instructor resolves --by: the inspection office, the county head or a deputy.
func (r resolver) instructor(by string) (task.Request, error) {
	if by == relay.Inspection || by == "督查室" || by == "县政府督查室" {
		return task.Request{By: relay.Inspection, ByName: "县政府督查室"}, nil
	}
	if h, ok := r.dir.ResolveHead(by); ok {
		return task.Request{By: h.ID, ByName: h.Name, ByRole: relay.RoleCountyHead}, nil
	}
	l, err := r.leader(by)
	if err != nil {
		return task.Request{}, err
	}
	return task.Request{By: l.ID, ByName: l.Name}, nil
}

func cmdInstruct(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("instruct", flag.ContinueOnError)
	meeting := fs.String("meeting", "", "every task of a meeting")
	by := fs.String("by", "", "the leader instructing (deputy, county head) or inspection")
	text := fs.String("text", "", "the instruction")
	user := fs.String("user", "", "the person acting")
	asJSON := fs.Bool("json", false, "print JSON")
	want := 1
	if hasFlag(args, "meeting") {
		want = 0
	}
	pos, err := parse(fs, args, want, "任务编号 TASK，或 --meeting MEETING")
	if err != nil {
		return err
	}
	if err := required("instruct", "by", *by, "批示的县领导或 inspection"); err != nil {
		return err
	}
	if err := required("instruct", "text", *text, "批示内容"); err != nil {
		return err
	}
	r, err := newResolver()
	if err != nil {
		return err
	}
	req, err := r.instructor(*by)
	if err != nil {
		return err
	}
	req.Text, req.User = *text, *user
	if *meeting == "" {
		return change(ctx, pos[0], relay.UpdateInstruct, req, *asJSON)
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	views, err := c.InstructMeeting(ctx, *meeting, "", req)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(views)
	}
	fmt.Printf("已批示：%s 的 %d 项任务，各单位已收到批示。\n", *meeting, len(views))
	return nil
}

// hasFlag reports whether --name or -name appears among args.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func change(ctx context.Context, taskID, action string, req task.Request, asJSON bool) error {
	return withClient(ctx, func(c *relayclient.Client) error {
		t, err := c.Act(ctx, taskID, action, req)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(t)
		}
		fmt.Printf("已完成：%s %s → 牵头单位 %s，状态 %s，%s，时限 %s\n", relay.UpdateLabel(action), t.ID, t.LeadUnitName, relay.StateLabel(t.State), relay.LightLabel(t.Light), relay.DeadlineLabel(t.Deadline, t.Standing))
		return nil
	})
}

// printChanges shows a task's push back, instructions and chases.
func printChanges(w io.Writer, t relay.TaskView) {
	if t.WithdrawnAt != nil {
		fmt.Fprintf(w, "已撤销：%s\n", t.WithdrawnAt.In(relay.TimeZone).Format("2006-01-02 15:04"))
	}
	if p := t.Pushback; p != nil {
		state := map[string]string{relay.PushbackPending: "待县政府办公室决定", relay.PushbackKept: "维持原分工", relay.PushbackReassigned: "已调整分工"}[p.State]
		fmt.Fprintf(w, "退回交办：%s，理由：%s（%s）\n", p.Unit, p.Reason, state)
	}
	for _, in := range t.Instructions {
		fmt.Fprintf(w, "领导批示（%s，%s）：%s\n", in.By, in.At.In(relay.TimeZone).Format("2006-01-02"), in.Text)
	}
	for _, c := range t.Chases {
		answered := "未回复"
		if c.Answered {
			answered = "已回复"
		}
		fmt.Fprintf(w, "催办：%s，%s 前回复（%s）\n", c.Unit, c.ReplyBy, answered)
	}
}
