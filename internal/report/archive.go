package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"taskrelay/internal/relay"
)

// Archive file names inside <data>/reports/YYYY-MM/ (pinyin: 通报, 报告, 台账).
const (
	SnapshotFile = "snapshot.json" // the input the reports were computed from
	FiguresFile  = "figures.json"  // the whole computed report
	SignoffFile  = "signoff.json"  // the sign-off's state and timeline (relay.ReportSignoff)
)

// ReadReport reads a month's archived report (figures.json); fs.ErrNotExist when the
// month has none.
func ReadReport(dataDir, month string) (*Report, error) {
	p := filepath.Join(Dir(dataDir, month), FiguresFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("报告数字 %s 无法解析: %w", p, err)
	}
	return &r, nil
}

// WriteSignoff keeps a month's sign-off state in its archive folder.
func WriteSignoff(dataDir string, so relay.ReportSignoff) error {
	b, err := json.MarshalIndent(so, "", "  ")
	if err != nil {
		return fmt.Errorf("编码签发记录: %w", err)
	}
	return writeAtomic(Dir(dataDir, so.Month), SignoffFile, b)
}

// ReadSignoff reads a month's sign-off state; nil when the month has none (a report
// archived before the sign-off existed, or none at all).
func ReadSignoff(dataDir, month string) (*relay.ReportSignoff, error) {
	p := filepath.Join(Dir(dataDir, month), SignoffFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("读取签发记录 %s: %w", p, err)
	}
	var so relay.ReportSignoff
	if err := json.Unmarshal(b, &so); err != nil {
		return nil, fmt.Errorf("签发记录 %s 无法解析: %w", p, err)
	}
	return &so, nil
}

// Files names a month's archived reports.
func Files(month string) (executiveMD, executiveHTML, committeeMD, committeeHTML, ledger string) {
	return "tongbao-" + month + ".md", "tongbao-" + month + ".html",
		"baogao-" + month + ".md", "baogao-" + month + ".html",
		"taizhang-" + month + ".xlsx"
}

// DocxFiles names a month's reports as official documents (.docx).
func DocxFiles(month string) (executive, committee string) {
	return "tongbao-" + month + ".docx", "baogao-" + month + ".docx"
}

// Dir is a month's archive folder.
func Dir(dataDir, month string) string { return filepath.Join(dataDir, "reports", month) }

// WriteSnapshot keeps a report's input in the archive, so that the reports can be
// rendered (again) from exactly what was gathered.
func WriteSnapshot(dataDir string, in *Input) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("编码报告数据: %w", err)
	}
	dir := Dir(dataDir, in.Request.Month)
	return filepath.Join(dir, SnapshotFile), writeAtomic(dir, SnapshotFile, b)
}

// ReadSnapshot reads a month's archived input.
func ReadSnapshot(dataDir, month string) (*Input, error) {
	p := filepath.Join(Dir(dataDir, month), SnapshotFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("读取报告数据 %s: %w", p, err)
	}
	var in Input
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("报告数据 %s 无法解析: %w", p, err)
	}
	return &in, nil
}

// Write renders every format of both reports and the ledger into the month's archive
// folder, replacing an earlier run's files whole (each file is written atomically).
// It returns the paths written.
func (r *Report) Write(dataDir string) ([]string, error) {
	dir := Dir(dataDir, r.Figures.Month)
	exMD, exHTML, coMD, coHTML, ledger := Files(r.Figures.Month)
	ex, co := r.Executive(), r.Committee()
	xlsx, err := r.Ledger()
	if err != nil {
		return nil, err
	}
	exDocx, coDocx := DocxFiles(r.Figures.Month)
	exWord, err := r.ExecutiveDocx()
	if err != nil {
		return nil, err
	}
	coWord, err := r.CommitteeDocx()
	if err != nil {
		return nil, err
	}
	figures, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("编码报告数字: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{exMD, []byte(ex.Markdown())}, {exHTML, []byte(ex.HTML())},
		{coMD, []byte(co.Markdown())}, {coHTML, []byte(co.HTML())},
		{exDocx, exWord}, {coDocx, coWord},
		{ledger, xlsx}, {FiguresFile, figures},
	}
	var paths []string
	for _, f := range files {
		if err := writeAtomic(dir, f.name, f.data); err != nil {
			return nil, err
		}
		paths = append(paths, filepath.Join(dir, f.name))
	}
	return paths, nil
}

func writeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("报告归档目录 %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("写 %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("写 %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("写 %s: %w", name, err)
	}
	return nil
}

// Entry is one archived month, as `starter reports` lists it.
type Entry struct {
	Month       string    `json:"month"`
	AsOf        string    `json:"as_of"`
	GeneratedAt time.Time `json:"generated_at"`
	Totals      Totals    `json:"totals"`
	Dir         string    `json:"dir"`
	Files       []string  `json:"files"`
	// State, DocNo and Signoff come from the sign-off record: draft, reviewed or
	// issued, the 通报's number once issued, and each step taken.
	State   relay.ReportState    `json:"state,omitempty"`
	DocNo   string               `json:"doc_no,omitempty"`
	Signoff *relay.ReportSignoff `json:"signoff,omitempty"`
}

// List reads the archive, newest month first. A missing archive is an empty list.
func List(dataDir string) ([]Entry, error) {
	root := filepath.Join(dataDir, "reports")
	months, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return []Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("读取报告归档 %s: %w", root, err)
	}
	out := []Entry{}
	for _, m := range months {
		if !m.IsDir() {
			continue
		}
		if _, err := ParseMonth(m.Name()); err != nil {
			continue
		}
		dir := filepath.Join(root, m.Name())
		e := Entry{Month: m.Name(), Dir: dir, Files: []string{}}
		if b, err := os.ReadFile(filepath.Join(dir, FiguresFile)); err == nil {
			var r Report
			if err := json.Unmarshal(b, &r); err == nil {
				e.AsOf, e.GeneratedAt, e.Totals = r.AsOf, r.GeneratedAt, r.Totals
			}
		}
		if so, err := ReadSignoff(dataDir, m.Name()); err == nil && so != nil {
			e.State, e.DocNo, e.Signoff = so.State, so.DocNo, so
		}
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			if !f.IsDir() && f.Name()[0] != '.' && f.Name() != SnapshotFile && f.Name() != FiguresFile && f.Name() != SignoffFile {
				e.Files = append(e.Files, f.Name())
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month > out[j].Month })
	return out, nil
}
