package directory

import (
	"regexp"
	"strings"
)

// WrittenError is a unit field that designates no single unit: some of its names
// designate none (Units[i].ID == ""), or they designate different bodies.
type WrittenError struct {
	Written string
	Names   []string // the names the field holds
	Units   []Unit   // parallel to Names
}

func (e *WrittenError) Error() string { return "“" + e.Written + "”不是一个单位" }

// Unknown are the names that designate no unit.
func (e *WrittenError) Unknown() []string {
	var out []string
	for i, u := range e.Units {
		if u.ID == "" {
			out = append(out, e.Names[i])
		}
	}
	return out
}

// mergedRE is a body named with its other names in brackets:
// 县人力资源和社会保障局（县医疗保障局）, 县委宣传部(县文化和旅游局、县教育体育局).
var mergedRE = regexp.MustCompile(`^([^（()）]+)[（(]([^（()）]+)[）)]$`)

// ResolveWritten finds the unit a task list's unit field designates: an id, a name or
// an alias (ResolveUnit), or the way clerks write a body with several names (加挂牌子,
// 合署办公) — 县人力资源和社会保障局（县医疗保障局）, with ASCII brackets too, or names
// separated by 、 — when every name is the same body's. Otherwise the error is a
// *WrittenError naming each name.
func (d *Directory) ResolveWritten(s string) (Unit, error) {
	s = strings.TrimSpace(s)
	if u, ok := d.ResolveUnit(s); ok {
		return u, nil
	}
	names := WrittenNames(s)
	e := &WrittenError{Written: s, Names: names, Units: make([]Unit, len(names))}
	same := true
	for i, n := range names {
		u, ok := d.ResolveUnit(n)
		if !ok {
			same = false
			continue
		}
		e.Units[i] = u
		if i > 0 && e.Units[0].ID != u.ID {
			same = false
		}
	}
	if same && len(names) > 0 {
		return e.Units[0], nil
	}
	return Unit{}, e
}

// WrittenNames splits a unit field into the names it holds: the name before brackets
// and those inside, or names separated by 、，,；; at the top level.
func WrittenNames(s string) []string {
	s = strings.TrimSpace(s)
	var parts []string
	if m := mergedRE.FindStringSubmatch(s); m != nil {
		parts = append([]string{m[1]}, strings.FieldsFunc(m[2], isNameSep)...)
	} else {
		parts = SplitNames(s)
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isNameSep(r rune) bool {
	switch r {
	case '、', '，', ',', '；', ';', '\n', '\r':
		return true
	}
	return false
}

// SplitNames splits a cell naming several units at 、 ， , ； ; or a line break, but
// not inside brackets, where a body's other names are written.
func SplitNames(s string) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		if p := strings.TrimSpace(s[start:end]); p != "" {
			out = append(out, p)
		}
	}
	for i, r := range s {
		switch {
		case r == '（' || r == '(':
			depth++
		case (r == '）' || r == ')') && depth > 0:
			depth--
		case depth == 0 && isNameSep(r):
			flush(i)
			start = i + len(string(r))
		}
	}
	flush(len(s))
	return out
}
