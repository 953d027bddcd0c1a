package task

import (
	"errors"
	"strconv"
	"strings"
)

// ErrPercent is a progress percentage that is not a whole number from 0 to 100.
var ErrPercent = errors.New("进度应为 0 到 100 之间的整数")

// ValidPercent reports whether p is a progress percentage (0 to 100): the one range
// the workflow, the console and the command line check.
func ValidPercent(p int) bool { return p >= 0 && p <= 100 }

// ParsePercent reads a percentage as people type it: "40", "40%", "40％", full-width
// digits (４０), surrounding spaces.
func ParsePercent(s string) (int, error) {
	s = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimSpace(strings.TrimRight(s, "%％"))
	p, err := strconv.Atoi(s)
	if err != nil || !ValidPercent(p) {
		return 0, ErrPercent
	}
	return p, nil
}
