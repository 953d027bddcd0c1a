package tasklist

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"taskrelay/examples"
	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
)

var sampleDirectory = sync.OnceValues(func() (*directory.Directory, error) {
	return directory.Parse(examples.DirectoryFile, examples.Directory)
})

// sampleDir is the sample county's directory, parsed once (tests only read it).
func sampleDir(t testing.TB) *directory.Directory {
	t.Helper()
	d, err := sampleDirectory()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var sampleMeeting = MeetingFlags{ID: examples.MeetingID, Name: examples.MeetingName, Date: examples.MeetingDate}

func mustParse(t *testing.T, file string, data []byte, flags MeetingFlags) *relay.Plan {
	t.Helper()
	p, err := Parse(file, data, sampleDir(t), flags)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return p
}

func TestSampleLists(t *testing.T) {
	y := mustParse(t, examples.TaskListYAMLFile, examples.TaskListYAML, MeetingFlags{})
	j := mustParse(t, examples.TaskListJSONFile, examples.TaskListJSON, MeetingFlags{})
	x := mustParse(t, examples.TaskListXLSXFile, examples.TaskListXLSX, sampleMeeting)
	if y.SourceFile != examples.TaskListYAMLFile || j.SourceFile != examples.TaskListJSONFile || x.SourceFile != examples.TaskListXLSXFile {
		t.Errorf("source files %q %q %q", y.SourceFile, j.SourceFile, x.SourceFile)
	}
	for _, p := range []*relay.Plan{y, j, x} {
		p.SourceFile = ""
	}
	if !reflect.DeepEqual(y, j) {
		t.Errorf("YAML and JSON plans differ:\n%s\n%s", show(y), show(j))
	}
	if !reflect.DeepEqual(y, x) {
		t.Errorf("YAML and XLSX plans differ:\n%s\n%s", show(y), show(x))
	}

	// What the sample is meant to show.
	if y.Meeting != (relay.Meeting{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"}) {
		t.Errorf("meeting = %+v", y.Meeting)
	}
	if n := len(y.Items); n < 8 || n > 12 {
		t.Errorf("%d items", n)
	}
	now := "2026-11-25" // late November 2026
	week := "2026-12-02"
	var overdue, soon, later, withCo, explicit, alias int
	for _, it := range y.Items {
		switch {
		case it.Deadline < now:
			overdue++
		case it.Deadline <= week:
			soon++
		default:
			later++
		}
		if it.Deadline < "2026-10-31" || it.Deadline > "2027-06-30" {
			t.Errorf("item %d deadline %s outside 2026-10-31..2027-06-30", it.No, it.Deadline)
		}
		if len(it.Co) > 0 {
			withCo++
		}
		if it.Source.Leader != "" {
			explicit++
			if _, ok := sampleDir(t).DeputyOf(it.Lead); ok {
				t.Errorf("item %d: explicit leader although %s has a deputy", it.No, it.Lead)
			}
		}
		if u, _ := sampleDir(t).Unit(it.Lead); u.Name != it.Source.Lead {
			alias++
		}
	}
	if overdue == 0 || soon == 0 || later <= overdue+soon || withCo == 0 || explicit == 0 || alias == 0 {
		t.Errorf("overdue %d, due soon %d, later %d, with co %d, explicit leader %d, lead by alias %d",
			overdue, soon, later, withCo, explicit, alias)
	}

	// Item 1: 县医疗保障局 is the human-resources bureau's second plaque.
	it := y.Items[0]
	want := relay.Item{
		No: 1, Title: `推进社保医保"两险同宣同征"`, Requirements: it.Requirements,
		Lead: "rsj", Co: []string{"czj", "cgz"}, Deputy: "ld-chang", Deadline: "2026-12-31",
		Source: relay.Source{Lead: "县医疗保障局", Co: []string{"县财政局", "城关镇"}, LeadID: "rsj", CoIDs: []string{"czj", "cgz"}},
	}
	if !reflect.DeepEqual(it, want) {
		t.Errorf("item 1 = %+v", it)
	}
	// Item 8 is led by the discipline commission, with its leader given by name.
	if it := y.Items[7]; it.Lead != "jw" || it.Deputy != "ld-wang" || it.Source.Leader != "王某" {
		t.Errorf("item 8 = %+v", it)
	}
	if !reflect.DeepEqual(y.Leaders, sampleDir(t).RelayLeaders()) {
		t.Errorf("leaders = %v", y.Leaders)
	}
	// Units: every unit named, once, in directory order.
	seen := map[string]bool{}
	for _, u := range y.Units {
		if seen[u.ID] {
			t.Errorf("unit %s twice", u.ID)
		}
		seen[u.ID] = true
	}
	for _, it := range y.Items {
		for _, id := range append([]string{it.Lead}, it.Co...) {
			if !seen[id] {
				t.Errorf("unit %s of item %d not in plan.Units", id, it.No)
			}
		}
	}
	if y.UnitName("rsj") != "县人力资源和社会保障局" {
		t.Errorf("UnitName(rsj) = %q", y.UnitName("rsj"))
	}
}

func show(p *relay.Plan) string {
	b, _ := json.MarshalIndent(p, "", " ")
	return string(b)
}

// The committed spreadsheet is what genexample writes today.
func TestSampleXLSXUpToDate(t *testing.T) {
	y := mustParse(t, examples.TaskListYAMLFile, examples.TaskListYAML, MeetingFlags{})
	x := mustParse(t, examples.TaskListXLSXFile, examples.TaskListXLSX, sampleMeeting)
	y.SourceFile, x.SourceFile = "", ""
	if !reflect.DeepEqual(x, y) {
		t.Fatal("examples/tasklist.xlsx is stale: run `go run ./internal/tasklist/internal/genexample`")
	}
}

func TestParseFile(t *testing.T) {
	d := sampleDir(t)
	root := filepath.Join("..", "..", "examples")
	for _, name := range []string{"tasklist.yaml", "tasklist.json", "tasklist.xlsx"} {
		p, err := ParseFile(filepath.Join(root, name), d, sampleMeeting)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.SourceFile != filepath.Join(root, name) {
			t.Errorf("SourceFile = %q", p.SourceFile)
		}
	}
	_, err := ParseFile(filepath.Join(t.TempDir(), "none.yaml"), d, MeetingFlags{})
	if err == nil || !strings.Contains(err.Error(), "none.yaml: 无法读取任务清单") {
		t.Errorf("missing file: %v", err)
	}
}

// A file over the limit is refused before it is read or parsed.
func TestTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: not valid YAML either
		t.Fatal(err)
	}
	f.Close()
	_, err = ParseFile(path, sampleDir(t), MeetingFlags{})
	wantProblem(t, err, Problem{File: path, Message: "文件过大（10485761 字节），任务清单文件不得超过 10 MiB"})
	_, err = Parse("big.json", make([]byte, MaxFileSize+1), sampleDir(t), MeetingFlags{})
	wantProblem(t, err, Problem{File: "big.json", Message: "文件过大（10485761 字节），任务清单文件不得超过 10 MiB"})
}

// wantProblem checks err is Problems holding exactly want (in any order).
func wantProblem(t *testing.T, err error, want ...Problem) {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not Problems", err, err)
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(ps), len(want), err)
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			if reflect.DeepEqual(p, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q in\n%s", w.String(), err)
		}
	}
}
