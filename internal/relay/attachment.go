package relay

import "time"

// Attachment is one file of evidence (佐证材料) as the engine knows it: the hash that
// names its bytes in the blob store, never the bytes.
type Attachment struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Type   string `json:"type"` // a FileType's Type, sniffed from the content
}

// AttachmentView is an attachment with the timeline entry that brought it.
type AttachmentView struct {
	Attachment
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
}

// FileType is a kind of file accepted as evidence.
type FileType struct {
	Type  string // short name, as in JSON and on the command line
	Label string // for people
	MIME  string // served with downloads
}

// Accepted evidence types; the content decides which one a file is (package evidence).
var FileTypes = []FileType{
	{"pdf", "PDF 文档", "application/pdf"},
	{"ofd", "OFD 版式文档", "application/ofd"},
	{"doc", "Word 文档（DOC）", "application/msword"},
	{"docx", "Word 文档（DOCX）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xls", "Excel 表格（XLS）", "application/vnd.ms-excel"},
	{"xlsx", "Excel 表格（XLSX）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"wps", "WPS 文字", "application/vnd.ms-works"},
	{"jpg", "JPG 图片", "image/jpeg"},
	{"png", "PNG 图片", "image/png"},
	{"zip", "ZIP 压缩包", "application/zip"},
}

// FileTypeOf returns the accepted type named t.
func FileTypeOf(t string) (FileType, bool) {
	for _, f := range FileTypes {
		if f.Type == t {
			return f, true
		}
	}
	return FileType{}, false
}

// Evidence limits: at most MaxAttachments files on one action; the size limit is
// configurable (TASKRELAY_ATTACH_MAX_MB), DefaultAttachMaxMB by default.
const (
	MaxAttachments     = 10
	DefaultAttachMaxMB = 20
)
