package browser

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// TabOptions configures what a tab records and intercepts.
type TabOptions struct {
	// Redactor is applied to every recorded text and URL, after
	// secret.RedactPatterns; nil → the patterns only.
	Redactor *secret.Redactor
	// RecordURLs are URL prefixes whose requests become EventRequest and
	// EventRequestFailed events (FAPI, BAPI, Clerk script URLs, the app's
	// pages). Console, exception and log events are always recorded.
	RecordURLs []string
	// FAPIPrefix, e.g. "https://x.clerk.accounts.dev/v1/": requests under it
	// are intercepted (CDP Fetch domain) when TestingToken or Pace is set.
	FAPIPrefix string
	// TestingToken, if set, is called for every FAPI request; the token is
	// added as the query parameter __clerk_testing_token, and captcha_bypass
	// is flipped false→true in JSON responses, as @clerk/testing does. The
	// function should cache: it is called once per request. When it fails
	// (or returns ""), the request goes on without a token and the first
	// failure is noted: a missing token must not stop the flow, only bot
	// protection may refuse it.
	TestingToken func(ctx context.Context) (string, error)
	// Pace, if set, is called (and may block) before each FAPI request is
	// let through; an error fails the request (the page sees
	// net::ERR_BLOCKED_BY_CLIENT.Inspector, the events BlockedBy "inspector"),
	// adds a note and sets InterceptError. It receives the redacted URL.
	Pace func(ctx context.Context, method, url string) error
	// OnResponse, if set, is called for each recorded response with the
	// redacted URL and the response headers (lower-case names), e.g. to
	// honour Retry-After. It runs on the tab's recorder goroutine: return
	// quickly.
	OnResponse func(method, url string, status int, headers map[string]string)
}

// PageState is what the page looked like, for the run record.
type PageState struct {
	URL, Title, ClerkStatus, ClerkVersion string
	ClerkLoaded                           bool
}

// Tab is one page in its own browser context. Its methods are safe for
// concurrent use; actions on its Context should come from one goroutine at a
// time (one chromedp tab).
type Tab struct {
	b    *Browser
	g    *generation
	opts TabOptions

	ctx    context.Context
	cancel context.CancelFunc // chromedp's: closes the target, waits
	abort  context.CancelFunc // cancels ctx without waiting: safe on the read loop

	local *secret.Redactor // values learnt here (testing tokens)
	rec   *recorder
	held  sync.Map       // network.RequestID → time.Duration the interception held it
	wg    sync.WaitGroup // the tab's goroutines

	died    atomic.Bool
	crashed atomic.Bool
	closed  atomic.Bool // after Close, Died no longer looks at the browser

	icptMu  sync.Mutex
	icptErr error
	noToken atomic.Bool // a FAPI request went without a testing token (noted once)

	closeOnce sync.Once
	closeErr  error
}

// openTab creates the browser context and target, then subscribes to
// everything the tab records before returning.
func openTab(ctx context.Context, b *Browser, g *generation, o TabOptions) (*Tab, error) {
	t := &Tab{b: b, g: g, opts: o, local: &secret.Redactor{}}
	t.rec = newRecorder(t)
	base, abort := context.WithCancel(g.ctx)
	t.abort = abort
	t.ctx, t.cancel = chromedp.NewContext(base,
		chromedp.WithNewBrowserContext(), chromedp.WithListener(t.rec.listen))
	if err := t.attach(ctx); err != nil {
		t.cancel()
		abort()
		return nil, err
	}
	if err := t.setup(ctx); err != nil {
		_ = t.closeTarget()
		return nil, err
	}
	g.addTab(t)
	return t, nil
}

// attach runs the tab's first, untimed chromedp.Do (a deadline on it would
// end the tab's event loop), bounded from outside: if the browser does not
// answer within Options.Timeout it is considered hung and killed.
func (t *Tab) attach(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(t.ctx) }()
	timer := time.NewTimer(t.b.opts.Timeout)
	defer timer.Stop()
	select {
	case err := <-errc:
		if err != nil {
			if t.g.isDead() {
				return fmt.Errorf("opening a tab: %w", diedError{err})
			}
			return fmt.Errorf("opening a tab: %w", Classify(err))
		}
		return nil
	case <-timer.C:
		t.b.retire(t.g)
		t.g.kill()
		<-errc
		return fmt.Errorf("opening a tab: no answer from chromium (pid %d) within %s, killed it: %w",
			t.g.pid, t.b.opts.Timeout, ErrBrowserDied)
	case <-t.g.lost:
		<-errc
		return fmt.Errorf("opening a tab: %w", ErrBrowserDied)
	case <-ctx.Done():
		t.cancel()
		<-errc
		return fmt.Errorf("opening a tab: %w", ctx.Err())
	}
}

// setup subscribes to the console and, if asked, enables Fetch interception,
// then starts the goroutines that consume them.
func (t *Tab) setup(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(t.ctx, t.b.opts.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	// Several runs share one browser; without focus emulation only one tab
	// has focus, and typing into a form in the others stalls.
	if _, err := chromedp.Call(sctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		return fmt.Errorf("enabling focus emulation: %w", t.Classify(err))
	}
	console := chromedp.Console(t.ctx)
	t.goRun(func() { t.rec.consumeConsole(console) })
	t.goRun(t.rec.work)
	if t.opts.TestingToken != nil || t.opts.Pace != nil {
		if err := t.startIntercept(sctx); err != nil {
			return fmt.Errorf("enabling FAPI interception: %w", t.Classify(err))
		}
	}
	return nil
}

// goRun runs f on a goroutine that Close waits for.
func (t *Tab) goRun(f func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
}

// Context returns the chromedp tab context. Derive a context.WithTimeout per
// step from it and pass that to chromedp.Do / chromedp.Run.
func (t *Tab) Context() context.Context { return t.ctx }

// redact applies the caller's redactor (and secret.RedactPatterns) and the
// values this tab learnt.
func (t *Tab) redact(s string) string {
	return t.local.Redact(t.opts.Redactor.Redact(s))
}

// Events returns a copy of the events recorded so far, in time order, all
// redacted. It first waits (at most 2 s) for responses still being read.
func (t *Tab) Events() []result.Event {
	t.rec.sync(2 * time.Second)
	return t.rec.snapshot()
}

// Note records an EventNote (redacted).
func (t *Tab) Note(text string) {
	t.rec.add(result.Event{Time: time.Now(), Kind: result.EventNote, Text: t.redact(text)})
}

// Died reports whether the browser process died, or the page's renderer
// crashed, during this tab's life. A crashed tab's context is cancelled at
// once, so that the step in progress fails fast (with an error that
// Tab.Classify marks ErrBrowserDied) instead of waiting for its deadline.
func (t *Tab) Died() bool {
	if !t.closed.Load() && !t.died.Load() && t.g.hasDied() {
		t.markDied(diedNote)
	}
	return t.died.Load() || t.crashed.Load()
}

// markDied records that the browser died, once.
func (t *Tab) markDied(reason string) {
	if t.died.CompareAndSwap(false, true) {
		t.Note(reason)
	}
}

// Classify is the package Classify plus what the tab knows: when the browser
// died during the tab's life, any error (even a bare context.Canceled) is
// wrapped with ErrBrowserDied.
func (t *Tab) Classify(err error) error {
	if err == nil {
		return nil
	}
	if c := Classify(err); errors.Is(c, ErrBrowserDied) {
		return c
	}
	if t.Died() {
		return diedError{err}
	}
	return err
}

// InterceptError returns the first failure of Pace or of letting a paused
// request go (not counting the tab closing; a missing testing token is not
// one: the request goes on without it). Requests it failed were loginprobe's doing:
// a run that saw one is an error, not the target's failure.
func (t *Tab) InterceptError() error {
	t.icptMu.Lock()
	defer t.icptMu.Unlock()
	return t.icptErr
}

func (t *Tab) setInterceptError(err error) {
	t.icptMu.Lock()
	if t.icptErr == nil {
		t.icptErr = redactedError{msg: t.redact(err.Error()), err: err}
	}
	t.icptMu.Unlock()
}

// redactedError is err with a redacted message; errors.Is and errors.As
// still see err.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// Close closes the tab's browser context (its cookies and storage go with
// it) and waits for the tab's goroutines. It is idempotent.
func (t *Tab) Close() error {
	t.closeOnce.Do(func() {
		if !t.Died() {
			t.rec.sync(2 * time.Second) // let pending response bodies be read
		}
		t.closed.Store(true)
		err := t.closeTarget()
		t.g.removeTab(t)
		t.b.release(t.g)
		if err != nil && !t.Died() && !errors.Is(err, context.Canceled) {
			t.closeErr = fmt.Errorf("closing tab: %w", err)
		}
	})
	return t.closeErr
}

// closeTarget closes the target and disposes of the browser context, then
// waits for the tab's goroutines.
func (t *Tab) closeTarget() error {
	err := chromedp.Cancel(t.ctx)
	t.cancel()
	t.abort()
	t.wg.Wait()
	return err
}
