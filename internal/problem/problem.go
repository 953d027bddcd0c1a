// Package problem formats what is wrong with a file a user gave: the file, the place
// in it, the field, and what is wrong, one problem a line. The task list and the
// directory report their problems this way.
package problem

import (
	"fmt"
	"strings"
)

// Line formats one problem: "file: where 字段 field: message"; where and field are
// left out when empty.
func Line(file, where, field, message string) string {
	var b strings.Builder
	b.WriteString(file)
	b.WriteString(": ")
	if where != "" {
		b.WriteString(where)
		b.WriteString(" ")
	}
	if field != "" {
		b.WriteString("字段 ")
		b.WriteString(field)
		b.WriteString(": ")
	}
	b.WriteString(message)
	return b.String()
}

// Join lists problems, one a line.
func Join[T fmt.Stringer](ps []T) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
