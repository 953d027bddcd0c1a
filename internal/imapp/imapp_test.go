package imapp_test

import (
	"context"
	"testing"
	"time"

	"taskrelay/internal/imapp"
	"taskrelay/internal/imapp/imapptest"
)

// The token is fetched once for many calls, and again only when the platform says
// it expired.
func TestDingTalkTokenCachedAndRefreshed(t *testing.T) {
	fake := imapptest.NewDingTalk(t, 2*time.Hour)
	fake.AddUser("u1", "union1", "13800000001")
	d := imapp.NewDingTalk(fake.App(), nil)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := d.SendWorkNotice(ctx, []string{"u1"}, imapp.WorkNotice{Title: "t", Markdown: "m" + string(rune('a'+i)), Button: "看", URL: "http://x/"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := fake.Counts(); n != 1 {
		t.Fatalf("token requests = %d, want 1", n)
	}
	fake.ExpireTokens()
	if _, err := d.UnionID(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := fake.Counts(); n != 2 {
		t.Fatalf("token requests after expiry = %d, want 2", n)
	}
}

// HTTP 200 with errcode ≠ 0 is a failure; an unknown user a permanent one.
func TestDingTalkErrcodeIsFailure(t *testing.T) {
	fake := imapptest.NewDingTalk(t, time.Hour)
	d := imapp.NewDingTalk(fake.App(), nil)
	fake.AddUser("u1", "union1", "")
	fake.FailSends, fake.FailCode = 1, -1
	_, err := d.SendWorkNotice(context.Background(), []string{"u1"}, imapp.WorkNotice{Title: "t", Markdown: "m"})
	if err == nil || imapp.IsPermanent(err) {
		t.Fatalf("errcode -1: err = %v, want a retryable failure", err)
	}
	if _, err := d.UnionID(context.Background(), "nobody"); !imapp.IsPermanent(err) {
		t.Fatalf("unknown user: err = %v, want permanent", err)
	}
	bad := fake.App()
	bad.AppSecret = "wrong"
	if _, err := imapp.NewDingTalk(bad, nil).UnionID(context.Background(), "u1"); !imapp.IsPermanent(err) {
		t.Fatalf("wrong secret: err = %v, want permanent", err)
	}
}

// A 待办 made before (its answer lost) is found by its source and not made twice.
func TestDingTalkCreateTodoIdempotent(t *testing.T) {
	fake := imapptest.NewDingTalk(t, time.Hour)
	fake.AddUser("u1", "union1", "")
	d := imapp.NewDingTalk(fake.App(), nil)
	ctx := context.Background()
	for _, src := range []string{"a", "b", "c"} { // more than one page of the query
		fake.PutTodo("union1", "other-"+src, "x")
	}
	lost := fake.PutTodo("union1", "task-1", "任务")
	id, err := d.CreateTodo(ctx, "union1", imapp.Todo{SourceID: "task-1", Subject: "任务", Due: time.Now(), URL: "http://x/tasks/task-1"})
	if err != nil {
		t.Fatal(err)
	}
	if id != lost {
		t.Fatalf("id = %s, want the existing %s", id, lost)
	}
	if _, creates := fake.Counts(); creates != 0 {
		t.Fatalf("creates = %d, want 0", creates)
	}
	id2, err := d.CreateTodo(ctx, "union1", imapp.Todo{SourceID: "task-2", Subject: "任务二"})
	if err != nil || id2 == "" {
		t.Fatal(id2, err)
	}
	if err := d.DoneTodo(ctx, "union1", id2); err != nil {
		t.Fatal(err)
	}
	for _, td := range fake.Todos() {
		if td.ID == id2 && !td.Done {
			t.Fatal("not done")
		}
	}
}

func TestWeComAndFeishuSend(t *testing.T) {
	wf := imapptest.NewWeCom(t, time.Hour)
	wf.AddMember("zhang")
	w := imapp.NewWeCom(wf.App(), nil)
	ctx := context.Background()
	if err := w.SendTextCard(ctx, []string{"zhang"}, imapp.TextCard{Title: "t", Description: "d", URL: "http://x/", Button: "查看"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SendTextCard(ctx, []string{"ghost"}, imapp.TextCard{Title: "t", Description: "d", URL: "http://x/"}); !imapp.IsPermanent(err) {
		t.Fatalf("unknown member: %v", err)
	}
	ff := imapptest.NewFeishu(t, time.Hour)
	ff.AddUser("ou_1")
	f := imapp.NewFeishu(ff.App(), nil)
	if err := f.SendCard(ctx, "ou_1", []byte(`{"header":{"title":{"tag":"plain_text","content":"t"}},"elements":[]}`), "u1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := ff.Counts(); n != 1 || len(ff.Messages()) != 1 {
		t.Fatal(n, ff.Messages())
	}
}
