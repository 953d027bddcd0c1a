package relay

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestEveryCodeHasALabel reads this package's source and checks that every constant
// naming something users see (actions, updates, notice kinds, states, lights, roles,
// tiers) has a Chinese label: a new constant without one fails here.
func TestEveryCodeHasALabel(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := map[string]int{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				typ := ""
				if id, ok := vs.Type.(*ast.Ident); ok {
					typ = id.Name
				}
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					code, _ := strconv.Unquote(lit.Value)
					kind, labelOf := vocabulary(name.Name, typ)
					if labelOf == nil {
						continue
					}
					checked[kind]++
					if l := labelOf(code); l == code || !hasHan(l) {
						t.Errorf("%s %s (%q) has no Chinese label: %q", kind, name.Name, code, l)
					}
				}
			}
		}
	}
	// The enumeration itself must find the vocabulary (a rename would hide it).
	for kind, min := range map[string]int{"action": 16, "update": 8, "notice kind": 10, "state": 7, "light": 3, "role": 2, "tier": 3} {
		if checked[kind] < min {
			t.Errorf("found %d %s constants, want at least %d", checked[kind], kind, min)
		}
	}
}

// vocabulary says which table labels a constant, by its name or type.
func vocabulary(name, typ string) (string, func(string) string) {
	switch {
	case strings.HasPrefix(name, "Act"):
		return "action", ActionLabel
	case strings.HasPrefix(name, "Update"):
		return "update", UpdateLabel
	case strings.HasPrefix(name, "Notice"):
		return "notice kind", NoticeKindLabel
	case typ == "State" || name == "MeetingProposed" || name == "MeetingAdopted":
		return "state", func(s string) string { return StateLabel(State(s)) }
	case typ == "Light":
		return "light", func(s string) string { return LightLabel(Light(s)) }
	case strings.HasPrefix(name, "Role"):
		return "role", RoleLabel
	case strings.HasPrefix(name, "Tier"):
		return "tier", TierLabel
	}
	return "", nil
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestLightReasonCountsOverdueDays(t *testing.T) {
	v := TaskView{Light: Red, OverdueDays: 5}
	if got := v.LightReason(); got != "红灯（逾期5天）" {
		t.Fatalf("LightReason %q", got)
	}
	v.OverdueDays = 0
	if got := v.LightReason(); got != "红灯（逾期）" {
		t.Fatalf("LightReason without days %q", got)
	}
}
