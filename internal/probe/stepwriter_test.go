package probe

import (
	"context"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// slowSteps is a store whose step writes wait until the flow has ended, as
// a database held by another writer would.
type slowSteps struct {
	store.Results
	flowEnded chan struct{}
}

func (s slowSteps) StepDone(ctx context.Context, runID int64, st result.Step) error {
	select {
	case <-s.flowEnded:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Results.StepDone(ctx, runID, st)
}

// TestStepWritesSpendNoFlowTime: a step write that cannot finish does not
// use the flow's time budget, and the final write keeps every step (review
// item 5).
func TestStepWritesSpendNoFlowTime(t *testing.T) {
	rn := testRunner(t)
	fc := rn.Config.Flows["user-api"]
	fc.Timeout = time.Second // shorter than a step write may wait
	rn.Config.Flows["user-api"] = fc
	st := slowSteps{Results: rn.Store, flowEnded: make(chan struct{})}
	rn.Store = st
	rec := rn.Run(context.Background(), stubFlow{run: func(ctx context.Context, r *Run) error {
		defer close(st.flowEnded)
		for _, name := range []string{"one", "two", "three"} {
			if err := r.Step(ctx, name, func(context.Context) error { return nil }); err != nil {
				return err
			}
		}
		return nil
	}})
	if rec.Outcome != result.Pass {
		t.Fatalf("outcome %s (%s), want pass", rec.Outcome, rec.Message)
	}
	got, err := st.Results.(store.Reader).Run(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Steps) != 3 {
		t.Errorf("stored %d steps, want 3", len(got.Steps))
	}
}
