package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

type runOptions struct {
	config string
	flows  multi
	db     string
	json   bool
	ci     ciOptions
}

func runRun(ctx context.Context, env Env, args []string) int {
	var o runOptions
	fs := newFlagSet(env, "run", "[--config FILE] [--flow NAME]... [--db FILE] [--json] [--junit FILE] [--artifacts DIR] [--github] [--retries N] [--base-url URL] [--timeout D] [--fail-on fail|error] [--setup]")
	fs.StringVar(&o.config, "config", "", "config file (default: none; settings from CLERK_* and LOGINPROBE_* environment variables)")
	fs.Var(&o.flows, "flow", "flow to run (repeatable; default: every enabled flow the config can run)")
	fs.StringVar(&o.db, "db", "", "SQLite database file or postgres:// URL (overrides the config's database)")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON")
	o.ci.register(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return o.run(ctx, env)
}

func (o *runOptions) run(parent context.Context, env Env) int {
	started := time.Now()
	cfg, err := loadConfig(env, o.config)
	if err == nil {
		err = o.ci.prepare(cfg, o.db)
	}
	if err != nil {
		return fail(env, "run", err)
	}
	ctx, cancel := o.ci.deadline(parent)
	defer cancel()
	if o.db != "" {
		cfg.Database = o.db
	}
	sel, skipped, err := selectFlows(cfg, o.flows)
	if err != nil {
		return fail(env, "run", err)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := openEngine(ctx, env, cfg, sel, log)
	if err != nil {
		return fail(env, "run", err)
	}
	defer eng.Close()
	if o.ci.setup {
		out := env.Stdout
		if o.json {
			out = env.Stderr
		}
		if err := setupUsers(ctx, out, cfg); err != nil {
			return fail(env, "run", fmt.Errorf("--setup: %w", err))
		}
	}
	if isTerminal(env.Stderr) && !o.json {
		eng.runner.Progress = env.Stderr
	}
	var runs []*result.Run
	var unstarted []string
	for _, f := range sel {
		if ctx.Err() != nil {
			unstarted = append(unstarted, f.Name())
			continue
		}
		runs = append(runs, eng.runner.RunWithRetries(ctx, f, o.ci.retries))
	}
	skipped = append(skipped, notRun(unstarted, o.ci.timeout)...)
	if o.json {
		printJSON(env.Stdout, runs, skipped, eng.store.Path())
	} else {
		printSummary(env.Stdout, runs, skipped, eng.store.Path()) // a URL without its password
	}
	cancelled := parent.Err() != nil || len(unstarted) > 0
	code := exitCode(runs, cancelled)
	return o.ci.finish(ctx, env, ciRun{cfg: cfg, st: eng.store, started: started, runs: runs, skipped: skipped, json: o.json, cancelled: cancelled}, code)
}

// exitCode maps the runs to the exit code: a fail wins over an error, since
// a broken sign-in must never hide behind a monitor problem in CI.
func exitCode(runs []*result.Run, cancelled bool) int {
	code := ExitOK
	for _, r := range runs {
		switch r.Outcome {
		case result.Fail:
			return ExitFail
		case result.Error, result.Interrupted:
			code = ExitError
		}
	}
	if cancelled {
		return ExitError
	}
	return code
}

// printSummary prints a line per run; stored texts go through result.Clean.
func printSummary(w io.Writer, runs []*result.Run, skipped []string, db string) {
	c := result.Clean
	for _, r := range runs {
		fmt.Fprintf(w, "%-5s %-15s %5.1fs  run %d%s\n", strings.ToUpper(c(string(r.Outcome))), c(r.Flow), r.Duration.Seconds(), r.ID, heldText(r, 100*time.Millisecond))
		if r.Flaky() {
			fmt.Fprintf(w, "      flaky: passed on attempt %d after a failed attempt (every attempt is recorded)\n", r.Attempt)
		}
		if r.Outcome == result.Pass {
			continue
		}
		fmt.Fprintf(w, "      %s\n", c(r.Message))
		if d := r.Diagnosis; d.Cause != "" {
			fmt.Fprintf(w, "      cause: %s: %s\n", c(string(d.Cause)), c(d.Summary))
			if d.Next != "" {
				fmt.Fprintf(w, "      next:  %s\n", c(d.Next))
			}
		}
	}
	for _, s := range skipped {
		fmt.Fprintf(w, "SKIP  %s\n", c(s))
	}
	fmt.Fprintf(w, "database: %s (loginprobe results --db %s; loginprobe show RUN_ID)\n", c(db), c(db))
}

func printJSON(w io.Writer, runs []*result.Run, skipped []string, db string) {
	out := struct {
		Runs     []*result.Run `json:"runs"`
		Skipped  []string      `json:"skipped,omitempty"`
		Database string        `json:"database"`
	}{runs, skipped, db}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
