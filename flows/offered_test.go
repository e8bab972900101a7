package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestOAuthProviderNotOffered: on an instance without Google (google_disabled),
// oauth-google is skipped by default with the reason, before any browser
// opens; enabled explicitly in the config, it fails at once with cause
// app_config and the environment as evidence.
func TestOAuthProviderNotOffered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withFaults(fakeclerk.FaultGoogleDisabled))
	r := h.run(t, "oauth-google")
	if r.Outcome != result.Skipped || !strings.Contains(r.Message, "does not offer Google") || !strings.Contains(r.Message, "oauth_google is absent") {
		t.Fatalf("default run: want skipped with the reason: %s", describe(r))
	}
	if len(r.Steps) != 1 || r.Diagnosis.Cause != "" {
		t.Errorf("a skipped run opened the sign-in page or got a diagnosis: %s", describe(r))
	}
	if got, err := h.st.Run(t.Context(), r.ID); err != nil || got.Outcome != result.Skipped {
		t.Errorf("stored run: %v (%v), want skipped", got.Outcome, err)
	}

	f := h.cfg.Flows["oauth-google"]
	f.Explicit = true // flows.oauth-google.enabled: true in the file
	h.cfg.Flows["oauth-google"] = f
	r = h.run(t, "oauth-google")
	if r.Outcome != result.Fail || r.Diagnosis.Cause != result.CauseConfig {
		t.Fatalf("explicit run: want a fail with cause app_config: %s", describe(r))
	}
	if !slices.ContainsFunc(r.Diagnosis.Evidence, func(l string) bool {
		return strings.Contains(l, "GET /v1/environment: oauth_google is absent from user_settings.social; enabled: github")
	}) {
		t.Errorf("the evidence does not quote the environment: %q", r.Diagnosis.Evidence)
	}
	assertFastStep(t, h, r, "check the instance offers Google")
}
