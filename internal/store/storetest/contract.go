// Package storetest is the contract every store implementation passes: the
// SQLite store runs it now, a PostgreSQL store will run the same suite, so
// the two cannot drift. Tests set the clock and the host name through
// store.Options to play several processes against one database.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// Opener opens the database under test. Every call within one test opens the
// same database, as another process would; the opener closes each store when
// the test ends.
type Opener func(t *testing.T, o store.Options) store.DB

// T0 is the time the contract's records start at; tests never read the clock.
var T0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

// RunContract runs the contract; newDB returns an Opener for a new, empty
// database.
func RunContract(t *testing.T, newDB func(t *testing.T) Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"StepsAsTheyFinish", testStepsAsTheyFinish},
		{"KilledRunKeepsSteps", testKilledRunKeepsSteps},
		{"LiveProcessesKeepTheirRuns", testLiveProcessesKeepTheirRuns},
		{"VerdictQuery", testVerdictQuery},
		{"IncidentLifecycle", testIncidentLifecycle},
		{"IncidentQueries", testIncidentQueries},
		{"Notifications", testNotifications},
		{"Retention", testRetention},
		{"DashboardReads", testDashboardReads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newDB(t))
		})
	}
}

// Clock is a settable clock for store.Options.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// process opens db as a process on host whose clock is c.
func process(t *testing.T, open Opener, host string, c *Clock) store.DB {
	t.Helper()
	return open(t, store.Options{Host: host, Now: c.Now, StaleAfter: time.Minute, BeatEvery: time.Hour})
}

// run returns a run of flow with outcome, started at start.
func run(flow string, outcome result.Outcome, start time.Time) *result.Run {
	r := &result.Run{Flow: flow, Target: "https://app.example.com/sign-in", Attempt: 1,
		StartedAt: start, Duration: 3 * time.Second, Outcome: outcome}
	if outcome == result.Fail || outcome == result.Error {
		r.Message = "expected .cl-userButton, saw 500"
		r.Diagnosis = result.Diagnosis{Cause: result.CauseClerkOutage, Summary: "FAPI answered 503 at " + start.Format(time.Kitchen),
			Next: "check status.clerk.com", Evidence: []string{"POST /v1/client/sign_ins 503"}}
	}
	return r
}

// step returns step i of a run started at start.
func step(i int, start time.Time) result.Step {
	return result.Step{Name: fmt.Sprintf("step-%d", i), StartedAt: start.Add(time.Duration(i) * time.Second),
		Duration: time.Duration(i+1) * time.Millisecond, Outcome: result.Pass}
}

// save writes r as started, then finished, and returns its id.
func save(t *testing.T, db store.DB, r *result.Run) int64 {
	t.Helper()
	ctx := context.Background()
	final := *r
	start := result.Run{Flow: r.Flow, Target: r.Target, StartedAt: r.StartedAt}
	must(t, db.StartRun(ctx, &start))
	final.ID = start.ID
	must(t, db.FinishRun(ctx, &final))
	r.ID = final.ID
	return final.ID
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func stepNames(steps []result.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name)
	}
	return out
}
