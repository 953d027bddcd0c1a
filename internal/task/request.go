package task

import (
	"fmt"
	"unicode/utf8"

	"taskrelay/internal/actor"
	"taskrelay/internal/relay"
)

// Request is the argument of every update of a task: a unit's action (ack, progress,
// extension, completion, assignment, read receipt, the head's sign-off), a leader's or
// the inspection office's decision, the engine's own record (feedback reminded), and
// every change (reassign, amend, withdraw, push back and its decision, instruction,
// chase). Which fields count depends on the update. The JSON keys are those the
// recorded histories hold (the unit actions' and the changes' requests, which were
// two types once), so every recorded request decodes into it.
type Request struct {
	Unit string `json:"unit,omitempty"` // the acting unit; push back, chase: the unit concerned
	By   string `json:"by,omitempty"`   // a deciding leader's id, Inspection or Office
	User string `json:"user,omitempty"` // the person, when known

	// Unit actions and decisions.
	Percent int    `json:"percent,omitempty"` // progress
	Note    string `json:"note,omitempty"`
	Until   string `json:"until,omitempty"`   // extension: new deadline
	Approve bool   `json:"approve,omitempty"` // decide-extension, verify, head-review
	Cycle   string `json:"cycle,omitempty"`   // feedback-reminded: the month, YYYY-MM
	// Attachments: files already in the blob store, by hash (progress, extend, complete).
	Attachments []relay.Attachment `json:"attachments,omitempty"`
	// Person: assign, the unit officer made responsible (username).
	Person string `json:"person,omitempty"`
	// HeadReview: complete, the submitter is an officer of a unit with a head, so the
	// completion waits for the head's sign-off; Head: the acting user is that head.
	HeadReview bool `json:"head_review,omitempty"`
	Head       bool `json:"head,omitempty"`

	// Changes.
	Reason string `json:"reason,omitempty"`
	// reassign (and decide-pushback when it reassigns)
	Lead   *relay.UnitRef  `json:"lead,omitempty"`
	Co     []relay.UnitRef `json:"co,omitempty"`
	SetCo  bool            `json:"set_co,omitempty"` // Co replaces the supporting units (possibly with none)
	Deputy *relay.UnitRef  `json:"deputy,omitempty"` // a leader: id and name
	// amend
	Deadline     string `json:"deadline,omitempty"`
	Requirements string `json:"requirements,omitempty"`
	// pushback: the unit it believes responsible
	Suggest *relay.UnitRef `json:"suggest,omitempty"`
	// decide-pushback: keep the assignment (else reassign with Lead/Co)
	Keep bool `json:"keep,omitempty"`
	// instruct
	Text   string `json:"text,omitempty"`
	ByName string `json:"by_name,omitempty"`
	ByRole string `json:"by_role,omitempty"` // relay.RoleCountyHead when the county head instructs
	// chase
	ReplyBy string `json:"reply_by,omitempty"`
	ChaseID string `json:"chase_id,omitempty"`

	// Assertion proves who acts (package actor; see relay/actor.go).
	Assertion *actor.Assertion `json:"assertion,omitempty"`
}

// Identity is who a request says acts: what its assertion signs.
func (r Request) Identity() actor.Identity {
	id := actor.Identity{User: r.User, Unit: r.Unit, By: r.By, Role: r.ByRole}
	if r.Head {
		id.Role = relay.RoleHead
	}
	return id
}

// textFields name each update's free text as the forms and flags present it: the
// note of a unit action or decision, the reason of a change.
var textFields = map[string]string{
	relay.UpdateProgress:         "进展情况",
	relay.UpdateExtend:           "延期理由",
	relay.UpdateComplete:         "办结情况",
	relay.UpdateDecideExtension:  "批复意见",
	relay.UpdateVerify:           "审核意见",
	relay.UpdateFeedbackReminded: "催报说明",
	relay.UpdateChase:            "催办事由",
	relay.UpdateReassign:         "调整理由",
	relay.UpdateAmend:            "调整理由",
	relay.UpdateWithdraw:         "撤销理由",
	relay.UpdatePushback:         "退回理由",
	relay.UpdateDecidePushback:   "决定意见",
}

// CheckText refuses a request for update whose free text is over its cap
// (relay.MaxNoteRunes, relay.MaxUserRunes), naming the field and the count in Chinese.
func (r Request) CheckText(update string) error {
	field, ok := textFields[update]
	if !ok {
		field = "说明"
	}
	for _, f := range []struct{ name, text string }{{field, r.Note}, {field, r.Reason}, {"具体要求", r.Requirements}, {"批示内容", r.Text}} {
		if err := checkLength(f.name, f.text, relay.MaxNoteRunes); err != nil {
			return err
		}
	}
	return checkLength("操作人", r.User, relay.MaxUserRunes)
}

func checkLength(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s过长：共 %d 字，最多 %d 字，请精简后再提交", field, n, max)
	}
	return nil
}
