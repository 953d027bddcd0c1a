package notify

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/relay"
)

// TestStandingDeadlineInNotices: a standing task's 完成时限 reads 长期 — from its
// Standing field — in every notice that shows one: the 交办单's table (chat text,
// e-mail, .docx), the list lines of the other notices, the office apps' text and the
// 督办单's .docx rows; a dated task keeps its date.
func TestStandingDeadlineInNotices(t *testing.T) {
	items := []relay.NoticeItem{
		{No: 1, TaskID: "m1-1", Title: "两险同宣同征", Role: relay.RoleLead, Deadline: "2027-03-31", DeputyName: "李某", LeadUnitName: "县财政局"},
		{No: 2, TaskID: "m1-2", Title: "稳岗就业", Role: relay.RoleLead, Standing: true, DeputyName: "李某", LeadUnitName: "县财政局"},
	}
	at := time.Date(2026, 9, 16, 9, 0, 0, 0, relay.TimeZone)
	dispatch := relay.Notice{ID: "dispatch:m1:czj", Kind: relay.NoticeDispatch, ToKind: relay.ToUnit, To: "czj", ToName: "县财政局", IssuedAt: at, Items: items}
	chase := relay.Notice{ID: "chase:c1", Kind: relay.NoticeChase, ToKind: relay.ToUnit, To: "czj", ToName: "县财政局", IssuedAt: at, Items: items}
	escalation := relay.Notice{ID: "escalation:m1-2", Kind: relay.NoticeEscalation, ToKind: relay.ToLeader, To: "ld-chang", ToName: "李某", IssuedAt: at, Items: items}

	if md := Render(dispatch); !strings.Contains(md, "| 长期 |") || !strings.Contains(md, "| 2027-03-31 |") {
		t.Errorf("交办单 table:\n%s", md)
	}
	if md := Render(chase); !strings.Contains(md, "稳岗就业（本单位角色：牵头；牵头单位：县财政局；完成时限：长期；") {
		t.Errorf("list lines:\n%s", md)
	}
	html, err := emailHTML(Outgoing{Notice: dispatch})
	if err != nil || !strings.Contains(html, "<td>长期</td>") || !strings.Contains(html, "<td>2027-03-31</td>") {
		t.Errorf("e-mail: %v\n%s", err, html)
	}
	for _, n := range []relay.Notice{dispatch, escalation} {
		d := Document(n, gongwen.Settings{Issuer: "示例县人民政府督查室"})
		var cells []string
		for _, b := range d.Blocks {
			for _, r := range b.Rows {
				cells = append(cells, r...)
			}
		}
		if !slices.Contains(cells, "长期") || !slices.Contains(cells, "2027-03-31") {
			t.Errorf("%s .docx cells %q", n.Kind, cells)
		}
	}
	msgs, err := (&appChannel{channel: ChannelDingTalkWork}).Prepare(Outgoing{Notice: chase})
	if err != nil {
		t.Fatal(err)
	}
	var m appMessage
	if err := json.Unmarshal(msgs[0], &m); err != nil || !strings.Contains(m.Text, "稳岗就业（完成时限 长期）") {
		t.Errorf("app text: %v\n%s", err, m.Text)
	}
}
