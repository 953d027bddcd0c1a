package directory

import (
	"errors"
	"reflect"
	"testing"
)

// TestSuggestUnits: a misspelt unit is offered the directory's nearest names, the
// body's name first, at most three; nothing when nothing is close.
func TestSuggestUnits(t *testing.T) {
	d := sample(t)
	for _, tc := range []struct {
		in    string
		first string
	}{
		{"县人设局", "县人力资源和社会保障局"}, // a typo of the alias 县人社局
		{"县财正局", "县财政局"},
		{"县人力局", "县人力资源和社会保障局"}, // a shortening
		{"县农业局", "县农业农村局"},
		{"城关真", "城关镇"},
		{"czjj", "县财政局"}, // an id mistyped
		{"县卫健委", "县卫生健康局"},
	} {
		got := d.SuggestUnits(tc.in)
		if len(got) == 0 || got[0] != tc.first || len(got) > MaxSuggestions {
			t.Errorf("SuggestUnits(%q) = %q, want %q first", tc.in, got, tc.first)
		}
	}
	for _, far := range []string{"县气象局", "完全无关", "", "x"} {
		if got := d.SuggestUnits(far); len(got) != 0 {
			t.Errorf("SuggestUnits(%q) = %q, want none", far, got)
		}
	}
}

func TestSuggestLeaders(t *testing.T) {
	d := sample(t)
	if got := d.SuggestLeaders("王某某"); len(got) == 0 || got[0] != "王某" {
		t.Errorf("SuggestLeaders = %q", got)
	}
	if got := d.SuggestLeaders("ld-wnag"); len(got) == 0 || got[0] != "王某" {
		t.Errorf("SuggestLeaders(id) = %q", got)
	}
}

// TestResolveWritten: the ways a clerk writes one body under several of its names.
func TestResolveWritten(t *testing.T) {
	d := sample(t)
	for in, want := range map[string]string{
		"县人力资源和社会保障局（县医疗保障局）":      "rsj",
		"县人力资源和社会保障局(县医疗保障局)":      "rsj",
		" 县人力资源和社会保障局 ( 县医疗保障局 ) ": "rsj",
		"县委宣传部（县文化和旅游局、县教育体育局）":    "xcb",
		"县委宣传部、县文化和旅游局":            "xcb",
		"县医疗保障局": "rsj",
		"rsj":    "rsj",
	} {
		u, err := d.ResolveWritten(in)
		if err != nil || u.ID != want {
			t.Errorf("ResolveWritten(%q) = %q, %v; want %s", in, u.ID, err, want)
		}
	}
	// Different bodies in one field, and an unknown name among known ones.
	_, err := d.ResolveWritten("县财政局（县发改局）")
	var we *WrittenError
	if !errors.As(err, &we) || !reflect.DeepEqual(we.Names, []string{"县财政局", "县发改局"}) ||
		we.Units[0].ID != "czj" || we.Units[1].ID != "fgj" || len(we.Unknown()) != 0 {
		t.Errorf("different bodies: %#v", err)
	}
	_, err = d.ResolveWritten("县委宣传部（县文旅体局）")
	if !errors.As(err, &we) || !reflect.DeepEqual(we.Unknown(), []string{"县文旅体局"}) {
		t.Errorf("unknown among known: %#v", err)
	}
	if _, err := d.ResolveWritten("县水务局"); !errors.As(err, &we) || !reflect.DeepEqual(we.Unknown(), []string{"县水务局"}) {
		t.Errorf("unknown: %#v", err)
	}
}

func TestSplitNames(t *testing.T) {
	got := SplitNames("县委宣传部（县文化和旅游局、县教育体育局）、县财政局；城关镇(平坡镇,x)\n西山镇")
	want := []string{"县委宣传部（县文化和旅游局、县教育体育局）", "县财政局", "城关镇(平坡镇,x)", "西山镇"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SplitNames = %q", got)
	}
}
