// Package serve is `loginprobe serve`: the long-running monitor. It wires
// the config, the store, one Chromium, the runner, the incident tracker, the
// notification dispatcher, the scheduler and the HTTP listener (health,
// readiness, metrics), runs until its context is cancelled (SIGTERM or
// SIGINT), and shuts down in order: no new runs, runs in flight get the
// shutdown grace and are then cancelled (recorded as interrupted),
// notifications queued get a few seconds, then the listener, the browser and
// the database close.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/dashboard"
	"github.com/loginprobe/loginprobe/internal/incident"
	"github.com/loginprobe/loginprobe/internal/metrics"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/schedule"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/web"
)

// Housekeeping intervals.
const (
	pruneEvery    = 10 * time.Minute // retention, in small batches
	tickEvery     = 30 * time.Second // incident reminders
	notifyDrain   = 5 * time.Second  // queued notifications after the runs stopped
	httpDrain     = 3 * time.Second
	pruneDeadline = 2 * time.Minute
)

// Options are what the command line and the tests choose; the rest comes
// from the config.
type Options struct {
	Listen         string // default web.DefaultListen
	ListenExplicit bool   // --listen was given: a non-loopback address is allowed
	Log            *slog.Logger
	Getenv         func(string) string // for the browser (LOGINPROBE_CHROME, PATH); nil → os.Getenv

	// Ready, when set, is called once the listener is bound and the schedule
	// started, with the bound address.
	Ready func(addr string)

	// The rest is for tests; the config file cannot reach it.
	MinInterval  time.Duration    // shortest flow interval accepted; 0 → config.MinInterval
	Store        store.Options    // host name and heartbeat timing
	Notify       notify.Options   // retries and backoff (Recorder, Logger, OnResult and Redactor are set here)
	Browser      *browser.Browser // a browser to use instead of starting one (not closed by serve)
	Pacer        *probe.Pacer     // replaces the runner's pacer
	PruneEvery   time.Duration    // 0 → 10 min
	TickEvery    time.Duration    // 0 → 30 s
	FixedToken   string           // CLERK_TESTING_TOKEN: used as given, never refreshed
	RecycleAfter int              // overrides browser.recycle_after
	OpenRetry    time.Duration    // how long PostgreSQL is retried at start; 0 → 2 min
	FlushEvery   time.Duration    // how often buffered runs are retried; 0 → store.DefaultFlushEvery
}

// Run serves until ctx is cancelled and returns nil after a clean shutdown.
// Bad input (no flow can run, an alert channel that cannot be built, a
// listen address refused) returns an error before anything starts.
func Run(ctx context.Context, cfg *config.Config, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Listen == "" {
		o.Listen = web.DefaultListen
	}
	if err := web.CheckListen(o.Listen, o.ListenExplicit); err != nil {
		return err
	}
	sel, err := selectFlows(cfg)
	if err != nil {
		return err
	}
	notifiers, err := notify.FromConfig(cfg.Alerts)
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	d, err := open(ctx, cfg, o, sel, notifiers)
	if err != nil {
		return err
	}
	defer d.close()
	return d.serve(ctx)
}

// selectFlows returns every enabled flow the config can run, in
// flows.All's order (clerk-health, the cheap preflight, starts first); the
// schedule is logged once it starts.
func selectFlows(cfg *config.Config) ([]probe.Flow, error) {
	var sel []probe.Flow
	var skipped []string
	for _, f := range flows.All() {
		switch p := cfg.FlowProblem(f.Name()); {
		case !cfg.Flows[f.Name()].Enabled:
		case p != "":
			skipped = append(skipped, f.Name()+": "+p)
		default:
			sel = append(sel, f)
		}
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("no flow can run with this config: %v", skipped)
	}
	return sel, nil
}

// daemon is everything serve opened.
type daemon struct {
	cfg      *config.Config
	o        Options
	log      *slog.Logger
	st       store.DB
	replica  *replica
	browser  *browser.Browser
	ownsB    bool
	rec      *recorder
	runner   *probe.Runner
	metrics  *metrics.Metrics
	dispatch *notify.Dispatcher
	tracker  *incident.Tracker
	judge    *judge // global incidents; nil with SQLite
	sched    *schedule.Scheduler
	web      *web.Server
	health   *health
}

func open(ctx context.Context, cfg *config.Config, o Options, sel []probe.Flow, notifiers []notify.Notifier) (_ *daemon, err error) {
	d := &daemon{cfg: cfg, o: o, log: o.Log}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	var buf *store.Buffer
	if d.st, buf, err = openStore(ctx, cfg, o, d.log); err != nil {
		return nil, err
	}
	d.replica = newReplica(cfg, buf, d.log, d.roleChanged)
	if err = d.openBrowser(sel); err != nil {
		return nil, err
	}
	d.rec = newRecorder(d.st)
	d.runner = probe.NewRunner(cfg, d.browser, d.rec, d.log)
	d.runner.Probe = cfg.Location
	if o.Pacer != nil {
		d.runner.Pacer = o.Pacer
	}
	if o.FixedToken != "" {
		d.runner.Tokens = &clerk.TestingTokens{Fixed: o.FixedToken}
	}
	var names []string
	for _, f := range sel {
		names = append(names, f.Name())
	}
	d.metrics = metrics.New(names, d.st.OpenIncidents, d.log)
	d.metrics.Register(d.replica.collectors()...)
	nopts := o.Notify
	nopts.Recorder, nopts.Logger, nopts.Redactor = d.st, d.log, cfg.Redactor()
	nopts.OnResult = d.metrics.CountNotification
	d.dispatch = notify.NewDispatcher(notifiers, nopts)
	send := notify.Sender{Dispatcher: d.dispatch, Instance: cfg.Key.FrontendAPI, DashboardURL: cfg.Alerts.DashboardURL}
	topts := trackerOptions(cfg, d.log)
	var locSend incident.Sender = send
	if d.replica.elector != nil { // PostgreSQL: incidents per location, and global ones (rounds.go)
		topts.Location = cfg.Location
		locSend, d.judge = d.newJudge(d.jobs(sel), send)
	}
	if d.tracker, err = incident.New(ctx, d.st, locSend, topts); err != nil {
		return nil, err
	}
	d.health = newHealth(sel, cfg)
	if d.sched, err = schedule.New(d.scheduleOptions(sel)); err != nil {
		return nil, err
	}
	d.web = web.New(d.health.checks(d.st, d.sched, d.replica), d.metrics.Handler(), d.log)
	if err = d.web.Listen(o.Listen, o.ListenExplicit); err != nil {
		return nil, err
	}
	if err = d.mountDashboard(); err != nil {
		return nil, err
	}
	return d, nil
}

// mountDashboard serves the dashboard and the status page on the same
// listener; beyond loopback their private pages need dashboard.auth.
func (d *daemon) mountDashboard() error {
	opts := dashboard.FromConfig(d.cfg, d.web.Addr())
	opts.Log = d.log
	h, err := dashboard.New(d.st, opts)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	d.web.Handle("/", h)
	return nil
}

func (d *daemon) openBrowser(sel []probe.Flow) error {
	if d.o.Browser != nil {
		d.browser = d.o.Browser
		return nil
	}
	for _, f := range sel {
		if !f.NeedsBrowser() {
			continue
		}
		recycle := d.cfg.Browser.RecycleAfter
		if d.o.RecycleAfter > 0 {
			recycle = d.o.RecycleAfter
		}
		b, err := browser.New(browser.Options{
			ExecPath: d.cfg.Browser.Path, Env: d.o.Getenv, RecycleAfter: recycle, Flags: d.cfg.Browser.Flags,
			Viewport: [2]int{d.cfg.Browser.Viewport.Width, d.cfg.Browser.Viewport.Height}, Logger: d.log,
		})
		if err != nil {
			return err
		}
		d.browser, d.ownsB = b, true
		return nil
	}
	return nil
}

func trackerOptions(cfg *config.Config, log *slog.Logger) incident.Options {
	a := cfg.Alerts
	return incident.Options{
		FailureThreshold: a.FailureThreshold, SuccessThreshold: a.SuccessThreshold, ErrorThreshold: a.CannotJudge.Threshold,
		MonitorSeverity: incident.MonitorSeverity(a.CannotJudge.Severity), Reminder: a.Reminder, Log: log,
	}
}

// jobs are the scheduled flows with their intervals.
func (d *daemon) jobs(sel []probe.Flow) []schedule.Job {
	var jobs []schedule.Job
	for _, f := range sel {
		fc := d.cfg.Flows[f.Name()]
		jobs = append(jobs, schedule.Job{Flow: f, Interval: fc.Interval, Timeout: fc.Timeout})
	}
	return jobs
}

func (d *daemon) scheduleOptions(sel []probe.Flow) schedule.Options {
	jobs := d.jobs(sel)
	prune, tick := pruneEvery, tickEvery
	if d.o.PruneEvery > 0 {
		prune = d.o.PruneEvery
	}
	if d.o.TickEvery > 0 {
		tick = d.o.TickEvery
	}
	return schedule.Options{
		Jobs: jobs, Runner: d.runner, Retries: d.cfg.Retries, MaxConcurrent: d.cfg.Browser.MaxConcurrent,
		MinInterval: d.o.MinInterval, OnVerdict: d.verdict, Log: d.log,
		Elector: d.replica.gocronElector(), Claim: d.claim(),
		Chores: []schedule.Chore{
			{Name: "retention", Every: prune, Do: d.prune},
			{Name: "reminders", Every: tick, Do: func(ctx context.Context) error { d.tracker.Tick(ctx, time.Now()); return nil }},
		},
	}
}

// prune applies the retention policy; the store deletes in small batches,
// so the runs' writes interleave with it.
func (d *daemon) prune(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pruneDeadline)
	defer cancel()
	n, err := d.st.Prune(ctx, store.Policy(d.cfg.Retention))
	if err == nil && n != (store.Pruned{}) {
		d.log.Info("retention: pruned", "runs", n.Runs, "screenshots", n.Screenshots, "incidents", n.Incidents)
	}
	return err
}

// serve starts the heartbeat, the schedule and the listener, then waits for
// ctx and shuts down.
func (d *daemon) serve(ctx context.Context) error {
	beatCtx, stopBeat := context.WithCancel(context.WithoutCancel(ctx))
	beatDone := make(chan struct{})
	go func() {
		defer close(beatDone)
		d.st.KeepAlive(beatCtx, func(err error) { d.log.Warn("database heartbeat failed", "err", err) })
	}()
	electCtx, stopElect := context.WithCancel(context.WithoutCancel(ctx))
	electDone := make(chan struct{})
	go func() {
		defer close(electDone)
		if d.judge != nil {
			judgeDone := make(chan struct{})
			go func() { defer close(judgeDone); d.judge.run(electCtx) }()
			defer func() { <-judgeDone }()
		}
		d.replica.run(electCtx)
	}()
	defer func() { stopElect(); <-electDone }()
	if err := d.sched.Start(ctx); err != nil {
		stopBeat()
		<-beatDone
		return err
	}
	d.web.Start()
	d.logSchedule()
	if d.o.Ready != nil {
		d.o.Ready(d.web.Addr())
	}
	<-ctx.Done()
	d.log.Info("shutting down: no new runs; runs in flight get the shutdown grace", "grace", d.cfg.ShutdownGrace)
	d.sched.Stop(d.cfg.ShutdownGrace)
	stopElect() // release the lock at once: a standby takes over
	<-electDone
	nctx, cancel := context.WithTimeout(context.Background(), notifyDrain)
	if err := d.dispatch.Close(nctx); err != nil {
		d.log.Warn("notifications", "err", err)
	}
	cancel()
	hctx, cancel := context.WithTimeout(context.Background(), httpDrain)
	d.web.Shutdown(hctx)
	cancel()
	stopBeat()
	<-beatDone
	d.log.Info("stopped")
	return nil
}

func (d *daemon) logSchedule() {
	for _, p := range d.sched.Plan() {
		d.log.Info("scheduled", "flow", p.Flow, "every", config.FormatDuration(p.Interval), "first_run_in", p.Offset.Round(time.Millisecond).String(), "browser", p.Browser)
	}
	d.log.Info("serving", "listen", d.web.Addr(), "database", d.st.Path(), "browser_flows_at_once", d.sched.MaxConcurrent(),
		"retries", d.cfg.Retries, "channels", len(d.cfg.Alerts.Channels),
		"location", d.cfg.Location, "role", d.replica.Role())
}

// close releases what open opened, in reverse order; it is safe on a
// partly opened daemon.
func (d *daemon) close() {
	if d.dispatch != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		d.dispatch.Close(ctx)
		cancel()
	}
	if d.web != nil {
		d.web.Close()
	}
	if d.browser != nil && d.ownsB {
		d.browser.Close()
	}
	if d.st != nil {
		if err := d.st.Close(); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Warn("closing the database", "err", err)
		}
	}
}
