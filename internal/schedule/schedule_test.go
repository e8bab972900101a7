package schedule

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// fakeFlow is a flow the fake runner "runs" by calling work.
type fakeFlow struct {
	name    string
	browser bool
}

func (f fakeFlow) Name() string                                { return f.name }
func (f fakeFlow) Description() string                         { return "fake" }
func (f fakeFlow) NeedsBrowser() bool                          { return f.browser }
func (f fakeFlow) Run(ctx context.Context, r *probe.Run) error { return nil }

type span struct {
	flow       string
	start, end time.Time
}

// fakeRunner records every run's start and end; work decides how a run goes.
type fakeRunner struct {
	mu    sync.Mutex
	spans []span
	work  func(ctx context.Context, flow string) result.Outcome
}

func (r *fakeRunner) RunWithRetries(ctx context.Context, f probe.Flow, retries int) *result.Run {
	start := time.Now()
	out := r.work(ctx, f.Name())
	r.mu.Lock()
	r.spans = append(r.spans, span{f.Name(), start, time.Now()})
	r.mu.Unlock()
	return &result.Run{Flow: f.Name(), Outcome: out, StartedAt: start}
}

func (r *fakeRunner) count(flow string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.spans {
		if s.flow == flow {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or the test's patience ends.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not waiting for a page
	}
}

// TestScheduleNoOverlapWithinCap: every flow runs repeatedly, none overlaps
// itself, and browser flows never exceed the cap.
func TestScheduleNoOverlapWithinCap(t *testing.T) {
	t.Parallel()
	rn := &fakeRunner{work: func(ctx context.Context, flow string) result.Outcome {
		select { // each run takes longer than some intervals: slots must be skipped, not stacked
		case <-time.After(40 * time.Millisecond):
		case <-ctx.Done():
		}
		return result.Pass
	}}
	flows := []fakeFlow{{"b1", true}, {"b2", true}, {"b3", true}, {"api", false}, {"health", false}}
	var jobs []Job
	for _, f := range flows {
		jobs = append(jobs, Job{Flow: f, Interval: 30 * time.Millisecond})
	}
	var verdicts sync.Map
	s, err := New(Options{Jobs: jobs, Runner: rn, MaxConcurrent: 2, MinInterval: time.Millisecond,
		OnVerdict: func(ctx context.Context, r *result.Run) { verdicts.Store(r.Flow, true) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three runs of every flow", func() bool {
		for _, f := range flows {
			if rn.count(f.name) < 3 {
				return false
			}
		}
		return true
	})
	s.Stop(5 * time.Second)
	rn.mu.Lock()
	spans := append([]span(nil), rn.spans...)
	rn.mu.Unlock()
	for i, a := range spans {
		browsers := 0
		for j, b := range spans {
			if i != j && a.flow == b.flow && overlap(a, b) {
				t.Errorf("%s overlaps itself: %v–%v and %v–%v", a.flow, a.start, a.end, b.start, b.end)
			}
			if strings.HasPrefix(b.flow, "b") && b.start.Before(a.start) && b.end.After(a.start) {
				browsers++
			}
		}
		if strings.HasPrefix(a.flow, "b") && browsers+1 > 2 {
			t.Errorf("%d browser flows at once at %v, cap 2", browsers+1, a.start)
		}
	}
	for _, f := range flows {
		if _, ok := verdicts.Load(f.name); !ok {
			t.Errorf("no verdict handed over for %s", f.name)
		}
	}
}

func overlap(a, b span) bool { return a.start.Before(b.end) && b.start.Before(a.end) }

// TestScheduleCapExcludesNonBrowserFlows: with the only browser slot taken,
// a flow that needs no browser still runs.
func TestScheduleCapExcludesNonBrowserFlows(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var browsers atomic.Int32 // browser runs started
	rn := &fakeRunner{work: func(ctx context.Context, flow string) result.Outcome {
		if flow != "api" {
			browsers.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return result.Pass
	}}
	s, err := New(Options{Runner: rn, MaxConcurrent: 1, MinInterval: time.Millisecond, Spread: time.Millisecond,
		Jobs: []Job{{Flow: fakeFlow{"browser", true}, Interval: 20 * time.Millisecond},
			{Flow: fakeFlow{"browser2", true}, Interval: 20 * time.Millisecond},
			{Flow: fakeFlow{"api", false}, Interval: 20 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "api to run while the browser slot is taken", func() bool { return rn.count("api") >= 3 })
	if n := browsers.Load(); n != 1 {
		t.Errorf("%d browser runs started with one slot, want 1", n)
	}
	close(release)
	waitFor(t, "both browser flows once the slot is free", func() bool { return rn.count("browser") >= 1 && rn.count("browser2") >= 1 })
	s.Stop(5 * time.Second)
}

// TestScheduleStopGrace: Stop lets a run finish within the grace (its
// verdict counts), cancels one that outlasts it (its verdict is dropped), and
// starts nothing afterwards.
func TestScheduleStopGrace(t *testing.T) {
	t.Parallel()
	started := make(chan string, 10)
	rn := &fakeRunner{work: func(ctx context.Context, flow string) result.Outcome {
		started <- flow
		if flow == "quick" {
			time.Sleep(20 * time.Millisecond) // a run that ends within the grace
			return result.Pass
		}
		<-ctx.Done() // a run that would last for ever
		return result.Interrupted
	}}
	var mu sync.Mutex
	var got []string
	s, err := New(Options{Runner: rn, MinInterval: time.Millisecond, Spread: time.Millisecond,
		Jobs: []Job{{Flow: fakeFlow{"slow", true}, Interval: time.Hour}, {Flow: fakeFlow{"quick", false}, Interval: time.Hour}},
		OnVerdict: func(ctx context.Context, r *result.Run) {
			mu.Lock()
			got = append(got, r.Flow+" "+string(r.Outcome))
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-started
	<-started
	if !s.Running() || s.Check(time.Now()) != nil {
		t.Errorf("Running %v, Check %v while running", s.Running(), s.Check(time.Now()))
	}
	s.Stop(200 * time.Millisecond)
	if s.Running() || s.Check(time.Now()) == nil {
		t.Error("the scheduler still says it runs after Stop")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "quick pass" {
		t.Errorf("verdicts = %q, want only the quick run's pass", got)
	}
	if n := rn.count("slow"); n != 1 {
		t.Errorf("slow ran %d times, want 1 (cancelled at the end of the grace)", n)
	}
}

// TestSchedulePlan: the first flow starts at once, the others one spread
// apart; an interval under the minimum is refused, naming the field.
func TestSchedulePlan(t *testing.T) {
	t.Parallel()
	rn := &fakeRunner{work: func(context.Context, string) result.Outcome { return result.Pass }}
	jobs := []Job{{Flow: fakeFlow{"sign-in", true}, Interval: time.Minute},
		{Flow: fakeFlow{"session", true}, Interval: 5 * time.Minute},
		{Flow: fakeFlow{"clerk-health", false}, Interval: 5 * time.Minute}}
	s, err := New(Options{Runner: rn, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	var offsets []time.Duration
	for _, p := range s.Plan() {
		offsets = append(offsets, p.Offset)
	}
	if want := []time.Duration{0, 10 * time.Second, 20 * time.Second}; !equal(offsets, want) {
		t.Errorf("offsets = %v, want %v (a minute over 3 flows, at most 10s)", offsets, want)
	}
	_, err = New(Options{Runner: rn, Jobs: []Job{{Flow: fakeFlow{"sign-in", true}, Interval: time.Second}}})
	if err == nil || !strings.Contains(err.Error(), "flows.sign-in.interval: 1s is shorter than the minimum 30s") {
		t.Errorf("err = %v, want the interval named", err)
	}
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
