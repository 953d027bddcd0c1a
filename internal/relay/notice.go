package relay

import "time"

// Notice kinds.
const (
	NoticeDispatch          = "dispatch"           // 交办单: one per unit per meeting
	NoticeReminder          = "reminder"           // 提醒: deadline approaching
	NoticeOverdue           = "overdue"            // 逾期: to the lead unit when the deadline passes
	NoticeEscalation        = "escalation"         // 督办: to the deputy in charge when overdue
	NoticeExtensionRequest  = "extension_request"  // 延期申请: to the deputy and the inspection office
	NoticeExtensionDecision = "extension_decision" // 延期批复: to the units
	NoticeReturned          = "returned"           // 退回: completion sent back to the units
	NoticeClosed            = "closed"             // 办结: completion accepted
)

// Recipient kinds.
const (
	ToUnit       = "unit"
	ToLeader     = "leader"
	ToInspection = "inspection"
)

// Notice is one message the engine issues. ID is stable for the same notice, so a
// retried delivery is recognised as the same one (file name, Idempotency-Key).
type Notice struct {
	ID          string       `json:"id"`
	Kind        string       `json:"kind"`
	MeetingID   string       `json:"meeting_id"`
	MeetingName string       `json:"meeting_name"`
	ToKind      string       `json:"to_kind"`
	To          string       `json:"to"` // unit or leader id, or "inspection"
	ToName      string       `json:"to_name"`
	TaskID      string       `json:"task_id,omitempty"`
	Subject     string       `json:"subject"` // one line, Chinese
	Body        string       `json:"body"`    // a few lines, Chinese
	Items       []NoticeItem `json:"items,omitempty"`
	IssuedAt    time.Time    `json:"issued_at"`
	// DocNo is the 发文字号 of a notice issued as an official document (交办单, 督办单),
	// e.g. 县府督办〔2026〕7号; empty until the engine allocates one.
	DocNo string `json:"doc_no,omitempty"`
	// Chain is the hash chain head of the task's timeline when the notice was
	// issued (task notices): an anchor outside the engine that the audit checks the
	// timeline against. Hash seals the notice's own content (see SealNotice).
	Chain string `json:"chain,omitempty"`
	Hash  string `json:"hash,omitempty"`
	// Contact is the recipient's 联络员 from the directory, printed on the notice. Like
	// DocNo it is added when the notice is delivered and is not part of its seal: the
	// directory names the contact, the committee's decision does not.
	Contact *Contact `json:"contact,omitempty"`
}

// Contact is a unit's (or leader's) 联络员: the person the inspection office calls.
type Contact struct {
	Name   string `json:"name,omitempty"`
	Mobile string `json:"mobile,omitempty"`
}

// String is the contact as printed: 王某（13800001111）, or whichever part is known.
func (c *Contact) String() string {
	switch {
	case c == nil:
		return ""
	case c.Name != "" && c.Mobile != "":
		return c.Name + "（" + c.Mobile + "）"
	case c.Name != "":
		return c.Name
	}
	return c.Mobile
}

// NoticeItem is one task a notice lists, with the recipient's role in it.
type NoticeItem struct {
	No           int    `json:"no"`
	TaskID       string `json:"task_id"`
	Title        string `json:"title"`
	Requirements string `json:"requirements,omitempty"`
	Role         string `json:"role"` // lead or co
	Deadline     string `json:"deadline"`
	// Standing: a standing task (Item.Standing), Deadline "".
	Standing     bool     `json:"standing,omitempty"`
	DeputyName   string   `json:"deputy_name,omitempty"`
	CoUnitNames  []string `json:"co_unit_names,omitempty"`
	LeadUnitName string   `json:"lead_unit_name,omitempty"`
	// ItemHash is the hash of the committee's original item (see ItemRoot), so a
	// unit can prove it received exactly the text the committee adopted.
	ItemHash string `json:"item_hash,omitempty"`
	// Why is, in a digest, the notice this item stands for: its kind and subject.
	Why string `json:"why,omitempty"`
}
