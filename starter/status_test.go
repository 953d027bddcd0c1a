package main

import (
	"encoding/json"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// TestStatusLineCarriesTheListsWording: `status --json` gives a task's standing and
// the list's wording of its units where it differs from the directory's names.
func TestStatusLineCarriesTheListsWording(t *testing.T) {
	it := relay.Item{No: 1, Lead: "rsj", Co: []string{"czj", "cgz"}, Standing: true,
		Source: relay.Source{Lead: "县医疗保障局", LeadID: "rsj", Co: []string{"县财政局", "城关"}, CoIDs: []string{"czj", "cgz"}}}
	v := relay.TaskView{LeadUnit: "rsj", LeadUnitName: "县人力资源和社会保障局", CoUnits: it.Co, CoUnitNames: []string{"县财政局", "城关镇"}}
	v.SetFromItem(it)
	b, err := json.Marshal(statusLine(v))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"deadline":""`, `"standing":true`, `"lead_unit_written":"县医疗保障局"`, `"co_units_written":["","城关"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s\nlacks %s", b, want)
		}
	}
	// Nothing written differently: the fields are absent.
	v = relay.TaskView{LeadUnit: "czj", LeadUnitName: "县财政局"}
	v.SetFromItem(relay.Item{Lead: "czj", Deadline: "2027-03-31", Source: relay.Source{Lead: "县财政局", LeadID: "czj"}})
	b, _ = json.Marshal(statusLine(v))
	if s := string(b); strings.Contains(s, "written") || !strings.Contains(s, `"standing":false`) {
		t.Errorf("%s", s)
	}
}
