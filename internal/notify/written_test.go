package notify

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// TestNoticesNameUnitsAsWritten: a list that writes 县医疗保障局 (a plaque of
// 县人力资源和社会保障局) has the body's 交办单 — chat text, e-mail, .docx — addressed
// 致：县人力资源和社会保障局（县医疗保障局）, and the rows of the other units name it so.
func TestNoticesNameUnitsAsWritten(t *testing.T) {
	p := relay.Plan{
		Meeting: relay.Meeting{ID: "m1", Name: "县委常委会2026年第12次会议", Date: "2026-09-15"},
		Units:   []relay.Unit{{ID: "rsj", Name: "县人力资源和社会保障局"}, {ID: "czj", Name: "县财政局"}},
		Leaders: []relay.Leader{{ID: "ld-chang", Name: "李某"}},
	}
	items := []relay.Item{
		{No: 1, Title: "两险同宣同征", Lead: "rsj", Co: []string{"czj"}, Deputy: "ld-chang", Deadline: "2027-03-31",
			Source: relay.Source{Lead: "县医疗保障局", LeadID: "rsj", Co: []string{"县财政局"}, CoIDs: []string{"czj"}}},
		{No: 2, Title: "就业", Lead: "czj", Co: []string{"rsj"}, Deputy: "ld-chang", Standing: true,
			Source: relay.Source{Lead: "县财政局", LeadID: "czj", Co: []string{"县人力资源和社会保障局(县医疗保障局)"}, CoIDs: []string{"rsj"}}},
	}
	notices, _ := p.DispatchNotices(items, time.Date(2026, 9, 16, 9, 0, 0, 0, relay.TimeZone))
	var rsj, czj relay.Notice
	for _, n := range notices {
		switch n.To {
		case "rsj":
			rsj = n
		case "czj":
			czj = n
		}
	}
	const addressed = "县人力资源和社会保障局（县医疗保障局）"
	if rsj.ToName != addressed {
		t.Errorf("致 %q", rsj.ToName)
	}
	if !strings.Contains(rsj.Subject, "县医疗保障局") {
		t.Errorf("subject %q", rsj.Subject)
	}
	if md := Render(rsj); !strings.Contains(md, "**致**：县人力资源和社会保障局（县医疗保障局") {
		t.Errorf("chat text:\n%s", md)
	}
	if d := Document(rsj, gongwen.Settings{Issuer: "示例县人民政府督查室"}); !strings.HasPrefix(d.Addressee, "县人力资源和社会保障局（县医疗保障局") {
		t.Errorf(".docx addressee %q", d.Addressee)
	}
	// The finance bureau's notice: its item 1 is led by the body as written.
	if md := Render(czj); !strings.Contains(md, "牵头："+addressed) || !strings.Contains(md, "县人力资源和社会保障局(县医疗保障局)") {
		t.Errorf("co rows:\n%s", md)
	}
	// Item 2 is a standing task: its 完成时限 reads 长期 on the 交办单.
	if md := Render(rsj); !strings.Contains(md, "| 长期 |") {
		t.Errorf("standing row:\n%s", md)
	}
	html, err := emailHTML(Outgoing{Notice: rsj})
	if err != nil || !strings.Contains(html, "县人力资源和社会保障局（县医疗保障局") {
		t.Errorf("e-mail: %v\n%s", err, html)
	}
}

func TestAddressedAsAll(t *testing.T) {
	const n = "县人力资源和社会保障局"
	for _, tc := range []struct {
		written []string
		want    string
	}{
		{nil, n},
		{[]string{"", n}, n},
		{[]string{"县医疗保障局", "", "县医疗保障局"}, n + "（县医疗保障局）"},
		{[]string{"县医疗保障局", "县人社局"}, n + "（县医疗保障局、县人社局）"},
		{[]string{n + "(县医疗保障局)"}, n + "(县医疗保障局)"},
		{[]string{n + "(县医疗保障局)", "县人社局"}, n + "（县人社局）"},
	} {
		if got := relay.AddressedAsAll(n, tc.written); got != tc.want {
			t.Errorf("AddressedAsAll(%q) = %q, want %q", tc.written, got, tc.want)
		}
	}
}
