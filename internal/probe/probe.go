// Package probe runs one flow: it gives the flow named steps with deadlines
// and always-run cleanup steps, takes the failure screenshot at the point of
// failure, gathers the evidence, asks for a diagnosis and records the result.
// It knows neither SQLite's schema nor Clerk's DOM.
package probe

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// Flow is one monitored user journey, such as a sign-in.
type Flow interface {
	// Name is what --flow takes, e.g. "sign-in".
	Name() string
	// Description is one line for `loginprobe flows`.
	Description() string
	// NeedsBrowser reports whether Run uses r.Tab.
	NeedsBrowser() bool
	// Run performs the journey through r.Step and r.Always.
	Run(ctx context.Context, r *Run) error
}

// Run is what a flow sees of the run in progress.
type Run struct {
	ID       int64
	Config   *config.Config
	Tab      *browser.Tab    // nil for flows that need no browser
	Backend  *clerk.Backend  // nil without a secret key
	Frontend *clerk.Frontend // the instance's Frontend API, without a browser

	runner   *Runner
	base     context.Context // the tab's context, or the caller's: cleanups run in it
	flow     config.Flow
	rec      *result.Run
	redactor *secret.Redactor // the config's secrets and this run's (generated passwords, testing tokens)
	cleanups []cleanup
	steps    *stepWriter    // nil when the run is not stored
	failed   bool           // a failure screenshot was taken
	events   []result.Event // the tab's, once it closed
	flowEnd  time.Time      // when the flow proper ended, before its cleanups
	mu       sync.Mutex     // guards rec.Events and rec.Notes against concurrent clients
}

type cleanup struct {
	name string
	fn   func(ctx context.Context) error
}

// MonitorError marks an error as loginprobe's own (the outcome is error,
// never fail): the target cannot be judged.
type MonitorError struct{ Err error }

// Error implements error.
func (e *MonitorError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *MonitorError) Unwrap() error { return e.Err }

// Monitorf returns a MonitorError.
func Monitorf(format string, args ...any) error {
	return &MonitorError{Err: fmt.Errorf(format, args...)}
}

// AsMonitor wraps err as a MonitorError (nil stays nil).
func AsMonitor(err error) error {
	if err == nil {
		return nil
	}
	return &MonitorError{Err: err}
}

// IsMonitorError reports whether err means loginprobe could not judge the
// target: its own error, or a browser that died.
func IsMonitorError(err error) bool {
	var me *MonitorError
	return errors.As(err, &me) || errors.Is(browser.Classify(err), browser.ErrBrowserDied)
}

// Step runs fn as a named step under the flow's step timeout. On failure it
// records the step, takes the failure screenshot and returns an error that
// names the step.
func (r *Run) Step(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	return r.StepTimeout(ctx, name, r.flow.StepTimeout, fn)
}

// StepTimeout is Step with an explicit deadline.
func (r *Run) StepTimeout(ctx context.Context, name string, d time.Duration, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: not started: %w", name, err)
	}
	r.runner.progress(r.rec.Flow, name)
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, d)
	err := fn(sctx)
	cancel()
	step := result.Step{Name: name, StartedAt: start, Duration: time.Since(start), Outcome: result.Pass}
	if err != nil {
		err = r.explain(err, d)
		step.Outcome = outcomeOf(err)
		step.Error = r.redact(err.Error())
		r.capture(ctx, name, "failure")
		err = fmt.Errorf("%s: %w", name, err)
	}
	r.stepDone(step)
	return err
}

// stepDone adds a finished step to the record and hands it to the step
// writer, so a run whose process is killed keeps the steps it reached. It
// never waits for the store: a failed or late write is only logged, and the
// final write stores every step anyway.
func (r *Run) stepDone(step result.Step) {
	r.rec.Steps = append(r.rec.Steps, step)
	r.steps.add(step)
}

// explain turns a bare deadline into a sentence that says what was awaited.
func (r *Run) explain(err error, d time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) && err.Error() == context.DeadlineExceeded.Error() {
		return fmt.Errorf("no result after %s: %w", d, err)
	}
	return err
}

// Always registers a cleanup step that runs when the flow ends, whatever
// happened, in reverse order of registration, each under its own deadline.
func (r *Run) Always(name string, fn func(ctx context.Context) error) {
	r.cleanups = append(r.cleanups, cleanup{name: name, fn: fn})
}

// Note adds a remark to the run record (shown by `show`, kept in SQLite).
func (r *Run) Note(format string, args ...any) {
	n := r.redact(fmt.Sprintf(format, args...))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rec.Notes = append(r.rec.Notes, n)
}

// Event adds an event to the run record (for calls made without the browser).
func (r *Run) Event(e result.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Text = r.redact(e.Text)
	e.URL = r.redact(e.URL)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rec.Events = append(r.rec.Events, e)
}

// AddSecret registers values this run generated (a password, a token) so
// they are redacted from everything it records.
func (r *Run) AddSecret(v ...string) { r.redactor.Add(v...) }

func (r *Run) redact(s string) string { return r.redactor.Redact(s) }

// capture takes a screenshot (at most one failure screenshot per run) and
// the page state, from the tab's own context so an expired step does not
// prevent it.
func (r *Run) capture(ctx context.Context, step, when string) {
	if r.Tab == nil || (when == "failure" && r.failed) {
		return
	}
	if when == "failure" {
		r.failed = true
	}
	if r.Tab.Died() {
		return
	}
	st := r.Tab.State(context.WithoutCancel(ctx))
	r.rec.PageURL, r.rec.PageTitle = r.redact(st.URL), st.Title
	r.rec.ClerkStatus, r.rec.ClerkVersion = st.ClerkStatus, st.ClerkVersion
	// "failure" also takes the final screenshot of a pass: the store keeps
	// the newest one per flow, so a person can see what success looks like.
	if r.Config.Browser.Screenshots == config.ScreenshotsNever {
		return
	}
	data, format, err := r.Tab.Screenshot(context.WithoutCancel(ctx), r.Config.Browser.JPEGQuality)
	if err != nil {
		r.Note("screenshot at %q failed: %v", step, err)
		return
	}
	r.rec.Screenshots = append(r.rec.Screenshots, result.Screenshot{
		Step: step, When: when, Format: format, TakenAt: time.Now(), Data: data,
	})
}

func outcomeOf(err error) result.Outcome {
	switch {
	case err == nil:
		return result.Pass
	case IsSkip(err):
		return result.Skipped
	case IsMonitorError(err):
		return result.Error
	default:
		return result.Fail
	}
}

// Settings returns the flow's configured timeouts.
func (r *Run) Settings() config.Flow { return r.flow }
