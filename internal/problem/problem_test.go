package problem

import "testing"

type p string

func (x p) String() string { return string(x) }

func TestLine(t *testing.T) {
	cases := []struct{ file, where, field, msg, want string }{
		{"a.yaml", "第3项", "deadline", "日期有误", "a.yaml: 第3项 字段 deadline: 日期有误"},
		{"a.yaml", "", "", "文件为空", "a.yaml: 文件为空"},
		{"d.yaml", "单位 fgw", "", "缺少名称", "d.yaml: 单位 fgw 缺少名称"},
	}
	for _, c := range cases {
		if got := Line(c.file, c.where, c.field, c.msg); got != c.want {
			t.Errorf("Line(%q, %q, %q, %q) = %q, want %q", c.file, c.where, c.field, c.msg, got, c.want)
		}
	}
	if got := Join([]p{"one", "two"}); got != "one\ntwo" {
		t.Errorf("Join = %q", got)
	}
}
