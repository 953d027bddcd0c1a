package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"taskrelay/examples"
	"taskrelay/internal/directory"
)

// capture runs f with os.Stdout going to a pipe, and returns what it printed.
func capture(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	ferr := f()
	os.Stdout = old
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), ferr
}

// TestSubmitJSONRefusedList: `submit --json` on a refused list prints its problems
// as JSON on stdout, with suggestions, and fails; nothing is started (no engine is
// reached: none runs here).
func TestSubmitJSONRefusedList(t *testing.T) {
	t.Setenv("TASKRELAY_DIRECTORY", "")
	t.Setenv("TASKRELAY_CONFIG", "")
	path := filepath.Join(t.TempDir(), "清单.yaml")
	doc := "meeting: {id: m1, name: n, date: 2026-09-15}\nitems:\n" +
		"  - {no: 1, title: t, lead: 县人设局, deadline: 2027-03-31}\n" +
		"  - {no: 2, title: t, lead: czj, deadline: 年底}\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := capture(t, func() error { return cmdSubmit(t.Context(), []string{"--json", path}) })
	if err == nil {
		t.Fatal("refused list accepted")
	}
	var got struct {
		Problems []struct {
			File        string   `json:"file"`
			Item        int      `json:"item"`
			Field       string   `json:"field"`
			Message     string   `json:"message"`
			Suggestions []string `json:"suggestions"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if len(got.Problems) != 2 {
		t.Fatalf("%s", out)
	}
	p := got.Problems[0]
	if p.File != path || p.Item != 1 || p.Field != "lead" || len(p.Suggestions) != 1 || p.Suggestions[0] != "县人力资源和社会保障局" ||
		!strings.Contains(p.Message, "您是否要找：县人力资源和社会保障局") {
		t.Errorf("problem %+v", p)
	}
	if q := got.Problems[1]; q.Field != "deadline" || q.Suggestions == nil || len(q.Suggestions) != 0 {
		t.Errorf("problem %+v", q)
	}
}

// TestUnitNamesOnCommands: a misspelt unit or leader on any command is refused as
// unknown, with suggestions, before the engine is asked (which would say 无权操作).
func TestUnitNamesOnCommands(t *testing.T) {
	dir, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unitByName(dir, "县财正局"); err == nil || err.Error() != "找不到单位“县财正局”（您是否要找：县财政局）" {
		t.Errorf("unit: %v", err)
	}
	if _, err := unitByName(dir, "县气象局"); err == nil || err.Error() != "找不到单位“县气象局”（目录中没有这个编号、名称或别名）" {
		t.Errorf("far unit: %v", err)
	}
	if u, err := unitByName(dir, "县人力资源和社会保障局（县医疗保障局）"); err != nil || u.ID != "rsj" {
		t.Errorf("merged: %v %v", u, err)
	}
	if _, err := leaderByName(dir, "王某某"); err == nil || err.Error() != "找不到县领导“王某某”（您是否要找：王某）" {
		t.Errorf("leader: %v", err)
	}
	// Through the commands themselves: each is refused before connecting.
	t.Setenv("TASKRELAY_DIRECTORY", "")
	t.Setenv("TASKRELAY_CONFIG", "")
	for _, args := range [][]string{
		{"ack", "m1-1", "--unit", "县财正局"},
		{"progress", "m1-1", "--unit", "县财正局", "--percent", "40"},
		{"complete", "m1-1", "--unit", "县财正局"},
		{"assign", "m1-1", "--unit", "县财正局", "--person", "x"},
		{"chase", "--unit", "县财正局", "--tasks", "m1-1", "--reply-by", "2027-01-01", "--note", "n"},
		{"pushback", "m1-1", "--unit", "县财正局", "--reason", "r"},
		{"reassign", "m1-1", "--lead", "县财正局", "--reason", "r"},
		{"decide-extension", "m1-1", "--approve", "--by", "王某某"},
		{"score", "县财正局", "--month", "2026-11"},
	} {
		err := run(t.Context(), args[0], args[1:])
		want := "找不到单位“县财正局”（您是否要找：县财政局）"
		if args[0] == "decide-extension" {
			want = "找不到县领导“王某某”（您是否要找：王某）"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v", args, err)
		}
	}
}
