package parts

import (
	"encoding/json"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

func TestSplitBoundsPartsAndKeepsOrder(t *testing.T) {
	p := relay.Plan{Meeting: relay.Meeting{ID: "m1"}}
	long := strings.Repeat("要", 4000) // the longest requirements a list may carry
	for i := 1; i <= 1200; i++ {
		it := relay.Item{No: i * 2, Title: "事项", Lead: "u1", Deadline: "2026-12-31"}
		if i > 1000 {
			it.Requirements = long
		}
		p.Items = append(p.Items, it)
	}
	if !Needed(p) {
		t.Fatal("a 1,200-item list must be kept in parts")
	}
	header, ps := Split(p)
	if len(header.Items) != 0 {
		t.Fatal("the header keeps items")
	}
	next := 2
	for k, part := range ps {
		b, _ := json.Marshal(part.Input)
		if part.Ref.Count > relay.PartMaxItems || len(b) > relay.PartMaxBytes+4096 || part.Input.Index != k {
			t.Errorf("part %d: %d items, %d bytes", k, part.Ref.Count, len(b))
		}
		for _, it := range part.Input.Items {
			if it.No != next {
				t.Fatalf("part %d: item %d, want %d", k, it.No, next)
			}
			if !part.Ref.Has(it.No) || part.Ref.Has(it.No+1) {
				t.Fatalf("part %d ranges %v wrong about %d", k, part.Ref.Nos, it.No)
			}
			next += 2
		}
	}
	if next != 2402 {
		t.Fatalf("items lost: next %d", next)
	}
	_, again := Split(p)
	if again[0].Ref.WorkflowID != ps[0].Ref.WorkflowID {
		t.Error("the same list must get the same part ids")
	}
	p.Items[0].Title = "改了"
	if _, other := Split(p); other[0].Ref.WorkflowID == ps[0].Ref.WorkflowID {
		t.Error("a different list must get different part ids")
	}
	small := relay.Plan{Items: p.Items[:10]}
	if Needed(small) {
		t.Error("a 10-item list travels inline")
	}
}
