// Package leader elects one leader per location among loginprobe replicas
// that share one PostgreSQL database, so that only the leader runs the
// schedule while the others stand by.
//
// The leader is the replica holding a session-level advisory lock
// (pg_try_advisory_lock) on a dedicated connection. The lock belongs to that
// connection: when the leader's process dies, or its connection breaks,
// PostgreSQL releases it, and a standby takes it on its next try. A leader
// that cannot reach the database steps down at its next check. The elector
// satisfies gocron's Elector interface (IsLeader), and tells the process its
// role for logs, /readyz and metrics.
//
// An elector alone cannot rule out two replicas both believing they lead for
// up to one check interval (the old leader has not yet noticed its
// connection is gone); runs are also keyed by flow, location and scheduled
// slot in the store, so a slot is run once even then.
package leader

import (
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotLeader is what IsLeader returns on a standby.
var ErrNotLeader = errors.New("not the leader of this location")

// Elector takes part in the election of one location.
type Elector struct {
	url      string
	location string
	key      int64
	every    time.Duration
	log      *slog.Logger
	onChange func(leader bool)

	mu     sync.Mutex
	conn   *pgx.Conn
	leader bool
}

// Options configure an Elector.
type Options struct {
	Every    time.Duration     // how often a standby tries and a leader checks its connection; 0 → 5s
	Logger   *slog.Logger      // nil: discard
	OnChange func(leader bool) // called on every change of role, from Run's goroutine
}

// New returns an elector for location on the database at url. It does not
// connect until Run.
func New(url, location string, o Options) *Elector {
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Elector{url: url, location: location, key: LockKey(location), every: o.Every, log: o.Logger, onChange: o.OnChange}
}

// LockKey is the advisory lock key of a location: stable across versions
// and processes, so every replica of a location contends for the same lock.
func LockKey(location string) int64 {
	h := fnv.New64a()
	h.Write([]byte("loginprobe/leader/" + location))
	return int64(h.Sum64())
}

// Run takes part in the election until ctx ends, then releases the lock (by
// closing its connection) so a standby takes over at once.
func (e *Elector) Run(ctx context.Context) {
	t := time.NewTicker(e.every)
	defer t.Stop()
	for {
		e.tick(ctx)
		select {
		case <-ctx.Done():
			e.release()
			return
		case <-t.C:
		}
	}
}

// IsLeader returns nil on the leader and ErrNotLeader on a standby (gocron's
// Elector interface: the scheduler runs a job only on the leader).
func (e *Elector) IsLeader(context.Context) error {
	if e.Leader() {
		return nil
	}
	return ErrNotLeader
}

// Leader reports whether this replica leads its location now.
func (e *Elector) Leader() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.leader
}

// Role is "leader" or "standby", for logs and /readyz.
func (e *Elector) Role() string {
	if e.Leader() {
		return "leader"
	}
	return "standby"
}

// tick connects if needed, then either checks that the leader's connection
// still answers or tries to take the lock.
func (e *Elector) tick(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, e.every)
	defer cancel()
	e.mu.Lock()
	conn, leader := e.conn, e.leader
	e.mu.Unlock()
	if conn == nil {
		c, err := pgx.Connect(cctx, e.url)
		if err != nil {
			e.log.Warn("leader election: cannot reach the database", "location", e.location, "err", err)
			e.set(nil, false)
			return
		}
		conn = c
		e.set(conn, false)
	}
	if leader {
		if _, err := conn.Exec(cctx, "SELECT 1"); err != nil {
			e.log.Warn("leader election: lost the database connection; stepping down", "location", e.location, "err", err)
			e.drop(conn)
		}
		return
	}
	var got bool
	if err := conn.QueryRow(cctx, "SELECT pg_try_advisory_lock($1)", e.key).Scan(&got); err != nil {
		e.log.Warn("leader election: lock attempt failed", "location", e.location, "err", err)
		e.drop(conn)
		return
	}
	if got {
		e.set(conn, true)
	}
}

// drop closes a broken connection and becomes a standby.
func (e *Elector) drop(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
	e.set(nil, false)
}

func (e *Elector) release() {
	e.mu.Lock()
	conn := e.conn
	e.mu.Unlock()
	if conn != nil {
		e.drop(conn)
	}
}

func (e *Elector) set(conn *pgx.Conn, leader bool) {
	e.mu.Lock()
	changed := e.leader != leader
	e.conn, e.leader = conn, leader
	e.mu.Unlock()
	if !changed {
		return
	}
	e.log.Info("leader election: role changed", "location", e.location, "role", map[bool]string{true: "leader", false: "standby"}[leader])
	if e.onChange != nil {
		e.onChange(leader)
	}
}
