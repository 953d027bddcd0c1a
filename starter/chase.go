package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"taskrelay/internal/relay"
)

// cmdChase is the inspection office's 催办: one 催办单 to a unit on all its open tasks,
// or on the ones --tasks names, with a reply-by date.
func cmdChase(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("chase", flag.ContinueOnError)
	unit := fs.String("unit", "", "the unit chased")
	tasks := fs.String("tasks", "", "tasks, comma separated (default: every open task of the unit)")
	var in relay.ChaseInput
	fs.StringVar(&in.ReplyBy, "reply-by", "", "reply-by date YYYY-MM-DD")
	fs.StringVar(&in.Note, "note", "", "what the chase asks")
	fs.StringVar(&in.User, "user", "", "the person acting")
	fs.StringVar(&in.ID, "id", "", "the chase's id (default: derived from its content and today's date)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, "以 --unit 指明单位，--tasks 指明任务"); err != nil {
		return err
	}
	if err := required("chase", "unit", *unit, "催办单位"); err != nil {
		return err
	}
	if err := required("chase", "reply-by", in.ReplyBy, "回复期限"); err != nil {
		return err
	}
	if err := required("chase", "note", in.Note, "催办事由"); err != nil {
		return err
	}
	_, u, err := unitNamed(*unit)
	if err != nil {
		return err
	}
	in.Unit, in.UnitName = u.ID, u.Name
	in.Tasks = strings.FieldsFunc(*tasks, func(r rune) bool { return r == ',' || r == '，' || r == '、' })
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.Chase(ctx, in)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(res)
	}
	ids := make([]string, len(res.Tasks))
	for i, t := range res.Tasks {
		ids[i] = t.ID
	}
	fmt.Printf("已催办：%s 的 %d 项任务（%s），请于 %s 前报送进展；催办单 %s 已发出。\n",
		res.UnitName, len(res.Tasks), strings.Join(ids, "、"), res.ReplyBy, res.NoticeID)
	for _, r := range res.Refused {
		fmt.Printf("未催办：%s\n", r)
	}
	return nil
}
