package consoletest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"taskrelay/internal/relay"
)

// match reports whether a task's search attributes, as the engine sets them, satisfy
// query: the part of the engine's list filter language relay.Eq, Ne, Gt, Lt, In, And
// and Or write (an empty query matches every task). RelayUnits is a keyword list:
// "=" and IN ask whether it holds the value, "!=" whether it does not. A filter on a
// search attribute the task lacks (a standing task's RelayDeadline) matches nothing.
func match(query string, t relay.TaskSummary) (bool, error) {
	if strings.TrimSpace(query) == "" {
		return true, nil
	}
	toks, err := lex(query)
	if err != nil {
		return false, fmt.Errorf("query %q: %w", query, err)
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	if err != nil {
		return false, fmt.Errorf("query %q: %w", query, err)
	}
	return n.eval(t)
}

type tokKind int

const (
	tIdent tokKind = iota
	tString
	tOp
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokKind
	text string
}

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case c == '(':
			out = append(out, token{tLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")"})
			i++
		case c == ',':
			out = append(out, token{tComma, ","})
			i++
		case c == '\'':
			var b strings.Builder
			i++
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					if s[i] == '0' {
						b.WriteByte(0)
						continue
					}
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			i++
			out = append(out, token{tString, b.String()})
		case strings.ContainsRune("=!<>", rune(c)):
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			op := s[i:j]
			if op == "!" {
				return nil, fmt.Errorf("bad operator at %d", i)
			}
			out = append(out, token{tOp, op})
			i = j
		case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			out = append(out, token{tIdent, s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	return out, nil
}

type node interface {
	eval(t relay.TaskSummary) (bool, error)
}

type andNode []node
type orNode []node

type condNode struct {
	key, op string
	values  []string
}

func (n andNode) eval(t relay.TaskSummary) (bool, error) {
	for _, c := range n {
		ok, err := c.eval(t)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (n orNode) eval(t relay.TaskSummary) (bool, error) {
	for _, c := range n {
		ok, err := c.eval(t)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (n condNode) eval(t relay.TaskSummary) (bool, error) {
	if n.key == relay.SADeadline.GetName() {
		if t.Standing {
			return false, nil
		}
		have, err := relay.DeadlineEnd(t.Deadline)
		if err != nil {
			return false, nil
		}
		want, err := time.Parse(time.RFC3339, n.values[0])
		if err != nil {
			return false, fmt.Errorf("%s: %w", n.key, err)
		}
		switch n.op {
		case "=":
			return have.Equal(want), nil
		case "!=":
			return !have.Equal(want), nil
		case ">":
			return have.After(want), nil
		case "<":
			return have.Before(want), nil
		case ">=":
			return !have.Before(want), nil
		case "<=":
			return !have.After(want), nil
		}
		return false, fmt.Errorf("%s: operator %s", n.key, n.op)
	}
	var have []string
	switch n.key {
	case relay.SAMeeting.GetName():
		have = []string{t.Meeting}
	case relay.SALeadUnit.GetName():
		have = []string{t.LeadUnit}
	case relay.SAUnits.GetName():
		have = append([]string{t.LeadUnit}, t.CoUnits...)
	case relay.SADeputy.GetName():
		have = []string{t.Deputy}
	case relay.SAState.GetName():
		have = []string{string(t.State)}
	case relay.SALight.GetName():
		have = []string{string(t.Light)}
	case relay.SAWorkflowType.GetName():
		have = []string{relay.TaskWorkflowName}
	default:
		return false, fmt.Errorf("no search attribute %s", n.key)
	}
	holds := func(vs []string) bool {
		for _, v := range vs {
			if slices.Contains(have, v) {
				return true
			}
		}
		return false
	}
	switch n.op {
	case "=", "IN":
		return holds(n.values), nil
	case "!=":
		return !holds(n.values), nil
	}
	return false, fmt.Errorf("%s: operator %s on a keyword", n.key, n.op)
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func (p *parser) keyword(w string) bool {
	if t, ok := p.peek(); ok && t.kind == tIdent && strings.EqualFold(t.text, w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) or() (node, error) {
	var out orNode
	for {
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !p.keyword("OR") {
			break
		}
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (p *parser) and() (node, error) {
	var out andNode
	for {
		n, err := p.factor()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !p.keyword("AND") {
			break
		}
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (p *parser) factor() (node, error) {
	t, ok := p.peek()
	if !ok {
		return nil, fmt.Errorf("unexpected end")
	}
	if t.kind == tLParen {
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if t, ok := p.peek(); !ok || t.kind != tRParen {
			return nil, fmt.Errorf("missing )")
		}
		p.i++
		return n, nil
	}
	if t.kind != tIdent {
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	p.i++
	c := condNode{key: t.text}
	if p.keyword("IN") {
		c.op = "IN"
		if t, ok := p.peek(); !ok || t.kind != tLParen {
			return nil, fmt.Errorf("IN without (")
		}
		p.i++
		for {
			v, ok := p.peek()
			if !ok || v.kind != tString {
				return nil, fmt.Errorf("IN: want a string")
			}
			p.i++
			c.values = append(c.values, v.text)
			sep, ok := p.peek()
			if !ok {
				return nil, fmt.Errorf("IN without )")
			}
			p.i++
			if sep.kind == tRParen {
				break
			}
			if sep.kind != tComma {
				return nil, fmt.Errorf("IN: unexpected %q", sep.text)
			}
		}
		return c, nil
	}
	op, ok := p.peek()
	if !ok || op.kind != tOp {
		return nil, fmt.Errorf("%s: want an operator", c.key)
	}
	p.i++
	v, ok := p.peek()
	if !ok || v.kind != tString {
		return nil, fmt.Errorf("%s %s: want a string", c.key, op.text)
	}
	p.i++
	c.op, c.values = op.text, []string{v.text}
	return c, nil
}
