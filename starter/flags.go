package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parse reads flags placed before or after the positional arguments (the stdlib stops
// at the first positional one) and returns exactly want positionals.
func parse(fs *flag.FlagSet, args []string, want int, what string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, exitError{fmt.Sprintf("%s: %v", fs.Name(), err)}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if want >= 0 && len(pos) != want { // want < 0: any number
		return nil, exitError{fmt.Sprintf("%s: 需要 %s", fs.Name(), what)}
	}
	return pos, nil
}

// deputies collects repeated --deputy NO=LEADER.
type deputies map[int]string

func (d deputies) String() string { return fmt.Sprint(map[int]string(d)) }

func (d deputies) Set(v string) error {
	no, leader, ok := strings.Cut(v, "=")
	n, err := strconv.Atoi(strings.TrimSpace(no))
	if !ok || err != nil || n <= 0 || strings.TrimSpace(leader) == "" {
		return fmt.Errorf("--deputy %q 应写作 序号=县领导，例如 3=ld-wang", v)
	}
	d[n] = strings.TrimSpace(leader)
	return nil
}
