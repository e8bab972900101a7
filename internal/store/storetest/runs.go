package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// testStepsAsTheyFinish: steps written one by one while the run goes on are
// replaced, not duplicated, by the final write.
func testStepsAsTheyFinish(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	r := run("sign-in", result.Running, T0)
	must(t, db.StartRun(ctx, r))
	for i := range 3 {
		must(t, db.StepDone(ctx, r.ID, step(i, T0)))
	}
	got, err := db.Run(ctx, r.ID)
	must(t, err)
	if names := stepNames(got.Steps); !reflect.DeepEqual(names, []string{"step-0", "step-1", "step-2"}) {
		t.Fatalf("steps while running = %v", names)
	}
	if got.Steps[1] != step(1, T0) {
		t.Errorf("step read back = %+v, want %+v", got.Steps[1], step(1, T0))
	}
	r.Outcome = result.Pass
	r.Steps = []result.Step{step(0, T0), step(1, T0), step(2, T0), step(3, T0)}
	must(t, db.FinishRun(ctx, r))
	got, err = db.Run(ctx, r.ID)
	must(t, err)
	if names := stepNames(got.Steps); !reflect.DeepEqual(names, []string{"step-0", "step-1", "step-2", "step-3"}) {
		t.Errorf("steps after FinishRun = %v, want each once", names)
	}
}

// testKilledRunKeepsSteps: a process on host A dies during a run; a new
// process with another host name (a restarted container) marks the run
// interrupted once A's heartbeat is StaleAfter old, not before, and the run
// keeps the steps it reached.
func testKilledRunKeepsSteps(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := &Clock{now: T0}
	a := process(t, open, "container-a", clock)
	r := run("sign-in", result.Running, T0)
	must(t, a.StartRun(ctx, r))
	must(t, a.StepDone(ctx, r.ID, step(0, T0)))
	must(t, a.StepDone(ctx, r.ID, step(1, T0)))
	// A is killed here: nothing more is written.

	clock.Set(T0.Add(30 * time.Second))
	b := process(t, open, "container-b", clock)
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Fatalf("MarkInterrupted with a fresh heartbeat = %d, %v; want 0", n, err)
	}
	clock.Set(T0.Add(61 * time.Second))
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Fatalf("MarkInterrupted with a stale heartbeat = %d, %v; want 1", n, err)
	}
	got, err := b.Run(ctx, r.ID)
	must(t, err)
	if got.Outcome != result.Interrupted || !strings.Contains(got.Message, "container-a") {
		t.Errorf("run = %s %q, want interrupted naming container-a", got.Outcome, got.Message)
	}
	if names := stepNames(got.Steps); !reflect.DeepEqual(names, []string{"step-0", "step-1"}) {
		t.Errorf("steps kept = %v, want the two it reached", names)
	}
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Errorf("MarkInterrupted again = %d, %v; want 0", n, err)
	}
}

// testLiveProcessesKeepTheirRuns: a process's own runs, and the runs of a
// process on another host that keeps beating, stay running.
func testLiveProcessesKeepTheirRuns(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := &Clock{now: T0}
	a := process(t, open, "host-a", clock)
	b := process(t, open, "host-b", clock)
	ra, rb := run("sign-in", result.Running, T0), run("sign-up", result.Running, T0)
	must(t, a.StartRun(ctx, ra))
	must(t, b.StartRun(ctx, rb))
	for _, at := range []time.Duration{50 * time.Second, 100 * time.Second, 150 * time.Second} {
		clock.Set(T0.Add(at))
		must(t, a.Heartbeat(ctx))
		if n, err := b.MarkInterrupted(ctx); err != nil || n != 0 {
			t.Fatalf("at +%s: B marked %d runs interrupted (%v); A beats and B's run is its own", at, n, err)
		}
	}
	for _, id := range []int64{ra.ID, rb.ID} {
		got, err := a.Run(ctx, id)
		must(t, err)
		if got.Outcome != result.Running {
			t.Errorf("run %d is %s, want running", id, got.Outcome)
		}
	}
}

// testVerdictQuery: Query.Verdicts keeps pass, fail and error only.
func testVerdictQuery(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	for i, o := range []result.Outcome{result.Pass, result.Fail, result.Interrupted, result.Error, result.Skipped} {
		save(t, db, run("sign-in", o, T0.Add(time.Duration(i)*time.Minute)))
	}
	runs, err := db.Runs(ctx, store.Query{Flow: "sign-in", Verdicts: true})
	must(t, err)
	var got []result.Outcome
	for _, r := range runs {
		got = append(got, r.Outcome)
	}
	if want := []result.Outcome{result.Error, result.Fail, result.Pass}; !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts = %v, want %v", got, want)
	}
}

// testRunRoundTrip: every field of a finished run, its steps, events and
// screenshots reads back as written; Run gives the screenshots' metadata,
// Screenshots their bytes; Runs and LastRuns carry no children.
func testRunRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	r := run("sign-in", result.Fail, T0)
	r.Probe, r.ClerkStatus, r.ClerkVersion = "eu-west", "operational", "5.40.0"
	r.Held = 1500 * time.Millisecond
	r.PageURL, r.PageTitle, r.Notes = "https://app.example.com/sign-in", "Sign in", []string{"cleanup skipped: no secret key"}
	r.Steps = []result.Step{step(0, T0), {Name: "sign-out", StartedAt: T0.Add(time.Second), Duration: time.Millisecond,
		Outcome: result.Fail, Error: "button not visible after 5s", Always: true}}
	r.Events = []result.Event{
		{Time: T0.Add(time.Second), Kind: result.EventRequest, Method: "POST", URL: "https://clerk.example.com/v1/client/sign_ins",
			Status: 422, ClerkCode: "form_password_incorrect", TraceID: "abc123", Duration: 87 * time.Millisecond},
		{Time: T0.Add(2 * time.Second), Kind: result.EventConsole, Level: "error", Text: "Clerk: failed", Source: "https://app.example.com/app.js"},
		{Time: T0.Add(2 * time.Second), Kind: result.EventRequestFailed, Method: "GET", URL: "https://clerk.example.com/npm/clerk.js",
			Text: "net::ERR_BLOCKED_BY_CLIENT", Failure: result.FailureBlocked, BlockedBy: "csp"},
	}
	r.Screenshots = []result.Screenshot{{Step: "step-0", When: "failure", Format: "png", TakenAt: T0.Add(3 * time.Second), Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2}}}
	save(t, db, r)

	got, err := db.Run(ctx, r.ID)
	must(t, err)
	want := *r
	want.Screenshots = []result.Screenshot{r.Screenshots[0]}
	want.Screenshots[0].Data = nil
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Run:\n got %+v\nwant %+v", *got, want)
	}
	shots, err := db.Screenshots(ctx, r.ID)
	must(t, err)
	if !reflect.DeepEqual(shots, r.Screenshots) {
		t.Errorf("Screenshots = %+v, want %+v", shots, r.Screenshots)
	}
	last, err := db.LastRuns(ctx)
	must(t, err)
	lr := last["sign-in"]
	if lr.ID != r.ID || lr.Steps != nil || lr.Screenshots != nil || lr.Probe != "eu-west" || !reflect.DeepEqual(lr.Diagnosis, r.Diagnosis) {
		t.Errorf("LastRuns[sign-in] = %+v", lr)
	}
	if _, err := db.Screenshots(ctx, r.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Screenshots of an unknown run = %v, want ErrNotFound", err)
	}
}

// testRetryOf: a later attempt keeps the id of its first attempt, and the
// daily rollup counts the superseded fail on the first attempt's day, not
// the retry's, and only when a later attempt got a verdict (an interrupted
// retry supersedes nothing).
func testRetryOf(t *testing.T, open Opener) {
	ctx := context.Background()
	d, ok := process(t, open, "host-a", &Clock{now: T0.Add(48 * time.Hour)}).(store.Dashboard)
	if !ok {
		t.Fatal("the store does not implement store.Dashboard")
	}
	db := d.(store.DB)
	day := T0.Truncate(24 * time.Hour)
	late := day.Add(24*time.Hour - time.Second) // a first attempt just before midnight
	first := run("sign-in", result.Fail, late)
	save(t, db, first)
	retry := run("sign-in", result.Pass, late.Add(2*time.Second)) // the next day
	retry.Attempt, retry.RetryOf = 2, first.ID
	save(t, db, retry)
	cut := run("sign-in", result.Fail, late.Add(time.Minute))
	save(t, db, cut)
	stopped := run("sign-in", result.Interrupted, late.Add(time.Minute+2*time.Second))
	stopped.Attempt, stopped.RetryOf = 2, cut.ID
	save(t, db, stopped)

	got, err := db.Run(ctx, retry.ID)
	must(t, err)
	if got.RetryOf != first.ID || got.Attempt != 2 {
		t.Errorf("retry: attempt %d retry_of %d, want 2 and %d", got.Attempt, got.RetryOf, first.ID)
	}
	runs, err := db.Runs(ctx, store.Query{Flow: "sign-in"})
	must(t, err)
	for _, r := range runs {
		if r.ID == first.ID && r.RetryOf != 0 {
			t.Errorf("first attempt has retry_of %d, want 0", r.RetryOf)
		}
	}
	checkDays(t, d, day, []store.DayStat{
		{Flow: "sign-in", Day: day, Fail: 1, Retried: 1},
		{Flow: "sign-in", Day: day.AddDate(0, 0, 1), Pass: 1, Flaky: 1, Fail: 1},
	})
}
