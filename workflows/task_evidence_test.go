package workflows

import (
	"strings"
	"testing"

	"taskrelay/internal/relay"

	model "taskrelay/internal/task"
)

func att(name, typ string, b byte) relay.Attachment {
	return relay.Attachment{SHA256: strings.Repeat(string("0123456789abcdef"[b%16]), 64), Name: name, Size: 1024, Type: typ}
}

// An officer's files ride on the entries of progress and completion and are in their
// hashes; the heads name each unit's officer responsible, returns a first completion and
// signs off the second, which only then reaches the inspection office.
func TestTaskEvidenceAssignmentAndHeadReview(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, rec := taskEnv(t, start)
	photo, scan := att("现场.jpg", "jpg", 1), att("验收单.pdf", "pdf", 2)
	assign := at(env, start, cst("2026-09-17 09:00"), relay.UpdateAssign, model.Request{Unit: "rsj", User: "rsj-head", Head: true, Person: "rsj-zhang"})
	coAssign := at(env, start, cst("2026-09-17 09:05"), relay.UpdateAssign, model.Request{Unit: "czj", User: "czj-head", Head: true, Person: "czj-li"})
	stranger := at(env, start, cst("2026-09-17 09:10"), relay.UpdateAssign, model.Request{Unit: "jyj", Person: "x"})
	prog := at(env, start, cst("2026-09-20 09:00"), relay.UpdateProgress, model.Request{Unit: "rsj", User: "rsj-zhang", Percent: 50, Note: "窗口已设立", Attachments: []relay.Attachment{photo}})
	bad := at(env, start, cst("2026-09-20 09:10"), relay.UpdateProgress, model.Request{Unit: "rsj", Percent: 60, Note: "x", Attachments: []relay.Attachment{{SHA256: strings.Repeat("a", 64), Name: "a.exe", Size: 1, Type: "exe"}}})
	eleven := make([]relay.Attachment, 11)
	for i := range eleven {
		eleven[i] = photo
	}
	tooMany := at(env, start, cst("2026-09-20 09:20"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "x", Attachments: eleven})
	comp1 := at(env, start, cst("2026-09-25 09:00"), relay.UpdateComplete, model.Request{Unit: "rsj", User: "rsj-zhang", Note: "已办结", HeadReview: true, Attachments: []relay.Attachment{scan}})
	again := at(env, start, cst("2026-09-25 09:10"), relay.UpdateComplete, model.Request{Unit: "rsj", Note: "再报", HeadReview: true})
	notHead := at(env, start, cst("2026-09-25 09:20"), relay.UpdateHeadReview, model.Request{Unit: "rsj", User: "rsj-zhang", Approve: true})
	otherUnit := at(env, start, cst("2026-09-25 09:30"), relay.UpdateHeadReview, model.Request{Unit: "czj", Head: true, Approve: true})
	var inReview relay.TaskView
	env.RegisterDelayedCallback(func() { inReview = queryTask(t, env) }, cst("2026-09-25 10:00").Sub(start))
	ret := at(env, start, cst("2026-09-26 09:00"), relay.UpdateHeadReview, model.Request{Unit: "rsj", User: "rsj-head", Head: true, Note: "请补充验收单"})
	comp2 := at(env, start, cst("2026-09-27 09:00"), relay.UpdateComplete, model.Request{Unit: "rsj", User: "rsj-zhang", Note: "已补充", HeadReview: true})
	sign := at(env, start, cst("2026-09-28 09:00"), relay.UpdateHeadReview, model.Request{Unit: "rsj", User: "rsj-head", Head: true, Approve: true})
	var submitted relay.TaskView
	env.RegisterDelayedCallback(func() { submitted = queryTask(t, env) }, cst("2026-09-28 10:00").Sub(start))
	ok := at(env, start, cst("2026-09-29 09:00"), relay.UpdateVerify, model.Request{By: relay.Inspection, Approve: true})

	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]*outcome{"assign": assign, "co assign": coAssign, "progress": prog, "complete": comp1, "return": ret, "complete again": comp2, "sign": sign, "accept": ok} {
		if !o.done || o.err != nil {
			t.Errorf("%s: done=%v err=%v", name, o.done, o.err)
		}
	}
	for name, c := range map[string]struct {
		o    *outcome
		want string
	}{
		"stranger assigns":  {stranger, "无权操作"},
		"bad file":          {bad, "不在允许范围内"},
		"eleven files":      {tooMany, "最多 10 个"},
		"completion twice":  {again, "已报单位负责人审核"},
		"officer signs off": {notHead, "单位负责人审核"},
		"other unit signs":  {otherUnit, "单位负责人审核"},
	} {
		if c.o.err == nil || !strings.Contains(c.o.err.Error(), c.want) {
			t.Errorf("%s: want a refusal with %q, got %v", name, c.want, c.o.err)
		}
	}
	if assign.view.Assignee != "rsj-zhang" {
		t.Errorf("assignee %q", assign.view.Assignee)
	}
	// Each unit's person: the supporting unit's officer finds the task as his too.
	if v := coAssign.view; v.Assignee != "rsj-zhang" || !v.AssignedTo("czj", "czj-li") || !v.AssignedTo("rsj", "rsj-zhang") ||
		v.AssignedTo("czj", "rsj-zhang") {
		t.Errorf("after the supporting unit's assignment: assignee %q, assignees %v", v.Assignee, v.Assignees)
	}
	if inReview.State != relay.StateHeadReview || len(inReview.Attachments) != 2 {
		t.Errorf("in review: state %s, attachments %+v", inReview.State, inReview.Attachments)
	}
	if ret.view.State != relay.StateInProgress || submitted.State != relay.StateCompletionSubmitted {
		t.Errorf("returned %s, signed off %s", ret.view.State, submitted.State)
	}
	a := inReview.Attachments
	if a[0].Attachment != photo || a[0].Action != relay.ActProgress || a[0].By != "rsj" ||
		a[1].Attachment != scan || a[1].Action != relay.ActHeadReviewPending {
		t.Errorf("attachments %+v", a)
	}
	// Only the signed-off completion reached the inspection office.
	var toOffice []string
	for _, s := range rec.items {
		if s.n.ToKind == relay.ToInspection {
			toOffice = append(toOffice, s.at.In(relay.TimeZone).Format("01-02"))
		}
	}
	if strings.Join(toOffice, " ") != "09-28" {
		t.Errorf("notices to the office at %v, want only 09-28", toOffice)
	}
	// The files are in the chain: changing one breaks its entry's hash.
	tl := submitted.Timeline
	prev := relay.ItemRoot(sampleTaskInput("").Meeting, sampleTaskInput("2026-10-10").Item)
	for i, e := range tl {
		if relay.ChainEvent(prev, e) != e.Hash {
			t.Fatalf("entry %d does not chain", i)
		}
		if len(e.Attachments) > 0 {
			e.Attachments = append([]relay.Attachment{}, e.Attachments...)
			e.Attachments[0].SHA256 = strings.Repeat("f", 64)
			if relay.ChainEvent(prev, e) == e.Hash {
				t.Errorf("entry %d: a changed file hash still chains", i)
			}
		}
		prev = e.Hash
	}
}

// An extension request carries its files on its entry, like progress and completion;
// a file of a type the store never accepts refuses the request whole.
func TestExtensionRequestCarriesFiles(t *testing.T) {
	start := cst("2026-09-16 10:00")
	env, _ := taskEnv(t, start)
	letter := att("省级批复.pdf", "pdf", 3)
	bad := at(env, start, cst("2026-09-20 09:00"), relay.UpdateExtend, model.Request{Unit: "rsj", Until: "2026-11-30", Note: "等待省级文件",
		Attachments: []relay.Attachment{letter, {SHA256: strings.Repeat("b", 64), Name: "x.html", Size: 1, Type: "html"}}})
	ext := at(env, start, cst("2026-09-20 10:00"), relay.UpdateExtend, model.Request{Unit: "rsj", User: "rsj-zhang", Until: "2026-11-30", Note: "等待省级文件",
		Attachments: []relay.Attachment{letter}})
	var v relay.TaskView
	env.RegisterDelayedCallback(func() { v = queryTask(t, env) }, cst("2026-09-21 10:00").Sub(start))
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, cst("2026-09-22 10:00").Sub(start))
	env.ExecuteWorkflow(relay.TaskWorkflowName, sampleTaskInput("2026-10-10"))
	if bad.err == nil || !strings.Contains(bad.err.Error(), "不在允许范围内") {
		t.Errorf("a request with an unaccepted type: %v", bad.err)
	}
	if !ext.done || ext.err != nil {
		t.Fatalf("extension with a file: %v", ext.err)
	}
	if v.Extension == nil || len(v.Attachments) != 1 || v.Attachments[0].Attachment != letter || v.Attachments[0].Action != relay.ActExtensionRequested {
		t.Fatalf("extension %+v, attachments %+v", v.Extension, v.Attachments)
	}
	for _, e := range v.Timeline {
		if len(e.Attachments) > 0 && e.Action != relay.ActExtensionRequested {
			t.Errorf("the file is on a %s entry", e.Action)
		}
	}
}
