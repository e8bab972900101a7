package serve

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/incident"
	"github.com/loginprobe/loginprobe/internal/leader"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/schedule"
	"github.com/loginprobe/loginprobe/internal/store"
)

// Locations and global incidents (PostgreSQL only).
//
// Each location's leader keeps per-location incidents (location = its
// own) from its own runs: that is the per-location state the dashboard
// shows. With one location known they notify as a single process would.
// With several locations known (runs of more than one location within the
// recent window), or alerts.min_failed_locations set above 1, they are
// recorded silently and only global incidents notify.
//
// Global incidents (location "") are judged by exactly one process in the
// whole database: the holder of a second advisory lock, for which every
// PostgreSQL replica contends beside its location's election. Per flow, it
// groups the runs of all locations by round (the slot: the start time
// truncated to the flow's interval, the same instant in every location
// since schedules are aligned to the wall clock), takes each location's
// latest verdict in the round, and once every known location has reported
// (or the round is over by the flow's timeout) hands one verdict to its own
// incident tracker: fail when at least min_failed_locations locations
// failed, pass when fewer failed and some passed, nothing when all
// errored. One process, one tracker: one set of notifications.

// globalLock names the election of the global judge; the '*' keeps it
// apart from every valid location name.
const globalLock = "*global-incidents"

// locations knows how many locations ran lately, cached for a while.
type locations struct {
	st     store.Reader
	window time.Duration
	ttl    time.Duration
	forced bool // alerts.min_failed_locations > 1: several locations by config

	mu    sync.Mutex
	at    time.Time
	known map[string]bool
}

// count returns the number of locations with a verdict within the window.
func (l *locations) count(ctx context.Context, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.known != nil && now.Sub(l.at) < l.ttl {
		return len(l.known)
	}
	runs, err := l.st.Runs(ctx, store.Query{Since: now.Add(-l.window), Verdicts: true})
	if err != nil {
		return len(l.known) // the last answer, until the database answers
	}
	l.known, l.at = map[string]bool{}, now
	for _, r := range runs {
		l.known[r.Probe] = true
	}
	return len(l.known)
}

// several reports whether global incidents take over the notifications.
func (l *locations) several(ctx context.Context) bool {
	return l.forced || l.count(ctx, time.Now()) > 1
}

// locationSender sends a location's flow incidents only while a single
// location is known; monitor ("cannot judge") incidents always go out.
type locationSender struct {
	inner incident.Sender
	locs  *locations
}

func (s locationSender) Send(ev result.NotifyEvent, in result.Incident) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if in.Kind == result.IncidentFlow && s.locs.several(ctx) {
		return
	}
	s.inner.Send(ev, in)
}

// judge is the global incidents' judge.
type judge struct {
	d       *daemon
	locs    *locations
	jobs    []schedule.Job
	elector *leader.Elector
	send    incident.Sender
	every   time.Duration

	tracker *incident.Tracker
	judged  map[string]time.Time // flow → latest round judged
}

// run takes part in the judge's election and, while it holds the lock,
// judges the finished rounds every d.every.
func (g *judge) run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); g.elector.Run(ctx) }()
	defer func() { <-done }()
	t := time.NewTicker(g.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !g.elector.Leader() {
			g.tracker = nil // a later term rebuilds from the store
			continue
		}
		if err := g.judgeAll(ctx, time.Now()); err != nil && ctx.Err() == nil {
			g.d.log.Warn("global incidents", "err", err)
		}
	}
}

func (g *judge) judgeAll(ctx context.Context, now time.Time) error {
	if g.tracker == nil {
		o := trackerOptions(g.d.cfg, g.d.log)
		o.Location, o.MonitorSeverity = "", "" // loginprobe's own errors stay per location
		tr, err := incident.New(ctx, g.d.st, g.send, o)
		if err != nil {
			return err
		}
		g.tracker, g.judged = tr, map[string]time.Time{}
		for _, j := range g.jobs { // start with the rounds to come
			g.judged[j.Flow.Name()] = now.Truncate(j.Interval).Add(-j.Interval)
		}
	}
	if !g.locs.several(ctx) {
		return nil // one location: its own tracker notifies
	}
	known := g.locs.count(ctx, now)
	for _, j := range g.jobs {
		if err := g.judgeFlow(ctx, j, known, now); err != nil {
			return err
		}
	}
	g.tracker.Tick(ctx, now) // reminders of open global incidents
	return nil
}

// judgeFlow hands the tracker one verdict per finished round of j.
func (g *judge) judgeFlow(ctx context.Context, j Job, known int, now time.Time) error {
	name := j.Flow.Name()
	runs, err := g.d.st.Runs(ctx, store.Query{Flow: name, Since: g.judged[name].Add(j.Interval), Verdicts: true})
	if err != nil {
		return err
	}
	rounds := map[int64]map[string]*result.Run{} // round (Unix ns) → location → latest verdict
	latest := map[string]int64{}                 // location → its latest round
	for i := range runs {
		r := &runs[i]
		round := r.StartedAt.Truncate(j.Interval).UnixNano()
		latest[r.Probe] = max(latest[r.Probe], round)
		if rounds[round] == nil {
			rounds[round] = map[string]*result.Run{}
		}
		if prev := rounds[round][r.Probe]; prev == nil || r.StartedAt.After(prev.StartedAt) {
			rounds[round][r.Probe] = r
		}
	}
	timeout := j.Timeout
	if timeout <= 0 {
		timeout = j.Interval
	}
	min := g.d.cfg.Alerts.MinFailedLocationsOf(known)
	for round := g.judged[name].Add(j.Interval); !round.After(now); round = round.Add(j.Interval) {
		got := rounds[round.UnixNano()]
		moved := 0 // locations already in a later round: they will not report this one
		for _, l := range latest {
			if l > round.UnixNano() {
				moved++
			}
		}
		if len(got) < known && moved < known && now.Before(round.Add(j.Interval+timeout)) {
			break // wait for the other locations
		}
		g.judged[name] = round
		if v := verdictOf(got, min, known); v != nil {
			if err := g.tracker.Observe(ctx, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Job is schedule.Job, named here for brevity.
type Job = schedule.Job

// verdictOf is a round's global verdict: a copy of one failing run, its
// summary saying how many locations failed, or of one passing run.
func verdictOf(got map[string]*result.Run, min, known int) *result.Run {
	var fail, pass *result.Run
	failed := 0
	for _, r := range got {
		switch r.Outcome {
		case result.Fail:
			failed++
			if fail == nil || r.StartedAt.Before(fail.StartedAt) {
				fail = r
			}
		case result.Pass:
			pass = r
		}
	}
	switch {
	case failed >= min:
		v := *fail
		v.Probe = ""
		v.Diagnosis.Summary = fmt.Sprintf("failing in %d of %d locations: %s", failed, known, fail.Diagnosis.Summary)
		return &v
	case pass != nil:
		v := *pass
		v.Probe = ""
		return &v
	}
	return nil
}

// newJudge sets up the per-location sender and the global judge when the
// store is PostgreSQL; with SQLite it returns send unchanged and no judge.
func (d *daemon) newJudge(jobs []Job, send incident.Sender) (incident.Sender, *judge) {
	if d.replica.elector == nil {
		return send, nil
	}
	shortest, window := time.Duration(0), time.Duration(0)
	for _, j := range jobs {
		if shortest == 0 || j.Interval < shortest {
			shortest = j.Interval
		}
		window = max(window, 3*j.Interval+j.Timeout)
	}
	locs := &locations{st: d.st, window: window, ttl: shortest, forced: d.cfg.Alerts.MinFailedLocations > 1}
	g := &judge{d: d, locs: locs, jobs: jobs, send: send, every: min(shortest/2, 10*time.Second),
		elector: leader.New(d.cfg.Database, globalLock, leader.Options{Every: d.cfg.Failover / 3, Logger: d.log})}
	return locationSender{inner: send, locs: locs}, g
}
