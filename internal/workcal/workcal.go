// Package workcal reads the county's working calendar (TASKRELAY_CALENDAR): the public
// holidays and the weekend days worked (调休), as the State Council arranges them each
// year, into a relay.Calendar.
package workcal

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"taskrelay/internal/relay"
)

// File is the calendar file's form: each entry a date (2026-01-04) or a range of
// dates (2026-02-15..2026-02-23).
type File struct {
	Holidays []string `yaml:"holidays"` // 放假（含调休放假）的工作日
	Workdays []string `yaml:"workdays"` // 调休上班的周末
}

// Load reads a calendar file; errors name the file and the entry, in Chinese.
func Load(path string) (*relay.Calendar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("工作日历 %s: %w", path, err)
	}
	return Parse(path, b)
}

// Parse reads a calendar from the file's bytes.
func Parse(name string, b []byte) (*relay.Calendar, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("工作日历 %s: 无法解析：%v", name, err)
	}
	c := &relay.Calendar{}
	var errs []string
	expand := func(field string, entries []string) []string {
		var out []string
		for i, e := range entries {
			days, err := dates(e)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s 第%d项 %q：%v", field, i+1, e, err))
			}
			out = append(out, days...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	c.Holidays = expand("holidays", f.Holidays)
	c.Workdays = expand("workdays", f.Workdays)
	for _, d := range c.Workdays {
		if _, ok := slices.BinarySearch(c.Holidays, d); ok {
			errs = append(errs, fmt.Sprintf("%s 既是放假日又是上班日", d))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("工作日历 %s: %s", name, strings.Join(errs, "；"))
	}
	return c, nil
}

// dates expands one entry: a date, or first..last inclusive (at most a month).
func dates(e string) ([]string, error) {
	first, last, isRange := strings.Cut(strings.TrimSpace(e), "..")
	from, err := relay.ParseDate(strings.TrimSpace(first))
	if err != nil {
		return nil, err
	}
	if !isRange {
		return []string{from.Format(relay.DateLayout)}, nil
	}
	to, err := relay.ParseDate(strings.TrimSpace(last))
	if err != nil {
		return nil, err
	}
	if to.Before(from) || to.Sub(from).Hours() > 31*24 {
		return nil, fmt.Errorf("日期范围应由早到晚且不超过一个月")
	}
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(relay.DateLayout))
	}
	return out, nil
}
