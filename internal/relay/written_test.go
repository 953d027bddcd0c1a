package relay

import (
	"reflect"
	"testing"
)

func TestWritten(t *testing.T) {
	it := Item{Lead: "rsj", Co: []string{"czj", "xcb"},
		Source: Source{Lead: "县医疗保障局", LeadID: "rsj",
			Co: []string{"县财政局", "rsj", "县文化和旅游局"}, CoIDs: []string{"czj", "rsj", "xcb"}}}
	lead, co := Written(it, "县人力资源和社会保障局", []string{"县财政局", "县委宣传部"})
	if lead != "县医疗保障局" || !reflect.DeepEqual(co, []string{"", "县文化和旅游局"}) {
		t.Errorf("lead %q co %q", lead, co)
	}
	// After a reassignment the wording no longer names the lead unit.
	moved := it
	moved.Lead, moved.Co = "czj", []string{"cgz"}
	if lead, co := Written(moved, "县财政局", []string{"城关镇"}); lead != "" || co != nil {
		t.Errorf("reassigned: lead %q co %q", lead, co)
	}
	// Items read before the ids were kept, and ids written as such, give no wording.
	old := Item{Lead: "rsj", Source: Source{Lead: "县医疗保障局"}}
	if lead, _ := Written(old, "县人力资源和社会保障局", nil); lead != "" {
		t.Errorf("old item: %q", lead)
	}
	byID := Item{Lead: "rsj", Source: Source{Lead: "rsj", LeadID: "rsj"}}
	if lead, _ := Written(byID, "县人力资源和社会保障局", nil); lead != "" {
		t.Errorf("by id: %q", lead)
	}
}

func TestAddressedAs(t *testing.T) {
	for _, tc := range [][3]string{
		{"县人力资源和社会保障局", "", "县人力资源和社会保障局"},
		{"县人力资源和社会保障局", "县人力资源和社会保障局", "县人力资源和社会保障局"},
		{"县人力资源和社会保障局", "县医疗保障局", "县人力资源和社会保障局（县医疗保障局）"},
		{"县人力资源和社会保障局", "县人力资源和社会保障局(县医疗保障局)", "县人力资源和社会保障局(县医疗保障局)"},
	} {
		if got := AddressedAs(tc[0], tc[1]); got != tc[2] {
			t.Errorf("AddressedAs(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

// A standing item is sealed as such; an item with a deadline hashes as before.
func TestItemRootStanding(t *testing.T) {
	m := Meeting{ID: "m", Name: "n", Date: "2026-09-15"}
	it := Item{No: 1, Title: "t"}
	st := it
	st.Standing = true
	if ItemRoot(m, it) == ItemRoot(m, st) {
		t.Error("standing not sealed")
	}
}
