package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// t0 is the start of the test runs; tests never compare against the clock.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

// openTest opens a new store in a temporary folder, closed with the test.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openTestWith(t, Options{})
}

// openTestWith is openTest with options.
func openTestWith(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "loginprobe.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sampleRun is a finished run of flow with nSteps steps, nEvents events and
// one screenshot per entry of shots (its When), each of shotSize bytes.
func sampleRun(flow string, outcome result.Outcome, start time.Time, nSteps, nEvents int, shotSize int, shots ...string) result.Run {
	r := result.Run{
		Flow: flow, Target: "pk host clerk.example.com + https://app.example.com/sign-in",
		Probe: "eu-1", Attempt: 1, StartedAt: start, Duration: 4321 * time.Millisecond,
		Outcome: outcome, ClerkStatus: "operational", ClerkVersion: "5.40.0",
		PageURL: "https://app.example.com/dashboard", PageTitle: "Dashboard",
		Notes: []string{"cleanup skipped: no secret key"},
	}
	if outcome != result.Pass {
		r.Message = `waiting for .cl-signIn-root: not visible after 15s`
		r.Diagnosis = result.Diagnosis{Cause: result.CauseClerkOutage, Summary: "FAPI answered 503",
			Next: "check status.clerk.com", Evidence: []string{"GET /v1/client 503", "console: Clerk: failed to load"}}
	}
	for i := range nSteps {
		r.Steps = append(r.Steps, result.Step{Name: fmt.Sprintf("step-%d", i),
			StartedAt: start.Add(time.Duration(i) * time.Second), Duration: time.Duration(i+1) * time.Millisecond,
			Outcome: result.Pass, Always: i == nSteps-1})
	}
	if nSteps > 0 && outcome == result.Fail {
		r.Steps[0].Outcome, r.Steps[0].Error = result.Fail, "expected status 200, saw 503"
	}
	for i := range nEvents {
		e := result.Event{Time: start.Add(time.Duration(i) * time.Millisecond), Kind: result.EventRequest,
			Method: "GET", URL: fmt.Sprintf("https://clerk.example.com/v1/client?_clerk_js_version=5.40.0&n=%d", i),
			Status: 200, TraceID: fmt.Sprintf("trace-%d", i), Duration: 12 * time.Millisecond}
		if i%3 == 1 {
			e = result.Event{Time: e.Time, Kind: result.EventConsole, Level: "error",
				Text: "Clerk: something went wrong", Source: "https://app.example.com/_next/app.js"}
		}
		if i%3 == 2 {
			e = result.Event{Time: e.Time, Kind: result.EventRequestFailed, Method: "GET", URL: "https://app.example.com/blocked.js",
				Text: "net::ERR_BLOCKED_BY_CSP (blocked by csp)", Failure: result.FailureBlocked, BlockedBy: "csp"}
		}
		r.Events = append(r.Events, e)
	}
	for i, when := range shots {
		data := make([]byte, shotSize)
		for j := range data {
			data[j] = byte(i*31 + j*7)
		}
		r.Screenshots = append(r.Screenshots, result.Screenshot{Step: "step-0", When: when,
			Format: "png", TakenAt: start.Add(time.Duration(i+1) * time.Second), Data: data})
	}
	return r
}

// store writes r as a started then finished run and returns its id.
func store(t testing.TB, s *Store, r result.Run) int64 {
	t.Helper()
	ctx := context.Background()
	final := r
	start := result.Run{Flow: r.Flow, Target: r.Target, StartedAt: r.StartedAt}
	if err := s.StartRun(ctx, &start); err != nil {
		t.Fatal(err)
	}
	final.ID = start.ID
	if err := s.FinishRun(ctx, &final); err != nil {
		t.Fatal(err)
	}
	return final.ID
}

// count returns the number of rows q counts.
func count(t testing.TB, s *Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.r.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// equal fails the test if got differs from want.
func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}
