package gongwentest

import "testing"

func TestWithin(t *testing.T) {
	text := Squeeze("3 第4项：推进高标 第一行 牵头 2026-12-31 张副县长\n准农田建设 第二行")
	for _, c := range []struct {
		want string
		ok   bool
	}{
		{"第4项：推进高标准农田建设", true}, // a cell wrapped across the row
		{"第4项：推进高标准农田整治", false},
		{"第5项", false},
		{"建设第4项", false}, // out of order
	} {
		if got := within(text, Squeeze(c.want), 4*len([]rune(c.want))+60); got != c.ok {
			t.Errorf("within(%q) = %v, want %v", c.want, got, c.ok)
		}
	}
}
