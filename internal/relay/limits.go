package relay

import (
	"fmt"
	"unicode/utf8"
)

// MaxNoteRunes caps the free text a person writes into a task: a progress note, an
// extension's reason, a decision's opinion, a completion note. A task carries its notes
// in its state and its notices; without a cap a few large ones would push the state it
// hands over at continue-as-new past the engine's 2 MB payload limit and wedge it.
// The engine's validators, the console and the command line check the same cap.
const MaxNoteRunes = 2000

// MaxUserRunes caps the name of the person acting, recorded with each entry.
const MaxUserRunes = 64

// noteFields names an update's note as the forms and flags present it.
var noteFields = map[string]string{
	UpdateProgress:         "进展情况",
	UpdateExtend:           "延期理由",
	UpdateComplete:         "办结情况",
	UpdateDecideExtension:  "批复意见",
	UpdateVerify:           "审核意见",
	UpdateFeedbackReminded: "催报说明",
	UpdateChase:            "催办事由",
}

// CheckText refuses a request for update whose free text is over its cap, naming the
// field and the count in Chinese.
func (r ActionRequest) CheckText(update string) error {
	field := fieldName(noteFields, update)
	if err := checkLength(field, r.Note, MaxNoteRunes); err != nil {
		return err
	}
	return checkLength("操作人", r.User, MaxUserRunes)
}

// changeReasons names a change's reason as the forms and flags present it.
var changeReasons = map[string]string{
	UpdateReassign:       "调整理由",
	UpdateAmend:          "调整理由",
	UpdateWithdraw:       "撤销理由",
	UpdatePushback:       "退回理由",
	UpdateDecidePushback: "决定意见",
	UpdateChase:          "催办事由",
}

// CheckText refuses a change for update whose free text is over its cap, naming the
// field and the count in Chinese.
func (r ChangeRequest) CheckText(update string) error {
	field := fieldName(changeReasons, update)
	for _, f := range []struct{ name, text string }{{field, r.Reason}, {"具体要求", r.Requirements}, {"批示内容", r.Text}} {
		if err := checkLength(f.name, f.text, MaxNoteRunes); err != nil {
			return err
		}
	}
	return checkLength("操作人", r.User, MaxUserRunes)
}

func checkLength(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s过长：共 %d 字，最多 %d 字，请精简后再提交", field, n, max)
	}
	return nil
}

// fieldName is how the forms name an update's free text, "说明" when not listed.
func fieldName(names map[string]string, update string) string {
	if f, ok := names[update]; ok {
		return f
	}
	return "说明"
}
