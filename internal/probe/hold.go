package probe

import (
	"context"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// minHold is the shortest pacing hold worth reporting: reserving a slot
// takes microseconds, a hold is a timer that fired.
const minHold = time.Millisecond

// pace paces a Frontend API request of this run through the runner's Pacer
// and records a hold: loginprobe's own wait must not pass for the target's
// slowness.
func (r *Run) pace(ctx context.Context, method, rawURL string) error {
	held, err := r.runner.Pacer.PaceHeld(ctx, method, rawURL)
	if held >= minHold {
		r.hold(held, method, rawURL)
	}
	return err
}

// hold records that loginprobe held a request for d: a note, an event of
// kind hold, and d added to the run's Held time.
func (r *Run) hold(d time.Duration, method, rawURL string) {
	path := pathOf(rawURL)
	text := fmt.Sprintf("loginprobe held %s %s for %s to stay under Clerk's rate limit (its own pacing, not the target's time)",
		method, path, d.Round(10*time.Millisecond))
	r.Note("%s", text)
	r.Event(result.Event{Time: time.Now().Add(-d), Kind: result.EventHold, Method: method, URL: rawURL, Text: text, Duration: d})
	r.mu.Lock()
	r.rec.Held += d
	r.mu.Unlock()
}
