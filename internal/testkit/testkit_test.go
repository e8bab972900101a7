package testkit_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }

// TestSharedClerkRunsAFlow: the shared local Clerk, its config and a runner
// recording into a real SQLite file work together (no browser needed).
func TestSharedClerkRunsAFlow(t *testing.T) {
	cfg := testkit.Config(t, testkit.SharedClerk(t))
	st := testkit.Store(t, cfg)
	rn := testkit.Runner(t, cfg, st, nil)
	rec := rn.Run(context.Background(), flows.ByName("clerk-health"))
	if rec.Outcome != result.Pass {
		t.Fatalf("clerk-health: %s: %s", rec.Outcome, rec.Message)
	}
	got, err := st.Run(context.Background(), rec.ID)
	if err != nil || got.Outcome != result.Pass {
		t.Fatalf("stored run: %+v, %v", got, err)
	}
}

// TestPostgres: a real PostgreSQL answers on loopback, with a database of
// the test's own, and comes back after a stop.
func TestPostgres(t *testing.T) {
	url := testkit.Postgres(t)
	ask := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		var n int
		return conn.QueryRow(ctx, "SELECT 1").Scan(&n)
	}
	if err := ask(); err != nil {
		t.Fatal(err)
	}
	testkit.PostgresStop(t)
	if err := ask(); err == nil {
		t.Fatal("PostgreSQL answered while stopped")
	}
	testkit.PostgresStart(t)
	if err := ask(); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
