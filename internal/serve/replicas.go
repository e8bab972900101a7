package serve

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/leader"
	"github.com/loginprobe/loginprobe/internal/store"
	storeopen "github.com/loginprobe/loginprobe/internal/store/open"
)

// Replicas. With `database: postgres://…` several serve processes share one
// database. Those of one location elect a leader (internal/leader, an
// advisory lock, checked every failover/3); the scheduler runs jobs only on
// the leader (gocron's WithDistributedElector) and claims each flow's slot
// before running it (internal/schedule), so each scheduled run happens once
// per location. Standbys heartbeat, serve the dashboard and the metrics,
// and take over when the leader's connection or process dies.
//
// The PostgreSQL store is wrapped in a store.Buffer: while the database is
// down, runs go on being judged and their records wait in memory (bounded),
// /readyz fails on its database check, and the buffered runs are written
// when it returns. The replica that led when the database went away keeps
// probing through the outage (its elector cannot hold the lock without the
// database, and nobody else can take it), so a location is not blind while
// its database is.

// Defaults of opening PostgreSQL at start.
const (
	openRetryFor   = 2 * time.Minute
	openRetryEvery = 2 * time.Second
)

// replica is this process's part in its location.
type replica struct {
	location string
	elector  *leader.Elector // nil with SQLite: the only process leads
	buf      *store.Buffer   // nil with SQLite
	log      *slog.Logger
	// led is set once this process led; with the database unreachable a
	// replica that led keeps running the schedule.
	led atomic.Bool
}

// openStore opens the database the config names. PostgreSQL is retried
// for up to o.OpenRetry (a replica may start before its database) and
// wrapped in a write buffer.
func openStore(ctx context.Context, cfg *config.Config, o Options, log *slog.Logger) (store.DB, *store.Buffer, error) {
	if !storeopen.IsPostgres(cfg.Database) {
		st, err := store.OpenWith(ctx, cfg.Database, o.Store)
		return st, nil, err
	}
	bound := o.OpenRetry
	if bound <= 0 {
		bound = openRetryFor
	}
	deadline := time.Now().Add(bound)
	for {
		db, err := storeopen.DB(ctx, cfg.Database, o.Store)
		if err == nil {
			buf := store.NewBuffer(db, store.BufferOptions{Logger: log, FlushEvery: o.FlushEvery})
			return buf, buf, nil
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("%w (tried for %s)", err, config.FormatDuration(bound))
		}
		log.Warn("database unreachable at start: trying again", "err", err, "every", openRetryEvery, "until", deadline.UTC().Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return nil, nil, err
		case <-time.After(openRetryEvery):
		}
	}
}

// newReplica sets up the election when the store is PostgreSQL.
func newReplica(cfg *config.Config, buf *store.Buffer, log *slog.Logger, onChange func(bool)) *replica {
	r := &replica{location: cfg.Location, buf: buf, log: log}
	if buf == nil {
		r.led.Store(true)
		return r
	}
	r.elector = leader.New(cfg.Database, cfg.Location, leader.Options{
		Every: cfg.Failover / 3, Logger: log,
		OnChange: func(lead bool) {
			if lead {
				r.led.Store(true)
			}
			if onChange != nil {
				onChange(lead)
			}
		},
	})
	return r
}

// IsLeader is gocron's Elector: nil when this replica should run jobs.
func (r *replica) IsLeader(ctx context.Context) error {
	if r.elector == nil || r.elector.Leader() {
		return nil
	}
	if r.led.Load() && r.buf.Healthy(ctx) != nil {
		return nil // the database is away: the last leader probes on
	}
	return leader.ErrNotLeader
}

// leading reports whether this replica runs the schedule now.
func (r *replica) leading() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return r.IsLeader(ctx) == nil
}

// Role is "leader" or "standby", for the log and /readyz.
func (r *replica) Role() string {
	if r.elector == nil {
		return "leader"
	}
	if r.leading() && !r.elector.Leader() {
		return "leader (database unreachable: probing on)"
	}
	return r.elector.Role()
}

// collectors are the replica's metrics: its role, and the write buffer.
func (r *replica) collectors() []prometheus.Collector {
	cs := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "loginprobe_leader", Help: "1 when this replica runs its location's schedule, 0 on a standby.",
			ConstLabels: prometheus.Labels{"location": r.location},
		}, func() float64 {
			if r.leading() {
				return 1
			}
			return 0
		}),
	}
	if r.buf == nil {
		return cs
	}
	return append(cs,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "loginprobe_buffered_runs", Help: "Finished runs waiting in memory for the database to come back.",
		}, func() float64 { return float64(r.buf.Buffered()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "loginprobe_dropped_runs_total", Help: "Buffered runs dropped over the buffer's bound while the database was down.",
		}, func() float64 { return float64(r.buf.Dropped()) }),
	)
}

// run takes part in the election until ctx ends (then releases the lock).
func (r *replica) run(ctx context.Context) {
	if r.elector != nil {
		r.elector.Run(ctx)
	}
}

// gocronElector is the scheduler's elector: none with SQLite.
func (r *replica) gocronElector() gocron.Elector {
	if r.elector == nil {
		return nil
	}
	return r
}

// claim is the scheduler's slot claim: none with SQLite (one process).
func (d *daemon) claim() func(ctx context.Context, flow string, slot time.Time) (bool, error) {
	if d.replica.elector == nil {
		return nil
	}
	return func(ctx context.Context, flow string, slot time.Time) (bool, error) {
		return d.st.ClaimSlot(ctx, flow, d.cfg.Location, slot)
	}
}

// roleChanged logs a change of role; a new leader's overdue check starts
// afresh.
func (d *daemon) roleChanged(lead bool) {
	if lead {
		d.log.Info("this replica now leads its location: running the schedule", "location", d.cfg.Location)
		if d.sched != nil {
			d.sched.TookOver(time.Now())
		}
		return
	}
	d.log.Info("this replica stands by", "location", d.cfg.Location)
}
