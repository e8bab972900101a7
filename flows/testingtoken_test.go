package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestBackendAPIOutageWithoutBotProtection: when the Backend API cannot give
// a testing token (bapi_500), the sign-in goes on without one and passes,
// with the missing token noted on the run. The same run checks pacing
// holds: a sign-in create held by the pacer (after a 429 with Retry-After:
// 2) is a note and a hold event, and the run's duration is reported with
// and without it.
func TestBackendAPIOutageWithoutBotProtection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withFaults(fakeclerk.FaultBAPI500))
	h.runner.Tokens.RetryDelay = time.Millisecond // the outage is certain: no need to back off for seconds
	// As the identifier is entered, Clerk is said to have answered a sign-in
	// create with 429 and Retry-After: 2, so the pacer holds the next one
	// for what is left of the 2 s when the create goes out.
	h.runner.Progress = onStep("enter identifier", func() {
		h.runner.Pacer.Observe("POST", h.cfg.Clerk.FrontendAPIURL+"/v1/client/sign_ins", 429, map[string]string{"Retry-After": "2"})
	})
	r := h.run(t, "sign-in")
	if r.Outcome != result.Pass {
		t.Fatalf("sign-in during a Backend API outage, no bot protection: %s", describe(r))
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.HasPrefix(n, "no testing token: the Backend API failed") }) {
		t.Errorf("the missing testing token is not noted: %q", r.Notes)
	}
	if !slices.ContainsFunc(r.Events, func(e result.Event) bool {
		return e.Kind == result.EventNote && strings.HasPrefix(e.Text, "no testing token")
	}) {
		t.Errorf("no note event of the missing testing token")
	}

	// The pacing hold.
	if r.Held <= 0 || r.FlowDuration() != r.Duration-r.Held {
		t.Errorf("held %s of %s (flow duration %s): want the pacer's hold counted apart", r.Held, r.Duration, r.FlowDuration())
	}
	if !slices.ContainsFunc(r.Events, func(e result.Event) bool {
		return e.Kind == result.EventHold && strings.Contains(e.URL, "/v1/client/sign_ins") && e.Duration == r.Held
	}) {
		t.Errorf("no hold event with the held time for the held sign-in create")
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "held POST /__clerk/v1/client/sign_ins for") }) {
		t.Errorf("no note of the hold: %q", r.Notes)
	}
	if got, err := h.st.Run(t.Context(), r.ID); err != nil || got.Held != r.Held {
		t.Errorf("stored held %v (%v), want %s", got.Held, err, r.Held)
	}
}

// TestBackendAPIOutageWithBotProtection: with bot protection on and no
// testing token to be had, the sign-in fails at once with cause
// bot_protection, the Backend API failure as evidence.
func TestBackendAPIOutageWithBotProtection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withFaults(fakeclerk.FaultBAPI500, fakeclerk.FaultBotProtectionNoToken))
	h.runner.Tokens.RetryDelay = time.Millisecond
	r := h.run(t, "sign-in")
	if r.Outcome != result.Fail || r.Diagnosis.Cause != result.CauseBotProtection {
		t.Fatalf("want a fail with cause bot_protection: %s", describe(r))
	}
	if !slices.ContainsFunc(r.Diagnosis.Evidence, func(l string) bool { return strings.Contains(l, "/v1/testing_tokens → 500") }) {
		t.Errorf("the evidence does not name the Backend API failure: %q", r.Diagnosis.Evidence)
	}
	assertFastStep(t, h, r, "enter password")
}

// stepHook is a progress writer that calls do when the step named step
// starts (the runner writes "  flow: step…" as each step begins).
type stepHook struct {
	step string
	do   func()
}

func onStep(step string, do func()) *stepHook { return &stepHook{step: step, do: do} }

func (h *stepHook) Write(p []byte) (int, error) {
	if strings.Contains(string(p), ": "+h.step+"…") {
		h.do()
	}
	return len(p), nil
}
