package probe

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// TestPaceHeldReportsTheHold: PaceHeld says how long it held a request, and
// nothing for a request it let through at once or does not pace.
func TestPaceHeldReportsTheHold(t *testing.T) {
	p := NewPacerWith(1, 1)
	const url = "http://h/__clerk/v1/client/sign_ins"
	if held, err := p.PaceHeld(context.Background(), "POST", url); err != nil || held > 50*time.Millisecond {
		t.Fatalf("first create: held %s, %v; want no hold", held, err)
	}
	p.sent["create"][0] = time.Now().Add(-pacerWindow + 100*time.Millisecond) // the slot frees in 0.1 s
	held, err := p.PaceHeld(context.Background(), "POST", url)
	if err != nil || held < 100*time.Millisecond {
		t.Fatalf("second create: held %s, %v; want about 0.1 s", held, err)
	}
	if held, _ := p.PaceHeld(context.Background(), "GET", "http://h/__clerk/v1/client"); held != 0 {
		t.Fatalf("an unpaced request was held %s", held)
	}
}

// TestRunRecordsHolds: a run whose request the pacer held records the hold
// as a note and an event, stores it, and reports its duration with and
// without loginprobe's own holds.
func TestRunRecordsHolds(t *testing.T) {
	rn := testRunner(t)
	rn.Pacer = NewPacerWith(1, 1)
	fapi := rn.Config.Clerk.FrontendAPIURL
	rec := rn.Run(context.Background(), stubFlow{run: func(ctx context.Context, r *Run) error {
		return r.Step(ctx, "two creates", func(ctx context.Context) error {
			if err := r.pace(ctx, "POST", fapi+"/v1/client/sign_ins"); err != nil {
				return err
			}
			rn.Pacer.mu.Lock()
			rn.Pacer.sent["create"][0] = time.Now().Add(-pacerWindow + 200*time.Millisecond)
			rn.Pacer.mu.Unlock()
			return r.pace(ctx, "POST", fapi+"/v1/client/sign_ins?__clerk_api_version=1")
		})
	}})
	if rec.Outcome != result.Pass {
		t.Fatalf("outcome %s: %s", rec.Outcome, rec.Message)
	}
	if rec.Held < 200*time.Millisecond || rec.FlowDuration() != rec.Duration-rec.Held {
		t.Fatalf("held %s, duration %s, flow duration %s: want a hold of about 0.2 s subtracted", rec.Held, rec.Duration, rec.FlowDuration())
	}
	if !slices.ContainsFunc(rec.Notes, func(n string) bool { return strings.Contains(n, "held POST /v1/client/sign_ins for") }) {
		t.Errorf("no note of the hold: %q", rec.Notes)
	}
	i := slices.IndexFunc(rec.Events, func(e result.Event) bool { return e.Kind == result.EventHold })
	if i < 0 || rec.Events[i].Duration < 200*time.Millisecond {
		t.Fatalf("no hold event with its duration: %+v", rec.Events)
	}
	got, err := rn.Store.(store.Reader).Run(context.Background(), rec.ID)
	if err != nil || got.Held != rec.Held {
		t.Fatalf("stored held %v (%v), want %s", got.Held, err, rec.Held)
	}
}
