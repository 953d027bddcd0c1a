package main

import (
	"context"
	"flag"
	"fmt"

	"taskrelay/internal/accounts"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

// cmdAssign: `starter assign TASK --unit U --person USERNAME`, the unit head naming
// the officer responsible (责任人) for the unit's part of a task.
func cmdAssign(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("assign", flag.ContinueOnError)
	var req task.Request
	fs.StringVar(&req.Unit, "unit", "", "the unit (id, name or alias)")
	fs.StringVar(&req.Person, "person", "", "the officer's username")
	fs.StringVar(&req.User, "user", "", "the person acting")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, "任务编号 TASK")
	if err != nil {
		return err
	}
	if req.Unit == "" || req.Person == "" {
		return exitError{"assign: 需要 --unit 和 --person"}
	}
	if req.Unit, err = resolveUnit(req.Unit); err != nil {
		return err
	}
	store, err := accounts.Open(usersPath(""))
	if err != nil {
		return err
	}
	p, ok, err := store.Get(req.Person)
	if err != nil {
		return err
	}
	if !ok || !accounts.IsUnitRole(p.Role) || p.Unit != req.Unit {
		return exitError{fmt.Sprintf("assign: %s 不是单位 %s 的工作人员账号", req.Person, req.Unit)}
	}
	req.Head = true
	return act(ctx, pos[0], relay.UpdateAssign, req, *asJSON)
}

// headReviewFor says whether a completion by user for unit goes to the unit head
// first: the unit has a head account and the one submitting is not that head.
func headReviewFor(unit, user string) (bool, error) {
	store, err := accounts.Open(usersPath(""))
	if err != nil {
		return false, err
	}
	head, ok, err := store.UnitHead(unit)
	if err != nil || !ok {
		return false, err
	}
	return head.Username != user, nil
}
