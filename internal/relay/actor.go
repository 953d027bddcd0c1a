package relay

import "taskrelay/internal/actor"

// Signed actors (package actor): every update that acts for a unit, a leader or an
// office carries an assertion signed by the console's key or an operator's; the
// workflows verify it against the keys in their input (TaskInput.Keys) before
// anything is written. The identity an assertion signs is the request's own acting
// fields, derived here once for the client that signs and the workflow that checks.

// UpdateSetKeys replaces the keys a running workflow trusts (a key rotation, `starter
// keys push`); the request must be signed by an operator key the workflow trusts.
const UpdateSetKeys = "set-keys"

// RoleHead is the identity's role when a unit head signs off a completion (Head).
const RoleHead = "unit_head"

// KeysRequest is the argument of UpdateSetKeys: the new key set, its assertion
// signing actor.Digest(Keys).
type KeysRequest struct {
	Keys      []actor.PublicKey `json:"keys"`
	Assertion *actor.Assertion  `json:"assertion,omitempty"`
}

// Identity is who adopts a meeting's list.
func (r AdoptRequest) Identity() actor.Identity { return actor.Identity{By: r.By} }

// signerKindLabels name who holds a signing key.
var signerKindLabels = map[actor.Kind]string{actor.Console: "控制台", actor.Operator: "操作员"}

// SignerKindLabel is a key's kind in Chinese.
func SignerKindLabel(k actor.Kind) string { return label(signerKindLabels, k) }

// ActorLabel is who an entry says acted, as people read it: the acting unit, leader
// or office's name (name), and, when an operator acted for it from the command line,
// "操作员 NAME 代 name".
func (e Event) ActorLabel(name string) string {
	if e.Operator == "" {
		return name
	}
	return SignerKindLabel(actor.Operator) + " " + e.Operator + " 代 " + name
}

// ActorName is the name of who an entry's By names, as far as the task knows it: its
// units, its deputy, the offices; else by itself.
func (t *TaskView) ActorName(by string) string {
	switch by {
	case t.LeadUnit:
		return t.LeadUnitName
	case t.Deputy:
		return t.DeputyName
	case Inspection:
		return "县政府督查室"
	case Office:
		return "县政府办公室"
	}
	for i, c := range t.CoUnits {
		if c == by && i < len(t.CoUnitNames) {
			return t.CoUnitNames[i]
		}
	}
	return by
}
