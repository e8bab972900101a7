package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// rebuildDepth is how many of a flow's latest runs are read to rebuild its
// counters: enough to see through the error runs inside a streak.
const rebuildDepth = 100

// rebuildBound is how far back the rebuild looks for a flow whose interval
// is not known (Options.Flows).
const rebuildBound = time.Hour

// windows are the cutoffs of one flow's streaks: a verdict older than its
// streak's cutoff (threshold × interval × 2) no longer counts. A fail from
// days ago plus one new fail is not two fails in a row.
type windows struct {
	fail, pass, err time.Time
}

func (t *Tracker) windows(flow string) windows {
	now := t.o.Now()
	cut := func(n int) time.Time {
		iv, ok := t.o.Flows[flow]
		if !ok || iv <= 0 {
			return now.Add(-rebuildBound)
		}
		return now.Add(-time.Duration(n) * iv * 2)
	}
	return windows{fail: cut(t.o.FailureThreshold), pass: cut(t.o.SuccessThreshold), err: cut(t.o.ErrorThreshold)}
}

func (w windows) earliest() time.Time {
	e := w.fail
	for _, c := range []time.Time{w.pass, w.err} {
		if c.Before(e) {
			e = c
		}
	}
	return e
}

// rebuild restores the state a previous process left: the open incidents,
// and the streaks of fails, passes and errors that the latest verdicts in the
// store make. No message is sent for what it finds.
func (t *Tracker) rebuild(ctx context.Context) error {
	open, err := t.st.OpenIncidents(ctx)
	if err != nil {
		return err
	}
	for i := range open {
		in := &open[i]
		if in.Location != t.o.Location {
			continue
		}
		switch in.Kind {
		case result.IncidentFlow:
			t.flow(in.Flow).open = in
		case result.IncidentMonitor:
			t.monitor = in
		}
	}
	last, err := t.st.LastRuns(ctx)
	if err != nil {
		return err
	}
	for name := range last {
		w := t.windows(name)
		runs, err := t.st.Runs(ctx, store.Query{Flow: name, Since: w.earliest(), Limit: rebuildDepth})
		if err != nil {
			return fmt.Errorf("latest verdicts of %s: %w", name, err)
		}
		vs := verdicts(runs)
		t.rebuildFlow(t.flow(name), vs, w)
		t.rebuildErrors(name, vs, w.err)
	}
	return nil
}

// rebuildErrors sets a flow's streak of error runs from its verdicts, newest
// first.
func (t *Tracker) rebuildErrors(name string, runs []*result.Run, since time.Time) {
	for _, r := range runs {
		if r.Outcome != result.Error || r.StartedAt.Before(since) {
			return
		}
		t.errors[name] = append([]*result.Run{r}, t.errors[name]...)
	}
}

// rebuildFlow sets a flow's streak from its verdicts, newest first.
func (t *Tracker) rebuildFlow(fs *flowState, runs []*result.Run, w windows) {
	for _, r := range runs {
		switch {
		case r.Outcome == result.Error:
			continue // errors neither count nor break a streak
		case fs.open != nil && r.Outcome == result.Pass && !r.StartedAt.Before(w.pass):
			fs.passes++
		case fs.open == nil && r.Outcome == result.Fail && !r.StartedAt.Before(w.fail):
			fs.fails = append([]*result.Run{r}, fs.fails...)
		default:
			return
		}
	}
}

// verdicts returns pointers to the runs with a verdict (pass, fail, error;
// newest first), leaving out the attempts a later attempt replaced (serve
// stores every attempt, and Observe sees only the last one). Attempts are
// linked by RetryOf, the first attempt's id; runs stored before it existed
// (RetryOf 0 with attempt > 1) fall back to their order: the runs of that
// flow stored just before attempt k with attempts k-1, ..., 1. A retry cut
// short (interrupted by a restart) replaces its earlier attempts too: the
// fail that led to it was never a verdict.
func verdicts(runs []result.Run) []*result.Run {
	var out []*result.Run
	want := map[string]int{}    // legacy: the attempt number of the earlier attempt expected next
	replaced := map[int64]int{} // first attempt id -> the attempt number that replaced the ones before it
	for i := range runs {
		r := &runs[i]
		first := r.RetryOf
		if first == 0 && replaced[r.ID] > 0 {
			first = r.ID
		}
		switch {
		case first != 0 && replaced[first] > r.Attempt:
			continue
		case first != 0:
			replaced[first] = r.Attempt
		case want[r.Flow] > 0 && r.Attempt == want[r.Flow]:
			want[r.Flow]--
			continue
		default:
			want[r.Flow] = r.Attempt - 1
		}
		switch r.Outcome {
		case result.Pass, result.Fail, result.Error:
			out = append(out, r)
		}
	}
	return out
}
