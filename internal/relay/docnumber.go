package relay

import (
	"strconv"
	"time"
)

// Document numbers (发文字号): one counter workflow per prefix and year hands out the
// numbers of the official documents in order, each once. A request names the document
// (the notice id), so a retried request gets the number it got the first time: no
// number is skipped or given twice.
const (
	DocNumberWorkflowName = "DocNumbers"
	UpdateDocNumber       = "next-doc-number"
	// DocNumbersPerRun bounds one run's handed-out numbers before it continues as new,
	// carrying its counter and requests.
	DocNumbersPerRun = 500
)

// DocNumberWorkflowID is the counter of a prefix and year: "docno:县府督办:2026".
func DocNumberWorkflowID(prefix string, year int) string {
	return "docno:" + prefix + ":" + strconv.Itoa(year)
}

// DocCounter is a counter's state: the next number and the number of each request.
type DocCounter struct {
	Prefix string         `json:"prefix"`
	Year   int            `json:"year"`
	Next   int            `json:"next"`
	Issued map[string]int `json:"issued"`
}

// DocYear is the year a document issued at t is numbered in (county time).
func DocYear(t time.Time) int { return t.In(TimeZone).Year() }

// Numbered reports whether notices of a kind are official documents that carry a
// 发文字号: the 交办单 and the 督办单.
func Numbered(kind string) bool { return kind == NoticeDispatch || kind == NoticeEscalation }
