package relay

import (
	"strings"

	"go.temporal.io/sdk/temporal"
)

// SAWorkflowType is the engine's own attribute naming a workflow's type; for queries
// only (it is not registered: see SearchAttributeKeys).
var SAWorkflowType = temporal.NewSearchAttributeKeyKeyword("WorkflowType")

// Visibility queries (Temporal's list filters) are built only here, from the search
// attribute keys above and values quoted by Quote, so that no value (a unit id from a
// form, a meeting id from a file) can close its string and add a condition of its own.

// Eq is "key = 'v'"; for a keyword list it matches a list that holds v.
func Eq[V ~string](key temporal.SearchAttributeKey, v V) string { return cond(key, "=", v) }

// Ne is "key != 'v'".
func Ne[V ~string](key temporal.SearchAttributeKey, v V) string { return cond(key, "!=", v) }

// Gt is "key > 'v'" (times compare as RFC 3339 strings).
func Gt[V ~string](key temporal.SearchAttributeKey, v V) string { return cond(key, ">", v) }

// Lt is "key < 'v'".
func Lt[V ~string](key temporal.SearchAttributeKey, v V) string { return cond(key, "<", v) }

// In is "key IN ('a', 'b')".
func In[V ~string](key temporal.SearchAttributeKey, vs ...V) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = Quote(string(v))
	}
	return key.GetName() + " IN (" + strings.Join(q, ", ") + ")"
}

// And joins the non-empty clauses; "" when there are none.
func And(clauses ...string) string { return join(" AND ", clauses) }

// Or joins the non-empty clauses, in parentheses so that it can stand inside And.
func Or(clauses ...string) string {
	if s := join(" OR ", clauses); s != "" {
		return "(" + s + ")"
	}
	return ""
}

// Quote makes v a string literal of the engine's query language (MySQL-style: a
// backslash escapes the next character), whatever v holds.
func Quote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c) // bytes of multi-byte UTF-8 are never ' or \
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func cond[V ~string](key temporal.SearchAttributeKey, op string, v V) string {
	return key.GetName() + " " + op + " " + Quote(string(v))
}

func join(sep string, clauses []string) string {
	var cl []string
	for _, c := range clauses {
		if c != "" {
			cl = append(cl, c)
		}
	}
	return strings.Join(cl, sep)
}
