package report

import (
	"fmt"
	"strings"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// ExecutiveDocx is the 通报 as an official document (GB/T 9704-2012), issued by the
// inspection office.
func (r *Report) ExecutiveDocx() ([]byte, error) {
	s := r.settings()
	return r.Executive().gongwen(s.Issuer, r.DocNo, r).Docx(s)
}

// CommitteeDocx is the report to the county committee as an official document,
// issued by the county government.
func (r *Report) CommitteeDocx() ([]byte, error) {
	s := r.settings()
	return r.Committee().gongwen(s.CommitteeIssuer, r.CommitteeDocNo, r).Docx(s)
}

// DocSettings are the settings the report's documents are laid out and numbered with.
func (r *Report) DocSettings() gongwen.Settings { return r.settings() }

// settings are the report's document settings; an archive written before there were
// any gets the defaults.
func (r *Report) settings() gongwen.Settings {
	s, def := r.Documents, gongwen.DefaultSettings()
	if s.Issuer == "" {
		s.Issuer, s.Prefix = def.Issuer, def.Prefix
	}
	if s.CommitteeIssuer == "" {
		s.CommitteeIssuer, s.CommitteePrefix = def.CommitteeIssuer, def.CommitteePrefix
	}
	return s
}

// gongwen lays the report out as an official document: the issuer heads and signs it,
// dated the day it was generated; headings, paragraphs and tables keep their order; a
// leading salutation line (中共…县委：) becomes the 主送机关. The chart has no place
// in a printed document: its table follows it.
func (d *doc) gongwen(issuer, number string, r *Report) *gongwen.Doc {
	// Until it is signed off and numbered the report is a draft, and says so.
	g := &gongwen.Doc{Mark: issuer, Number: number, Title: d.Title, Issuer: issuer, PrintedBy: issuer, Draft: number == ""}
	if len(d.Subtitle) > 0 {
		g.Subtitle = d.Subtitle[:1] // the month; the rest repeats the issuer and the day
	}
	if !r.GeneratedAt.IsZero() {
		g.Date = r.GeneratedAt.In(relay.TimeZone)
	}
	blocks := d.Blocks
	if len(blocks) > 0 && blocks[0].Kind == bPara && strings.HasSuffix(blocks[0].Text, "：") && len([]rune(blocks[0].Text)) <= 40 {
		g.Addressee, blocks = blocks[0].Text, blocks[1:]
	}
	for _, bl := range blocks {
		switch bl.Kind {
		case bH2:
			g.H1(bl.Text)
		case bH3:
			g.H2(bl.Text)
		case bPara:
			g.P(flat(bl.Text))
		case bList:
			for i, it := range bl.Items {
				g.I(fmt.Sprintf("%d. %s", i+1, flat(it)))
			}
		case bTable:
			g.T(bl.Head, bl.Rows)
		}
	}
	return g
}
