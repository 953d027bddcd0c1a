package tasklist

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"unicode/utf8"

	"taskrelay/internal/tasklist/internal/docxbuild"
)

var fuzzExts = []string{".yaml", ".json", ".xlsx", ".docx"}

// FuzzParse feeds arbitrary YAML, JSON, XLSX and DOCX to Parse: it must never panic, a
// rejection must be well-formed Problems, and an accepted plan must hold the
// invariants the engine relies on (checkPlan). The seed corpus is
// testdata/seed/* plus a few spreadsheets built here.
//
//	go test ./tasklist/ -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "seed", "*"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed corpus: %v", err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for k, ext := range fuzzExts {
			if filepath.Ext(path) == ext {
				f.Add(uint8(k), data)
				f.Add(uint8(k+len(fuzzExts)), data) // with meeting flags
			}
		}
	}
	f.Add(uint8(5), sheet(f,
		[]any{"标题"},
		stdHeader,
		[]any{1, "t", "", "县医疗保障局", "县财政局、城关镇，平坡镇,西山镇；顺河乡", "", day(2026, 12, 31)},
		[]any{2, "t", "要求", "县委组织部", "", "李某", "2027年1月5日"},
		[]any{"3", "t", "", "县水务局", "", "孙某", "2026/02/30"},
	))
	f.Add(uint8(2), sheet(f, []any{"序号", "任务事项"}, []any{1, "t"}))
	// Word tables: merged cells down and across, a section row, line breaks.
	f.Add(uint8(3+len(fuzzExts)), wordDoc(f, [][]docxbuild.Cell{
		docHeader,
		{{Text: "一、深化改革", Span: 7}},
		{T("1"), T("两险同宣同征"), {Text: "一个窗口\n办结", Breaks: true}, {Text: "县医疗保障局", Merge: "restart"}, T("县财政局\n城关镇"), T(""), {Text: "2026-12-31", Merge: "restart"}},
		{T("2"), T("大股室制"), T(""), {Merge: "continue"}, T("城关镇"), T("李某"), {Merge: "continue"}},
		{T("二"), {Text: "攀岩赛", Span: 3}, T("县农业局"), T("2027年1月5日")},
	}))
	f.Add(uint8(3), wordDoc(f, [][]docxbuild.Cell{{T("序号"), T("任务事项")}, {{Merge: "continue"}, T("t")}}))

	dir := sampleDir(f)
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		file := "fuzz" + fuzzExts[int(kind)%len(fuzzExts)]
		var flags MeetingFlags
		if int(kind)/len(fuzzExts)%2 == 1 {
			flags = sampleMeeting
		}
		p, err := Parse(file, data, dir, flags)
		if err == nil {
			checkPlan(t, p)
			if p.SourceFile != file {
				t.Errorf("SourceFile %q", p.SourceFile)
			}
			return
		}
		if p != nil {
			t.Error("plan and error both returned")
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error %v (%T) is not Problems", err, err)
		}
		if !sort.SliceIsSorted(ps, func(i, j int) bool { return ps[i].Item < ps[j].Item }) {
			t.Errorf("problems not sorted by item:\n%s", err)
		}
		for _, pr := range ps {
			if pr.File != file || pr.Message == "" || pr.Item < 0 || !utf8.ValidString(pr.Message) {
				t.Errorf("malformed problem %#v", pr)
			}
		}
	})
}
