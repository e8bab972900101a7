package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/store"
)

// loadConfig loads the config at path ("" → environment only).
func loadConfig(env Env, path string) (*config.Config, error) {
	return config.Load(path, env.Getenv)
}

// selectFlows returns the flows to run: the named ones (each must exist and
// be runnable), or every enabled flow the config can run. skipped says why
// the others were left out.
func selectFlows(cfg *config.Config, names []string) (sel []probe.Flow, skipped []string, err error) {
	if len(names) > 0 {
		for _, n := range names {
			f := flows.ByName(n)
			if f == nil {
				return nil, nil, fmt.Errorf("unknown flow %q: known flows are %s", n, strings.Join(flowNames(), ", "))
			}
			if p := cfg.FlowProblem(n); p != "" {
				return nil, nil, fmt.Errorf("flow %s cannot run: %s", n, p)
			}
			sel = append(sel, f)
		}
		return sel, nil, nil
	}
	for _, f := range flows.All() {
		switch p := cfg.FlowProblem(f.Name()); {
		case !cfg.Flows[f.Name()].Enabled:
			skipped = append(skipped, f.Name()+": disabled in the config")
		case p != "":
			skipped = append(skipped, f.Name()+": "+p)
		default:
			sel = append(sel, f)
		}
	}
	if len(sel) == 0 {
		return nil, skipped, fmt.Errorf("no flow can run with this config: %s", strings.Join(skipped, "; "))
	}
	return sel, skipped, nil
}

func flowNames() []string {
	var names []string
	for _, f := range flows.All() {
		names = append(names, f.Name())
	}
	return names
}

// engine is everything a run needs, opened once per process.
type engine struct {
	runner  *probe.Runner
	store   *store.Store
	browser *browser.Browser
	lent    bool // the browser is the caller's (Env.browser): not closed here
}

func (e *engine) Close() {
	if e.browser != nil && !e.lent {
		e.browser.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
}

// openEngine opens the database and, if a flow needs one, resolves Chromium.
func openEngine(ctx context.Context, env Env, cfg *config.Config, sel []probe.Flow, log *slog.Logger) (*engine, error) {
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	e := &engine{store: st}
	for _, f := range sel {
		if f.NeedsBrowser() && env.browser != nil {
			e.browser, e.lent = env.browser, true
			break
		}
		if f.NeedsBrowser() {
			b, err := browser.New(browser.Options{
				ExecPath: cfg.Browser.Path, ExecPathFrom: execPathFrom(cfg), Env: env.Getenv, RecycleAfter: cfg.Browser.RecycleAfter,
				Flags: cfg.Browser.Flags, Viewport: [2]int{cfg.Browser.Viewport.Width, cfg.Browser.Viewport.Height}, Logger: log,
			})
			if err != nil {
				e.Close()
				return nil, err
			}
			e.browser = b
			break
		}
	}
	e.runner = probe.NewRunner(cfg, e.browser, st, log)
	if tok := env.Getenv("CLERK_TESTING_TOKEN"); tok != "" {
		// A token the operator got elsewhere (as @clerk/testing accepts it):
		// used as given, never refreshed.
		e.runner.Tokens = &clerk.TestingTokens{Fixed: tok}
	}
	return e, nil
}

// execPathFrom names the setting that chose the browser executable, for the
// error when it does not start.
func execPathFrom(cfg *config.Config) string {
	switch src := cfg.Source("browser.path"); {
	case src == "config":
		return "browser.path in the config file"
	case strings.HasPrefix(src, "env "):
		return strings.TrimPrefix(src, "env ")
	}
	return ""
}
