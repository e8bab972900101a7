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
	LoadErr string `json:"loadErr"` // the app page's record of a Clerk.load() rejection
	Card    string `json:"card"`    // the Clerk card shown, e.g. "signIn-password"
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
    loadErr: String(window.__loadError || ''),
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
type errorWatch struct {
	field string
	since time.Time
}

// check returns the failure the page shows, if any, while waiting for what.
func (w *errorWatch) check(r *probe.Run, what string, l look) error {
	switch {
	case l.Alert != "":
		return fmt.Errorf("waiting for %s: .cl-alert says %q%s", what, l.Alert, lastFAPIError(r))
	case l.Field == "":
		w.field = ""
	case l.Field != w.field:
		w.field, w.since = l.Field, time.Now()
	case time.Since(w.since) >= hintGrace:
		return fmt.Errorf("waiting for %s: the form says %q%s", what, l.Field, lastFAPIError(r))
	}
	return nil
}

// waitFor waits until one of sels is visible and returns it. It fails at once
// when Clerk shows an error (an alert or a field error), and on the deadline
// it says what it waited for and what the page showed instead.
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
		if l.NoClerk {
			if failed := scriptFailure(r); failed != "" {
				return false, fmt.Errorf("waiting for %s: Clerk's script did not load: %s (page: %s)", what, failed, l.URL)
			}
		}
		if l.Status == "error" {
			// Clerk.load() rejected: nothing will be mounted.
			return false, fmt.Errorf("waiting for %s: Clerk.status is error%s%s (page: %s)", what, loadErr(l), lastFAPIError(r), l.URL)
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
		if l.LoadErr != "" {
			fmt.Fprintf(&b, ", Clerk.load failed: %s", l.LoadErr)
		}
		if l.Field != "" {
			fmt.Fprintf(&b, ", the form says %q", l.Field)
		}
		b.WriteString(")")
	}
	b.WriteString(lastFAPIError(r))
	return fmt.Errorf("%s: %w", b.String(), ctxErr)
}

// lastFAPIError quotes the last failed request to Clerk, the decisive
// evidence of most failures: " (FAPI POST /v1/client/sign_ins → 500 internal_clerk_error)".
func lastFAPIError(r *probe.Run) string {
	if r.Tab == nil {
		return ""
	}
	evs := r.Tab.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if !strings.HasPrefix(e.URL, r.Config.Clerk.FrontendAPIURL) && !strings.HasPrefix(e.URL, r.Config.Clerk.BackendAPIURL) {
			continue
		}
		path := strings.TrimPrefix(strings.TrimPrefix(e.URL, r.Config.Clerk.FrontendAPIURL), r.Config.Clerk.BackendAPIURL)
		if j := strings.IndexByte(path, '?'); j >= 0 {
			path = path[:j]
		}
		api := "FAPI"
		if strings.HasPrefix(e.URL, r.Config.Clerk.BackendAPIURL) {
			api = "Backend API"
		}
		switch {
		case e.Kind == result.EventRequestFailed:
			return fmt.Sprintf(" (%s %s %s → %s)", api, e.Method, path, e.Text)
		case e.Kind == result.EventRequest && e.Status >= 400:
			s := fmt.Sprintf(" (%s %s %s → %d", api, e.Method, path, e.Status)
			if e.ClerkCode != "" {
				s += " " + e.ClerkCode
			}
			return s + ")"
		}
	}
	return ""
}

// scriptFailure reports a Clerk script (clerk-js or the UI bundle) whose
// request failed, from the tab's recorded requests: such a page can never
// render Clerk, so there is no point waiting for it.
func scriptFailure(r *probe.Run) string {
	if r.Tab == nil {
		return ""
	}
	evs := r.Tab.Events()
	loaded := map[string]bool{} // a later successful load of the same URL
	for _, e := range evs {
		if e.Kind == result.EventRequest && e.Status < 400 {
			loaded[e.URL] = true
		}
	}
	for _, e := range evs {
		if !strings.Contains(e.URL, "/npm/@clerk/") || loaded[e.URL] {
			continue
		}
		switch {
		case e.Status >= 400:
			return fmt.Sprintf("%s %s → %d", e.Method, e.URL, e.Status)
		case e.Kind != result.EventRequestFailed:
		case strings.Contains(e.Text, "no answer"), strings.Contains(e.Text, "ERR_ABORTED"), strings.Contains(e.Text, "canceled"):
			// still loading, or cut short by a navigation: not a verdict
		default:
			return fmt.Sprintf("%s %s → %s", e.Method, e.URL, e.Text)
		}
	}
	return ""
}

func loadErr(l look) string {
	if l.LoadErr == "" {
		return ""
	}
	return ": Clerk.load() failed: " + result.OneLine(l.LoadErr, 200)
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
