// Package refusal names the kinds of "no" taskrelay's operations answer with: the
// thing asked for does not exist, is closed, is not the asker's, is asked wrongly, is
// at odds with what is already done, or the engine is not answering. Callers decide by
// kind with errors.Is and errors.As, never by an error's text; the Chinese a person
// reads is composed here from the kind and what it is about (Error.Error), and the
// edges (console page, starter line) add what to do.
package refusal

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// The kinds. Every *Error is one of them; ErrWithdrawn is also ErrClosed, and every
// kind but ErrUnavailable is also ErrRefused.
var (
	// ErrRefused: a rule said no and nothing changed (any of the kinds below but
	// ErrUnavailable, or a rule's refusal whose kind its author did not state).
	ErrRefused = errors.New("refused")
	// ErrNotFound: no such task, meeting, report or unit.
	ErrNotFound = errors.New("not found")
	// ErrClosed: the task or run has ended (已办结, or its run finished).
	ErrClosed = errors.New("closed")
	// ErrWithdrawn: the task was withdrawn (已撤销); also ErrClosed.
	ErrWithdrawn = errors.New("withdrawn")
	// ErrForbidden: the asker may not do this (not the task's unit, not its deputy…).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the request itself is wrong (a field out of range, left empty); Field
	// names it.
	ErrInvalid = errors.New("invalid")
	// ErrConflict: at odds with what is already done (already acknowledged, a request
	// already waiting for a decision, already adopted).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the engine, or the worker behind it, did not answer in time;
	// nothing is known to have been refused, and asking again is safe.
	ErrUnavailable = errors.New("engine unavailable")
)

// Subject is what a refusal is about, as a person names it.
type Subject string

// The subjects.
const (
	Task    Subject = "任务"
	Meeting Subject = "会议"
	Report  Subject = "月度报告"
	Unit    Subject = "单位"
)

// Error is one refusal.
type Error struct {
	// Kind is one of the Err* kinds above.
	Kind error
	// Subject and ID name what it is about (either may be empty).
	Subject Subject
	ID      string
	// Field is the request's field at fault (ErrInvalid), by its form or flag name.
	Field string
	// Reason is the refusing rule's own sentence, when it gave one: then it is what a
	// person reads.
	Reason string
	// Err is the cause (the engine's error), kept for logs and errors.As.
	Err error
}

// New is a refusal of kind with the rule's own sentence.
func New(kind error, reason string) *Error { return &Error{Kind: kind, Reason: reason} }

// Newf is New with a formatted sentence.
func Newf(kind error, format string, args ...any) *Error {
	return New(kind, fmt.Sprintf(format, args...))
}

// Invalid is an ErrInvalid refusal of field with the rule's sentence.
func Invalid(field, reason string) *Error {
	return &Error{Kind: ErrInvalid, Field: field, Reason: reason}
}

// About names what e is about and returns it.
func (e *Error) About(s Subject, id string) *Error {
	e.Subject, e.ID = s, id
	return e
}

// Error is the sentence a person reads: the rule's own, else one composed from the
// kind and the subject.
func (e *Error) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	what := string(e.Subject)
	if e.ID != "" {
		what += " " + e.ID
	}
	switch e.Kind {
	case ErrNotFound:
		return "找不到" + what
	case ErrWithdrawn:
		return what + " 已撤销，不能再操作"
	case ErrClosed:
		return what + " 已办结，不能再操作"
	case ErrForbidden:
		return "无权操作" + what
	case ErrInvalid:
		if e.Field != "" {
			return e.Field + " 无效"
		}
		return "请求无效"
	case ErrConflict:
		return what + " 的当前状态不允许此操作"
	case ErrUnavailable:
		if e.Err != nil {
			return "引擎没有应答: " + e.Err.Error()
		}
		return "引擎没有应答"
	}
	return "请求被拒绝"
}

// Is matches e's kind, ErrClosed for a withdrawal, and ErrRefused for every kind
// but ErrUnavailable.
func (e *Error) Is(target error) bool {
	switch target {
	case e.Kind:
		return true
	case ErrClosed:
		return e.Kind == ErrWithdrawn
	case ErrRefused:
		return e.Kind != ErrUnavailable
	}
	return false
}

// Unwrap is the cause.
func (e *Error) Unwrap() error { return e.Err }

// wirePrefix marks the type of an application error that carries a kind.
const wirePrefix = "refusal."

var kinds = []error{ErrNotFound, ErrClosed, ErrWithdrawn, ErrForbidden, ErrInvalid, ErrConflict, ErrUnavailable}

// Wire is err as a workflow's update validator returns it, so that its kind crosses
// to the client: a *Error becomes an application error whose type names the kind (and
// its field); any other error is returned as it is. The message is the sentence.
func Wire(err error) error {
	var r *Error
	if !errors.As(err, &r) {
		return err
	}
	typ := wirePrefix + r.Kind.Error()
	if r.Field != "" {
		typ += "/" + r.Field
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), typ, nil)
}

// FromWire is the refusal an application error carries (see Wire); ok false when err
// is not one. A refusal whose kind was not stated is ErrRefused with the sentence.
func FromWire(err error) (r *Error, ok bool) {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return nil, false
	}
	r = &Error{Kind: ErrRefused, Reason: app.Message(), Err: err}
	// The type is the validator's machine-readable kind, never its sentence.
	if kind, ok := strings.CutPrefix(app.Type(), wirePrefix); ok {
		name, field, _ := strings.Cut(kind, "/")
		for _, k := range kinds {
			if k.Error() == name {
				r.Kind, r.Field = k, field
			}
		}
	}
	return r, true
}
