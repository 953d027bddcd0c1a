package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"taskrelay/internal/relay"
)

// TestUserTextIsInert: text typed by the committee's list or by a unit is shown as
// text on every page, never as markup.
func TestUserTextIsInert(t *testing.T) {
	e := pageSetup(t)
	const m = "cwh-inert"
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	list := []byte(`meeting: {id: cwh-inert, name: "县委常委会<b>粗体</b>会议", date: 2026-09-15}
items:
  - {no: 1, title: '` + evil + `', requirements: "=HYPERLINK(\"http://x\")", lead: 县财政局, deadline: 2027-06-30}
`)
	off := e.login(t, "office1")
	r := off.upload("inert.yaml", list, nil)
	must(t, r, http.StatusSeeOther)
	// The engine holds it dispatched, with the unit's progress note as it was typed.
	e.dispatchedList(t, "inert.yaml", list)
	id := relay.TaskID(m, 1)
	note := `<iframe src="http://x"></iframe>进展`
	czj := e.login(t, "czj1")
	must(t, czj.post(TaskURL(id)+"/progress", url.Values{"percent": {"10"}, "note": {note}}), http.StatusSeeOther)
	if c := e.fake.Calls(); c[len(c)-1].Req.Note != note {
		t.Fatalf("the note reached the engine as %q", c[len(c)-1].Req.Note)
	}
	ten := 10
	e.put(t, id, func(s *relay.TaskSummary) {
		s.Timeline = append(s.Timeline, relay.Event{At: time.Now(), By: "czj", User: "czj1", Action: relay.ActProgress, Note: note, Percent: &ten})
		s.LastProgressNote = note
	})
	insp := e.login(t, "duban")
	pages := map[string]string{
		"meeting":  off.get(MeetingURL(m)).body,
		"task":     czj.get(TaskURL(id)).body,
		"board":    insp.get("/board?meeting=" + m).body,
		"my tasks": czj.get("/my").body,
		"notices":  czj.get("/notices").body,
		"meetings": off.get("/meetings").body,
	}
	for name, body := range pages {
		for _, raw := range []string{"<script>alert", "<img src=x", "<iframe", "<b>粗体</b>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s page contains raw user markup %q", name, raw)
			}
		}
	}
	if !strings.Contains(pages["task"], "&lt;script&gt;alert") || !strings.Contains(pages["task"], "&lt;iframe") {
		t.Error("the task page does not show the user's text (escaped)")
	}
}
