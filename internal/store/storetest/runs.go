package storetest

import (
	"context"
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
