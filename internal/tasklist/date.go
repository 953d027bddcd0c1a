package tasklist

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
)

// dateLayouts are the ways a date may be written: 2026-12-31, 2026/12/31,
// 2026.12.31, 2026年12月31日 (months and days with or without a leading zero).
// Full-width digits and punctuation (２０２６－１２－３１) read as their ASCII forms,
// spaces are ignored, and a trailing 前 (2026年12月31日前, "by") is allowed.
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}

// DateForms is how the messages describe the accepted forms.
const DateForms = "2027-03-31、2027/3/31、2027.3.31 或 2027年3月31日（全角数字亦可）"

// monthEndRE: 2026年12月底 (the month's last day).
var monthEndRE = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(?:底|末)$`)

// normalizeDate reads a date in one of dateLayouts and writes it as YYYY-MM-DD.
func normalizeDate(s string) (string, bool) {
	s = strings.TrimSuffix(strings.Join(strings.Fields(foldWidth(s)), ""), "前")
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, relay.TimeZone); err == nil {
			return t.Format(relay.DateLayout), true
		}
	}
	if m := monthEndRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo >= 1 && mo <= 12 {
			return time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, relay.TimeZone).Format(relay.DateLayout), true
		}
	}
	return "", false
}

// foldWidth writes full-width digits, date punctuation and spaces as ASCII (an input
// method's full-width mode types ２０２７－０３－３１).
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '－' || r == '‐' || r == '‑' || r == '–':
			return '-'
		case r == '／':
			return '/'
		case r == '．':
			return '.'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// standingWords are what a list writes as the deadline of a standing task (长期事项).
var standingWords = map[string]bool{
	"长期": true, "长期坚持": true, "持续推进": true, "常态化": true,
	"长期推进": true, "常态化推进": true, "持续": true, "长期持续": true,
}

// standingDeadline reports whether a deadline as written marks a standing task
// (spaces ignored).
func standingDeadline(s string) bool {
	return standingWords[strings.Join(strings.Fields(s), "")]
}

// splitUnits splits a cell naming several units: 、 ， , ； ; or a line break, not
// inside brackets (县人力资源和社会保障局（县医疗保障局、县人社局）is one body).
func splitUnits(s string) []string { return directory.SplitNames(s) }
