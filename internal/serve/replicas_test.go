package serve_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/leader"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/serve"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// The replica tests run the no-browser flows (clerk-health, user-api)
// against the local Clerk, every second, on the test binary's PostgreSQL:
// no Chromium is needed.
const replicaInterval = time.Second

// replicaConfig is a config of location loc on database db against ck.
func replicaConfig(t *testing.T, ck *fakeclerk.Server, db, loc string, opts ...func(*config.Config)) *config.Config {
	t.Helper()
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"clerk-health": replicaInterval, "user-api": replicaInterval}))
	cfg.Database, cfg.Location, cfg.Failover = db, loc, 3*time.Second
	cfg.ShutdownGrace = 2 * time.Second
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

// startReplica runs serve as one replica, named host in the record, without
// a browser; stop ends it cleanly.
func startReplica(t *testing.T, cfg *config.Config, host string, o serve.Options) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testkit.SyncBuffer{}
	o.Log = slog.New(slog.NewTextHandler(logs, nil)).With("replica", host)
	o.Listen, o.MinInterval = "127.0.0.1:0", time.Millisecond
	o.Store = store.Options{Host: host, BeatEvery: 500 * time.Millisecond, StaleAfter: 5 * time.Second}
	o.Notify = notify.Options{Attempts: 3, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Timeout: time.Second}
	o.Pacer = probe.NewPacerWith(1000, 1000)
	o.OpenRetry, o.FlushEvery = 5*time.Second, 200*time.Millisecond
	ready := make(chan string, 1)
	o.Ready = func(addr string) { ready <- addr }
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, cfg, o) }()
	r := &running{log: logs}
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("serve %s: %v", host, err)
		}
		if t.Failed() {
			t.Logf("serve %s log:\n%s", host, logs.String())
		}
	})
	select {
	case addr := <-ready:
		r.base = "http://" + addr
	case err := <-done:
		t.Fatalf("serve %s ended before it was ready: %v\n%s", host, err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve %s not ready after 30s\n%s", host, logs.String())
	}
	return r
}

// role is the replica's role as /readyz says it.
func role(t *testing.T, r *running) string {
	_, body := get(t, r.base+"/readyz")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, "role: ok: "); ok {
			return v
		}
	}
	return ""
}

// pgConn connects to db for the test's own queries.
func pgConn(t *testing.T, db string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// slotRuns are, per flow, the claimed slots in order and the number of
// finished runs of location loc.
type slotRuns struct {
	slots map[string][]time.Time
	runs  map[string]int
}

func readSlots(t *testing.T, conn *pgx.Conn, loc string) slotRuns {
	t.Helper()
	ctx := context.Background()
	out := slotRuns{slots: map[string][]time.Time{}, runs: map[string]int{}}
	rows, err := conn.Query(ctx, `SELECT flow, slot FROM slots WHERE location = $1 ORDER BY flow, slot`, loc)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var flow string
		var slot time.Time
		if err := rows.Scan(&flow, &slot); err != nil {
			t.Fatal(err)
		}
		out.slots[flow] = append(out.slots[flow], slot)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = conn.Query(ctx, `SELECT flow, count(*) FROM runs WHERE probe = $1 AND outcome <> 'running' GROUP BY flow`, loc)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var flow string
		var n int
		if err := rows.Scan(&flow, &n); err != nil {
			t.Fatal(err)
		}
		out.runs[flow] = n
	}
	return out
}

// missed counts the slots skipped between the first and the last claimed
// one of a flow.
func missed(slots []time.Time, every time.Duration) int {
	n := 0
	for i := 1; i < len(slots); i++ {
		n += int(slots[i].Sub(slots[i-1])/every) - 1
	}
	return n
}

// runsSinceLeader waits until some replica other than old leads and
// returns it.
func waitLeader(t *testing.T, rs []*running, skip *running, limit time.Duration) *running {
	t.Helper()
	var got *running
	waitFor(t, "a leader", limit, func() bool {
		for _, r := range rs {
			if r != skip && role(t, r) == "leader" {
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// TestReplicasOneLocation: three replicas of one location on one
// PostgreSQL run every slot of every flow once; when the leader dies a
// standby leads within the failover time and no slot runs twice.
func TestReplicasOneLocation(t *testing.T) {
	db := testkit.Postgres(t)
	ck := testkit.SharedClerk(t)
	conn := pgConn(t, db)
	var rs []*running
	for _, host := range []string{"replica-a", "replica-b", "replica-c"} {
		rs = append(rs, startReplica(t, replicaConfig(t, ck, db, "default"), host, serve.Options{}))
	}
	lead := waitLeader(t, rs, nil, 10*time.Second)
	leaders := 0
	for _, r := range rs {
		if ro := role(t, r); ro == "leader" {
			leaders++
		} else if ro != "standby" {
			t.Fatalf("role %q, want leader or standby", ro)
		}
		if code, body := get(t, r.base+"/readyz"); code != 200 {
			t.Fatalf("/readyz of a %s = %d:\n%s", role(t, r), code, body)
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders, want 1", leaders)
	}
	if _, body := get(t, lead.base+"/metrics"); !strings.Contains(body, `loginprobe_leader{location="default"} 1`) {
		t.Fatalf("the leader's /metrics lacks loginprobe_leader 1:\n%s", body)
	}
	time.Sleep(5 * replicaInterval) // let the leader run a few rounds

	// Kill the leader: its lock connection dies in the server (as when its
	// process dies), and the process stops.
	killed := time.Now()
	if _, err := conn.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1`, leader.LockKey("default")); err != nil {
		t.Fatal(err)
	}
	go lead.stop()
	waitLeader(t, rs, lead, 10*time.Second)
	took := time.Since(killed)
	t.Logf("failover: a standby led %s after the leader's connection died (failover setting 3s, election every 1s)", took.Round(10*time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("the standby took %s to lead, more than the failover time 3s", took)
	}
	time.Sleep(4 * replicaInterval)
	for _, r := range rs {
		r.stop()
	}

	got := readSlots(t, conn, "default")
	for _, flow := range []string{"clerk-health", "user-api"} {
		slots := got.slots[flow]
		if len(slots) < 8 {
			t.Fatalf("%s: %d slots claimed, want at least 8", flow, len(slots))
		}
		if got.runs[flow] != len(slots) {
			t.Errorf("%s: %d runs for %d slots: a slot ran twice or a claimed slot did not run", flow, got.runs[flow], len(slots))
		}
		m := missed(slots, replicaInterval)
		t.Logf("%s: %d slots run, %d missed across the failover", flow, len(slots), m)
		if window := int(took/replicaInterval) + 1; m > window {
			t.Errorf("%s: %d slots missed, more than the %d inside the failover window", flow, m, window)
		}
	}
}

// metric returns the value of a series line of /metrics ("" when absent).
func metric(t *testing.T, r *running, series string) string {
	_, body := get(t, r.base+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// TestReplicaDatabaseOutage: PostgreSQL stopped while serving. The leader
// goes on judging runs (their records wait in memory), /readyz fails on
// its database check, nothing pages, and when PostgreSQL returns the
// buffered runs are written and the replica is ready again.
func TestReplicaDatabaseOutage(t *testing.T) {
	db := testkit.Postgres(t)
	ck := testkit.SharedClerk(t)
	hook := newReceiver(t, 200)
	cfg := replicaConfig(t, ck, db, "default", func(c *config.Config) {
		c.Alerts.FailureThreshold = 1
		c.Alerts.Channels = []config.Channel{{Name: "hook", Kind: config.KindWebhook, URL: sec(hook.URL)}}
	})
	a := startReplica(t, cfg, "replica-a", serve.Options{})
	b := startReplica(t, replicaConfig(t, ck, db, "default"), "replica-b", serve.Options{})
	lead := waitLeader(t, []*running{a, b}, nil, 10*time.Second)

	testkit.PostgresStop(t)
	down := time.Now()
	waitFor(t, "runs buffered while the database is down", 15*time.Second, func() bool {
		n, _ := strconv.Atoi(metric(t, lead, "loginprobe_buffered_runs"))
		return n >= 4 // two rounds of both flows
	})
	code, body := get(t, lead.base+"/readyz")
	if code != 503 || !strings.Contains(body, "database: failed: database unreachable") {
		t.Fatalf("/readyz while the database is down = %d:\n%s", code, body)
	}
	if !strings.Contains(body, "role: ok: leader") {
		t.Errorf("the leader should probe on through the outage:\n%s", body)
	}
	testkit.PostgresStart(t)
	up := time.Now()
	for _, r := range []*running{a, b} {
		waitFor(t, "ready again", 20*time.Second, func() bool { c, _ := get(t, r.base+"/readyz"); return c == 200 })
	}
	waitFor(t, "buffered runs written", 10*time.Second, func() bool { return metric(t, lead, "loginprobe_buffered_runs") == "0" })
	if v := metric(t, lead, "loginprobe_dropped_runs_total"); v != "0" {
		t.Errorf("loginprobe_dropped_runs_total = %q, want 0", v)
	}
	a.stop()
	b.stop()

	conn := pgConn(t, db)
	var during, errs int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE outcome = 'pass'), count(*) FILTER (WHERE outcome IN ('fail', 'error'))
FROM runs WHERE started_at BETWEEN $1 AND $2`, down, up).Scan(&during, &errs); err != nil {
		t.Fatal(err)
	}
	t.Logf("outage of %s: %d passing runs judged and written afterwards, %d failed or errored", up.Sub(down).Round(100*time.Millisecond), during, errs)
	// Four runs were buffered; one of them may have started just before the
	// stop.
	if during < 3 || errs != 0 {
		t.Errorf("runs judged during the outage and written afterwards: %d passed, %d failed or errored; want 3 or more passes and none else", during, errs)
	}
	var incidents int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM incidents WHERE kind = 'flow'`).Scan(&incidents); err != nil {
		t.Fatal(err)
	}
	if incidents != 0 || len(hook.requests()) != 0 {
		t.Errorf("the outage paged: %d flow incidents, %d notifications", incidents, len(hook.requests()))
	}
}

// incidentsAt counts the flow incidents of location loc ("" is global),
// and how many of them are open.
func incidentsAt(t *testing.T, conn *pgx.Conn, loc string) (all, open int) {
	t.Helper()
	if err := conn.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE resolved_at IS NULL)
FROM incidents WHERE kind = 'flow' AND location = $1`, loc).Scan(&all, &open); err != nil {
		t.Fatal(err)
	}
	return all, open
}

// failing counts the failing runs of flow at location loc.
func failing(t *testing.T, conn *pgx.Conn, flow, loc string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM runs WHERE flow = $1 AND probe = $2 AND outcome = 'fail'`, flow, loc).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLocationsGlobalIncident: two locations, each against its own local
// Clerk, with alerts.min_failed_locations 2. A fault in one location shows
// in that location's runs and its own (silent) incident, and opens no
// global incident; the fault in both opens one global incident, and one
// set of notifications (open, then resolve) goes out.
func TestLocationsGlobalIncident(t *testing.T) {
	db := testkit.Postgres(t)
	conn := pgConn(t, db)
	hook := newReceiver(t, 200)
	withHook := func(c *config.Config) {
		c.Alerts.MinFailedLocations = 2
		c.Alerts.Channels = []config.Channel{{Name: "hook", Kind: config.KindWebhook, URL: sec(hook.URL)}}
	}
	eu := testkit.NewClerk(t, fakeclerk.Options{})
	us := testkit.NewClerk(t, fakeclerk.Options{})
	startReplica(t, replicaConfig(t, eu, db, "eu", withHook), "eu-a", serve.Options{})
	startReplica(t, replicaConfig(t, us, db, "us", withHook), "us-a", serve.Options{})

	setFault(t, eu, fakeclerk.FaultHealth503)
	waitFor(t, "the eu location's own incident", 15*time.Second, func() bool { _, open := incidentsAt(t, conn, "eu"); return open == 1 })
	waitFor(t, "four failing rounds in eu", 15*time.Second, func() bool { return failing(t, conn, "clerk-health", "eu") >= 4 })
	if all, _ := incidentsAt(t, conn, ""); all != 0 || len(hook.requests()) != 0 {
		t.Fatalf("a fault in one of two locations: %d global incidents, %d notifications; want none", all, len(hook.requests()))
	}
	if n := failing(t, conn, "clerk-health", "us"); n != 0 {
		t.Fatalf("us has %d failing runs without a fault", n)
	}

	setFault(t, us, fakeclerk.FaultHealth503)
	waitFor(t, "a global incident", 15*time.Second, func() bool { _, open := incidentsAt(t, conn, ""); return open == 1 })
	setFault(t, eu)
	setFault(t, us)
	waitFor(t, "the global incident resolved", 15*time.Second, func() bool { all, open := incidentsAt(t, conn, ""); return all == 1 && open == 0 })
	waitFor(t, "the open and resolve notifications", 10*time.Second, func() bool { return len(hook.requests()) >= 2 })
	time.Sleep(2 * replicaInterval) // nothing more may follow
	if all, _ := incidentsAt(t, conn, ""); all != 1 {
		t.Errorf("%d global incidents, want 1", all)
	}
	if n := len(hook.requests()); n != 2 {
		for _, r := range hook.requests() {
			t.Logf("notification: %s", r.body)
		}
		t.Errorf("%d notifications, want 2 (one open, one resolve)", n)
	}
}
