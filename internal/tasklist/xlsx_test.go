package tasklist

import (
	"archive/zip"
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"taskrelay/internal/relay"
	"taskrelay/internal/tasklist/internal/xlsxbuild"
)

// day is a real Excel date cell.
func day(y, m, d int) xlsxbuild.Date { return xlsxbuild.Date{Year: y, Month: m, Day: d} }

var stdHeader = []any{"序号", "任务事项", "具体要求", "牵头单位", "配合单位", "牵头县领导", "完成时限"}

func sheet(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	data, err := xlsxbuild.Build("", rows)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseXLSX(t *testing.T, data []byte, flags MeetingFlags) (*relay.Plan, error) {
	t.Helper()
	p, err := Parse("tasklist.xlsx", data, sampleDir(t), flags)
	if err == nil {
		checkPlan(t, p)
	}
	return p, err
}

func TestXLSX(t *testing.T) {
	data := sheet(t,
		[]any{"县委常委会2026年第12次会议任务清单"}, // a title above the header
		nil,
		// Columns in their own order, headers with spaces, a line break, an
		// explanation in brackets, and a column the list does not use.
		[]any{"完成时限\n（YYYY-MM-DD）", "备注", "配合单位", " 序 号 ", "任务事项", "牵头单位", "具体要求", "牵头县领导"},
		[]any{day(2026, 12, 31), "", "县财政局、城关镇", 1, "两险同宣同征", "县医疗保障局", "一个窗口办结", nil},
		[]any{"2026-11-30", nil, "城关镇，平坡镇,西山镇", "2", "大股室制", "县委编办", nil, "李某"},
		nil,
		[]any{"", "  ", nil, "", ""}, // fully empty rows are skipped
		[]any{"2027/01/05", "备注", "城关镇；平坡镇;西山镇", 3, "攀岩赛", "教体局", "", ""},
		[]any{"2027年3月1日", nil, "县财政局\n城关镇", 4, "令出一家", "zfb"},
		[]any{day(2026, 9, 15), nil, nil, 5.0, "当天完成", "czj"},
	)
	p, err := parseXLSX(t, data, MeetingFlags{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026/9/15"})
	if err != nil {
		t.Fatal(err)
	}
	want := []relay.Item{
		{No: 1, Title: "两险同宣同征", Requirements: "一个窗口办结", Lead: "rsj", Co: []string{"czj", "cgz"}, Deputy: "ld-chang", Deadline: "2026-12-31",
			Source: relay.Source{Lead: "县医疗保障局", Co: []string{"县财政局", "城关镇"}, LeadID: "rsj", CoIDs: []string{"czj", "cgz"}}},
		{No: 2, Title: "大股室制", Lead: "zzb", Co: []string{"cgz", "ppz", "xsz"}, Deputy: "ld-chang", Deadline: "2026-11-30",
			Source: relay.Source{Lead: "县委编办", Co: []string{"城关镇", "平坡镇", "西山镇"}, Leader: "李某", LeadID: "zzb", CoIDs: []string{"cgz", "ppz", "xsz"}}},
		{No: 3, Title: "攀岩赛", Lead: "xcb", Co: []string{"cgz", "ppz", "xsz"}, Deputy: "ld-liu", Deadline: "2027-01-05",
			Source: relay.Source{Lead: "教体局", Co: []string{"城关镇", "平坡镇", "西山镇"}, LeadID: "xcb", CoIDs: []string{"cgz", "ppz", "xsz"}}},
		{No: 4, Title: "令出一家", Lead: "zfb", Co: []string{"czj", "cgz"}, Deputy: "ld-chang", Deadline: "2027-03-01",
			Source: relay.Source{Lead: "zfb", Co: []string{"县财政局", "城关镇"}, LeadID: "zfb", CoIDs: []string{"czj", "cgz"}}},
		{No: 5, Title: "当天完成", Lead: "czj", Deputy: "ld-chang", Deadline: "2026-09-15", Source: relay.Source{Lead: "czj", LeadID: "czj"}},
	}
	if !reflect.DeepEqual(p.Items, want) {
		t.Errorf("items\n%+v\nwant\n%+v", p.Items, want)
	}
	if p.Meeting != (relay.Meeting{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"}) {
		t.Errorf("meeting %+v", p.Meeting)
	}
}

func TestXLSXProblems(t *testing.T) {
	flags := MeetingFlags{ID: "m1", Name: "n", Date: "2026-09-15"}
	for _, tc := range []struct {
		name  string
		rows  [][]any
		flags *MeetingFlags
		want  string
	}{
		{"row problems name the row", [][]any{
			{"任务清单"},
			stdHeader,
			{1, "t", "", "县财政局", "", "", "2026-12-31"},
			{3, "修水渠", "", "县水务局", "县财政局、县农业局", "孙某", "2026-12-31"},
			{4, "", "", "县委组织部", "", "", "2026-09-01"},
			{"一", "t", "", "czj", "", "", "年底"},
			{nil, "t", "", "czj", "", "", 20261231},
			{1, "t", "", "czj", "", "", "2026-12-31"},
		}, nil, strings.Join([]string{
			"tasklist.xlsx: 第1项（表格第8行） 列“序号”: 序号 1 重复（列表第1条已使用）",
			"tasklist.xlsx: 第3项（表格第4行） 列“牵头单位”: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）",
			"tasklist.xlsx: 第3项（表格第4行） 列“配合单位”: 找不到单位“县农业局”（您是否要找：县农业农村局）",
			"tasklist.xlsx: 第3项（表格第4行） 列“牵头县领导”: 找不到县领导“孙某”",
			"tasklist.xlsx: 第4项（表格第5行） 列“任务事项”: 缺少任务事项",
			"tasklist.xlsx: 第4项（表格第5行） 列“牵头县领导”: 牵头单位“县委组织部”没有分管副县长，请在“牵头县领导”列指定负责的县领导",
			"tasklist.xlsx: 第4项（表格第5行） 列“完成时限”: 完成时限 2026-09-01 早于会议日期 2026-09-15",
			"tasklist.xlsx: 第4项（表格第6行） 列“序号”: 序号“一”不是正整数",
			"tasklist.xlsx: 第4项（表格第6行） 列“完成时限”: 完成时限“年底”无法识别，应写作 " + DateForms + "；长期任务写“长期”",
			"tasklist.xlsx: 第5项（表格第7行） 列“序号”: 缺少序号（应为正整数）",
			"tasklist.xlsx: 第5项（表格第7行） 列“完成时限”: 完成时限“20261231”无法识别，应写作 " + DateForms + "；长期任务写“长期”",
		}, "\n")},
		{"missing columns", [][]any{{"序号", "任务事项", "具体要求", "配合单位"}, {1, "t", "", ""}}, nil,
			"tasklist.xlsx: 字段 header: 表头缺少“牵头单位”列\ntasklist.xlsx: 字段 header: 表头缺少“完成时限”列"},
		{"duplicate column", [][]any{{"序号", "任务事项", "牵头单位", "完成时限", "牵头单位"}, {1, "t", "czj", "2026-12-31", "rsj"}}, nil,
			"tasklist.xlsx: 字段 header: 表头有两列“牵头单位”（第C列和第E列）"},
		{"no header", [][]any{{"任务", "单位"}, {1, "czj"}}, nil,
			"tasklist.xlsx: 字段 header: 第一个工作表“Sheet1”中找不到表头行（应有“序号”“任务事项”“牵头单位”“完成时限”等列）"},
		{"empty sheet", nil, nil,
			"tasklist.xlsx: 字段 header: 第一个工作表“Sheet1”中找不到表头行（应有“序号”“任务事项”“牵头单位”“完成时限”等列）"},
		{"header only", [][]any{stdHeader, {nil, ""}}, nil,
			"tasklist.xlsx: 字段 items: 任务清单为空，没有任何任务事项"},
		{"meeting from flags only", [][]any{stdHeader, {1, "t", "", "czj", "", "", "2026-12-31"}}, &MeetingFlags{}, strings.Join([]string{
			"tasklist.xlsx: 字段 meeting.id: 缺少会议编号（XLSX 任务清单的会议信息须在提交时提供）",
			"tasklist.xlsx: 字段 meeting.name: 缺少会议名称（XLSX 任务清单的会议信息须在提交时提供）",
			"tasklist.xlsx: 字段 meeting.date: 缺少会议日期（XLSX 任务清单的会议信息须在提交时提供）",
		}, "\n")},
		{"long title", [][]any{stdHeader, {1, strings.Repeat("长", 501), "", "czj", "", "", "2026-12-31"}}, nil,
			"tasklist.xlsx: 第1项（表格第2行） 列“任务事项”: 任务事项过长（501 字），不得超过 500 字"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flags
			if tc.flags != nil {
				f = *tc.flags
			}
			_, err := parseXLSX(t, sheet(t, tc.rows...), f)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
}

func TestXLSXNotAZip(t *testing.T) {
	_, err := parseXLSX(t, []byte("序号,任务事项\n1,t\n"), MeetingFlags{})
	if err == nil || err.Error() != "tasklist.xlsx: 不是有效的 XLSX 文件（无法按 zip 格式读取: zip: not a valid zip file），请在表格软件中另存为 .xlsx" {
		t.Errorf("got %v", err)
	}
	// A zip that is no workbook.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hello"))
	zw.Close()
	_, err = parseXLSX(t, buf.Bytes(), MeetingFlags{})
	if err == nil || !strings.HasPrefix(err.Error(), "tasklist.xlsx: 无法读取 XLSX 文件: ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %v", err)
	}
}

// A zip declaring more than MaxUnzippedSize is refused before excelize sees it.
func TestXLSXZipBomb(t *testing.T) {
	for _, sizes := range [][]uint64{{MaxUnzippedSize + 1}, {60 << 20, 60 << 20}, {1 << 63}} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i, n := range sizes {
			w, err := zw.CreateRaw(&zip.FileHeader{
				Name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), Method: zip.Deflate,
				CompressedSize64: 4, UncompressedSize64: n,
			})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte{1, 2, 3, 4})
		}
		zw.Close()
		_, err := parseXLSX(t, buf.Bytes(), MeetingFlags{})
		if err == nil || err.Error() != fmt.Sprintf("tasklist.xlsx: XLSX 文件解压后超过 %d MiB，拒绝处理", MaxUnzippedSize>>20) {
			t.Errorf("%v: got %v", sizes, err)
		}
	}
}

func TestXLSXTooManyRows(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"序号", "任务事项", "牵头单位", "完成时限"})
	for i := 1; i <= MaxItems+1; i++ {
		sw.SetRow(fmt.Sprintf("A%d", i+1), []any{i})
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err = parseXLSX(t, buf.Bytes(), MeetingFlags{})
	if err == nil || err.Error() != "tasklist.xlsx: 字段 items: 任务事项过多（20001 项），一份任务清单不得超过 20000 项" {
		t.Errorf("got %v", err)
	}
}

func TestCellDate(t *testing.T) {
	for in, want := range map[string]string{
		"46387":       "2026-12-31", // serial of 2026-12-31
		"46387.75":    "2026-12-31", // with a time of day
		"2026-12-31":  "2026-12-31",
		"0":           "0",
		"-5":          "-5",
		"20261231":    "20261231",
		"NaN":         "NaN",
		"2026年12月31日": "2026年12月31日",
	} {
		if got := cellDate(in, false); got != want {
			t.Errorf("cellDate(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cellDate("44926", true); got != "2027-01-01" { // 1904 date system
		t.Errorf("1904: %s", got)
	}
}
