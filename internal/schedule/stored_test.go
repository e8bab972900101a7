package schedule

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// tabFlow stands in for a browser flow under a real flow's name (the runner
// runs only known flows): it holds a real browser tab for a while, so the
// cap on browser flows is tested on real tabs without a page's cost.
type tabFlow struct{ name string }

func (f tabFlow) Name() string        { return f.name }
func (f tabFlow) Description() string { return "holds a tab" }
func (f tabFlow) NeedsBrowser() bool  { return true }
func (f tabFlow) Run(ctx context.Context, r *probe.Run) error {
	return r.Step(ctx, "hold the tab", func(ctx context.Context) error {
		select {
		case <-time.After(300 * time.Millisecond): // the flow's work, not a wait for a page
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

// TestScheduleStoredRuns: against the local Clerk, with the real runner,
// store and Chromium, every flow runs on its interval, never overlapping
// itself, and browser flows stay within the cap, all read back from the
// stored start times and durations.
func TestScheduleStoredRuns(t *testing.T) {
	ck := testkit.SharedClerk(t)
	cfg := testkit.Config(t, ck, func(c *config.Config) { c.Browser.Screenshots = config.ScreenshotsNever })
	st := testkit.Store(t, cfg)
	rn := testkit.Runner(t, cfg, st, nil)
	const interval = 400 * time.Millisecond
	jobs := []Job{
		{Flow: flows.ByName("clerk-health"), Interval: interval},
		{Flow: tabFlow{"sign-in"}, Interval: interval},
		{Flow: tabFlow{"sign-up"}, Interval: interval},
		{Flow: tabFlow{"session"}, Interval: interval},
		{Flow: flows.ByName("user-api"), Interval: interval},
	}
	s, err := New(Options{Jobs: jobs, Runner: rn, MaxConcurrent: 2, MinInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	stored := func(flow string) []result.Run {
		rs, err := st.Runs(context.Background(), store.Query{Flow: flow, Verdicts: true})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	waitFor(t, "two stored runs of each browser flow, three of the others", func() bool {
		for _, j := range jobs {
			if want := map[bool]int{true: 2, false: 3}[j.Flow.NeedsBrowser()]; len(stored(j.Flow.Name())) < want {
				return false
			}
		}
		return true
	})
	s.Stop(30 * time.Second)

	var browserRuns []result.Run
	for _, j := range jobs {
		rs := stored(j.Flow.Name())
		sort.Slice(rs, func(a, b int) bool { return rs[a].StartedAt.Before(rs[b].StartedAt) })
		for i, r := range rs {
			if r.Outcome != result.Pass {
				t.Errorf("%s run %d: %s %q", r.Flow, r.ID, r.Outcome, r.Message)
			}
			if i == 0 {
				continue
			}
			prev := rs[i-1]
			if prevEnd := prev.StartedAt.Add(prev.Duration); r.StartedAt.Before(prevEnd) {
				t.Errorf("%s overlaps itself: run %d started %v before run %d ended %v", r.Flow, r.ID, r.StartedAt, prev.ID, prevEnd)
			}
		}
		// On schedule: starts come on a grid of one interval (gocron's
		// timers; a late start does not move the next), so n runs span at
		// least n-1 intervals, less one interval for a late first start.
		if n := len(rs); n > 1 {
			if span := rs[n-1].StartedAt.Sub(rs[0].StartedAt); span < time.Duration(n-2)*interval {
				t.Errorf("%s ran %d times within %s: more often than every %s", j.Flow.Name(), n, span, interval)
			}
		}
		if j.Flow.NeedsBrowser() {
			browserRuns = append(browserRuns, rs...)
		}
	}
	for _, a := range browserRuns {
		at := 0
		for _, b := range browserRuns {
			if !b.StartedAt.After(a.StartedAt) && b.StartedAt.Add(b.Duration).After(a.StartedAt) {
				at++
			}
		}
		if at > 2 {
			t.Errorf("%d browser flows running at %v, cap 2", at, a.StartedAt)
		}
	}
}
