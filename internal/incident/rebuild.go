package incident

import (
	"context"
	"fmt"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// rebuildDepth is how many of a flow's latest verdicts are read to rebuild
// its counters: enough to see through the error runs inside a streak.
const rebuildDepth = 100

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
		runs, err := t.st.Runs(ctx, store.Query{Flow: name, Verdicts: true, Limit: rebuildDepth})
		if err != nil {
			return fmt.Errorf("latest verdicts of %s: %w", name, err)
		}
		t.rebuildFlow(t.flow(name), verdicts(runs))
	}
	runs, err := t.st.Runs(ctx, store.Query{Verdicts: true, Limit: t.o.ErrorThreshold})
	if err != nil {
		return fmt.Errorf("latest verdicts: %w", err)
	}
	for _, r := range verdicts(runs) { // newest first
		if r.Outcome != result.Error || t.monitor != nil {
			break
		}
		t.errors = append([]*result.Run{r}, t.errors...)
	}
	return nil
}

// rebuildFlow sets a flow's streak from its verdicts, newest first.
func (t *Tracker) rebuildFlow(fs *flowState, runs []*result.Run) {
	for _, r := range runs {
		switch {
		case r.Outcome == result.Error:
			continue // errors neither count nor break a streak
		case fs.open != nil && r.Outcome == result.Pass:
			fs.passes++
		case fs.open == nil && r.Outcome == result.Fail:
			fs.fails = append([]*result.Run{r}, fs.fails...)
		default:
			return
		}
	}
}

// verdicts returns pointers to runs (newest first), leaving out the
// attempts a retry replaced: when a flow's run has attempt k > 1 and the runs
// of that flow stored just before it have attempts k-1, ..., 1, those are
// the earlier attempts of the same verdict (serve stores every attempt, and
// Observe sees only the last one).
func verdicts(runs []result.Run) []*result.Run {
	var out []*result.Run
	want := map[string]int{} // the attempt number of the earlier attempt expected next
	for i := range runs {
		r := &runs[i]
		if w := want[r.Flow]; w > 0 && r.Attempt == w {
			want[r.Flow] = w - 1
			continue
		}
		want[r.Flow] = r.Attempt - 1
		out = append(out, r)
	}
	return out
}
