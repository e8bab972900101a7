package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/benchstat"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

type benchOptions struct {
	config   string
	flow     string
	db       string
	n, c     int
	json     bool
	noPacing bool
	profile  bool
}

func runBench(ctx context.Context, env Env, args []string) int {
	o := benchOptions{}
	fs := newFlagSet(env, "bench", "[--config FILE] [--flow NAME] [-n N] [-c C] [--json]")
	fs.StringVar(&o.config, "config", "", "config file (default: none; settings from CLERK_* and LOGINPROBE_* environment variables)")
	fs.StringVar(&o.flow, "flow", "sign-in", "flow to run")
	fs.IntVar(&o.n, "n", 20, "timed runs (after one warm-up run)")
	fs.IntVar(&o.c, "c", 1, "runs at once, each in its own browser context (at most browser.max_concurrent)")
	fs.StringVar(&o.db, "db", "", "SQLite database to record the runs in (default: a temporary one, removed at the end)")
	fs.BoolVar(&o.json, "json", false, "print the figures as JSON")
	fs.BoolVar(&o.profile, "profile", false, "also print the timeline of the median run: steps, requests, console errors")
	fs.BoolVar(&o.noPacing, "no-pacing", false, "do not pace requests to Clerk's rate limits (only for a local Clerk without them)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return o.run(ctx, env)
}

// check refuses input the bench cannot run, one problem at a time.
func (o *benchOptions) check(cfg *config.Config) error {
	if o.n < 1 {
		return fmt.Errorf("-n %d: run the flow at least once, e.g. -n 20", o.n)
	}
	if o.c < 1 || o.c > cfg.Browser.MaxConcurrent {
		return fmt.Errorf("-c %d is not between 1 and browser.max_concurrent (%d): use a smaller -c or raise browser.max_concurrent in the config (at most %d)",
			o.c, cfg.Browser.MaxConcurrent, config.MaxMaxConcurrent)
	}
	if o.noPacing && !isLoopback(cfg.Clerk.FrontendAPIURL) {
		return fmt.Errorf("--no-pacing: the Frontend API %s is not on this machine: a real Clerk rate-limits this IP, keep the pacing", cfg.Clerk.FrontendAPIURL)
	}
	return nil
}

func (o *benchOptions) run(ctx context.Context, env Env) int {
	if flows.ByName(o.flow) == nil {
		return fail(env, "bench", fmt.Errorf("unknown flow %q: known flows are %s", o.flow, strings.Join(flowNames(), ", ")))
	}
	if o.n < 1 { // before the config, which may be missing
		return fail(env, "bench", o.check(&config.Config{}))
	}
	cfg, err := loadConfig(env, o.config)
	if err != nil {
		return fail(env, "bench", err)
	}
	if err := o.check(cfg); err != nil {
		return fail(env, "bench", err)
	}
	if o.db == "" {
		dir, err := os.MkdirTemp("", "loginprobe-bench-")
		if err != nil {
			return fail(env, "bench", err)
		}
		defer os.RemoveAll(dir)
		o.db = filepath.Join(dir, "bench.db")
	}
	cfg.Database = o.db
	sel, _, err := selectFlows(cfg, []string{o.flow})
	if err != nil {
		return fail(env, "bench", err)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := openEngine(ctx, env, cfg, sel, log)
	if err != nil {
		return fail(env, "bench", err)
	}
	defer eng.Close()
	if o.noPacing {
		eng.runner.Pacer = probe.NewPacerWith(1<<20, 1<<20)
	}
	rep, runs := o.measure(ctx, eng, sel[0])
	if o.json {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		rep.print(env.Stdout)
	}
	return exitCode(runs, ctx.Err() != nil)
}

// measure runs one warm-up run, then o.n runs, o.c at a time, sampling the
// memory of loginprobe and its Chromium all along.
func (o *benchOptions) measure(ctx context.Context, eng *engine, f probe.Flow) (*benchReport, []*result.Run) {
	rep := &benchReport{Flow: f.Name(), N: o.n, C: o.c, Paced: !o.noPacing}
	pids := func() []int {
		ps := []int{os.Getpid()}
		if eng.browser != nil {
			ps = append(ps, eng.browser.PIDs()...)
		}
		return ps
	}
	peak := benchstat.StartPeak(100*time.Millisecond, pids)
	warm := eng.runner.Run(ctx, f)
	rep.WarmUp = warm.Duration

	runs := make([]*result.Run, o.n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.c {
		wg.Go(func() {
			for i := range jobs {
				runs[i] = eng.runner.Run(ctx, f)
			}
		})
	}
	for i := range o.n {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	rep.PeakPSS = peak.Stop()
	runs = compactRuns(runs)
	rep.add(runs)
	if o.profile {
		rep.Timeline = timeline(runs)
	}
	return rep, append([]*result.Run{warm}, runs...)
}

// compactRuns drops the runs that never started (the bench was cancelled).
func compactRuns(runs []*result.Run) []*result.Run {
	out := runs[:0]
	for _, r := range runs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// isLoopback reports whether rawURL's host is this machine.
func isLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
