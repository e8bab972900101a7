package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// pollEvery is how often a wait looks at the page. It is a poll interval
// under a deadline, not a sleep that hopes the page is ready.
const pollEvery = 100 * time.Millisecond

// look is what one glance at the page finds.
type look struct {
	Found   string `json:"found"` // the first of the awaited selectors that is visible
	Alert   string `json:"alert"` // the text of Clerk's card-level alert
	Field   string `json:"field"` // visible field error texts
	URL     string `json:"url"`
	Title   string `json:"title"`
	Status  string `json:"status"`  // window.Clerk.status
	NoClerk bool   `json:"noClerk"` // window.Clerk is undefined
	Card    string `json:"card"`    // the Clerk card shown, e.g. "signIn-password"
	VerErr  string `json:"verErr"`  // error codes of the sign-in/sign-up verifications in clerk-js, e.g. "oauth_token_exchange_error"
}

// lookJS returns a script that reports a look for the given selectors.
func lookJS(sels []string) string {
	q := make([]string, len(sels))
	for i, s := range sels {
		q[i] = fmt.Sprintf("%q", s)
	}
	return `(() => {
  const vis = (s) => { try { return [...document.querySelectorAll(s)].some(e => e.getClientRects().length > 0); } catch (e) { return false; } };
  const texts = (s) => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length > 0)
      .map(e => (e.innerText || '').trim()).filter(Boolean); // innerText: only what is rendered
  const sels = [` + strings.Join(q, ",") + `];
  return {
    found: sels.find(vis) || '',
    alert: texts(` + fmt.Sprintf("%q", clerk.SelAlert) + `).join('; '),
    field: [...new Set(texts(` + fmt.Sprintf("%q", clerk.SelFieldError) + `))].join('; '),
    url: location.href, title: document.title,
    status: (window.Clerk && window.Clerk.status) || '',
    noClerk: typeof window.Clerk === 'undefined',
    verErr: (() => { try {
      const c = window.Clerk && window.Clerk.client; if (!c) return '';
      const vs = [c.signIn && c.signIn.firstFactorVerification, c.signIn && c.signIn.secondFactorVerification,
        c.signUp && c.signUp.verifications && c.signUp.verifications.externalAccount];
      return vs.map(v => v && v.error && v.error.code).filter(Boolean).join(' ');
    } catch (e) { return ''; } })(),
    card: [...document.querySelectorAll('[class*="cl-signIn-"], [class*="cl-signUp-"]')].flatMap(e => [...e.classList])
      .filter(c => /^cl-sign(In|Up)-(?!root)/.test(c)).map(c => c.slice(3)).filter((c, i, a) => a.indexOf(c) === i).join(' '),
  };
})()`
}

// glance looks at the page once; errors while the page navigates are normal.
func glance(ctx context.Context, sels []string) (look, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[look](lookJS(sels)))
}

// hintGrace is how long a field error must stay before it counts as Clerk's
// answer: forms show live-validation hints ("Passwords don't match.") that
// vanish as the person goes on.
const hintGrace = 1500 * time.Millisecond

// errorWatch tells Clerk's errors on the page from passing hints: a card
// alert fails at once, a field error only once it has stayed for hintGrace.
// It also stops a wait as soon as the evidence says the awaited element can
// no longer appear (see hopeless).
type errorWatch struct {
	field string
	since time.Time
	start time.Time // the first check: how long the wait has gone on
}

// check returns the failure the page shows, if any, while waiting for what.
func (w *errorWatch) check(r *probe.Run, what string, l look) error {
	if w.start.IsZero() {
		w.start = time.Now()
	}
	switch {
	case l.Alert != "":
		return fmt.Errorf("waiting for %s: .cl-alert says %q%s%s", what, l.Alert, verificationError(r, l), lastClerkError(r))
	case l.Field == "":
		w.field = ""
	case l.Field != w.field:
		w.field, w.since = l.Field, time.Now()
	case time.Since(w.since) >= hintGrace:
		return fmt.Errorf("waiting for %s: the form says %q%s", what, l.Field, lastClerkError(r))
	}
	return hopeless(r, what, l, time.Since(w.start))
}

// verificationError quotes the error codes of clerk-js's verifications, the
// evidence of a failure that no request answered with an error status
// (an OAuth token exchange fails in the callback, and /v1/client says so).
func verificationError(r *probe.Run, l look) string {
	codes := l.VerErr
	if code, ok := view(r).FailedVerification(); ok && codes == "" && r.Tab != nil {
		codes = code
	}
	if codes == "" {
		return ""
	}
	return " (Clerk's verification error: " + codes + ")"
}

// waitFor waits until one of sels is visible and returns it. It fails at once
// when Clerk shows an error (an alert or a field error) or the evidence is
// decisive, and on the deadline it says what it waited for and what the page
// showed instead.
func waitFor(ctx context.Context, r *probe.Run, what string, sels ...string) (string, error) {
	var l look
	var lerr error
	var watch errorWatch
	err := poll(ctx, func() (bool, error) {
		got, err := glance(ctx, sels)
		if lerr = err; err != nil {
			return false, nil // the page is navigating: look again
		}
		l = got
		if l.Found != "" {
			return true, nil
		}
		return false, watch.check(r, what, l)
	})
	if timedOut(ctx, err) {
		return "", notSeen(r, what, sels, l, lerr, err)
	}
	return l.Found, err
}

// poll calls check at once and then every pollEvery until it reports done or
// an error, or ctx ends, when it returns ctx's error. Every wait in the flows
// is built on it: a condition under a deadline, never a sleep.
func poll(ctx context.Context, check func() (done bool, err error)) error {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if done, err := check(); done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// timedOut reports whether err is poll's report that ctx ended.
func timedOut(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// notSeen builds the failure message of a wait that ran out of time.
func notSeen(r *probe.Run, what string, sels []string, l look, evalErr, ctxErr error) error {
	if evalErr != nil && probe.IsMonitorError(evalErr) {
		return probe.AsMonitor(fmt.Errorf("waiting for %s: %w", what, evalErr))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "waiting for %s: %s not visible", what, strings.Join(sels, " or "))
	if errors.Is(ctxErr, context.DeadlineExceeded) {
		fmt.Fprintf(&b, " after %s", r.Settings().StepTimeout)
	}
	if l.URL != "" {
		fmt.Fprintf(&b, " (page: %s, title %q", l.URL, l.Title)
		if l.Card != "" {
			fmt.Fprintf(&b, ", Clerk card %s", l.Card)
		}
		switch {
		case l.NoClerk:
			b.WriteString(", window.Clerk undefined")
		case l.Status != "":
			fmt.Fprintf(&b, ", Clerk.status %s", l.Status)
		}
		if rejected, ok := view(r).LoadRejected(); ok && r.Tab != nil {
			fmt.Fprintf(&b, ", Clerk.load failed: %s", result.OneLine(rejected, 200))
		}
		if l.Field != "" {
			fmt.Fprintf(&b, ", the form says %q", l.Field)
		}
		b.WriteString(")")
	}
	b.WriteString(lastClerkError(r))
	return fmt.Errorf("%s: %w", b.String(), ctxErr)
}

// open navigates to url and fails when the page itself answers an error.
func open(ctx context.Context, url string) error {
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	if resp != nil && resp.Status >= 400 {
		return fmt.Errorf("opening %s: the page answered %d %s", url, resp.Status, resp.StatusText)
	}
	return nil
}

// typeInto enters text into the field sel as a person's keyboard does: it
// focuses the field and inserts the text, which fires the input events React
// listens to (unlike setting the value). One insert instead of a key event
// per character keeps a run fast on a busy machine.
func typeInto(ctx context.Context, sel, text string) error {
	insert := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible), insert); err != nil {
		return fmt.Errorf("typing into %s: %w", sel, err)
	}
	return nil
}

// submit presses Enter in the field sel, as a person does after the last
// field. Forms whose hints appear late (the password strength message moves
// the Continue button down) are safer to submit this way than by a click
// aimed at where the button was.
func submit(ctx context.Context, sel string) error {
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), kb.Enter)); err != nil {
		return fmt.Errorf("pressing Enter in %s: %w", sel, err)
	}
	return nil
}

// click clicks the first visible element matching sel.
func click(ctx context.Context, sel string) error {
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		return fmt.Errorf("clicking %s: %w", sel, err)
	}
	return nil
}

// waitAccepted waits until the form shows sel, its own sign that the values
// are valid. Field errors meanwhile are live-validation hints, not failures,
// unless they are still there at the deadline.
func waitAccepted(ctx context.Context, sel, what string) error {
	var l look
	err := poll(ctx, func() (bool, error) {
		got, err := glance(ctx, []string{sel})
		if err == nil {
			l = got
		}
		return err == nil && got.Found != "", nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %s: %s not visible; the form says %q: %w", what, sel, l.Field, err)
	}
	return nil
}
