package directory

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"taskrelay/examples"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

func sample(t *testing.T) *Directory {
	t.Helper()
	d, err := Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		t.Fatalf("sample directory: %v", err)
	}
	return d
}

func TestSampleDirectory(t *testing.T) {
	d := sample(t)
	if d.County != "示例县" {
		t.Errorf("county = %q", d.County)
	}
	if n := len(d.Leaders); n < 5 || n > 7 {
		t.Errorf("%d leaders, want about 6", n)
	}
	if n := len(d.Units); n < 22 || n > 30 {
		t.Errorf("%d units, want about 25", n)
	}
	if d.Leaders[0].Title != "常务副县长" {
		t.Errorf("first leader title = %q", d.Leaders[0].Title)
	}
	towns := 0
	for _, u := range d.Units {
		if strings.HasSuffix(u.Name, "镇") || strings.HasSuffix(u.Name, "乡") {
			towns++
		}
	}
	if towns < 3 {
		t.Errorf("%d townships, want some", towns)
	}
	// Every unit has exactly one deputy, except the Party bodies no deputy heads.
	noDeputy := map[string]bool{}
	for _, u := range d.Units {
		n := 0
		for _, l := range d.Leaders {
			for _, id := range l.Units {
				if id == u.ID {
					n++
				}
			}
		}
		switch n {
		case 0:
			noDeputy[u.ID] = true
		case 1:
		default:
			t.Errorf("unit %s in %d portfolios", u.ID, n)
		}
	}
	if !reflect.DeepEqual(noDeputy, map[string]bool{"zzb": true, "jw": true}) {
		t.Errorf("units without deputy = %v, want zzb and jw", noDeputy)
	}
	if _, ok := d.DeputyOf("zzb"); ok {
		t.Error("县委组织部 has a deputy")
	}
}

func TestSampleMergedBodies(t *testing.T) {
	d := sample(t)
	for name, want := range map[string]string{
		"县医疗保障局":       "rsj",
		"县人力资源和社会保障局":  "rsj",
		"医保局":          "rsj",
		"rsj":          "rsj",
		"县文化和旅游局":      "xcb",
		"县教育体育局":       "xcb",
		"县委宣传部":        "xcb",
		"县司法局":         "zfw",
		"县委政法委":        "zfw",
		"县民族宗教事务局":     "tzb",
		"县委统战部":        "tzb",
		"县委编办":         "zzb",
		"县委巡察办":        "jw",
		"  县财政局 ":      "czj",
		"\u3000县财政局\t": "czj",
	} {
		u, ok := d.ResolveUnit(name)
		if !ok || u.ID != want {
			t.Errorf("ResolveUnit(%q) = %v, %v; want %s", name, u.ID, ok, want)
		}
	}
	for _, name := range []string{"", "  ", "县水务局", "财政", "县财政局县财政局"} {
		if u, ok := d.ResolveUnit(name); ok {
			t.Errorf("ResolveUnit(%q) = %s, want none", name, u.ID)
		}
	}
	rsj, _ := d.Unit("rsj")
	if !reflect.DeepEqual(rsj.Sections[:2], []string{"社会保险股", "医疗保障股"}) {
		t.Errorf("rsj sections = %v", rsj.Sections)
	}
	if got := rsj.Names(); got[0] != "县人力资源和社会保障局" || len(got) != 1+len(rsj.Aliases) {
		t.Errorf("Names = %v", got)
	}
}

func TestLeaders(t *testing.T) {
	d := sample(t)
	l, ok := d.DeputyOf("rsj")
	if !ok || l.ID != "ld-chang" || l.Title != "常务副县长" {
		t.Errorf("DeputyOf(rsj) = %+v, %v", l, ok)
	}
	if _, ok := d.DeputyOf("nope"); ok {
		t.Error("DeputyOf(unknown unit) found one")
	}
	for _, s := range []string{"ld-chang", "李某", " 李某 "} {
		if l, ok := d.ResolveLeader(s); !ok || l.ID != "ld-chang" {
			t.Errorf("ResolveLeader(%q) = %v, %v", s, l.ID, ok)
		}
	}
	for _, s := range []string{"", "李", "常务副县长"} {
		if _, ok := d.ResolveLeader(s); ok {
			t.Errorf("ResolveLeader(%q) found one", s)
		}
	}
	if _, ok := d.Leader("李某"); ok {
		t.Error("Leader takes ids only")
	}
	if _, ok := d.Unit("县财政局"); ok {
		t.Error("Unit takes ids only")
	}
	rl := d.RelayLeaders()
	if len(rl) != len(d.Leaders) || rl[0] != (relay.Leader{ID: "ld-chang", Name: "李某", Title: "常务副县长"}) {
		t.Errorf("RelayLeaders = %v", rl)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "directory.yaml")
	if err := os.WriteFile(path, examples.Directory, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, sample(t)) {
		t.Error("Load and Parse differ")
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml: 无法读取目录文件") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "文件过大") {
		t.Errorf("big file: %v", err)
	}
}

const base = `county: 测试县
leaders:
  - {id: ld-a, name: 甲某, title: 常务副县长, units: [czj, rsj]}
units:
  - {id: czj, name: 县财政局}
  - {id: rsj, name: 县人力资源和社会保障局, aliases: [县医疗保障局], sections: [社会保险股]}
`

func TestBaseIsValid(t *testing.T) {
	if _, err := Parse("d.yaml", []byte(base)); err != nil {
		t.Fatal(err)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // each must be one line of the error
	}{
		{"alias taken", `county: 示例县
leaders: []
units:
  - {id: ybj, name: 县医疗保障局, aliases: [医保局]}
  - {id: rsj, name: 县人社局, aliases: [医保局]}
`, []string{"examples/directory.yaml: 单位 rsj 字段 aliases: 名称“医保局”已被单位 ybj 使用"}},
		{"name taken", `county: x
units:
  - {id: a, name: 县财政局}
  - {id: b, name: 县财政局}
`, []string{"examples/directory.yaml: 单位 b 字段 name: 名称“县财政局”已被单位 a 使用"}},
		{"alias is another unit's id", `county: x
units:
  - {id: czj, name: 县财政局}
  - {id: b, name: 乙局, aliases: [czj]}
`, []string{"examples/directory.yaml: 单位 b 字段 aliases: 名称“czj”是单位 czj 的 id"}},
		{"missing and duplicate ids", `county: x
units:
  - {name: 县财政局}
  - {id: a, name: 甲局}
  - {id: a, name: 乙局}
  - {id: "a b", name: 丙局}
  - {id: c}
leaders:
  - {name: 甲某}
  - {id: ld, name: 乙某}
  - {id: ld, name: 丙某}
  - {id: ld2, name: 乙某}
`, []string{
			"examples/directory.yaml: 第1个单位 字段 id: 缺少 id",
			"examples/directory.yaml: 单位 a 字段 id: id 与第2个单位（甲局）重复",
			"examples/directory.yaml: 单位 a b 字段 id: id“a b”只能由字母、数字和 . _ - 组成，不超过 64 个字符",
			"examples/directory.yaml: 单位 c 字段 name: 缺少单位名称",
			"examples/directory.yaml: 第1位县领导 字段 id: 缺少 id",
			"examples/directory.yaml: 县领导 ld 字段 id: id 与第2位县领导（乙某）重复",
			"examples/directory.yaml: 县领导 ld2 字段 name: 姓名“乙某”与县领导 ld 相同，无法区分",
		}},
		{"portfolio", `county: x
leaders:
  - {id: ld-a, name: 甲某, units: [czj, xx, 县人社局, czj, " "]}
  - {id: ld-b, name: 乙某, units: [czj, rsj]}
units:
  - {id: czj, name: 县财政局}
  - {id: rsj, name: 县人社局}
`, []string{
			"examples/directory.yaml: 县领导 ld-a 字段 units: 找不到单位“xx”",
			"examples/directory.yaml: 县领导 ld-a 字段 units: 找不到单位“县人社局”（分管单位应写 id，是否指 rsj？）",
			"examples/directory.yaml: 县领导 ld-a 字段 units: 单位 czj 重复列出",
			"examples/directory.yaml: 县领导 ld-a 字段 units: 第5个单位为空",
			"examples/directory.yaml: 县领导 ld-b 字段 units: 单位 czj 已由县领导 ld-a 分管，一个单位只能有一位分管县领导",
		}},
		{"unknown fields", `county: x
mayor: 某某
units:
  - {id: czj, name: 县财政局, alias: [财政局]}
leaders:
  - {id: ld-a, name: 甲某, unit: [czj]}
`, []string{
			"examples/directory.yaml: 字段 mayor: 第2行 未知字段（directory.Directory 没有此字段）",
			"examples/directory.yaml: 字段 alias: 第4行 未知字段（directory.Unit 没有此字段）",
			"examples/directory.yaml: 字段 unit: 第6行 未知字段（directory.Leader 没有此字段）",
		}},
		{"wrong type", "county: x\nunits: 县财政局\n", []string{
			"examples/directory.yaml: 第2行 类型错误: cannot unmarshal !!str `县财",
			"examples/directory.yaml: 字段 units: 没有任何单位",
		}},
		{"malformed", "county: x\nunits:\n  - {id: czj, name: [\n", []string{"examples/directory.yaml: YAML 格式错误: yaml: line 3"}},
		{"empty", "", []string{"examples/directory.yaml: 文件为空"}},
		{"no county, empty names", "units:\n  - {id: a, name: 甲局, aliases: [''], sections: [一股, 一股, '']}\n", []string{
			"examples/directory.yaml: 字段 county: 缺少县名",
			"examples/directory.yaml: 单位 a 字段 aliases: 第1个别名为空",
			"examples/directory.yaml: 单位 a 字段 sections: 第3个股室名称为空",
			"examples/directory.yaml: 单位 a 字段 sections: 股室“一股”重复",
		}},
		{"leader name is another's id", "county: x\nunits: [{id: a, name: 甲局}]\nleaders:\n  - {id: ld-a, name: 甲某}\n  - {id: ld-b, name: ld-a}\n", []string{
			"examples/directory.yaml: 县领导 ld-b 字段 name: 姓名“ld-a”是县领导 ld-a 的 id",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(examples.DirectoryFile, []byte(tc.yaml))
			if err == nil {
				t.Fatalf("accepted: %+v", d)
			}
			if d != nil {
				t.Error("a directory came back with the error")
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T is not Problems", err)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tc.want {
				found := false
				for _, l := range lines {
					if strings.HasPrefix(l, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %q in\n%s", w, err)
				}
			}
			if len(lines) != len(ps) {
				t.Errorf("%d lines for %d problems", len(lines), len(ps))
			}
			if len(tc.want) > 1 && len(ps) < len(tc.want) {
				t.Errorf("want every problem at once, got %d", len(ps))
			}
		})
	}
}

// A unit repeating its own name as an alias, or a leader's own name, is harmless.
func TestHarmlessRepeats(t *testing.T) {
	_, err := Parse("d.yaml", []byte("county: x\nunits:\n  - {id: czj, name: 县财政局, aliases: [县财政局, czj, 财政局, 财政局]}\n"))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSampleContacts: every unit of the sample county names its 联络员, which notices
// and the 台账 print; a leader without one, or an unknown id, gives none.
func TestSampleContacts(t *testing.T) {
	d := sample(t)
	cs := d.Contacts()
	for _, u := range d.Units {
		c := d.NoticeContact(relay.ToUnit, u.ID)
		if c == nil || c.Name == "" || c.Mobile == "" || cs[u.ID] != *c {
			t.Errorf("unit %s: contact %+v (Contacts: %+v)", u.ID, c, cs[u.ID])
		}
	}
	if c := d.NoticeContact(relay.ToUnit, "nobody"); c != nil {
		t.Errorf("unknown unit: %+v", c)
	}
	if c := d.NoticeContact(relay.ToLeader, "ld-chang"); c != nil {
		t.Errorf("a leader without a contact: %+v", c)
	}
	if got := d.NoticeContact(relay.ToUnit, "rsj").String(); !strings.Contains(got, "（138") {
		t.Errorf("printed contact %q", got)
	}
}

// A reassignment's deputy follows the new lead unit unless the office names one.
func TestFollowLead(t *testing.T) {
	d := sample(t)
	req := task.Request{Lead: &relay.UnitRef{ID: "lcj", Name: "县林业和草原局"}}
	d.FollowLead(&req)
	if req.Deputy == nil || req.Deputy.ID != "ld-zhao" || req.Deputy.Name != "赵某" {
		t.Fatalf("deputy after moving the lead to lcj: %+v, want ld-zhao", req.Deputy)
	}
	named := task.Request{Lead: &relay.UnitRef{ID: "lcj"}, Deputy: &relay.UnitRef{ID: "ld-liu", Name: "刘某"}}
	d.FollowLead(&named)
	if named.Deputy.ID != "ld-liu" {
		t.Fatalf("the deputy named was replaced: %+v", named.Deputy)
	}
	co := task.Request{SetCo: true}
	d.FollowLead(&co)
	if co.Deputy != nil {
		t.Fatalf("a change of supporting units moved the deputy: %+v", co.Deputy)
	}
}
