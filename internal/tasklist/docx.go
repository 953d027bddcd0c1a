package tasklist

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"taskrelay/internal/ziplimit"
)

// A Word task list is the first table of the document, with the same columns as a
// spreadsheet. Merged cells read as Word shows them: a cell merged down (vMerge) holds
// its text in every row it covers, so a 牵头单位 written once for three items is the
// lead of each; a cell merged across (gridSpan) fills its first column, and a row that
// is one cell across the whole table (a section heading such as 一、经济发展) is no
// item. Paragraphs and line breaks inside a cell become line breaks.

const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// maxDocxCells bounds the cells of the table read, so a table of millions of empty
// cells is refused before it costs memory (MaxItems rows of a few dozen columns fit).
const maxDocxCells = (MaxItems + headerScanRows) * 64

func decodeDOCX(c *collector, data []byte) (m rawMeeting, items []rawItem, ok bool) {
	defer ziplimit.Acquire()()
	zr, ok := checkZip(c, data, "DOCX")
	if !ok {
		return m, nil, false
	}
	var rows [][]string
	err := safely(func() error {
		var e error
		rows, e = firstTable(zr)
		return e
	})
	if err != nil {
		c.add(0, "", "无法读取 DOCX 文件: %v", err)
		return m, nil, false
	}
	if rows == nil {
		c.add(0, "header", "文档中没有表格（任务清单应为 Word 文档中的第一个表格，列有“序号”“任务事项”“牵头单位”“完成时限”等）")
		return m, nil, false
	}
	t := &table{date: func(s string) string { return s }}
	for _, r := range rows {
		if t.row(c, r) {
			break
		}
	}
	items, ok = t.items(c, "文档的第一个表格中")
	// The meeting comes from the caller's flags.
	return m, items, ok
}

// errNoDocument: the package has no main document part.
var errNoDocument = errors.New("缺少 word/document.xml")

// firstTable reads the first table of the document's body as rows of cell texts, one
// per grid column; nil when there is no table.
func firstTable(zr *zip.Reader) ([][]string, error) {
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return nil, errNoDocument
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// checkZip bounded the declared size; archive/zip refuses to inflate past it.
	return readTable(xml.NewDecoder(io.LimitReader(rc, MaxUnzippedSize)))
}

// cell is one w:tc as read.
type cell struct {
	text  strings.Builder
	span  int    // grid columns covered (gridSpan)
	merge string // vMerge: "" none, "restart", "continue"
	paras int
}

// readTable walks the XML to the first w:tbl and reads it. Tables nested inside its
// cells give their text to the cell.
func readTable(dec *xml.Decoder) ([][]string, error) {
	var (
		depth   int // nesting of w:tbl; 1 inside the first table
		rows    [][]*cell
		row     []*cell
		cur     *cell
		inText  bool
		ncells  int
		inTcPr  bool
		inRun   bool
		skipped bool // inside deleted text or a field instruction
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document.xml 无法解析: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "tbl":
				depth++
			case "tr":
				if depth == 1 {
					row = nil
				}
			case "tc":
				if depth == 1 {
					if ncells++; ncells > maxDocxCells {
						return nil, fmt.Errorf("表格超过 %d 个单元格", maxDocxCells)
					}
					cur = &cell{span: 1}
				}
			case "tcPr":
				inTcPr = depth == 1
			case "gridSpan":
				if inTcPr && cur != nil {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n > 1 && n <= 64 {
						cur.span = n
					}
				}
			case "vMerge":
				if inTcPr && cur != nil {
					cur.merge = "continue"
					if attr(t, "val") == "restart" {
						cur.merge = "restart"
					}
				}
			case "p":
				if cur != nil && depth >= 1 {
					if cur.paras > 0 {
						cur.text.WriteByte('\n')
					}
					cur.paras++
				}
			case "t":
				inText = cur != nil && !skipped
			case "r":
				inRun = true
			case "tab":
				if cur != nil && inRun {
					cur.text.WriteByte(' ')
				}
			case "br", "cr":
				if cur != nil {
					cur.text.WriteByte('\n')
				}
			case "delText", "instrText":
				skipped = true
			}
		case xml.EndElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "tbl":
				depth--
				if depth == 0 {
					return grid(rows), nil
				}
			case "tr":
				if depth == 1 {
					rows = append(rows, row)
					row = nil
				}
			case "tc":
				if depth == 1 && cur != nil {
					row = append(row, cur)
					cur = nil
				}
			case "tcPr":
				inTcPr = false
			case "t":
				inText = false
			case "r":
				inRun = false
			case "delText", "instrText":
				skipped = false
			}
		case xml.CharData:
			if inText && cur != nil && cur.text.Len() < MaxFileSize {
				cur.text.Write(t)
			}
		}
	}
	if rows != nil {
		return grid(rows), nil // a document cut off inside its table
	}
	return nil, nil
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// grid lays the cells out by grid column: merged-down cells repeat the text above,
// merged-across cells fill their first column, a row that is one cell across the
// whole table is dropped (a section heading).
func grid(rows [][]*cell) [][]string {
	width := 0
	for _, r := range rows {
		w := 0
		for _, c := range r {
			w += c.span
		}
		width = max(width, w)
	}
	out := make([][]string, 0, len(rows))
	var above []string // the previous row, by grid column, for vMerge
	for _, r := range rows {
		if len(r) == 1 && width > 1 && r[0].span >= width && r[0].merge == "" {
			continue
		}
		line := make([]string, width)
		col := 0
		for _, c := range r {
			text := strings.TrimSpace(c.text.String())
			if c.merge == "continue" && col < len(above) {
				text = above[col]
			}
			if col < width {
				line[col] = text
			}
			col += c.span
		}
		out = append(out, line)
		above = line
	}
	return out
}
