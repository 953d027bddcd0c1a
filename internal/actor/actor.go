// Package actor is the proof that an action on a workflow is taken by who it says:
// an Assertion, signed with Ed25519 by the console's key or by an operator's key,
// names the acting identity (person, role, unit or leader), the workflow, the action
// and the update's request id, for a short time. The workflows' update validators
// Verify it against the keys they trust (carried in their input) before anything is
// written. Verify is pure: the caller passes the keys and the time, so a workflow
// passes workflow.Now and stays deterministic.
package actor

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Kind is what holds a signing key.
type Kind string

const (
	// Console is the console's key: it signs for the person logged in.
	Console Kind = "console"
	// Operator is an operator's key (starter operator add): the operator acts for a
	// unit, a leader or an office from the command line.
	Operator Kind = "operator"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Console || k == Operator }

// Identity is who acts: the person (username), their role, and the unit or the
// leader/office they act as. Which fields count depends on the action; the request
// the assertion travels with must name the same identity.
type Identity struct {
	User string `json:"user,omitempty"`
	Role string `json:"role,omitempty"`
	Unit string `json:"unit,omitempty"`
	By   string `json:"by,omitempty"` // a leader id or an office (inspection, office)
}

// String is the identity as an error message shows it.
func (id Identity) String() string {
	return fmt.Sprintf("user=%s role=%s unit=%s by=%s", id.User, id.Role, id.Unit, id.By)
}

// Assertion is one signed statement: Signer (of Kind, key KeyID) says Identity takes
// Action on Workflow in the update Request, between IssuedAt and ExpiresAt. Digest
// binds the request's payload where the action needs it (a key set pushed, say).
type Assertion struct {
	KeyID     string    `json:"key_id"`
	Kind      Kind      `json:"kind"`
	Signer    string    `json:"signer"`
	Identity  Identity  `json:"identity"`
	Workflow  string    `json:"workflow"`
	Action    string    `json:"action"`
	Request   string    `json:"request"`
	Digest    string    `json:"digest,omitempty"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Sig       []byte    `json:"sig"`
}

// PublicKey is one key a workflow trusts, with who holds it.
type PublicKey struct {
	Kind Kind              `json:"kind"`
	Name string            `json:"name"`
	Key  ed25519.PublicKey `json:"key"`
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ID is the key's id.
func (k PublicKey) ID() string { return KeyID(k.Key) }

// DefaultTTL is how long an assertion is valid: long enough for an update to reach
// its workflow, short enough that a captured one is soon useless.
const DefaultTTL = 5 * time.Minute

// Skew is how far ahead of the workflow's clock an assertion may be issued (the
// client's and the engine's clocks differ a little).
const Skew = time.Minute

// Signer signs assertions with one private key.
type Signer struct {
	Kind Kind
	Name string
	Key  ed25519.PrivateKey
	// TTL is each assertion's validity (0: DefaultTTL); Now the clock (nil: time.Now).
	TTL time.Duration
	Now func() time.Time
}

// Public is the signer's public key, as a workflow trusts it.
func (s *Signer) Public() PublicKey {
	return PublicKey{Kind: s.Kind, Name: s.Name, Key: s.Key.Public().(ed25519.PublicKey)}
}

// Sign makes the assertion that id takes action on workflow in update request
// (digest: the payload's, or empty).
func (s *Signer) Sign(id Identity, workflow, action, request, digest string) Assertion {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	at := now().UTC()
	a := Assertion{
		KeyID: s.Public().ID(), Kind: s.Kind, Signer: s.Name, Identity: id,
		Workflow: workflow, Action: action, Request: request, Digest: digest,
		IssuedAt: at, ExpiresAt: at.Add(ttl),
	}
	a.Sig = ed25519.Sign(s.Key, a.signed())
	return a
}

// signed is the canonical encoding the signature covers: a domain tag, then every
// field in a fixed order, each length-prefixed, times as Unix nanoseconds.
func (a *Assertion) signed() []byte {
	b := []byte("taskrelay/actor/v1")
	for _, f := range []string{a.KeyID, string(a.Kind), a.Signer,
		a.Identity.User, a.Identity.Role, a.Identity.Unit, a.Identity.By,
		a.Workflow, a.Action, a.Request, a.Digest} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(a.IssuedAt.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(a.ExpiresAt.UnixNano()))
	return b
}

// Expect is what an assertion must say to be accepted for one update.
type Expect struct {
	Identity Identity
	Workflow string
	Action   string
	Request  string
	Digest   string
	// Kinds, when set, are the only kinds of key accepted (e.g. Operator for a key set).
	Kinds []Kind
}

// Errors of Verify, for callers that tell them apart (tests); each is wrapped with
// the particulars.
var (
	ErrUnsigned = errors.New("操作未附签名")
	ErrUnknown  = errors.New("签名密钥不受信任")
	ErrForged   = errors.New("签名无效（伪造或被篡改）")
	ErrExpired  = errors.New("签名已过期")
	ErrMismatch = errors.New("签名与本次操作不符")
)

// Verify checks a, in order: present, by a trusted key of an accepted kind, the
// signature, the validity window at now, then that it says what want expects. It
// returns the trusted key that signed. Errors are in Chinese, for the person acting.
func Verify(a *Assertion, keys []PublicKey, want Expect, now time.Time) (PublicKey, error) {
	if a == nil {
		return PublicKey{}, fmt.Errorf("%w：请通过控制台操作，或由操作员使用其密钥（starter operator add）", ErrUnsigned)
	}
	var key PublicKey
	found := false
	for _, k := range keys {
		if k.ID() == a.KeyID {
			key, found = k, true
			break
		}
	}
	if !found {
		return key, fmt.Errorf("%w：密钥 %s（%s %s）不在本流程信任的密钥中", ErrUnknown, a.KeyID, a.Kind, a.Signer)
	}
	if len(want.Kinds) > 0 && !contains(want.Kinds, key.Kind) {
		return key, fmt.Errorf("%w：%s 密钥 %s 无权进行此操作", ErrUnknown, key.Kind, key.Name)
	}
	if len(a.Sig) != ed25519.SignatureSize || len(key.Key) != ed25519.PublicKeySize ||
		a.Kind != key.Kind || a.Signer != key.Name || !ed25519.Verify(key.Key, a.signed(), a.Sig) {
		return key, fmt.Errorf("%w：密钥 %s", ErrForged, a.KeyID)
	}
	if !now.Before(a.ExpiresAt) {
		return key, fmt.Errorf("%w：签名于 %s 失效（现在 %s）", ErrExpired, stamp(a.ExpiresAt), stamp(now))
	}
	if a.IssuedAt.After(now.Add(Skew)) || a.ExpiresAt.Before(a.IssuedAt) {
		return key, fmt.Errorf("%w：签名时间 %s 晚于现在 %s", ErrExpired, stamp(a.IssuedAt), stamp(now))
	}
	switch {
	case a.Workflow != want.Workflow:
		return key, fmt.Errorf("%w：签名针对流程 %s，不是 %s", ErrMismatch, a.Workflow, want.Workflow)
	case a.Action != want.Action:
		return key, fmt.Errorf("%w：签名针对操作 %s，不是 %s", ErrMismatch, a.Action, want.Action)
	case a.Request != want.Request:
		return key, fmt.Errorf("%w：签名针对请求 %s，不是本次请求 %s（重放的签名）", ErrMismatch, a.Request, want.Request)
	case a.Digest != want.Digest:
		return key, fmt.Errorf("%w：签名所附内容摘要不符", ErrMismatch)
	case a.Identity != want.Identity:
		return key, fmt.Errorf("%w：签名的身份（%s）不是请求的身份（%s）", ErrMismatch, a.Identity, want.Identity)
	}
	return key, nil
}

// Fingerprint identifies one signed assertion (its signature): a workflow remembers
// those it took so the same assertion cannot act twice, even in a later run.
func (a *Assertion) Fingerprint() string {
	sum := sha256.Sum256(a.Sig)
	return hex.EncodeToString(sum[:12])
}

func contains(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

var county = time.FixedZone("CST", 8*3600)

func stamp(t time.Time) string { return t.In(county).Format("2006-01-02 15:04:05") }
