package probe

import (
	"context"

	"github.com/loginprobe/loginprobe/internal/result"
)

// RunWithRetries runs f, and when a browser flow's verdict is fail, runs it
// again at once — up to retries more times — each attempt in a fresh browser
// context. Every attempt is recorded (Attempt 1, 2, …); the last one is
// returned. A pass after a failed attempt is a flaky pass (result.Run.Flaky):
// it never alerts but is counted and shown.
//
// Only fail is retried: an error is loginprobe's own problem (a retry would
// hide it), and a non-browser flow's answer does not depend on a browser's
// state. A cancelled ctx stops the retries.
func (rn *Runner) RunWithRetries(ctx context.Context, f Flow, retries int) *result.Run {
	rec := rn.Run(ctx, f)
	for attempt := 2; attempt <= retries+1; attempt++ {
		if rec.Outcome != result.Fail || !f.NeedsBrowser() || ctx.Err() != nil {
			break
		}
		rec = rn.runAttempt(ctx, f, attempt)
	}
	return rec
}
