package relay

import "time"

// 令出一家 for the engine's own notices: deadline reminders, overdue notices,
// escalations and acknowledgment reminders to a unit or a deputy are not sent one per
// task. Each goes to the recipient's digest workflow (DigestWorkflowID), which
// collects what arrives within TaskConfig.DigestWindow of the first and sends it as
// one notice: a digest (kind NoticeDigest, an item per notice with why), or the
// notice itself when it is alone in its window. Chases are their own notices.

// DigestWorkflowName is the workflow that collects one recipient's notices.
const DigestWorkflowName = "Digest"

// SignalDigest carries one notice (a DigestSignal) to a recipient's digest.
const SignalDigest = "digest-notice"

// DefaultDigestWindow is how long a digest collects after its first notice
// (TASKRELAY_DIGEST_WINDOW; 0 sends each notice at once).
const DefaultDigestWindow = 10 * time.Minute

// DigestWorkflowID is the business key of a recipient's digest.
func DigestWorkflowID(toKind, to string) string { return "digest:" + toKind + ":" + to }

// Digested reports whether notices of kind to a recipient of toKind go through the
// recipient's digest: the engine's own reminders and escalations to units and deputies.
func Digested(kind, toKind string) bool {
	switch kind {
	case NoticeReminder, NoticeOverdue, NoticeEscalation, NoticeAckReminder:
		return toKind == ToUnit || toKind == ToLeader
	}
	return false
}

// DigestSignal is one notice for a recipient's digest, with the window its task
// was configured with (the digest's first notice sets it for the digest).
type DigestSignal struct {
	Notice Notice        `json:"notice"`
	Window time.Duration `json:"window"`
}

// DigestState is a digest workflow's input and what it carries over continue-as-new:
// the recipient, the window, the notices waiting, the ids already taken (a retried
// signal is recognised), and how many digests it has sent (their ids).
type DigestState struct {
	ToKind  string        `json:"to_kind"`
	To      string        `json:"to"`
	ToName  string        `json:"to_name"`
	Window  time.Duration `json:"window"`
	Pending []Notice      `json:"pending,omitempty"`
	Seen    []string      `json:"seen,omitempty"`
	Sent    int           `json:"sent"`
}

// DigestSeenKept bounds the ids a digest remembers: far more than arrive between a
// notice and a retry of its signal.
const DigestSeenKept = 1000
