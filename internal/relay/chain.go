package relay

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The audit chain: every item's committee text is hashed (ItemRoot); every timeline
// entry of its task is hashed together with the entry before it (ChainEvent), so a
// change to any entry breaks every hash after it; every notice is sealed (SealNotice)
// and lists the ItemRoot of each item it carries. The functions are pure, so
// workflow code can call them.

func sum(parts ...any) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, p := range parts {
		_ = enc.Encode(p) // plain structs and strings: cannot fail
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ItemRoot hashes the committee's original item: meeting, number, text, deadline and
// the names of the responsible units as the committee wrote them.
func ItemRoot(m Meeting, it Item) string {
	if it.Standing {
		// Sealed as standing, so that a deadline cannot be dropped unnoticed.
		return sum("item/standing/v1", ItemRoot(m, Item{No: it.No, Title: it.Title, Requirements: it.Requirements, Source: it.Source}))
	}
	return sum("item/v1", m.ID, m.Name, m.Date, it.No, it.Title, it.Requirements, it.Deadline,
		it.Source.Lead, it.Source.Co, it.Source.Leader)
}

// ChainEvent is the hash of e following prev (the previous entry's hash, or the
// item's root for the first entry). e.Hash itself is not part of it. An entry with
// typed facts (percent, from, until) seals them too; one without hashes as entries
// did before those fields existed, so recorded chains still verify. Attachments
// (name, size, type and the hash of the bytes) are sealed when an entry has some.
//
// The operator who took the action (Event.Operator) is sealed over the entry's hash,
// so entries without one hash as before.
func ChainEvent(prev string, e Event) string {
	if e.Operator != "" {
		return sum("event/operator/v1", chainEvent(prev, e), e.Operator)
	}
	return chainEvent(prev, e)
}

func chainEvent(prev string, e Event) string {
	at := e.At.UTC().Format(time.RFC3339Nano)
	if e.Percent == nil && e.From == "" && e.Until == "" && len(e.Attachments) == 0 && e.Change == nil {
		return sum("event/v1", prev, at, e.By, e.User, e.Action, e.Note)
	}
	percent := -1
	if e.Percent != nil {
		percent = *e.Percent
	}
	switch {
	case len(e.Attachments) > 0 && e.Change != nil:
		return sum("event/v5", prev, at, e.By, e.User, e.Action, e.Note, percent, e.From, e.Until, e.Attachments, *e.Change)
	case len(e.Attachments) > 0:
		return sum("event/v3", prev, at, e.By, e.User, e.Action, e.Note, percent, e.From, e.Until, e.Attachments)
	case e.Change != nil: // a change to the task (relay/changes.go) seals its facts too
		return sum("event/v4", prev, at, e.By, e.User, e.Action, e.Note, percent, e.From, e.Until, *e.Change)
	}
	return sum("event/v2", prev, at, e.By, e.User, e.Action, e.Note, percent, e.From, e.Until)
}

// SealNotice returns the hash of a notice's content (everything but Hash, and DocNo and
// Contact: the 发文字号 and the 联络员 are added at delivery, after the workflow sealed
// the notice).
func SealNotice(n Notice) string {
	n.Hash, n.DocNo, n.Contact = "", "", nil
	n.IssuedAt = n.IssuedAt.UTC()
	return sum("notice/v1", n)
}

func sealed(n Notice) Notice {
	n.Hash = SealNotice(n)
	return n
}
