package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"taskrelay/internal/blobstore"
	"taskrelay/internal/relay"
)

// Archive file names inside reports/YYYY-MM/ of the blob store (pinyin: 通报, 报告, 台账).
const (
	SnapshotFile = "snapshot.json" // the input the reports were computed from
	FiguresFile  = "figures.json"  // the whole computed report
	SignoffFile  = "signoff.json"  // the sign-off's state and timeline (relay.ReportSignoff)
)

// Archive is the monthly reports' archive in the blob store every worker and console
// share (TASKRELAY_BLOB_URL): reports/YYYY-MM/<file>. Whichever worker makes a month's
// report, every console and `starter reports` read the same files.
type Archive struct{ b *blob.Bucket }

// NewArchive keeps the archive in b.
func NewArchive(b *blob.Bucket) *Archive { return &Archive{b: b} }

// Prefix is the blob folder of the whole archive.
const Prefix = "reports/"

// Key is the blob key of one of a month's files.
func Key(month, name string) string { return Prefix + month + "/" + name }

// ReadReport reads a month's archived report (figures.json); an error satisfying
// errors.Is(err, fs.ErrNotExist) when the month has none.
func (a *Archive) ReadReport(ctx context.Context, month string) (*Report, error) {
	b, err := a.read(ctx, month, FiguresFile)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("报告数字 %s 无法解析: %w", Key(month, FiguresFile), err)
	}
	return &r, nil
}

// read reads a month's file; its error satisfies errors.Is(err, fs.ErrNotExist) when
// the file is not there.
func (a *Archive) read(ctx context.Context, month, name string) ([]byte, error) {
	b, err := a.b.ReadAll(ctx, Key(month, name))
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("%s: %w", Key(month, name), fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("读取报告归档 %s: %w", Key(month, name), err)
	}
	return b, nil
}

// Open opens one of a month's files for reading (fs.ErrNotExist when missing).
func (a *Archive) Open(ctx context.Context, month, name string) (*blob.Reader, error) {
	r, err := a.b.NewReader(ctx, Key(month, name), nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("%s: %w", Key(month, name), fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("读取报告归档 %s: %w", Key(month, name), err)
	}
	return r, nil
}

// WriteSignoff keeps a month's sign-off state in its archive folder.
func (a *Archive) WriteSignoff(ctx context.Context, so relay.ReportSignoff) error {
	b, err := json.MarshalIndent(so, "", "  ")
	if err != nil {
		return fmt.Errorf("编码签发记录: %w", err)
	}
	return a.write(ctx, so.Month, SignoffFile, b)
}

// ReadSignoff reads a month's sign-off state; nil when the month has none (a report
// archived before the sign-off existed, or none at all).
func (a *Archive) ReadSignoff(ctx context.Context, month string) (*relay.ReportSignoff, error) {
	b, err := a.read(ctx, month, SignoffFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("读取签发记录: %w", err)
	}
	var so relay.ReportSignoff
	if err := json.Unmarshal(b, &so); err != nil {
		return nil, fmt.Errorf("签发记录 %s 无法解析: %w", Key(month, SignoffFile), err)
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

// Dir is a month's archive folder in a data folder, where versions before the blob
// store kept it (ImportDir reads it).
func Dir(dataDir, month string) string { return filepath.Join(dataDir, "reports", month) }

// WriteSnapshot keeps a report's input in the archive, so that the reports can be
// rendered (again) from exactly what was gathered. It returns the snapshot's key.
func (a *Archive) WriteSnapshot(ctx context.Context, in *Input) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("编码报告数据: %w", err)
	}
	return Key(in.Request.Month, SnapshotFile), a.write(ctx, in.Request.Month, SnapshotFile, b)
}

// ReadSnapshot reads a month's archived input.
func (a *Archive) ReadSnapshot(ctx context.Context, month string) (*Input, error) {
	b, err := a.read(ctx, month, SnapshotFile)
	if err != nil {
		return nil, fmt.Errorf("读取报告数据: %w", err)
	}
	var in Input
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("报告数据 %s 无法解析: %w", Key(month, SnapshotFile), err)
	}
	return &in, nil
}

// Write renders every format of both reports and the ledger into the month's archive
// folder, replacing an earlier run's files whole (each blob is replaced at once). It
// returns the keys written.
func (a *Archive) Write(ctx context.Context, r *Report) ([]string, error) {
	month := r.Figures.Month
	exMD, exHTML, coMD, coHTML, ledger := Files(month)
	ex, co := r.Executive(), r.Committee()
	xlsx, err := r.Ledger()
	if err != nil {
		return nil, err
	}
	exDocx, coDocx := DocxFiles(month)
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
		{ledger, xlsx}, {FiguresFile, figures}, // figures last: a month is listed once its files are in
	}
	var keys []string
	for _, f := range files {
		if err := a.write(ctx, month, f.name, f.data); err != nil {
			return nil, err
		}
		keys = append(keys, Key(month, f.name))
	}
	return keys, nil
}

func (a *Archive) write(ctx context.Context, month, name string, data []byte) error {
	if err := a.b.WriteAll(ctx, Key(month, name), data, nil); err != nil {
		return fmt.Errorf("写报告归档 %s: %w", Key(month, name), err)
	}
	return nil
}

// ImportDir copies a data folder's archive of earlier versions (<dataDir>/reports/
// YYYY-MM/*) into the store, each file only if the store has none of that name, so it
// is safe on every start and never replaces a newer report. It returns how many
// files it copied; a missing folder copies nothing.
func (a *Archive) ImportDir(ctx context.Context, dataDir string) (int, error) {
	root := filepath.Join(dataDir, "reports")
	months, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("读取旧报告归档 %s: %w", root, err)
	}
	n := 0
	for _, m := range months {
		if _, err := ParseMonth(m.Name()); err != nil || !m.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, m.Name()))
		if err != nil {
			return n, fmt.Errorf("读取旧报告归档: %w", err)
		}
		for _, f := range files {
			if !f.Type().IsRegular() || strings.HasPrefix(f.Name(), ".") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(root, m.Name(), f.Name()))
			if err != nil {
				return n, fmt.Errorf("读取旧报告归档: %w", err)
			}
			created, err := blobstore.WriteIfAbsent(ctx, a.b, Key(m.Name(), f.Name()), data, "")
			if err != nil {
				return n, fmt.Errorf("导入旧报告归档: %w", err)
			}
			if created {
				n++
			}
		}
	}
	return n, nil
}

// Entry is one archived month, as `starter reports` lists it.
type Entry struct {
	Month       string    `json:"month"`
	AsOf        string    `json:"as_of"`
	GeneratedAt time.Time `json:"generated_at"`
	Totals      Totals    `json:"totals"`
	// Dir is the month's folder in the blob store (reports/YYYY-MM/).
	Dir   string   `json:"dir"`
	Files []string `json:"files"`
	// State, DocNo and Signoff come from the sign-off record: draft, reviewed or
	// issued, the 通报's number once issued, and each step taken.
	State   relay.ReportState    `json:"state,omitempty"`
	DocNo   string               `json:"doc_no,omitempty"`
	Signoff *relay.ReportSignoff `json:"signoff,omitempty"`
}

// List reads the archive, newest month first. An empty store is an empty list.
func (a *Archive) List(ctx context.Context) ([]Entry, error) {
	months := map[string]*Entry{}
	err := blobstore.Each(ctx, a.b, Prefix, func(key string) error {
		month, name, ok := strings.Cut(strings.TrimPrefix(key, Prefix), "/")
		if !ok || name == "" || strings.Contains(name, "/") || strings.HasPrefix(name, ".") {
			return nil
		}
		if _, err := ParseMonth(month); err != nil {
			return nil
		}
		e := months[month]
		if e == nil {
			e = &Entry{Month: month, Dir: Prefix + month + "/", Files: []string{}}
			months[month] = e
		}
		if name != SnapshotFile && name != FiguresFile && name != SignoffFile {
			e.Files = append(e.Files, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("读取报告归档: %w", err)
	}
	out := []Entry{}
	for month, e := range months {
		if r, err := a.ReadReport(ctx, month); err == nil {
			e.AsOf, e.GeneratedAt, e.Totals = r.AsOf, r.GeneratedAt, r.Totals
		}
		if so, err := a.ReadSignoff(ctx, month); err == nil && so != nil {
			e.State, e.DocNo, e.Signoff = so.State, so.DocNo, so
		}
		sort.Strings(e.Files)
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month > out[j].Month })
	return out, nil
}
