package task

import (
	"encoding/json"
	"strings"
	"testing"

	"taskrelay/internal/relay"
)

// The requests recorded histories hold, a unit action's and a change's (two types
// once), decode into the one Request with every fact, and sign the same identity.
func TestRequestDecodesBothRecordedForms(t *testing.T) {
	var act Request
	if err := json.Unmarshal([]byte(`{"unit":"rsj","user":"张三","percent":60,"note":"推进","attachments":[{"sha256":"ab","name":"a.pdf","size":3,"type":"application/pdf"}],"head":true,"approve":true}`), &act); err != nil {
		t.Fatal(err)
	}
	if act.Unit != "rsj" || act.Percent != 60 || act.Note != "推进" || len(act.Attachments) != 1 || !act.Head || !act.Approve {
		t.Errorf("unit action: %+v", act)
	}
	if id := act.Identity(); id.Role != relay.RoleHead || id.Unit != "rsj" || id.User != "张三" {
		t.Errorf("unit head's identity: %+v", id)
	}
	var ch Request
	if err := json.Unmarshal([]byte(`{"by":"office","reason":"同意改由农业农村局牵头","lead":{"id":"nyj","name":"县农业农村局"},"co":[{"id":"czj","name":"县财政局"}],"set_co":true,"deputy":{"id":"ld-zhao","name":"赵某"},"keep":false,"by_role":"county_head","suggest":{"id":"nyj","name":"县农业农村局"},"reply_by":"2026-10-01","chase_id":"c1"}`), &ch); err != nil {
		t.Fatal(err)
	}
	if ch.Lead == nil || ch.Lead.ID != "nyj" || len(ch.Co) != 1 || !ch.SetCo || ch.Deputy == nil || ch.Deputy.ID != "ld-zhao" ||
		ch.Suggest == nil || ch.ReplyBy != "2026-10-01" || ch.ChaseID != "c1" || ch.Reason == "" {
		t.Errorf("change: %+v", ch)
	}
	if id := ch.Identity(); id.Role != relay.RoleCountyHead || id.By != relay.Office {
		t.Errorf("county head's identity: %+v", id)
	}
}

// One text check for every update: the note of an action, the reason, requirements
// and instruction of a change, the person's name, each named as its form names it.
func TestCheckTextEveryUpdate(t *testing.T) {
	long := strings.Repeat("字", relay.MaxNoteRunes+1)
	for _, c := range []struct {
		update string
		req    Request
		want   string
	}{
		{relay.UpdateProgress, Request{Note: long}, "进展情况过长"},
		{relay.UpdateVerify, Request{Note: long}, "审核意见过长"},
		{relay.UpdateReassign, Request{Reason: long}, "调整理由过长"},
		{relay.UpdateDecidePushback, Request{Reason: long}, "决定意见过长"},
		{relay.UpdateAmend, Request{Reason: "会议调整", Requirements: long}, "具体要求过长"},
		{relay.UpdateInstruct, Request{Text: long}, "批示内容过长"},
		{relay.UpdateAck, Request{User: strings.Repeat("名", relay.MaxUserRunes+1)}, "操作人过长"},
	} {
		err := c.req.CheckText(c.update)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.update, err, c.want)
		}
	}
	if err := (Request{Note: strings.Repeat("字", relay.MaxNoteRunes), Reason: "理由"}).CheckText(relay.UpdateProgress); err != nil {
		t.Errorf("at the cap: %v", err)
	}
}
