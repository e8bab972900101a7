package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/diagnose"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/store"
)

// cleanupTimeout bounds each always-run step.
const cleanupTimeout = 20 * time.Second

// Runner runs flows against one configured Clerk instance. It is safe for
// concurrent use: the scheduler runs several flows at once.
type Runner struct {
	Config   *config.Config
	Browser  *browser.Browser     // nil: browser flows end in error
	Store    *store.Store         // nil: results are not recorded
	Tokens   *clerk.TestingTokens // nil without a secret key
	Pacer    *Pacer
	Log      *slog.Logger
	Progress io.Writer // a line per step (terminals only); nil for none
	Probe    string    // this probe's name or location

	once     sync.Once
	redactor *secret.Redactor
	progMu   sync.Mutex
}

// NewRunner returns a runner for cfg: testing tokens when a secret key is
// configured, and a pacer for Clerk's rate limits. b and st may be nil.
func NewRunner(cfg *config.Config, b *browser.Browser, st *store.Store, log *slog.Logger) *Runner {
	rn := &Runner{Config: cfg, Browser: b, Store: st, Log: log, Pacer: NewPacer()}
	if !cfg.Clerk.SecretKey.IsZero() {
		rn.Tokens = &clerk.TestingTokens{Backend: &clerk.Backend{
			BaseURL: strings.TrimSuffix(cfg.Clerk.BackendAPIURL, "/"), SecretKey: cfg.Clerk.SecretKey,
			HTTP: &http.Client{Timeout: 30 * time.Second}, UserAgent: "loginprobe",
		}}
	}
	rn.init()
	return rn
}

func (rn *Runner) init() {
	rn.once.Do(func() {
		rn.redactor = rn.Config.Redactor()
		if rn.Log == nil {
			rn.Log = slog.New(slog.DiscardHandler)
		}
		if rn.Pacer == nil {
			rn.Pacer = NewPacer()
		}
	})
}

// AddSecret registers a value that must be redacted from everything recorded
// (a generated password, a testing token).
func (rn *Runner) AddSecret(v ...string) {
	rn.init()
	rn.redactor.Add(v...)
}

func (rn *Runner) redact(s string) string { return rn.redactor.Redact(s) }

func (rn *Runner) progress(flow, step string) {
	if rn.Progress == nil {
		return
	}
	rn.progMu.Lock()
	defer rn.progMu.Unlock()
	fmt.Fprintf(rn.Progress, "  %s: %s…\n", flow, step)
}

// Run runs one flow once and returns its record, stored if there is a store.
// It never panics on the target's behaviour and never returns nil.
func (rn *Runner) Run(ctx context.Context, f Flow) *result.Run {
	rn.init()
	fc := rn.Config.Flows[f.Name()]
	rec := &result.Run{
		Flow: f.Name(), Target: rn.target(f), Probe: rn.Probe, Attempt: 1,
		StartedAt: time.Now(), Outcome: result.Running,
	}
	stored := rn.start(ctx, rec)
	r := &Run{Config: rn.Config, runner: rn, flow: fc, rec: rec, Frontend: rn.frontend()}
	r.Backend = rn.backend(r)

	err := rn.execute(ctx, f, r, fc)
	rn.finish(ctx, r, err)
	if stored {
		if serr := rn.Store.FinishRun(context.WithoutCancel(ctx), rec); serr != nil {
			rn.demote(rec, fmt.Errorf("recording the run in %s: %w", rn.Store.Path(), serr))
		}
	}
	return rec
}

// start writes the run row before anything else happens, so a killed process
// leaves a run marked interrupted rather than nothing.
func (rn *Runner) start(ctx context.Context, rec *result.Run) bool {
	if rn.Store == nil {
		return false
	}
	if err := rn.Store.StartRun(ctx, rec); err != nil {
		rn.demote(rec, fmt.Errorf("recording the run start: %w", err))
		return false
	}
	return true
}

// demote turns a run into an error because loginprobe could not record it;
// the verdict it reached is kept in the message.
func (rn *Runner) demote(rec *result.Run, err error) {
	rn.Log.Error("store", "flow", rec.Flow, "err", err)
	if rec.Outcome != result.Running && rec.Outcome != result.Error {
		rec.Message = fmt.Sprintf("%s (the flow itself ended %s: %s)", err, rec.Outcome, rec.Message)
	} else if rec.Message == "" {
		rec.Message = err.Error()
	}
	rec.Outcome = result.Error
	rec.Diagnosis = result.Diagnosis{Cause: result.CauseMonitor, Summary: rn.redact(err.Error()), Next: "check the database path and free disk space"}
}

func (rn *Runner) execute(ctx context.Context, f Flow, r *Run, fc config.Flow) (err error) {
	if problem := rn.Config.FlowProblem(f.Name()); problem != "" {
		return Monitorf("cannot run %s: %s", f.Name(), problem)
	}
	// A browser flow's steps run in the tab's context (chromedp needs it);
	// the flow's deadline and the caller's cancellation apply on top.
	base := ctx
	if f.NeedsBrowser() {
		tab, terr := rn.newTab(ctx)
		if terr != nil {
			return AsMonitor(fmt.Errorf("starting the browser: %w", terr))
		}
		r.Tab = tab
		defer tab.Close()
		base = tab.Context()
	}
	r.base = base
	fctx, cancel := context.WithTimeout(base, fc.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	defer func() {
		if p := recover(); p != nil {
			err = Monitorf("loginprobe bug: panic in flow %s: %v", f.Name(), p)
		}
		r.runCleanups()
	}()
	err = f.Run(fctx, r)
	if err == nil && ctx.Err() == nil {
		r.capture(fctx, "final", "final")
	}
	return r.judgeBrowser(ctx, err)
}

// judgeBrowser turns a failure into loginprobe's own error when the browser,
// not the target, is to blame: it died or hung, or the interception that
// adds testing tokens failed.
func (r *Run) judgeBrowser(ctx context.Context, err error) error {
	if r.Tab == nil || err == nil {
		return err
	}
	err = r.Tab.Classify(err)
	switch {
	case r.Tab.Died() || errors.Is(err, browser.ErrBrowserDied):
		return AsMonitor(fmt.Errorf("%w (the browser died during the run; the next run starts a new one)", err))
	case r.Tab.InterceptError() != nil:
		return AsMonitor(fmt.Errorf("%w (loginprobe's request interception failed: %v)", err, r.Tab.InterceptError()))
	case errors.Is(err, context.DeadlineExceeded) && !r.Tab.BrowserResponsive(context.WithoutCancel(ctx)):
		return AsMonitor(fmt.Errorf("%w (the browser stopped answering; it was replaced)", err))
	}
	return err
}

// runCleanups runs the always-run steps in the tab's context (or the
// caller's), detached from the flow's deadline and cancellation.
func (r *Run) runCleanups() {
	ctx := context.WithoutCancel(r.base)
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		c := r.cleanups[i]
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, cleanupTimeout)
		err := c.fn(cctx)
		cancel()
		step := result.Step{Name: c.name, StartedAt: start, Duration: time.Since(start), Outcome: result.Pass, Always: true}
		if err != nil {
			step.Outcome = outcomeOf(err)
			step.Error = r.runner.redact(err.Error())
			r.Note("cleanup %q failed: %s", c.name, step.Error)
		}
		r.rec.Steps = append(r.rec.Steps, step)
	}
}

func (rn *Runner) newTab(ctx context.Context) (*browser.Tab, error) {
	if rn.Browser == nil {
		return nil, errors.New("no browser configured")
	}
	opts := browser.TabOptions{
		Redactor:   rn.redactor,
		RecordURLs: rn.recordURLs(),
		FAPIPrefix: strings.TrimSuffix(rn.Config.Clerk.FrontendAPIURL, "/") + "/v1/",
		Pace:       rn.Pacer.Pace,
		OnResponse: rn.Pacer.Observe,
	}
	if rn.Tokens != nil {
		opts.TestingToken = func(ctx context.Context) (string, error) {
			tok, err := rn.Tokens.Get(ctx)
			if err == nil {
				rn.redactor.Add(tok)
			}
			return tok, err
		}
	}
	return rn.Browser.NewTab(ctx, opts)
}

// recordURLs are the URL prefixes whose requests become events: the Frontend
// API (and Clerk's scripts under it), the Backend API, the OAuth providers'
// authorize pages, and the app's pages.
func (rn *Runner) recordURLs() []string {
	c := rn.Config
	urls := []string{c.Clerk.FrontendAPIURL, c.Clerk.BackendAPIURL, c.OAuth.GitHub.AuthorizeURL, c.OAuth.Google.AuthorizeURL}
	for _, p := range []string{c.Pages.SignInURL, c.Pages.SignUpURL} {
		if origin := originOf(p); origin != "" {
			urls = append(urls, origin)
		}
	}
	return urls
}

func (rn *Runner) frontend() *clerk.Frontend {
	c := rn.Config
	return &clerk.Frontend{
		BaseURL:    strings.TrimSuffix(c.Clerk.FrontendAPIURL, "/"),
		HTTP:       &http.Client{Timeout: 30 * time.Second},
		Origin:     originOf(c.Pages.SignInURL),
		DevBrowser: c.Key.IsDevelopment(),
	}
}

// backend returns a Backend API client whose calls are recorded as events of
// r, or nil without a secret key.
func (rn *Runner) backend(r *Run) *clerk.Backend {
	c := rn.Config
	if c.Clerk.SecretKey.IsZero() {
		return nil
	}
	var mu sync.Mutex
	return &clerk.Backend{
		BaseURL:   strings.TrimSuffix(c.Clerk.BackendAPIURL, "/"),
		SecretKey: c.Clerk.SecretKey,
		HTTP:      &http.Client{Timeout: 30 * time.Second},
		UserAgent: "loginprobe",
		OnCall: func(call clerk.Call) {
			mu.Lock()
			defer mu.Unlock()
			ev := result.Event{Time: time.Now(), Kind: result.EventRequest, Method: call.Method,
				URL: c.Clerk.BackendAPIURL + call.Path, Status: call.Status, Duration: call.Duration}
			var apiErr *clerk.APIError
			if errors.As(call.Err, &apiErr) {
				ev.ClerkCode, ev.TraceID = apiErr.Code, apiErr.TraceID
			} else if call.Err != nil {
				ev.Kind, ev.Text = result.EventRequestFailed, call.Err.Error()
			}
			r.Event(ev)
		},
	}
}

func (rn *Runner) target(f Flow) string {
	c := rn.Config
	switch f.Name() {
	case "sign-up":
		return c.Key.FrontendAPI + " " + c.Pages.SignUpURL
	case "user-api":
		return c.Key.FrontendAPI + " " + c.Clerk.BackendAPIURL
	case "clerk-health":
		return c.Key.FrontendAPI + " " + c.Clerk.FrontendAPIURL
	}
	return c.Key.FrontendAPI + " " + c.Pages.SignInURL
}

// finish sets the outcome, the message, the events and the diagnosis.
func (rn *Runner) finish(ctx context.Context, r *Run, err error) {
	rec := r.rec
	rec.Duration = time.Since(rec.StartedAt)
	if r.Tab != nil {
		rec.Events = append(r.Tab.Events(), rec.Events...)
	}
	switch {
	case err == nil:
		rec.Outcome, rec.Message = result.Pass, ""
	case ctx.Err() != nil:
		rec.Outcome, rec.Message = result.Error, rn.redact(fmt.Sprintf("run cancelled: %v", err))
	default:
		rec.Outcome, rec.Message = outcomeOf(err), rn.redact(err.Error())
	}
	if rec.Outcome == result.Pass {
		return
	}
	rec.Diagnosis = diagnose.Diagnose(diagnose.Evidence{
		Flow: rec.Flow, Outcome: rec.Outcome, FailedStep: failedStep(rec), Message: rec.Message,
		Events: rec.Events, ClerkStatus: rec.ClerkStatus, ClerkLoaded: rec.ClerkVersion != "",
		PageURL: rec.PageURL, PageTitle: rec.PageTitle,
		FAPIPrefix: rn.Config.Clerk.FrontendAPIURL, BAPIPrefix: rn.Config.Clerk.BackendAPIURL,
		Status: rn.clerkStatus(ctx),
	})
}

// clerkStatus reads Clerk's status page for the diagnosis; nil when unknown.
func (rn *Runner) clerkStatus(ctx context.Context) *clerk.Status {
	u := rn.Config.Clerk.StatusPageURL
	if u == "" {
		return nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	st, err := clerk.FetchStatus(sctx, &http.Client{Timeout: 5 * time.Second}, u)
	if err != nil {
		return nil
	}
	return &st
}

func failedStep(rec *result.Run) string {
	for _, s := range rec.Steps {
		if s.Outcome != result.Pass && !s.Always {
			return s.Name
		}
	}
	return ""
}

func originOf(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	if j := strings.IndexByte(raw[i+3:], '/'); j >= 0 {
		return raw[:i+3+j]
	}
	return raw
}
