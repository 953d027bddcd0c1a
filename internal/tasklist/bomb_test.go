package tasklist

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bombXLSX is a valid-looking .xlsx of about 1.4 MB whose one sheet inflates to 50 MB
// (shared strings): the size a probe sent three at once.
func bombXLSX(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	// The sheet is a header row; the 50 MB are its shared strings, which a reader
	// holds in memory whole.
	add("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>`)
	w, err := z.Create("xl/sharedStrings.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>序号</t></si><si><t>任务事项</t></si>`))
	const target = 50 << 20
	for n, i := 0, 1; n < target; i++ {
		si := `<si><t>` + strconv.Itoa(i) + `推进两险同宣同征，一个窗口办结两险缴费</t></si>`
		w.Write([]byte(si))
		n += len(si)
	}
	w.Write([]byte(`</sst>`))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rssKB is this process's resident memory now and at its peak (VmRSS, VmHWM).
func rssKB(t testing.TB) (now, peak int) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			now, _ = strconv.Atoi(f[1])
		}
		if len(f) >= 2 && f[0] == "VmHWM:" {
			peak, _ = strconv.Atoi(f[1])
		}
	}
	return now, peak
}

// A zip bomb costs what its bytes actually inflate to, up to the limit, never memory
// in proportion: three 50 MB sheets at once are refused, and the process's peak
// memory grows by little (it grew by some 300 MB per file when the package was read
// into memory as far as the sizes it declares allowed).
func TestXLSXBombThreeAtOnceBoundedMemory(t *testing.T) {
	bomb := bombXLSX(t)
	runtime.GC()
	debug.FreeOSMemory()
	before, peakBefore := rssKB(t)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Parse("bomb.xlsx", bomb, sampleDir(t), MeetingFlags{ID: "m1", Name: "n", Date: "2026-09-15"})
		}()
	}
	wg.Wait()
	after, peakAfter := rssKB(t)
	t.Logf("bomb %.2f MB declaring %d MB; three at once in %v: RSS %d -> %d MB, peak %d -> %d MB",
		float64(len(bomb))/(1<<20), 50, time.Since(start).Round(time.Millisecond), before>>10, after>>10, peakBefore>>10, peakAfter>>10)
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("解压后超过 %d MiB", MaxUnzippedSize>>20)) {
			t.Errorf("parse %d: %v", i, err)
		}
	}
	if grew := (peakAfter - peakBefore) >> 10; grew > 64 {
		t.Fatalf("three bombs at once grew the peak memory by %d MB", grew)
	}
}
