package notify

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

func TestRenderDispatch(t *testing.T) {
	n := sampleNotice()
	n.Contact = &relay.Contact{Name: "王某某", Mobile: "13800001111"}
	n.Items = append(n.Items, relay.NoticeItem{
		No: 4, Title: "恶意|标题\n| 9 | 伪造 | 行 |", Requirements: `反斜杠\|管道`, Role: relay.RoleCo,
		Deadline: "2027-01-15", LeadUnitName: "县财政局",
	})
	md := Render(n)
	for _, want := range []string{
		"## 县委常委会2026年第12次会议任务交办单\n",
		"**会议**：县委常委会2026年第12次会议",
		"**致**：县人力资源和社会保障局  \n**联络员**：王某某（13800001111）  \n",
		"**时间**：2026年12月1日 09:30",
		"请按要求抓好落实，每月25日前报送进展。",
		"| 序号 | 任务事项 | 具体要求 | 本单位角色 | 完成时限 | 分管县领导 |\n| --- | --- | --- | --- | --- | --- |\n",
		`| 3 | 稳就业 \| 保民生 | 第一行<br>第二行 | 牵头（配合：县财政局、县教育体育局） | 2026-12-31 | 张副县长 |`,
		`| 4 | 恶意\|标题<br>\| 9 \| 伪造 \| 行 \| | 反斜杠\\\|管道 | 配合（牵头：县财政局） | 2027-01-15 | — |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Render lacks %q\n--- got ---\n%s", want, md)
		}
	}
	// Structure: every table line has exactly 7 unescaped pipes (6 columns).
	var rows int
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		rows++
		if got := unescapedPipes(line); got != 7 {
			t.Errorf("table line has %d cell separators: %q", got, line)
		}
	}
	if rows != 4 {
		t.Errorf("%d table lines, want 4 (header, rule, 2 items)\n%s", rows, md)
	}
}

// unescapedPipes counts '|' not preceded by an odd run of backslashes.
func unescapedPipes(s string) int {
	n, bs := 0, 0
	for _, r := range s {
		switch r {
		case '\\':
			bs++
			continue
		case '|':
			if bs%2 == 0 {
				n++
			}
		}
		bs = 0
	}
	return n
}

func TestRenderOtherKindsAsList(t *testing.T) {
	n := relay.Notice{
		ID: "reminder:cwh-2026-12:3:2026-12-31:7", Kind: relay.NoticeReminder,
		MeetingName: "县委常委会2026年第12次会议", ToName: "县人力资源和社会保障局",
		Subject: "任务即将到期\n第二行", Body: "距完成时限还有7天。",
		Items: []relay.NoticeItem{{No: 3, Title: "稳就业\n# 不是标题", Role: relay.RoleLead, Deadline: "2026-12-31", DeputyName: "张副县长"}},
		// 2026-12-24 16:00 UTC is 2026-12-25 00:00 county time.
		IssuedAt: time.Date(2026, 12, 24, 16, 0, 0, 0, time.UTC),
	}
	md := Render(n)
	for _, want := range []string{
		"## 任务即将到期 第二行\n",
		"**时间**：2026年12月25日 00:00",
		"- 第3项：稳就业 # 不是标题（本单位角色：牵头；完成时限：2026-12-31；分管县领导：张副县长）\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Render lacks %q\n--- got ---\n%s", want, md)
		}
	}
	if strings.Contains(md, "| 序号 |") {
		t.Error("non-dispatch notice rendered as a table")
	}
	if strings.Contains(md, "联络员") {
		t.Error("a notice without a contact prints a 联络员 line")
	}
}

func TestRenderEmptySubjectAndNoTime(t *testing.T) {
	md := Render(relay.Notice{ID: "x", Kind: relay.NoticeEscalation})
	if !strings.HasPrefix(md, "## 督办单\n") || strings.Contains(md, "时间") {
		t.Errorf("Render = %q", md)
	}
}

// TestRenderDigestSaysWhy: each item of a digest says which notice it stands for.
func TestRenderDigestSaysWhy(t *testing.T) {
	md := Render(relay.Notice{Kind: relay.NoticeDigest, Subject: "汇总通知：2 项事项需要办理", ToName: "县财政局",
		Items: []relay.NoticeItem{{No: 1, Title: "甲", Why: "逾期通知：蓝色督办单：第1项 甲 已逾期"}, {No: 2, Title: "乙", Why: "到期提醒：第2项 乙"}}})
	for _, want := range []string{"- 第1项：甲（事由：逾期通知：蓝色督办单：第1项 甲 已逾期", "- 第2项：乙（事由：到期提醒：第2项 乙"} {
		if !strings.Contains(md, want) {
			t.Errorf("digest lacks %q:\n%s", want, md)
		}
	}
}

// TestOfficeNoticesCarryNoUnitRole: a push back to decide (to the office), a
// completion to verify (to the inspection office) and an extension request (to the
// deputy) name no 本单位角色 in the text, the chat message or the e-mail; a unit's
// reminder still does.
func TestOfficeNoticesCarryNoUnitRole(t *testing.T) {
	item := []relay.NoticeItem{{No: 3, Title: "稳就业", Role: relay.RoleLead, Deadline: "2026-12-31", DeputyName: "张副县长", LeadUnitName: "县人力资源和社会保障局"}}
	for _, n := range []relay.Notice{
		{ID: "pushback:cwh-2026-12:3:1", Kind: relay.NoticePushback, ToKind: relay.ToOffice, To: relay.Office, ToName: "县政府办公室", Subject: "退回申请：第3项 稳就业", Items: item},
		{ID: "closed:cwh-2026-12:3:2", Kind: relay.NoticeClosed, ToKind: relay.ToInspection, To: relay.Inspection, ToName: "县政府督查室", Subject: "办结待审核：第3项 稳就业", Items: item},
		{ID: "extension_request:cwh-2026-12:3:3", Kind: relay.NoticeExtensionRequest, ToKind: relay.ToLeader, To: "ld-zhang", ToName: "张副县长", Subject: "延期申请：第3项 稳就业", Items: item},
	} {
		_, lines := layout(n)
		mail, err := emailHTML(Outgoing{Notice: n})
		if err != nil {
			t.Fatal(err)
		}
		for what, text := range map[string]string{"Render": Render(n), "chat": strings.Join(lines, "\n"), "e-mail": mail} {
			if strings.Contains(text, "本单位角色") || strings.Contains(text, "牵头（") {
				t.Errorf("%s to %s: %s names a 本单位角色:\n%s", n.Kind, n.ToName, what, text)
			}
			if !strings.Contains(text, "稳就业") {
				t.Errorf("%s to %s: %s lost the item:\n%s", n.Kind, n.ToName, what, text)
			}
		}
	}
	unit := relay.Notice{ID: "reminder:cwh-2026-12:3:4", Kind: relay.NoticeReminder, ToKind: relay.ToUnit, To: "rsj", ToName: "县人力资源和社会保障局", Items: item}
	if md := Render(unit); !strings.Contains(md, "本单位角色：牵头") {
		t.Errorf("a unit's reminder lost its 本单位角色:\n%s", md)
	}
}
