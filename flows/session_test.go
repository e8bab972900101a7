package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestSessionRefreshIdenticalToken: a Clerk whose refreshed token is
// byte-identical to the previous one (no jti, and a clock standing still, so
// every mint falls in the same second) is healthy: the session flow passes,
// proving the refresh by its tokens request, and notes the identical token.
// When the tokens request fails, the flow still fails.
func TestSessionRefreshIdenticalToken(t *testing.T) {
	t.Parallel()
	frozen := time.Now()
	h := newHarness(t, withClock(func() time.Time { return frozen }))
	r := h.run(t, "session")
	if r.Outcome != result.Pass {
		t.Fatalf("session against identical refreshed tokens: %s", describe(r))
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "identical to the previous one") }) {
		t.Errorf("the refreshed token differed although the local Clerk's clock stands still: %v", r.Notes)
	}
	h.setFaults(t, fakeclerk.FaultTokens500)
	r = h.run(t, "session")
	if r.Outcome != result.Fail || !strings.Contains(r.Message, "500") {
		t.Fatalf("session with tokens_500: want a fail naming the 500: %s", describe(r))
	}
	if r.Diagnosis.Cause != result.CauseClerkOutage {
		t.Errorf("cause %q, want %q: %s", r.Diagnosis.Cause, result.CauseClerkOutage, r.Diagnosis.Summary)
	}
	// The verdict comes from Clerk's answers, not from clerk-js's retries
	// running into the step's deadline.
	assertFastStep(t, h, r, "refresh the session token")
}

// assertFastStep checks that the run failed at step name well before the
// step's deadline: the evidence was decisive, nothing waited it out.
func assertFastStep(t *testing.T, h *harness, r *result.Run, name string) {
	t.Helper()
	limit := h.cfg.Flows[r.Flow].StepTimeout / 4
	for _, s := range r.Steps {
		if s.Outcome != result.Pass && !s.Always {
			if s.Name != name {
				t.Errorf("failed step %q, want %q", s.Name, name)
			}
			if s.Duration > limit {
				t.Errorf("step %q took %s to fail, want under a quarter of its %s timeout", s.Name, s.Duration, h.cfg.Flows[r.Flow].StepTimeout)
			}
			return
		}
	}
	t.Errorf("no failed step, want %q", name)
}
