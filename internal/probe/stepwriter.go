package probe

import (
	"context"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// stepWriteTimeout bounds the write of one finished step.
const stepWriteTimeout = 5 * time.Second

// stepQueue is how many finished steps may wait for the store; beyond it a
// step is not written early (the final write stores it anyway).
const stepQueue = 64

// stepWriter writes a run's finished steps in the background, in order, so
// a busy database never spends the flow's time budget (a flow timeout is a
// fail, and loginprobe's own database must not open a flow incident). The
// final FinishRun still writes every step; wait ends the writer before it,
// so no early write lands after the final one.
type stepWriter struct {
	steps chan result.Step
	done  chan struct{}
}

// startStepWriter starts the writer of run r, or returns nil when the run
// is not stored.
func (rn *Runner) startStepWriter(rec *result.Run) *stepWriter {
	if rn.Store == nil || rec.ID == 0 {
		return nil
	}
	w := &stepWriter{steps: make(chan result.Step, stepQueue), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for st := range w.steps {
			ctx, cancel := context.WithTimeout(context.Background(), stepWriteTimeout) // recorded even when the run was cancelled
			if err := rn.Store.StepDone(ctx, rec.ID, st); err != nil {
				rn.Log.Warn("recording a step", "flow", rec.Flow, "step", st.Name, "err", err)
			}
			cancel()
		}
	}()
	return w
}

// add queues st without waiting.
func (w *stepWriter) add(st result.Step) {
	if w == nil {
		return
	}
	select {
	case w.steps <- st:
	default: // the database is that slow: the final write has the step
	}
}

// wait stops the writer once the queued steps are written.
func (w *stepWriter) wait() {
	if w == nil {
		return
	}
	close(w.steps)
	<-w.done
}
