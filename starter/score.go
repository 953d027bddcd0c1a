package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strconv"

	"taskrelay/internal/relay"
	"taskrelay/internal/report"
)

// cmdScore prints a unit's score (考评) for a month and every event behind it, from the
// month's archived report: `starter score UNIT --month M [--ytd] [--json]`.
func cmdScore(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("score", flag.ContinueOnError)
	month := fl.String("month", "", "month YYYY-MM")
	ytd := fl.Bool("ytd", false, "the year to date's events instead of the month's")
	asJSON := fl.Bool("json", false, `print [{"task","event","points",…}]`)
	pos, err := parse(fl, args, 1, "单位 UNIT --month YYYY-MM")
	if err != nil {
		return err
	}
	if _, err := report.ParseMonth(*month); err != nil {
		return exitError{"score: --month " + err.Error()}
	}
	dir, err := loadDirectory("")
	if err != nil {
		return err
	}
	u, err := unitByName(dir, pos[0])
	if err != nil {
		return err
	}
	unit := u.ID
	archive, closeArchive, err := openArchive(ctx)
	if err != nil {
		return err
	}
	defer closeArchive()
	r, err := archive.ReadReport(ctx, *month)
	if errors.Is(err, fs.ErrNotExist) {
		return exitError{fmt.Sprintf("score: %s 还没有月度报告（先运行 starter report --month %s）", *month, *month)}
	}
	if err != nil {
		return err
	}
	var us *report.UnitScore
	for i := range r.Scores {
		if r.Scores[i].Unit == unit {
			us = &r.Scores[i]
		}
	}
	if us == nil {
		return exitError{fmt.Sprintf("score: %s 月度报告中没有单位 %s（该单位没有牵头或被催办的事项）", *month, pos[0])}
	}
	events, score, what := us.Events, us.Score, "本月"
	if *ytd {
		events, score, what = us.EventsYTD, us.ScoreYTD, "今年以来"
	}
	if *asJSON {
		return printJSON(events)
	}
	fmt.Printf("%s %s%s得分 %s（第 %d 名；%s）\n", *month, us.UnitName, what, strconv.FormatFloat(score, 'f', -1, 64), us.Rank, r.Figures.ScoreRule.Text)
	for _, e := range events {
		days := ""
		if e.Days > 0 {
			days = fmt.Sprintf("（%d天）", e.Days)
		}
		fmt.Printf("  %s  %s  %s%s  %+g\n", e.At.In(relay.TimeZone).Format("2006-01-02"), e.Task, relay.ScoreEventLabel(e.Event), days, e.Points)
	}
	return nil
}
