package activities

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"taskrelay/examples"
	"taskrelay/internal/directory"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestDeliverPrintsTheContact: a notice to a unit reaches the outbox with the unit's
// 联络员 from the directory, printed on its Markdown, while its seal still checks (the
// contact is added at delivery, outside the seal); a unit the directory gives no
// contact gets none.
func TestDeliverPrintsTheContact(t *testing.T) {
	d, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := d.Unit("rsj")
	if u.Contact == nil || u.Contact.Name == "" || u.Contact.Mobile == "" {
		t.Fatalf("the sample directory gives rsj no contact: %+v", u.Contact)
	}
	out := notify.NewOutbox(t.TempDir())
	a := &Activities{Notifier: out, Contacts: d.NoticeContact}
	n := relay.Notice{ID: "dispatch:m:rsj", Kind: relay.NoticeDispatch, MeetingName: "测试会议",
		ToKind: relay.ToUnit, To: "rsj", ToName: u.Name, Subject: "交办单", Body: "请落实。",
		IssuedAt: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)}
	n.Hash = relay.SealNotice(n)
	other := n
	other.ID, other.To, other.ToName = "dispatch:m:nobody", "nobody", "无此单位"
	other.Hash = relay.SealNotice(other)
	for _, x := range []relay.Notice{n, other} {
		if err := a.Deliver(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	md, err := os.ReadFile(strings.TrimSuffix(out.Path(n.ID), ".json") + ".md")
	if err != nil {
		t.Fatal(err)
	}
	want := "**联络员**：" + u.Contact.Name + "（" + u.Contact.Mobile + "）"
	if !strings.Contains(string(md), want) {
		t.Fatalf("notice lacks %q:\n%s", want, md)
	}
	ns, err := out.List(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range ns {
		if got.Hash != relay.SealNotice(got) {
			t.Errorf("notice %s no longer matches its seal", got.ID)
		}
		if (got.To == "rsj") != (got.Contact != nil) {
			t.Errorf("notice %s to %s: contact %+v", got.ID, got.To, got.Contact)
		}
	}
}
