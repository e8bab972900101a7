package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/postgres"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// TestBufferWhilePostgresDown: PostgreSQL stops while runs go on. Runs
// finished meanwhile keep their verdicts and are buffered (FinishRun returns
// nil), Healthy fails (what /readyz reports), a bound drops the oldest with
// a count, and once PostgreSQL is back KeepAlive writes every buffered run.
// Not parallel: it stops the test binary's one server.
func TestBufferWhilePostgresDown(t *testing.T) {
	ctx := context.Background()
	url := testkit.Postgres(t)
	pg, err := postgres.Open(ctx, url, store.Options{Host: "replica-1", BeatEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	buf := store.NewBuffer(pg, store.BufferOptions{FlushEvery: 50 * time.Millisecond})
	defer buf.Close()
	small := store.NewBuffer(pg, store.BufferOptions{MaxRuns: 2})

	started := &result.Run{Flow: "sign-in", StartedAt: time.Now()} // in flight when the database goes
	must(t, buf.StartRun(ctx, started))
	testkit.PostgresStop(t)
	stopped := true
	defer func() {
		if stopped {
			testkit.PostgresStart(t)
		}
	}()

	if err := buf.Healthy(ctx); err == nil {
		t.Fatal("Healthy with PostgreSQL stopped = nil, want an error")
	}
	started.Outcome, started.Duration = result.Pass, time.Second
	runs := []*result.Run{started,
		{Flow: "sign-up", StartedAt: time.Now(), Outcome: result.Fail, Message: "expected the verify page, saw 500",
			Diagnosis:   result.Diagnosis{Cause: result.CauseApp, Evidence: []string{"GET /sign-up 500"}},
			Screenshots: []result.Screenshot{{Step: "submit", When: "failure", Format: "png", TakenAt: time.Now(), Data: []byte("png")}}},
		{Flow: "user-api", StartedAt: time.Now(), Outcome: result.Pass},
	}
	if err := buf.StartRun(ctx, &result.Run{Flow: "user-api"}); err == nil {
		t.Error("StartRun with PostgreSQL stopped = nil, want the error (the runner goes on and inserts at the end)")
	}
	for _, r := range runs {
		if err := buf.FinishRun(ctx, r); err != nil {
			t.Fatalf("FinishRun(%s) with PostgreSQL stopped = %v, want buffered", r.Flow, err)
		}
		if err := small.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Buffered() != 3 || small.Buffered() != 2 || small.Dropped() != 1 {
		t.Fatalf("buffered %d (bound 2: %d, dropped %d), want 3 (2, 1)", buf.Buffered(), small.Buffered(), small.Dropped())
	}

	kctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); buf.KeepAlive(kctx, nil) }()
	testkit.PostgresStart(t)
	stopped = false
	waitFor(t, func() bool { return buf.Buffered() == 0 })
	stop()
	<-done
	must(t, buf.Healthy(ctx))
	if buf.Dropped() != 0 {
		t.Errorf("%d runs dropped, want none (the bound was not reached)", buf.Dropped())
	}

	stored, err := pg.Runs(ctx, store.Query{})
	must(t, err)
	got := map[string]result.Outcome{}
	for _, r := range stored {
		got[r.Flow] = r.Outcome
	}
	want := map[string]result.Outcome{"sign-in": result.Pass, "sign-up": result.Fail, "user-api": result.Pass}
	if len(stored) != 3 || len(got) != 3 || got["sign-in"] != want["sign-in"] || got["sign-up"] != want["sign-up"] || got["user-api"] != want["user-api"] {
		t.Errorf("stored runs %v (%d rows), want %v", got, len(stored), want)
	}
	r, err := pg.Run(ctx, started.ID)
	must(t, err)
	if r.Outcome != result.Pass {
		t.Errorf("the run in flight is %s, want pass (its started row updated)", r.Outcome)
	}
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within a minute")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not waiting for a page
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
