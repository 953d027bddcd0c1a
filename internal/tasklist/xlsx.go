package tasklist

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"taskrelay/internal/ziplimit"
)

// The columns of a spreadsheet task list, located by their header text. Other
// columns (备注 …) are ignored.
type column struct {
	field    string
	headers  []string // accepted header texts, the first is the standard one
	required bool
}

var columns = []column{
	{"no", []string{"序号"}, true},
	{"title", []string{"任务事项", "任务", "事项", "任务内容"}, true},
	{"requirements", []string{"具体要求", "工作要求", "要求"}, false},
	{"lead", []string{"牵头单位"}, true},
	{"co", []string{"配合单位", "协办单位"}, false},
	{"leader", []string{"牵头县领导", "分管县领导", "责任县领导", "牵头领导"}, false},
	{"deadline", []string{"完成时限", "完成时间", "时限"}, true},
	{"feedback", []string{"反馈要求", "反馈频次", "反馈方式"}, false},
	{"milestones", []string{"节点目标", "时间节点", "节点"}, false},
}

// headerScanRows is how many rows above the header (a title, a note) are tolerated.
const headerScanRows = 20

// normHeader drops spaces and line breaks, and an explanation in brackets:
// "完成时限\n（YYYY-MM-DD）" reads as 完成时限.
func normHeader(s string) string {
	if i := strings.IndexAny(s, "（("); i > 0 {
		s = s[:i]
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == '＊' {
			return -1
		}
		return r
	}, s)
}

// oleMagic begins an OLE2 compound file: the old binary .xls, .doc, .et and .wps.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// checkZip refuses what is not a zip archive, or a zip whose entries declare or
// actually inflate to more than MaxUnzippedSize (a zip bomb, its sizes true or not).
// The caller holds a ziplimit turn while it reads the package.
func checkZip(c *collector, data []byte, format string) (*zip.Reader, bool) {
	old, app := ".xls", "表格软件"
	if format == "DOCX" {
		old, app = ".doc", "文字处理软件"
	}
	if bytes.HasPrefix(data, oleMagic) {
		// An old binary file renamed: say what a real one would be told.
		c.add(0, "", "文件实为旧版 %s 格式（只是扩展名改成了 .%s）：不支持 %s 文件，请在%s中另存为 .%s", old, strings.ToLower(format), old, app, strings.ToLower(format))
		return nil, false
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		c.add(0, "", "不是有效的 %s 文件（无法按 zip 格式读取: %v），请在%s中另存为 .%s", format, err, app, strings.ToLower(format))
		return nil, false
	}
	if err := ziplimit.Check(zr, MaxUnzippedSize); errors.Is(err, ziplimit.ErrTooLarge) {
		c.add(0, "", "%s 文件解压后超过 %d MiB，拒绝处理", format, MaxUnzippedSize>>20)
		return nil, false
	} else if err != nil {
		c.add(0, "", "不是有效的 %s 文件（压缩内容已损坏: %v）", format, err)
		return nil, false
	}
	return zr, true
}

func decodeXLSX(c *collector, data []byte) (m rawMeeting, items []rawItem, ok bool) {
	defer ziplimit.Acquire()()
	if _, ok := checkZip(c, data, "XLSX"); !ok {
		return m, nil, false
	}
	err := safely(func() error {
		var e error
		items, ok, e = readXLSX(c, data)
		return e
	})
	if err != nil {
		c.add(0, "", "无法读取 XLSX 文件: %v", err)
		return m, nil, false
	}
	// The meeting comes from the caller's flags.
	return m, items, ok
}

func readXLSX(c *collector, data []byte) ([]rawItem, bool, error) {
	// A large sheet is read from a temporary file, row by row, not held in memory.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzippedSize, UnzipXMLSizeLimit: 4 << 20})
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		c.add(0, "", "XLSX 文件中没有工作表")
		return nil, false, nil
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()

	t := &table{date: func(s string) string { return cellDate(s, date1904) }}
	for rows.Next() {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, false, err
		}
		if t.row(c, cells) {
			break
		}
	}
	if err := rows.Error(); err != nil {
		return nil, false, err
	}
	items, ok := t.items(c, fmt.Sprintf("第一个工作表“%s”中", sheets[0]))
	return items, ok, nil
}

// table reads a task list's rows, from a spreadsheet or a Word table: the header row
// (a few rows of title above it are tolerated), then one item per non-empty row.
type table struct {
	date      func(string) string // turns a deadline cell into text normalizeDate reads
	col       map[string]int      // field -> column index, once the header is found
	rowNo     int
	seenRows  int // non-empty rows before the header
	list      []rawItem
	tooMany   bool
	dataCount int
	bad       bool // the header is wrong: reported, stop
}

// row takes the next row; it reports whether reading should stop.
func (t *table) row(c *collector, cells []string) bool {
	t.rowNo++
	if emptyRow(cells) {
		return false
	}
	if t.col == nil {
		t.seenRows++
		if h, found := findHeader(cells); found {
			t.col = h
			c.headings = map[string]string{}
			for field, i := range h {
				c.headings[field] = normHeader(cells[i])
			}
			if !checkHeader(c, cells, t.col) {
				t.bad = true
				return true
			}
			return false
		}
		return t.seenRows >= headerScanRows
	}
	t.dataCount++
	if t.dataCount > MaxItems {
		t.tooMany = true
		return false // keep counting, cheaply
	}
	t.list = append(t.list, rowItem(cells, t.col, t.rowNo, len(t.list)+1, t.date))
	return false
}

// items ends the reading; where names the table in a problem.
func (t *table) items(c *collector, where string) ([]rawItem, bool) {
	switch {
	case t.bad:
		return nil, false
	case t.col == nil:
		c.add(0, "header", "%s找不到表头行（应有“序号”“任务事项”“牵头单位”“完成时限”等列）", where)
		return nil, false
	case t.tooMany:
		c.add(0, "items", "任务事项过多（%d 项），一份任务清单不得超过 %d 项", t.dataCount, MaxItems)
		return nil, false
	}
	return t.list, true
}

func emptyRow(cells []string) bool {
	for _, s := range cells {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// findHeader recognises the header row (the one with a 序号 column) and maps each
// field to its column.
func findHeader(cells []string) (map[string]int, bool) {
	isHeader := false
	for _, s := range cells {
		if normHeader(s) == "序号" {
			isHeader = true
		}
	}
	if !isHeader {
		return nil, false
	}
	col := map[string]int{}
	for i, s := range cells {
		h := normHeader(s)
		for _, cl := range columns {
			for _, name := range cl.headers {
				if h == name {
					if _, dup := col[cl.field]; !dup {
						col[cl.field] = i
					} else {
						col[cl.field+"#dup"] = i
					}
				}
			}
		}
	}
	return col, true
}

func checkHeader(c *collector, cells []string, col map[string]int) bool {
	ok := true
	for _, cl := range columns {
		if j, dup := col[cl.field+"#dup"]; dup {
			c.add(0, "header", "表头有两列“%s”（第%s列和第%s列）", cl.headers[0], colName(col[cl.field]), colName(j))
			ok = false
		}
		if _, found := col[cl.field]; !found && cl.required {
			c.add(0, "header", "表头缺少“%s”列", cl.headers[0])
			ok = false
		}
	}
	return ok
}

func colName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return name
}

func rowItem(cells []string, col map[string]int, row, pos int, date func(string) string) rawItem {
	get := func(field string) string {
		i, ok := col[field]
		if !ok || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	it := rawItem{pos: pos, row: row}
	if s := get("no"); s != "" {
		if n, ok := cellInt(s); ok && n > 0 {
			it.no = n
		} else {
			it.noText = s
		}
	}
	it.title = get("title")
	it.requirements = get("requirements")
	it.lead = get("lead")
	it.co = splitUnits(get("co"))
	it.leader = get("leader")
	it.deadline = date(get("deadline"))
	it.feedback = get("feedback")
	it.milestones = parseMilestoneText(get("milestones"))
	return it
}

// cellInt reads a number cell: "3", or "3.0" as spreadsheets sometimes store it.
func cellInt(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, false
	}
	return int(f), true
}

// Excel serial dates from 1900-01-01 to 9999-12-31.
const maxExcelSerial = 2958465

// cellDate turns a real Excel date cell (a serial number) into YYYY-MM-DD; text is
// returned as it is, to be read by normalizeDate.
func cellDate(s string, date1904 bool) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 1 || f > maxExcelSerial {
		return s
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), date1904)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%04d-%02d-%02d", t.Year(), t.Month(), t.Day())
}
