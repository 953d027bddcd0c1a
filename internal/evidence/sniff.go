package evidence

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/richardlehane/mscfb"

	"taskrelay/internal/ziplimit"
)

// Sniff names the accepted type of the size bytes at r, from the content only, except
// that a Word-compatible compound document whose name ends in .wps is the WPS 文字 file
// it says it is (WPS writes the same structure Word does). OFD, DOCX and XLSX are zip
// packages told apart by their entries; DOC and XLS are compound documents told apart
// by their streams.
func Sniff(r io.ReaderAt, size int64, name string) (string, error) {
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "pdf", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg", nil
	case bytes.HasPrefix(head, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return "png", nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return sniffZip(r, size)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return sniffCompound(r, name)
	}
	return "", fmt.Errorf("文件类型不在允许范围内（仅限 %s）", acceptedList())
}

func acceptedList() string {
	return "PDF、OFD、DOC/DOCX、XLS/XLSX、WPS、JPG、PNG、ZIP"
}

// maxEntries bounds how many entries of a package are looked at: the markers that
// decide are near the start of any real one.
const maxEntries = 10000

// sniffZip reads the package's directory only (no entry is inflated), one of a few
// zip reads at a time in the process.
func sniffZip(r io.ReaderAt, size int64) (string, error) {
	defer ziplimit.Acquire()()
	z, err := zip.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("ZIP 文件已损坏，无法读取：%v", err)
	}
	var word, excel, ofd bool
	for i, f := range z.File {
		if i >= maxEntries {
			break
		}
		switch n := strings.TrimPrefix(f.Name, "/"); {
		case n == "OFD.xml":
			ofd = true
		case n == "word/document.xml":
			word = true
		case n == "xl/workbook.xml" || n == "xl/workbook.bin":
			excel = true
		}
	}
	switch {
	case ofd:
		return "ofd", nil
	case word:
		return "docx", nil
	case excel:
		return "xlsx", nil
	}
	return "zip", nil
}

func sniffCompound(r io.ReaderAt, name string) (typ string, err error) {
	defer func() {
		// A damaged directory can trip the reader; it is refused like any unreadable file.
		if p := recover(); p != nil {
			typ, err = "", fmt.Errorf("OLE 复合文档已损坏，无法读取")
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return "", fmt.Errorf("OLE 复合文档已损坏，无法读取：%v", err)
	}
	for i := 0; i < maxEntries; i++ {
		f, err := doc.Next()
		if err != nil {
			break
		}
		switch f.Name {
		case "WordDocument":
			if strings.EqualFold(path.Ext(name), ".wps") {
				return "wps", nil
			}
			return "doc", nil
		case "Workbook", "Book":
			return "xls", nil
		}
	}
	return "", fmt.Errorf("OLE 复合文档既不是 Word/WPS 文档也不是 Excel 表格，不能作为佐证材料")
}
