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
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// cleanupTimeout bounds each always-run step.
const cleanupTimeout = 20 * time.Second

// Runner runs flows against one configured Clerk instance. It is safe for
// concurrent use: the scheduler runs several flows at once.
type Runner struct {
	Config   *config.Config
	Browser  *browser.Browser     // nil: browser flows end in error
	Store    store.Results        // nil: results are not recorded
	Tokens   *clerk.TestingTokens // nil without a secret key
	Pacer    *Pacer
	Log      *slog.Logger
	Progress io.Writer // a line per step (terminals only); nil for none
	Probe    string    // this probe's name or location

	once      sync.Once
	progMu    sync.Mutex
	tokenFail tokenFailure
}

// NewRunner returns a runner for cfg: testing tokens when a secret key is
// configured, and a pacer for Clerk's rate limits. b and st may be nil (an
// untyped nil: a nil *store.Store in the interface would be called).
func NewRunner(cfg *config.Config, b *browser.Browser, st store.Results, log *slog.Logger) *Runner {
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
		if rn.Log == nil {
			rn.Log = slog.New(slog.DiscardHandler)
		}
		if rn.Pacer == nil {
			rn.Pacer = NewPacer()
		}
	})
}

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
	return rn.runAttempt(ctx, f, 1, 0)
}

// runAttempt runs attempt number attempt of f (1 for a first run); retryOf
// is the first attempt's id for a later one.
func (rn *Runner) runAttempt(ctx context.Context, f Flow, attempt int, retryOf int64) *result.Run {
	rn.init()
	fc := rn.Config.Flows[f.Name()]
	rec := &result.Run{
		Flow: f.Name(), Target: rn.target(f), Probe: rn.Probe, Attempt: attempt, RetryOf: retryOf,
		StartedAt: time.Now(), Outcome: result.Running,
	}
	// The run row is written before anything else happens, so a killed
	// process leaves a run marked interrupted rather than nothing. If this
	// write fails, the final write inserts the whole run.
	if rn.Store != nil {
		if err := rn.Store.StartRun(ctx, rec); err != nil {
			rn.Log.Warn("recording the run start", "flow", rec.Flow, "err", err)
		}
	}
	r := &Run{ID: rec.ID, Config: rn.Config, runner: rn, flow: fc, rec: rec, redactor: rn.Config.Redactor()}
	r.Frontend = rn.frontend()
	r.Backend = rn.backend(r)
	r.steps = rn.startStepWriter(rec)

	err := rn.execute(ctx, f, r, fc)
	rn.finish(ctx, r, err)
	r.steps.wait() // outside the flow's time: before the final write, after the verdict
	rn.storeCompact(ctx, rec)
	return rec
}

func (rn *Runner) execute(ctx context.Context, f Flow, r *Run, fc config.Flow) (err error) {
	if problem := rn.Config.FlowProblem(f.Name()); problem != "" {
		return Monitorf("cannot run %s: %s", f.Name(), problem)
	}
	if err := preflight(ctx, f, r); err != nil {
		return err
	}
	// A browser flow's steps run in the tab's context (chromedp needs it);
	// the flow's deadline and the caller's cancellation apply on top.
	base := ctx
	if f.NeedsBrowser() {
		tab, terr := rn.newTab(ctx, r)
		if terr != nil {
			return AsMonitor(fmt.Errorf("starting the browser: %w", terr))
		}
		r.Tab = tab
		defer func() {
			tab.Close()
			r.events = tab.Events()
		}()
		base = tab.Context()
	}
	r.base = base
	fctx, cancel := context.WithTimeout(base, fc.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	defer r.runCleanups()
	defer func() { r.flowEnd = time.Now() }() // cleanups' events are not evidence of the flow's failure
	defer func() {
		if p := recover(); p != nil {
			err = Monitorf("loginprobe bug: panic in flow %s: %v", f.Name(), p)
		}
	}()
	err = f.Run(fctx, r)
	if err == nil && ctx.Err() == nil {
		r.capture(fctx, "final", "final")
	}
	return r.judgeBrowser(ctx, err)
}

// judgeBrowser turns a failure into loginprobe's own error when the browser,
// not the target, is to blame: it died or hung, or the interception that
// adds testing tokens and paces requests failed.
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
// caller's), detached from the flow's deadline and cancellation. A panic in
// one is recorded as that step's error; the others still run.
func (r *Run) runCleanups() {
	ctx := context.WithoutCancel(r.base)
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		c := r.cleanups[i]
		start := time.Now()
		err := runCleanup(ctx, c)
		step := result.Step{Name: c.name, StartedAt: start, Duration: time.Since(start), Outcome: result.Pass, Always: true}
		if err != nil {
			step.Outcome = outcomeOf(err)
			step.Error = r.redact(err.Error())
			r.Note("cleanup %q failed: %s", c.name, step.Error)
		}
		r.stepDone(step)
	}
}

func runCleanup(ctx context.Context, c cleanup) (err error) {
	cctx, cancel := context.WithTimeout(ctx, cleanupTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = Monitorf("loginprobe bug: panic in cleanup %q: %v", c.name, p)
		}
	}()
	return c.fn(cctx)
}
