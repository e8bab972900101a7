package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// TestCancelledRunIsInterrupted: a run whose caller's context is cancelled
// mid-step (SIGTERM, SIGINT, a shutdown) is interrupted, in the record and
// in the store, as a run of a killed process is; its cleanups still run.
func TestCancelledRunIsInterrupted(t *testing.T) {
	t.Parallel()
	rn := testRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cleaned := false
	rec := rn.Run(ctx, stubFlow{run: func(ctx context.Context, r *Run) error {
		r.Always("cleanup", func(context.Context) error { cleaned = true; return nil })
		return r.Step(ctx, "wait for the answer", func(ctx context.Context) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		})
	}})
	if rec.Outcome != result.Interrupted || !strings.HasPrefix(rec.Message, "interrupted: loginprobe was stopped") {
		t.Fatalf("outcome %s (%s), want interrupted", rec.Outcome, rec.Message)
	}
	if !cleaned {
		t.Error("the always-run step did not run")
	}
	if rec.Steps[0].Outcome != result.Interrupted {
		t.Errorf("the step that was waiting is %s, want interrupted", rec.Steps[0].Outcome)
	}
	got, err := rn.Store.(store.Reader).Run(context.Background(), rec.ID)
	if err != nil || got.Outcome != result.Interrupted {
		t.Fatalf("stored: %+v, %v; want interrupted", got, err)
	}
}
