package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/report"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// ciOptions are the flags of `run` for a CI pipeline: reports the CI reads,
// retries, a preview deployment's URL, an overall deadline, and test users
// set up first.
type ciOptions struct {
	junit, artifacts, baseURL, failOn string
	github, setup                     bool
	retries                           int
	timeout                           time.Duration
}

func (c *ciOptions) register(fs *flag.FlagSet, env Env) {
	fs.StringVar(&c.junit, "junit", "", "write a JUnit XML report to `FILE` (failure screenshots go next to it, or into --artifacts)")
	fs.StringVar(&c.artifacts, "artifacts", "", "write each non-passing run's screenshots and run-<id>.json (as 'show --json') into `DIR`")
	fs.BoolVar(&c.github, "github", env.Getenv("GITHUB_ACTIONS") == "true", "GitHub Actions annotations and a job summary in $GITHUB_STEP_SUMMARY (default: on when GITHUB_ACTIONS=true)")
	fs.IntVar(&c.retries, "retries", 0, "retry a failed browser flow up to `N` times in a fresh browser; a pass on retry is flaky and exits 0")
	fs.StringVar(&c.baseURL, "base-url", "", "run against this origin (a preview deployment): every page keeps its path, the Clerk instance stays as configured")
	fs.DurationVar(&c.timeout, "timeout", 0, "an overall deadline for the whole command (e.g. 5m); runs it cuts are errors, exit 2")
	fs.StringVar(&c.failOn, "fail-on", "error", "what fails the job: error (a fail or loginprobe's own error) or fail (only a broken sign-in; errors exit 0 with a warning)")
	fs.BoolVar(&c.setup, "setup", false, "first create the monitor and password-reset users when missing, as 'loginprobe setup'")
}

// prepare checks the flags and applies --base-url to cfg.
func (c *ciOptions) prepare(cfg *config.Config) error {
	switch {
	case c.failOn != "error" && c.failOn != "fail":
		return fmt.Errorf("--fail-on %q: want error or fail", c.failOn)
	case c.retries < 0:
		return fmt.Errorf("--retries %d: want 0 or more", c.retries)
	case c.timeout < 0:
		return fmt.Errorf("--timeout %s: want a positive duration such as 5m", c.timeout)
	}
	if c.baseURL != "" {
		return cfg.SetBaseURL(c.baseURL)
	}
	return nil
}

// deadline applies --timeout to ctx.
func (c *ciOptions) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}

// ciRun is what the reports are made of.
type ciRun struct {
	cfg     *config.Config
	st      *store.Store
	started time.Time
	runs    []*result.Run
	skipped []string
	json    bool // stdout carries JSON: annotations go to stderr
}

// finish writes the reports and artifacts and returns the exit code: code,
// unless writing them failed (an error), or --fail-on fail turns
// loginprobe's own errors into a warning.
func (c *ciOptions) finish(ctx context.Context, env Env, cr ciRun, code int) int {
	rep := &report.Report{Instance: cr.cfg.Key.FrontendAPI, Started: cr.started}
	var errs []error
	for _, r := range cr.runs {
		paths, err := c.writeArtifacts(context.WithoutCancel(ctx), cr.st, r)
		errs = append(errs, err)
		if r.Flaky() {
			more, err := c.failedAttempts(context.WithoutCancel(ctx), cr.st, r)
			paths, errs = append(more, paths...), append(errs, err)
		}
		rep.Cases = append(rep.Cases, report.Case{Flow: r.Flow, Run: r, Screenshots: paths})
	}
	rep.Cases = append(rep.Cases, report.Skipped(cr.skipped)...)
	if c.junit != "" {
		errs = append(errs, writeFileWith(c.junit, rep.WriteJUnit))
	}
	if c.github {
		errs = append(errs, c.writeGitHub(env, rep, cr.json))
	}
	if err := errors.Join(errs...); err != nil {
		fail(env, "run", err)
		if code == ExitOK {
			code = ExitError
		}
	}
	if code == ExitError && c.failOn == "fail" {
		fmt.Fprintln(env.Stderr, "loginprobe run: warning: loginprobe could not judge every flow (see above); exit 0 because of --fail-on fail")
		return ExitOK
	}
	return code
}

// writeArtifacts writes a non-passing run's screenshots (and, with
// --artifacts, its JSON) for the CI, and returns the screenshots' paths.
func (c *ciOptions) writeArtifacts(ctx context.Context, st *store.Store, r *result.Run) ([]string, error) {
	dir := c.artifacts
	if dir == "" && c.junit != "" {
		dir = filepath.Dir(c.junit)
	}
	if dir == "" || r.Outcome == result.Pass || r.ID == 0 {
		return nil, nil
	}
	shots, err := st.Screenshots(ctx, r.ID)
	if err != nil {
		return nil, fmt.Errorf("artifacts of run %d: %w", r.ID, err)
	}
	if c.artifacts == "" {
		return report.Dir(dir).WriteScreenshots(r.ID, shots)
	}
	stored, err := st.Run(ctx, r.ID) // exactly what 'show --json' prints
	if err != nil {
		return nil, fmt.Errorf("artifacts of run %d: %w", r.ID, err)
	}
	return report.Dir(dir).WriteRun(stored, shots)
}

// failedAttempts writes the artifacts of the failed attempts before a
// flaky pass: the screenshots of a flake are what there is to look at.
func (c *ciOptions) failedAttempts(ctx context.Context, st *store.Store, r *result.Run) ([]string, error) {
	if c.artifacts == "" && c.junit == "" {
		return nil, nil
	}
	earlier, err := st.Runs(ctx, store.Query{Flow: r.Flow, Limit: 2 * r.Attempt})
	if err != nil {
		return nil, fmt.Errorf("artifacts of the attempts before run %d: %w", r.ID, err)
	}
	var paths []string
	for i := len(earlier) - 1; i >= 0; i-- { // oldest first
		e := earlier[i]
		if e.ID >= r.ID || e.ID < r.ID-int64(r.Attempt-1) || e.Attempt >= r.Attempt {
			continue // not one of this run's attempts
		}
		p, err := c.writeArtifacts(ctx, st, &e)
		if err != nil {
			return paths, err
		}
		paths = append(paths, p...)
	}
	return paths, nil
}

// writeGitHub prints the annotations and appends the job summary.
func (c *ciOptions) writeGitHub(env Env, rep *report.Report, json bool) error {
	w := env.Stdout
	if json {
		w = env.Stderr
	}
	if err := rep.WriteAnnotations(w); err != nil {
		return err
	}
	path := env.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("job summary: %w", err)
	}
	return errors.Join(rep.WriteMarkdown(f), f.Close())
}

// writeFileWith creates (or replaces) path with what write writes.
func writeFileWith(path string, write func(io.Writer) error) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := errors.Join(write(f), f.Close()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// notRun lists the selected flows a deadline left unstarted, as skipped lines.
func notRun(names []string, timeout time.Duration) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, fmt.Sprintf("%s: not run: the --timeout of %s was reached", n, timeout))
	}
	return out
}
