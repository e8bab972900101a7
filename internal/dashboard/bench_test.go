package dashboard

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/store"
)

// benchNow is the end of the synthetic history.
var benchNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// benchFlows: sign-in every minute, the others every 5 minutes, as serve's
// defaults run them: 1,000,000 runs are about 270 days of history.
var benchFlows = []struct {
	name  string
	every time.Duration
}{
	{"sign-in", time.Minute}, {"session", 5 * time.Minute}, {"sign-up", 5 * time.Minute},
	{"password-reset", 5 * time.Minute}, {"oauth-github", 5 * time.Minute}, {"oauth-google", 5 * time.Minute},
	{"user-api", 5 * time.Minute}, {"clerk-health", 5 * time.Minute}, {"sign-in-eu", 5 * time.Minute},
}

// BenchmarkOverview1M renders the overview over 1,000,000 stored runs. The
// database is filled once (one transaction, a few seconds) and kept in the
// temporary folder for later runs. Run it with
//
//	go test -run '^$' -bench Overview1M -benchtime 20x ./internal/dashboard/
func BenchmarkOverview1M(b *testing.B) {
	path := filepath.Join(os.TempDir(), "loginprobe-bench-overview-1m-v1.db")
	if _, err := os.Stat(path); err != nil {
		if err := fillBench(path, 1_000_000); err != nil {
			os.Remove(path)
			b.Fatal(err)
		}
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h, err := New(st, Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{"/", "/status"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
				if rec.Code != 200 {
					b.Fatalf("GET %s = %d", p, rec.Code)
				}
			}
		})
	}
}

// fillBench writes n runs ending at benchNow in one transaction: 1% fail
// (half of them retried, passing on attempt 2), 0.5% error.
func fillBench(path string, n int) error {
	ctx := context.Background()
	st, err := store.Open(ctx, path) // creates the schema
	if err != nil {
		return err
	}
	st.Close()
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO runs (flow, target, attempt, started_at, duration_ns, outcome, cause, summary, finished_at)
VALUES (?, 'https://app.example.com/sign-in', ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	per := 0.0 // runs per minute over all flows
	for _, f := range benchFlows {
		per += float64(time.Minute) / float64(f.every)
	}
	span := time.Duration(float64(n) / per * float64(time.Minute))
	start := benchNow.Add(-span)
	written := 0
	for _, f := range benchFlows {
		for at := start; at.Before(benchNow) && written < n; at = at.Add(f.every) {
			outcome, cause, summary, attempt := "pass", "", "", 1
			switch x := rng.IntN(1000); {
			case x < 10:
				outcome, cause, summary = "fail", "clerk_outage", "FAPI answered 503"
			case x < 15:
				outcome, cause, summary = "error", "monitor", "browser crashed"
			}
			dur := time.Duration(2000+rng.IntN(3000)) * time.Millisecond
			if _, err := ins.ExecContext(ctx, f.name, attempt, at.UTC().Format("2006-01-02T15:04:05.000000000Z"), int64(dur),
				outcome, cause, summary, at.Add(dur).UTC().Format("2006-01-02T15:04:05.000000000Z")); err != nil {
				return err
			}
			written++
		}
	}
	if written < n {
		return fmt.Errorf("wrote %d runs, want %d", written, n)
	}
	return tx.Commit()
}
