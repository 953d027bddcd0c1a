// Package gongwentest reads generated .docx files as a person would: LibreOffice
// (headless) converts them to PDF, poppler's pdfinfo, pdftotext and pdftoppm give the
// page size, the page count, the text and page images. Tests of every package that
// writes documents use it.
//
// Without LibreOffice the tests skip, unless TASKRELAY_REQUIRE_OFFICE=1 (CI) makes
// them fail. With TASKRELAY_DOCS_SCREENSHOTS=1 the page images are kept in
// docs/screenshots/ for the README.
package gongwentest

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// PDF is a converted document.
type PDF struct {
	Path              string
	Pages             int
	WidthMM, HeightMM float64
	// Text is the document's text with all white space removed (the character grid
	// makes pdftotext put spaces between Chinese characters).
	Text string
}

// office serialises conversions: two soffice processes starting at once on a small
// machine mostly wait on each other.
var office sync.Mutex

// Convert converts one document; see ConvertAll.
func Convert(t testing.TB, name string, docx []byte) PDF {
	t.Helper()
	return ConvertAll(t, map[string][]byte{name: docx})[name]
}

// ConvertAll writes the documents (by name, without extension) to a temporary folder,
// converts them to PDF with one LibreOffice run (it takes seconds to start) and reads
// each back. A document LibreOffice cannot open fails the test.
func ConvertAll(t testing.TB, docs map[string][]byte) map[string]PDF {
	t.Helper()
	soffice := need(t, "soffice")
	need(t, "pdfinfo")
	need(t, "pdftotext")
	dir := t.TempDir()
	args := []string{"--headless", "--norestore", "--nologo",
		"-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir}
	names := slices.Sorted(maps.Keys(docs))
	for _, name := range names {
		in := filepath.Join(dir, name+".docx")
		if err := os.WriteFile(in, docs[name], 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, in)
	}
	office.Lock()
	t0 := time.Now()
	cmd := exec.Command(soffice, args...)
	cmd.Env = append(os.Environ(), "FONTCONFIG_FILE="+fontsConf(t, dir))
	out, err := cmd.CombinedOutput()
	office.Unlock()
	t.Logf("LibreOffice converted %d documents in %s", len(docs), time.Since(t0).Round(time.Millisecond))
	res := make(map[string]PDF, len(docs))
	for _, name := range names {
		pdf := filepath.Join(dir, name+".pdf")
		if _, serr := os.Stat(pdf); err != nil || serr != nil {
			t.Fatalf("LibreOffice could not convert %s.docx (%v): %s", name, err, out)
		}
		res[name] = read(t, pdf)
	}
	return res
}

//go:embed fonts.conf
var fontsConfig []byte

// fontsConf writes the test's font aliases (see fonts.conf) into dir.
func fontsConf(t testing.TB, dir string) string {
	p := filepath.Join(dir, "fonts.conf")
	if err := os.WriteFile(p, fontsConfig, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t testing.TB, pdf string) PDF {
	t.Helper()
	p := PDF{Path: pdf}
	info := run(t, "pdfinfo", pdf)
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info); m != nil {
		p.Pages, _ = strconv.Atoi(m[1])
	}
	if m := regexp.MustCompile(`(?m)^Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(info); m != nil {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		p.WidthMM, p.HeightMM = w*25.4/72, h*25.4/72
	}
	p.Text = Squeeze(run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"))
	return p
}

// Squeeze removes white space, for comparing text across line breaks.
func Squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// CheckA4 fails unless every page is A4 (210 × 297 mm, to half a millimetre).
func (p PDF) CheckA4(t testing.TB) {
	t.Helper()
	if abs(p.WidthMM-210) > 0.5 || abs(p.HeightMM-297) > 0.5 {
		t.Errorf("%s: page %.1f × %.1f mm, want A4 210 × 297", filepath.Base(p.Path), p.WidthMM, p.HeightMM)
	}
}

// CheckText fails for each string missing from the document (white space ignored).
// Text in a table cell that wraps is read, as pdftotext gives it, line by line across
// the row: a string also counts as there when its characters appear in order within a
// stretch of the text at most four times its length (plus 60 characters), the other
// cells' lines in between.
func (p PDF) CheckText(t testing.TB, want ...string) {
	t.Helper()
	for _, w := range want {
		if w = Squeeze(w); !strings.Contains(p.Text, w) && !within(p.Text, w, 4*utf8.RuneCountInString(w)+60) {
			t.Errorf("%s: %q missing from the text", filepath.Base(p.Path), w)
		}
	}
}

// within reports whether the runes of want appear in order in text, spanning at most
// span runes.
func within(text, want string, span int) bool {
	hay, need := []rune(text), []rune(want)
	if len(need) == 0 {
		return true
	}
	for start := range hay {
		if hay[start] != need[0] {
			continue
		}
		j := 1
		for i := start + 1; i < len(hay) && i-start < span && j < len(need); i++ {
			if hay[i] == need[j] {
				j++
			}
		}
		if j == len(need) {
			return true
		}
	}
	return false
}

// PageText is the text of one page (1-based), white space removed.
func (p PDF) PageText(t testing.TB, page int) string {
	t.Helper()
	n := strconv.Itoa(page)
	return Squeeze(run(t, "pdftotext", "-enc", "UTF-8", "-f", n, "-l", n, p.Path, "-"))
}

// Screenshots keeps page images as docs/screenshots/<name>-<page>.png when
// TASKRELAY_DOCS_SCREENSHOTS=1 (at most maxPages pages).
func (p PDF) Screenshots(t testing.TB, name string, maxPages int) {
	t.Helper()
	if os.Getenv("TASKRELAY_DOCS_SCREENSHOTS") != "1" {
		return
	}
	need(t, "pdftoppm")
	dir := filepath.Join(repoRoot(t), "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "pdftoppm", "-png", "-r", "80", "-f", "1", "-l", strconv.Itoa(maxPages), p.Path, filepath.Join(dir, name))
	t.Logf("page images in %s/%s-*.png", dir, name)
}

func need(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("TASKRELAY_REQUIRE_OFFICE") == "1" {
			t.Fatalf("%s not installed (Debian: libreoffice-writer-nogui, poppler-utils)", tool)
		}
		t.Skipf("%s not installed (Debian: libreoffice-writer-nogui, poppler-utils)", tool)
	}
	return path
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// String describes the PDF for failure messages.
func (p PDF) String() string {
	return fmt.Sprintf("%s (%d pages, %.0f × %.0f mm)", filepath.Base(p.Path), p.Pages, p.WidthMM, p.HeightMM)
}
