package serve

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// recorder is the runner's store, remembering which runs it could not
// record: in serve, a verdict that is not in the database is loginprobe's
// own failure (an error), never the target's.
type recorder struct {
	store.Results
	mu     sync.Mutex
	failed map[runKey]error
}

// runKey names one attempt of a run: the runner may store a compacted copy
// of the record it returns, so the record's address cannot.
type runKey struct {
	flow    string
	started time.Time
	attempt int
}

func keyOf(r *result.Run) runKey { return runKey{r.Flow, r.StartedAt, r.Attempt} }

func newRecorder(st store.Results) *recorder {
	return &recorder{Results: st, failed: map[runKey]error{}}
}

// FinishRun records the run and remembers the outcome of its last try.
func (r *recorder) FinishRun(ctx context.Context, run *result.Run) error {
	err := r.Results.FinishRun(ctx, run)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		delete(r.failed, keyOf(run))
		return nil
	}
	if len(r.failed) > 100 { // earlier attempts of retried runs are never asked about
		clear(r.failed)
	}
	r.failed[keyOf(run)] = err
	return err
}

// take returns (and forgets) the error that kept run out of the database.
func (r *recorder) take(run *result.Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.failed[keyOf(run)]
	delete(r.failed, keyOf(run))
	return err
}

// verdict is the scheduler's OnVerdict: a run that could not be recorded
// becomes an error of loginprobe's; the verdict then goes to the metrics,
// the browser health and the incident tracker.
func (d *daemon) verdict(ctx context.Context, run *result.Run) {
	if err := d.rec.take(run); err != nil {
		v := *run
		v.Outcome = result.Error
		v.Diagnosis = result.Diagnosis{
			Cause:   result.CauseMonitor,
			Summary: fmt.Sprintf("loginprobe could not record the run (it was %s): %v", run.Outcome, err),
			Next:    "check the database file and its disk: free space, permissions, a read-only mount",
		}
		run = &v
	}
	d.health.observe(run)
	d.metrics.ObserveRun(run)
	if err := d.tracker.Observe(ctx, run); err != nil {
		d.log.Warn("incident tracking", "flow", run.Flow, "run", run.ID, "err", err)
	}
	if run.Outcome != result.Pass {
		d.log.Info("run", "flow", run.Flow, "id", run.ID, "outcome", run.Outcome, "cause", run.Diagnosis.Cause, "summary", run.Diagnosis.Summary)
	}
}
