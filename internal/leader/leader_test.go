package leader_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/leader"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }

const tick = 100 * time.Millisecond

// replica is one elector running until stop is called.
type replica struct {
	e    *leader.Elector
	stop context.CancelFunc
	done chan struct{}
}

func start(t *testing.T, url, location string) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{e: leader.New(url, location, leader.Options{Every: tick}), stop: cancel, done: make(chan struct{})}
	go func() { defer close(r.done); r.e.Run(ctx) }()
	t.Cleanup(func() { r.stop(); <-r.done })
	return r
}

// leaders waits until exactly one of rs leads (and keeps leading over a few
// ticks), and returns it.
func oneLeader(t *testing.T, rs ...*replica) *replica {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	stable := 0
	var last *replica
	for time.Now().Before(deadline) {
		var ls []*replica
		for _, r := range rs {
			if r.e.Leader() {
				ls = append(ls, r)
			}
		}
		if len(ls) == 1 && ls[0] == last {
			if stable++; stable >= 5 {
				return last
			}
		} else {
			stable = 0
		}
		if len(ls) == 1 {
			last = ls[0]
		} else {
			last = nil
		}
		time.Sleep(tick / 2)
	}
	t.Fatal("no single stable leader")
	return nil
}

// TestOneLeaderPerLocation: three replicas of one location elect one
// leader; when it stops (its connection closes, as when its process dies) a
// standby takes over; when the database kills the leader's connection, the
// leader steps down and one replica leads again. Another location has its
// own leader.
func TestOneLeaderPerLocation(t *testing.T) {
	url := testkit.Postgres(t)
	a, b, c := start(t, url, "eu"), start(t, url, "eu"), start(t, url, "eu")
	other := start(t, url, "us")
	first := oneLeader(t, a, b, c)
	if !other.e.Leader() {
		t.Fatal("the other location has no leader")
	}

	first.stop()
	<-first.done
	var rest []*replica
	for _, r := range []*replica{a, b, c} {
		if r != first {
			rest = append(rest, r)
		}
	}
	second := oneLeader(t, rest...)

	// The database ends the leader's session: its lock goes with it.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// A bigint advisory key is stored as classid (high 32 bits) and objid (low).
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND objid::bigint = ($1::bigint & x'ffffffff'::bigint)`, leader.LockKey("eu")).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	var killed bool
	if err := conn.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating the leader's session: %v, %v", killed, err)
	}
	waitFor(t, func() bool { return !second.e.Leader() }, "the leader to step down after losing its session")
	oneLeader(t, rest...)
	if !other.e.Leader() {
		t.Fatal("the other location lost its leader")
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(tick / 2) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestStandbyWithoutDatabase: a replica that cannot reach the database
// keeps trying (it says so in its log) and stays a standby all the while.
func TestStandbyWithoutDatabase(t *testing.T) {
	var logs testkit.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	e := leader.New("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", "eu",
		leader.Options{Every: tick, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return strings.Count(logs.String(), "cannot reach the database") >= 2 }, "two failed connection attempts")
	if e.Leader() || e.IsLeader(context.Background()) == nil || e.Role() != "standby" {
		t.Fatal("a replica without a database claims to lead")
	}
}
