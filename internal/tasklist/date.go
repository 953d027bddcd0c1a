package tasklist

import (
	"strings"
	"time"

	"taskrelay/internal/relay"
)

// dateLayouts are the ways a date may be written: 2026-12-31, 2026/12/31,
// 2026年12月31日 (months and days with or without a leading zero).
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006年1月2日"}

// normalizeDate reads a date in one of dateLayouts and writes it as YYYY-MM-DD.
func normalizeDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, relay.County); err == nil {
			return t.Format(relay.DateLayout), true
		}
	}
	return "", false
}

// splitUnits splits a cell naming several units: 、 ， , ； ; or a line break.
func splitUnits(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', '，', ',', '；', ';', '\n', '\r':
			return true
		}
		return false
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
