package probe

import (
	"context"
	"time"
)

// pace is the run's way through the runner's pacer: it adds the time each
// request was held to the run's record (result.Run.Held), so the flow's own
// time (Duration − Held) can be told from the rate limits' share.
func (r *Run) pace(ctx context.Context, method, url string) error {
	start := time.Now()
	err := r.runner.Pacer.Pace(ctx, method, url)
	d := time.Since(start)
	r.mu.Lock()
	r.rec.Held += d
	r.mu.Unlock()
	return err
}
