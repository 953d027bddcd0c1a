package refusal

import (
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/sdk/temporal"
)

// Each kind is matched by errors.Is through wrapping, a withdrawal is also closed,
// and every kind but an engine not answering is a refusal.
func TestKinds(t *testing.T) {
	for _, k := range kinds {
		err := fmt.Errorf("context: %w", &Error{Kind: k, Subject: Task, ID: "t-1"})
		if !errors.Is(err, k) {
			t.Errorf("%v: not matched", k)
		}
		if got, want := errors.Is(err, ErrRefused), k != ErrUnavailable; got != want {
			t.Errorf("%v: ErrRefused %v, want %v", k, got, want)
		}
		if got, want := errors.Is(err, ErrClosed), k == ErrClosed || k == ErrWithdrawn; got != want {
			t.Errorf("%v: ErrClosed %v, want %v", k, got, want)
		}
		for _, other := range kinds {
			if other != k && other != ErrClosed && errors.Is(err, other) {
				t.Errorf("%v also matches %v", k, other)
			}
		}
	}
}

// The sentence a person reads: the rule's own when given, else composed from the kind.
func TestWording(t *testing.T) {
	for _, c := range []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: ErrNotFound, Subject: Task, ID: "cwh-1-3"}, "找不到任务 cwh-1-3"},
		{&Error{Kind: ErrNotFound, Subject: Meeting, ID: "cwh-1"}, "找不到会议 cwh-1"},
		{&Error{Kind: ErrClosed, Subject: Task, ID: "cwh-1-3"}, "任务 cwh-1-3 已办结，不能再操作"},
		{&Error{Kind: ErrWithdrawn, Subject: Task, ID: "cwh-1-3"}, "任务 cwh-1-3 已撤销，不能再操作"},
		{Invalid("percent", "进度 140% 无效，应在 0 到 100 之间").About(Task, "x"), "进度 140% 无效，应在 0 到 100 之间"},
		{&Error{Kind: ErrInvalid, Field: "percent"}, "percent 无效"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%v: %q, want %q", c.err.Kind, got, c.want)
		}
	}
}

// A validator's refusal crosses the engine as an application error and comes back
// with its kind, field and sentence; an application error without a kind is ErrRefused.
func TestWire(t *testing.T) {
	fc := temporal.GetDefaultFailureConverter()
	for _, sent := range []*Error{
		New(ErrClosed, "任务已办结，不能再操作"),
		New(ErrWithdrawn, "任务已撤销，不能再操作"),
		Newf(ErrForbidden, "单位 %s 无权操作", "u1"),
		Invalid("percent", "进度无效"),
		New(ErrConflict, "已签收"),
	} {
		back := fc.FailureToError(fc.ErrorToFailure(Wire(sent)))
		got, ok := FromWire(back)
		if !ok || got.Kind != sent.Kind || got.Field != sent.Field || got.Error() != sent.Error() {
			t.Errorf("%v sent, got %+v (ok %v)", sent.Kind, got, ok)
		}
		if !errors.Is(got, sent.Kind) {
			t.Errorf("%v: errors.Is fails after the wire", sent.Kind)
		}
	}
	plain := fc.FailureToError(fc.ErrorToFailure(Wire(errors.New("请填写进展情况"))))
	got, ok := FromWire(plain)
	if !ok || got.Kind != ErrRefused || got.Error() != "请填写进展情况" || !errors.Is(got, ErrRefused) {
		t.Errorf("untyped: %+v %v", got, ok)
	}
	if _, ok := FromWire(errors.New("x")); ok {
		t.Error("a plain error is not a wire refusal")
	}
}
