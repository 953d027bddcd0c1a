package notify

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"taskrelay/internal/gongwen"
	"taskrelay/internal/gongwen/gongwentest"
	"taskrelay/internal/relay"
)

// TestOutboxWritesDocuments: with document settings the outbox writes a .docx beside
// a 交办单 and a 督办单 (and repairs a missing one), none beside other kinds; LibreOffice
// reads them as A4 documents holding the title, the number, the recipient, the date,
// every item and the recipient's 联络员, the header row repeated when the table runs over a page.
func TestOutboxWritesDocuments(t *testing.T) {
	s := gongwen.DefaultSettings()
	o := NewOutbox(t.TempDir())
	o.Documents = &s
	ctx := context.Background()

	dispatch := sampleNotice()
	dispatch.DocNo = gongwen.Number(s.Prefix, 2026, 7)
	dispatch.Contact = &relay.Contact{Name: "王某某", Mobile: "13800001111"}
	for i := 4; i < 40; i++ { // a unit with many items: the table runs over pages
		it := dispatch.Items[0]
		it.No, it.TaskID, it.Title = i, fmt.Sprintf("cwh-2026-12:%d", i), fmt.Sprintf("第%d项：推进高标准农田建设", i)
		dispatch.Items = append(dispatch.Items, it)
	}
	escalation := sampleNotice()
	escalation.ID, escalation.Kind, escalation.ToKind, escalation.To, escalation.ToName = "escalation:cwh-2026-12:3:2026-12-31", relay.NoticeEscalation, relay.ToLeader, "zhang", "张副县长"
	escalation.DocNo = gongwen.Number(s.Prefix, 2026, 8)
	reminder := sampleNotice()
	reminder.ID, reminder.Kind = "reminder:cwh-2026-12:3:1", relay.NoticeReminder
	for _, n := range []relay.Notice{dispatch, escalation, reminder} {
		if err := o.Deliver(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(o.DocxPath(reminder.ID)); !os.IsNotExist(err) {
		t.Errorf("a reminder got a .docx: %v", err)
	}
	// A crash between the writes leaves no .docx: the next delivery writes it.
	if err := os.Remove(o.DocxPath(escalation.ID)); err != nil {
		t.Fatal(err)
	}
	if err := o.Deliver(ctx, escalation); err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	for name, n := range map[string]relay.Notice{"jiaoban": dispatch, "duban": escalation} {
		b, err := os.ReadFile(o.DocxPath(n.ID))
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	pdfs := gongwentest.ConvertAll(t, docs)
	jb, db := pdfs["jiaoban"], pdfs["duban"]
	jb.CheckA4(t)
	db.CheckA4(t)
	jb.CheckText(t, s.Issuer, "县府督办〔2026〕7号", "关于县委常委会2026年第12次会议确定事项的交办单",
		"县人力资源和社会保障局：", "二〇二六年十二月一日", "稳就业|保民生", "第一行", "第二行", "牵头（配合：县财政局、县教育体育局）",
		"联络员：王某某（13800001111）")
	for _, it := range dispatch.Items {
		jb.CheckText(t, it.Title)
	}
	if jb.Pages < 2 {
		t.Errorf("%s: 37 items should run over two pages", jb)
	} else if p2 := jb.PageText(t, 2); !strings.Contains(p2, "本单位角色") {
		t.Errorf("page 2 does not repeat the header row")
	}
	db.CheckText(t, "县府督办〔2026〕8号", "督办单", "张副县长：", "稳就业|保民生", "县人力资源和社会保障局")
	jb.Screenshots(t, "notice-jiaobandan", 1)
	db.Screenshots(t, "notice-dubandan", 1)
}
