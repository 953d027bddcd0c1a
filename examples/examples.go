// Package examples embeds the sample county: its directory (a small county's
// reformed organisation) and a standing committee meeting's task list in the three
// formats `submit` reads. The YAML, JSON and XLSX lists are the same list;
// tasklist.xlsx is generated from tasklist.yaml by
// `go run ./tasklist/internal/genexample`.
package examples

import _ "embed"

// File names of the samples, relative to the module root, as messages name them.
const (
	DirectoryFile    = "examples/directory.yaml"
	TaskListYAMLFile = "examples/tasklist.yaml"
	TaskListJSONFile = "examples/tasklist.json"
	TaskListXLSXFile = "examples/tasklist.xlsx"
)

// Directory is the sample county's directory (YAML).
//
//go:embed directory.yaml
var Directory []byte

// TaskListYAML is the sample task list of meeting cwh-2026-12 as YAML.
//
//go:embed tasklist.yaml
var TaskListYAML []byte

// TaskListJSON is the same task list as JSON.
//
//go:embed tasklist.json
var TaskListJSON []byte

// TaskListXLSX is the same task list as a spreadsheet; its meeting's id, name and
// date are not in the file and must be supplied (MeetingID, MeetingName, MeetingDate).
//
//go:embed tasklist.xlsx
var TaskListXLSX []byte

// The sample meeting, for the spreadsheet list.
const (
	MeetingID   = "cwh-2026-12"
	MeetingName = "县委常委会2026年第12次会议"
	MeetingDate = "2026-09-15"
)
