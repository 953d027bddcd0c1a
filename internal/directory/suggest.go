package directory

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxSuggestions is how many names a "您是否要找" offers at most.
const MaxSuggestions = 3

// SuggestUnits returns the names of up to MaxSuggestions units whose name, alias or
// id is close to s, a name that designates no unit: best first, none when nothing is
// close.
func (d *Directory) SuggestUnits(s string) []string {
	targets := make([]target, 0, len(d.Units))
	for _, u := range d.Units {
		targets = append(targets, target{show: u.Name, names: append(u.Names(), u.ID)})
	}
	return suggest(s, targets)
}

// SuggestLeaders is SuggestUnits for the county leaders (the head and the deputies).
func (d *Directory) SuggestLeaders(s string) []string {
	var targets []target
	if d.Head != nil {
		targets = append(targets, target{show: d.Head.Name, names: []string{d.Head.Name, d.Head.ID}})
	}
	for _, l := range d.Leaders {
		targets = append(targets, target{show: l.Name, names: []string{l.Name, l.ID}})
	}
	return suggest(s, targets)
}

// target is one thing that may be suggested: the name shown and every name it bears.
type target struct {
	show  string
	names []string
}

// suggest ranks targets by how close their nearest name is to s. Two ways count:
//   - a typo: the edit distance is small against the length (县财正局 → 县财政局,
//     县人设局 → 县人社局, an alias of 县人力资源和社会保障局);
//   - a shortening: s, less the characters no name has (the typos), is a subsequence
//     of the name, with at least two of its distinctive characters (县人力局 →
//     县人力资源和社会保障局). Characters most names share (县, 局, 委 …) do not make a
//     match on their own.
func suggest(s string, targets []target) []string {
	q := []rune(strings.Join(strings.Fields(s), ""))
	if len(q) == 0 {
		return nil
	}
	// How many names hold each character: the common ones are not distinctive.
	df := map[rune]int{}
	total := 0
	for _, t := range targets {
		for _, n := range t.names {
			total++
			seen := map[rune]bool{}
			for _, r := range n {
				if !seen[r] {
					seen[r] = true
					df[r]++
				}
			}
		}
	}
	distinctive := func(r rune) bool { return df[r] > 0 && df[r]*5 <= total }
	known := make([]rune, 0, len(q))
	for _, r := range q {
		if df[r] > 0 {
			known = append(known, r)
		}
	}

	type scored struct {
		show  string
		score float64
		order int
	}
	var out []scored
	for i, t := range targets {
		best := 0.0
		for _, n := range t.names {
			name := []rune(n)
			if len(name) == 0 {
				continue
			}
			longer := max(len(q), len(name))
			if sim := 1 - float64(levenshtein(q, name))/float64(longer); sim >= 0.6 && shares(q, name, distinctive) {
				best = max(best, sim)
			}
			if len(known) >= 2 && len(q)-len(known) <= 1 && subsequence(known, name, distinctive) >= 2 {
				best = max(best, 0.55*float64(len(known))/float64(len(name))+0.4)
			}
		}
		if best > 0 {
			out = append(out, scored{t.show, best, i})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	var names []string
	seen := map[string]bool{}
	for _, o := range out {
		if !seen[o.show] && len(names) < MaxSuggestions {
			seen[o.show] = true
			names = append(names, o.show)
		}
	}
	return names
}

// shares reports whether a and b have a distinctive character in common, or are
// both too short to have one (ids, 城关镇 against 城关真).
func shares(a, b []rune, distinctive func(rune) bool) bool {
	in := map[rune]bool{}
	for _, r := range b {
		in[r] = true
	}
	any := false
	for _, r := range a {
		if distinctive(r) {
			any = true
			if in[r] {
				return true
			}
		}
	}
	return !any && utf8.RuneCountInString(string(a)) <= 3
}

// subsequence returns how many distinctive characters of q match when q is a
// subsequence of name, else 0.
func subsequence(q, name []rune, distinctive func(rune) bool) int {
	j, n := 0, 0
	for _, r := range name {
		if j < len(q) && q[j] == r {
			if distinctive(r) {
				n++
			}
			j++
		}
	}
	if j < len(q) {
		return 0
	}
	return n
}

// levenshtein is the edit distance between two rune strings.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
