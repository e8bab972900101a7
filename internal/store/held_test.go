package store

import (
	"context"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestHeldRoundTrip: a run's pacing holds are stored and read back, so the
// duration without loginprobe's own holds survives the database.
func TestHeldRoundTrip(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	r := sampleRun("sign-in", result.Pass, t0, 1, 1, 0)
	r.Held = 1500 * time.Millisecond
	if err := s.FinishRun(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Held != r.Held || got.FlowDuration() != r.Duration-r.Held {
		t.Fatalf("stored held %s, flow duration %s; want %s and %s", got.Held, got.FlowDuration(), r.Held, r.Duration-r.Held)
	}
}
