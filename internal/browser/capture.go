package browser

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

const (
	screenshotTimeout = 10 * time.Second
	stateTimeout      = 3 * time.Second
	pingTimeout       = 5 * time.Second
)

// opCtx derives a context with timeout d from the TAB context, so that it
// works after the caller's step context expired. ctx still cancels it if ctx
// was live when the call started.
func (t *Tab) opCtx(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	c, cancel := context.WithTimeout(t.ctx, d)
	if ctx == nil || ctx.Err() != nil {
		return c, cancel
	}
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}

// Screenshot captures the viewport. quality 100 gives a PNG, 1–99 a JPEG of
// that quality, 0 or less a JPEG of quality 80. It works after the caller's
// step context is done: it runs under its own 10 s timeout from the tab
// context. format is "png" or "jpeg".
func (t *Tab) Screenshot(ctx context.Context, quality int) (data []byte, format string, err error) {
	return t.screenshot(ctx, quality, false)
}

// FullScreenshot is Screenshot of the whole page, beyond the viewport.
func (t *Tab) FullScreenshot(ctx context.Context, quality int) (data []byte, format string, err error) {
	return t.screenshot(ctx, quality, true)
}

func (t *Tab) screenshot(ctx context.Context, quality int, full bool) ([]byte, string, error) {
	sctx, cancel := t.opCtx(ctx, screenshotTimeout)
	defer cancel()
	params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, FromSurface: new(true)}
	format := "png"
	if quality < 100 {
		if quality <= 0 {
			quality = 80
		}
		params.Format, params.Quality, format = page.CaptureScreenshotFormatJpeg, new(int64(quality)), "jpeg"
	}
	if full {
		params.CaptureBeyondViewport = new(true)
	}
	res, err := chromedp.Call(sctx, page.CaptureScreenshot, params)
	if err != nil {
		return nil, "", fmt.Errorf("taking a screenshot: %w", t.Classify(err))
	}
	return res.Data, format, nil
}

// stateJS reads the page state; it never throws (window.Clerk may be a
// half-initialised object).
const stateJS = `(() => {
  const s = {url: String(location.href), title: String(document.title), status: "", version: "", loaded: false};
  try {
    const c = window.Clerk;
    if (c) { s.status = String(c.status ?? ""); s.version = String(c.version ?? ""); s.loaded = !!c.loaded; }
  } catch (e) {}
  return s;
})()`

// pageStateJS is what stateJS returns.
type pageStateJS struct {
	URL     string `json:"url"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Version string `json:"version"`
	Loaded  bool   `json:"loaded"`
}

// State returns the page's URL and title and Clerk's status, version and
// loaded flag, redacted. It is best effort and never hangs: it runs under a
// 3 s timeout from the tab context and, if the page does not answer (it is
// navigating, or its main thread is busy), falls back to the URL and title
// the browser knows.
func (t *Tab) State(ctx context.Context) PageState {
	sctx, cancel := t.opCtx(ctx, stateTimeout)
	defer cancel()
	var st PageState
	js, err := chromedp.Run(sctx, chromedp.Evaluate[pageStateJS](stateJS))
	if err == nil {
		st = PageState{URL: js.URL, Title: js.Title, ClerkStatus: js.Status, ClerkVersion: js.Version, ClerkLoaded: js.Loaded}
	} else if info := t.targetInfo(ctx); info != nil {
		st = PageState{URL: info.URL, Title: info.Title}
	} else {
		t.rec.mu.Lock()
		st.URL = t.rec.lastURL
		t.rec.mu.Unlock()
	}
	st.URL, st.Title = t.redact(st.URL), t.redact(st.Title)
	return st
}

// targetInfo asks the browser (not the page) for the tab's URL and title.
// It runs on the browser's context, so it works when the page is hung.
func (t *Tab) targetInfo(ctx context.Context) *target.Info {
	c := chromedp.FromContext(t.ctx)
	if c == nil || c.Target == nil || t.ctx.Err() != nil {
		return nil
	}
	sctx, cancel := context.WithTimeout(t.g.ctx, stateTimeout)
	defer cancel()
	if ctx != nil && ctx.Err() == nil {
		defer context.AfterFunc(ctx, cancel)()
	}
	res, err := chromedp.CallBrowser(sctx, target.GetTargetInfo, target.GetTargetInfoParams{TargetID: c.Target.TargetID})
	if err != nil {
		return nil
	}
	return res.TargetInfo
}

// BrowserResponsive reports whether the browser process (not the page)
// answers a trivial command within 5 s. Call it when a step timed out: if
// the browser is hung, the timeout is loginprobe's error. A hung browser is
// killed (the next NewTab starts a new one) and the tab is marked as died.
func (t *Tab) BrowserResponsive(ctx context.Context) bool {
	if t.Died() {
		return false
	}
	d := min(pingTimeout, t.b.opts.Timeout)
	sctx, cancel := t.opCtx(ctx, d)
	defer cancel()
	_, err := chromedp.CallBrowser(sctx, browser.GetVersion, cdp.Empty{})
	switch {
	case err == nil:
		return true
	case t.g.isDead():
		return false
	case errors.Is(sctx.Err(), context.DeadlineExceeded) && t.ctx.Err() == nil:
		t.markDied(fmt.Sprintf("the browser did not answer within %s (hung); killed it (loginprobe error, not the target's)", d))
		t.b.retire(t.g)
		t.g.kill()
		return false
	}
	return true // the call was cancelled by the caller; nothing is known
}
