package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"taskrelay/internal/relay"
)

// digestsPerRun bounds a digest's history: it continues as new after this many sends.
const digestsPerRun = 200

// Digest collects one recipient's reminders and escalations (relay/digest.go): from
// the first notice that arrives, it waits the window, takes every notice that came
// meanwhile, and sends them as one notice: the notice itself when it is alone, else a
// digest (kind relay.NoticeDigest) listing each with why. A notice whose id it has
// taken already (a signal sent again by a retried activity) is dropped.
func Digest(ctx workflow.Context, st relay.DigestState) error {
	ch := workflow.GetSignalChannel(ctx, relay.SignalDigest)
	take := func(s relay.DigestSignal) {
		if slices.Contains(st.Seen, s.Notice.ID) {
			return
		}
		if st.Window == 0 {
			st.Window = s.Window
		}
		st.Seen = append(st.Seen, s.Notice.ID)
		if n := len(st.Seen); n > relay.DigestSeenKept {
			st.Seen = slices.Clone(st.Seen[n-relay.DigestSeenKept:])
		}
		st.Pending = append(st.Pending, s.Notice)
	}
	actx := activityOptions(ctx, time.Minute)
	for sends := 0; sends < digestsPerRun && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); sends++ {
		for len(st.Pending) == 0 {
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
				var s relay.DigestSignal
				c.Receive(ctx, &s)
				take(s)
			})
			sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
			sel.Select(ctx)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// The window runs from the first notice waiting.
		if err := workflow.Sleep(ctx, max(0, st.Window-workflow.Now(ctx).Sub(st.Pending[0].IssuedAt))); err != nil {
			return err
		}
		for {
			var s relay.DigestSignal
			if !ch.ReceiveAsync(&s) {
				break
			}
			take(s)
		}
		n := st.Pending[0]
		if len(st.Pending) > 1 {
			st.Sent++
			n = digestNotice(st, workflow.Now(ctx))
		}
		st.Pending = nil
		if err := workflow.ExecuteActivity(actx, a.Deliver, n).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("digest delivery failed", "notice", n.ID, "error", err)
		}
	}
	// Signals that arrived while sending go over in the state.
	for {
		var s relay.DigestSignal
		if !ch.ReceiveAsync(&s) {
			break
		}
		take(s)
	}
	return workflow.NewContinueAsNewError(ctx, relay.DigestWorkflowName, st)
}

// digestNotice is one notice listing every waiting notice's items, each with why.
func digestNotice(st relay.DigestState, now time.Time) relay.Notice {
	d := relay.Notice{
		ID: fmt.Sprintf("digest:%s:%s:%d", st.ToKind, st.To, st.Sent), Kind: relay.NoticeDigest,
		ToKind: st.ToKind, To: st.To, ToName: st.Pending[0].ToName, IssuedAt: now,
		Subject: fmt.Sprintf("汇总通知：%d 项事项需要办理", len(st.Pending)),
	}
	var lines []string
	for i, n := range st.Pending {
		why := relay.NoticeKindLabel(n.Kind) + "：" + n.Subject
		for _, it := range n.Items {
			it.Why = why
			d.Items = append(d.Items, it)
		}
		lines = append(lines, fmt.Sprintf("%d. 【%s】%s。%s", i+1, relay.NoticeKindLabel(n.Kind), n.Subject, n.Body))
	}
	d.Body = fmt.Sprintf("现将近期的 %d 项提醒、督办事项汇总如下，请逐项办理：\n%s",
		len(st.Pending), strings.Join(lines, "\n"))
	d.Hash = relay.SealNotice(d)
	return d
}
