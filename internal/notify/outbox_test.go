package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

func sampleNotice() relay.Notice {
	return relay.Notice{
		ID:          "dispatch:cwh-2026-12:rsj",
		Kind:        relay.NoticeDispatch,
		MeetingID:   "cwh-2026-12",
		MeetingName: "县委常委会2026年第12次会议",
		ToKind:      relay.ToUnit,
		To:          "rsj",
		ToName:      "县人力资源和社会保障局",
		Subject:     "县委常委会2026年第12次会议任务交办单",
		Body:        "请按要求抓好落实，每月25日前报送进展。",
		Items: []relay.NoticeItem{{
			No: 3, TaskID: "cwh-2026-12:3", Title: "稳就业 | 保民生", Requirements: "第一行\n第二行",
			Role: relay.RoleLead, Deadline: "2026-12-31", DeputyName: "张副县长",
			CoUnitNames: []string{"县财政局", "县教育体育局"}, LeadUnitName: "县人力资源和社会保障局",
		}},
		IssuedAt: time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC), // 09:30 county time
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func countJSON(names []string) int {
	c := 0
	for _, n := range names {
		if strings.HasSuffix(n, ".json") {
			c++
		}
	}
	return c
}

func TestOutboxWritesOnceAndIsIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox", "nested") // created on demand
	o := NewOutbox(dir)
	n := sampleNotice()
	ctx := context.Background()
	if err := o.Deliver(ctx, n); err != nil {
		t.Fatal(err)
	}
	stem := FileName(n.ID)
	want := []string{stem + ".json", stem + ".md"}
	if got := dirNames(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("files = %v, want %v", got, want)
	}
	first, err := os.ReadFile(filepath.Join(dir, stem+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(first), "\n  \"id\": \"dispatch:cwh-2026-12:rsj\"") {
		t.Errorf("json not indented or id missing:\n%s", first)
	}
	md, err := os.ReadFile(filepath.Join(dir, stem+".md"))
	if err != nil || string(md) != Render(n) {
		t.Errorf(".md differs from Render (err %v)", err)
	}

	changed := n
	changed.Body = "改过的正文"
	if err := o.Deliver(ctx, changed); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(dir, stem+".json"))
	if string(again) != string(first) {
		t.Error("second Deliver overwrote the notice")
	}
	md2, _ := os.ReadFile(filepath.Join(dir, stem+".md"))
	if string(md2) != string(md) {
		t.Error("second Deliver overwrote the .md")
	}
	if got := dirNames(t, dir); countJSON(got) != 1 || len(got) != 2 {
		t.Fatalf("files after second Deliver = %v", got)
	}
}

func TestOutboxRepairsMissingMarkdown(t *testing.T) {
	dir := t.TempDir()
	o := NewOutbox(dir)
	n := sampleNotice()
	if err := o.Deliver(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(dir, FileName(n.ID)+".md")
	if err := os.Remove(md); err != nil {
		t.Fatal(err)
	}
	changed := n
	changed.Subject = "不应出现"
	if err := o.Deliver(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != Render(n) {
		t.Error(".md was not rebuilt from the stored notice")
	}
}

func TestOutboxConcurrentSameNotice(t *testing.T) {
	dir := t.TempDir()
	n := sampleNotice()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := n
			m.Body = strings.Repeat("正文", i+1) // racing versions differ; the first wins
			errs <- NewOutbox(dir).Deliver(context.Background(), m)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	names := dirNames(t, dir)
	if countJSON(names) != 1 || len(names) != 2 {
		t.Fatalf("files = %v, want one .json and one .md (no temp files)", names)
	}
	list, err := NewOutbox(dir).List(nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, FileName(n.ID)+".md"))
	if string(md) != Render(list[0]) {
		t.Error(".md does not match the stored notice")
	}
}

func TestOutboxListRoundTrip(t *testing.T) {
	dir := t.TempDir()
	o := NewOutbox(dir)
	ctx := context.Background()
	base := sampleNotice()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, relay.TimeZone)
	mk := func(id, kind string, at time.Time) relay.Notice {
		n := base
		n.ID, n.Kind, n.IssuedAt = id, kind, at
		return n
	}
	in := []relay.Notice{
		mk("reminder:cwh-2026-12:3:2026-12-31:7", relay.NoticeReminder, t0.Add(2*time.Hour)),
		mk("dispatch:cwh-2026-12:rsj", relay.NoticeDispatch, t0),
		mk("dispatch:cwh-2026-12:czj", relay.NoticeDispatch, t0),
		mk("overdue:cwh-2026-12:3", relay.NoticeOverdue, t0.Add(time.Hour)),
	}
	for _, n := range in {
		if err := o.Deliver(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	// Debris that List must skip.
	os.WriteFile(filepath.Join(dir, ".x.json.123.tmp"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("hi"), 0o644)

	all, err := o.List(nil)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []string{"dispatch:cwh-2026-12:czj", "dispatch:cwh-2026-12:rsj", "overdue:cwh-2026-12:3", "reminder:cwh-2026-12:3:2026-12-31:7"}
	var got []string
	for _, n := range all {
		got = append(got, n.ID)
	}
	if !reflect.DeepEqual(got, wantOrder) {
		t.Fatalf("order = %v, want %v", got, wantOrder)
	}
	for _, n := range all {
		var orig relay.Notice
		for _, m := range in {
			if m.ID == n.ID {
				orig = m
			}
		}
		if !n.IssuedAt.Equal(orig.IssuedAt) {
			t.Errorf("%s: IssuedAt %v, want %v", n.ID, n.IssuedAt, orig.IssuedAt)
		}
		n.IssuedAt = orig.IssuedAt // location may differ after JSON
		if !reflect.DeepEqual(n, orig) {
			t.Errorf("round trip of %s:\n got %#v\nwant %#v", n.ID, n, orig)
		}
	}
	dispatches, err := o.List(func(n relay.Notice) bool { return n.Kind == relay.NoticeDispatch })
	if err != nil || len(dispatches) != 2 {
		t.Fatalf("filtered List = %d notices, %v", len(dispatches), err)
	}
	empty, err := NewOutbox(filepath.Join(dir, "missing")).List(nil)
	if err != nil || len(empty) != 0 {
		t.Fatalf("missing dir: %v, %v", empty, err)
	}
}

func TestOutboxRejectsNoticeWithoutID(t *testing.T) {
	n := sampleNotice()
	n.ID = ""
	err := NewOutbox(t.TempDir()).Deliver(context.Background(), n)
	if !errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want ErrPermanent", err)
	}
}

func TestFileNameSafety(t *testing.T) {
	ids := []string{
		"dispatch:cwh-2026-12:rsj",
		"reminder:cwh-2026-12:3:2026-12-31:7",
		"../../etc/passwd",
		"..",
		".",
		"/abs/path",
		`a\b`,
		"a/b",
		"a:b",
		"a_b",
		"交办:县委常委会/人社局",
		"",
		"x\x00y\n",
		strings.Repeat("长", 300),
	}
	seen := map[string]string{}
	for _, id := range ids {
		name := FileName(id)
		if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") {
			t.Errorf("FileName(%q) = %q", id, name)
		}
		for _, r := range name {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
				t.Errorf("FileName(%q) = %q has %q", id, name, r)
			}
		}
		if len(name) > 120 {
			t.Errorf("FileName(%q) too long: %d", id, len(name))
		}
		if filepath.Base(name) != name || !filepath.IsLocal(name) {
			t.Errorf("FileName(%q) = %q is not a plain local name", id, name)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("FileName collision: %q and %q -> %q", prev, id, name)
		}
		seen[name] = id
		if FileName(id) != name {
			t.Errorf("FileName(%q) not deterministic", id)
		}
	}
	if got := FileName("dispatch:cwh-2026-12:rsj"); !strings.HasPrefix(got, "dispatch_cwh-2026-12_rsj-") || len(got) != len("dispatch_cwh-2026-12_rsj-")+12 {
		t.Errorf("FileName = %q", got)
	}

	// Deliver of hostile ids stays inside the folder.
	root := t.TempDir()
	dir := filepath.Join(root, "box")
	o := NewOutbox(dir)
	for _, id := range []string{"../../escape", "/abs", "..", "交办:县委/人社局"} {
		n := sampleNotice()
		n.ID = id
		if err := o.Deliver(context.Background(), n); err != nil {
			t.Fatalf("Deliver(%q): %v", id, err)
		}
	}
	if got := dirNames(t, root); !reflect.DeepEqual(got, []string{"box"}) {
		t.Errorf("files outside the outbox: %v", got)
	}
	if got := dirNames(t, dir); countJSON(got) != 4 || len(got) != 8 {
		t.Errorf("outbox files = %v", got)
	}
	list, err := o.List(nil)
	if err != nil || len(list) != 4 {
		t.Fatalf("List = %d, %v", len(list), err)
	}
}

func TestOutboxDamagedRecordIsPermanent(t *testing.T) {
	dir := t.TempDir()
	n := sampleNotice()
	if err := os.WriteFile(filepath.Join(dir, FileName(n.ID)+".json"), []byte("{trunc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := NewOutbox(dir).Deliver(context.Background(), n); !errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want ErrPermanent", err)
	}
	if _, err := NewOutbox(dir).List(nil); err == nil {
		t.Fatal("List accepted a damaged record")
	}
}
