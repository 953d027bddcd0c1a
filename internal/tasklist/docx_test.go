package tasklist

import (
	"archive/zip"
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"taskrelay/internal/relay"
	"taskrelay/internal/tasklist/internal/docxbuild"
)

var T = docxbuild.T

func wordDoc(t testing.TB, rows [][]docxbuild.Cell) []byte {
	t.Helper()
	b, err := docxbuild.Build(rows)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseDOCX(t *testing.T, data []byte, flags MeetingFlags) (*relay.Plan, error) {
	t.Helper()
	p, err := Parse("清单.docx", data, sampleDir(t), flags)
	if err == nil {
		checkPlan(t, p)
	}
	return p, err
}

var docHeader = []docxbuild.Cell{T("序号"), T("任务事项"), T("具体要求"), T("牵头单位"), T("配合单位"), T("牵头县领导"), T("完成时限")}

// TestDOCX reads the first table of a Word document: a section heading row across the
// table is skipped, a lead unit and a deadline merged down over two items belong to
// both, paragraphs and line breaks inside a cell are kept (配合单位 one per line), a
// cell merged across two columns fills the first.
func TestDOCX(t *testing.T) {
	data := wordDoc(t, [][]docxbuild.Cell{
		docHeader,
		{{Text: "一、深化改革", Span: 7}},
		{T("1"), T("两险同宣同征"), {Text: "一个窗口\n办结", Breaks: true}, {Text: "县医疗保障局", Merge: "restart"}, T("县财政局\n城关镇"), T(""), {Text: "2026-12-31", Merge: "restart"}},
		{T("2"), T("大股室制"), T(""), {Merge: "continue"}, {Text: "城关镇、平坡镇", Breaks: true}, T("李某"), {Merge: "continue"}},
		{T("3"), {Text: "攀岩赛", Span: 2}, T("教体局"), T(""), T(""), T("2027年1月5日")},
	})
	p, err := parseDOCX(t, data, MeetingFlags{ID: "cwh-2026-12", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"})
	if err != nil {
		t.Fatal(err)
	}
	want := []relay.Item{
		{No: 1, Title: "两险同宣同征", Requirements: "一个窗口\n办结", Lead: "rsj", Co: []string{"czj", "cgz"}, Deputy: "ld-chang", Deadline: "2026-12-31",
			Source: relay.Source{Lead: "县医疗保障局", Co: []string{"县财政局", "城关镇"}, LeadID: "rsj", CoIDs: []string{"czj", "cgz"}}},
		{No: 2, Title: "大股室制", Lead: "rsj", Co: []string{"cgz", "ppz"}, Deputy: "ld-chang", Deadline: "2026-12-31",
			Source: relay.Source{Lead: "县医疗保障局", Co: []string{"城关镇", "平坡镇"}, Leader: "李某", LeadID: "rsj", CoIDs: []string{"cgz", "ppz"}}},
		{No: 3, Title: "攀岩赛", Lead: "xcb", Deputy: "ld-liu", Deadline: "2027-01-05", Source: relay.Source{Lead: "教体局", LeadID: "xcb"}},
	}
	if !reflect.DeepEqual(p.Items, want) {
		t.Errorf("items\n%+v\nwant\n%+v", p.Items, want)
	}
}

// TestDOCXProblems: every problem of the table at once, each naming its row (the
// table's row, counting the header), as for a spreadsheet.
func TestDOCXProblems(t *testing.T) {
	flags := MeetingFlags{ID: "m1", Name: "n", Date: "2026-09-15"}
	for _, tc := range []struct {
		name  string
		data  []byte
		flags MeetingFlags
		want  string
	}{
		{"row problems name the row", wordDoc(t, [][]docxbuild.Cell{
			docHeader,
			{T("1"), T("t"), T(""), {Text: "县水务局", Merge: "restart"}, T(""), T(""), T("2026-12-31")},
			{T("2"), T("t"), T(""), {Merge: "continue"}, T("县农业局"), T(""), T("年底")},
			{T("二"), T(""), T(""), T("czj"), T(""), T(""), T("2026-12-31")},
		}), flags, strings.Join([]string{
			"清单.docx: 第1项（表格第2行） 列“牵头单位”: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）",
			"清单.docx: 第2项（表格第3行） 列“牵头单位”: 找不到单位“县水务局”（您是否要找：县工业商务和信息化局）",
			"清单.docx: 第2项（表格第3行） 列“配合单位”: 找不到单位“县农业局”（您是否要找：县农业农村局）",
			"清单.docx: 第2项（表格第3行） 列“完成时限”: 完成时限“年底”无法识别，应写作 " + DateForms + "；长期任务写“长期”",
			"清单.docx: 第3项（表格第4行） 列“序号”: 序号“二”不是正整数",
			"清单.docx: 第3项（表格第4行） 列“任务事项”: 缺少任务事项",
		}, "\n")},
		{"missing columns", wordDoc(t, [][]docxbuild.Cell{{T("序号"), T("任务事项")}, {T("1"), T("t")}}), flags,
			"清单.docx: 字段 header: 表头缺少“牵头单位”列\n清单.docx: 字段 header: 表头缺少“完成时限”列"},
		{"no table", wordDoc(t, nil), flags,
			"清单.docx: 字段 header: 文档的第一个表格中找不到表头行（应有“序号”“任务事项”“牵头单位”“完成时限”等列）"},
		{"meeting from flags only", wordDoc(t, [][]docxbuild.Cell{docHeader, {T("1"), T("t"), T(""), T("czj"), T(""), T(""), T("2026-12-31")}}), MeetingFlags{}, strings.Join([]string{
			"清单.docx: 字段 meeting.id: 缺少会议编号（DOCX 任务清单的会议信息须在提交时提供）",
			"清单.docx: 字段 meeting.name: 缺少会议名称（DOCX 任务清单的会议信息须在提交时提供）",
			"清单.docx: 字段 meeting.date: 缺少会议日期（DOCX 任务清单的会议信息须在提交时提供）",
		}, "\n")},
		{"not a zip", []byte("序号 任务事项"), flags, "清单.docx: 不是有效的 DOCX 文件（无法按 zip 格式读取: zip: not a valid zip file），请在文字处理软件中另存为 .docx"},
		{"a zip without a document", zipOf(t, map[string]string{"x.txt": "x"}), flags, "清单.docx: 无法读取 DOCX 文件: 缺少 word/document.xml"},
		{"old Word format", nil, flags, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				_, err := Parse("清单.doc", []byte("x"), sampleDir(t), tc.flags)
				if err == nil || err.Error() != "清单.doc: 不支持 .doc 文件，请在文字处理软件中另存为 .docx" {
					t.Errorf("got %v", err)
				}
				return
			}
			_, err := parseDOCX(t, tc.data, tc.flags)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDOCXZipBomb: a document.xml that would inflate past MaxUnzippedSize is refused
// from the sizes the archive declares, before anything is inflated.
func TestDOCXZipBomb(t *testing.T) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	f, err := z.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<w:p/>"), 1<<20)
	for written := 0; written <= MaxUnzippedSize; written += len(chunk) {
		f.Write(chunk)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > MaxFileSize {
		t.Fatalf("the bomb is %d bytes, more than the file limit: it tests nothing", buf.Len())
	}
	_, err = parseDOCX(t, buf.Bytes(), MeetingFlags{ID: "m1", Name: "n", Date: "2026-09-15"})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("DOCX 文件解压后超过 %d MiB，拒绝处理", MaxUnzippedSize>>20)) {
		t.Errorf("got %v", err)
	}
}
