package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestEveryFlowPasses runs all eight flows against one local Clerk that
// enforces Clerk's rate limits, with OAuth in both modes: every flow passes,
// the runner's pacing meets no 429, and no synthetic sign-up user is left.
func TestEveryFlowPasses(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{config.OAuthInitiate, config.OAuthFull} {
		t.Run("oauth "+mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withRateLimits())
			h.cfg.OAuth.GitHub.Mode, h.cfg.OAuth.Google.Mode = mode, mode
			for _, f := range flows.All() {
				if mode == config.OAuthFull && !strings.HasPrefix(f.Name(), "oauth-") {
					continue // the other flows do not depend on the OAuth mode
				}
				r := h.run(t, f.Name())
				if r.Outcome != result.Pass {
					t.Errorf("%s: %s", f.Name(), describe(r))
				}
				for _, e := range r.Events {
					if e.Status == 429 {
						t.Errorf("%s: rate limited despite pacing: %s %s", f.Name(), e.Method, e.URL)
					}
				}
			}
			assertNoSyntheticUsers(t, h)
		})
	}
}

func assertNoSyntheticUsers(t *testing.T, h *harness) {
	t.Helper()
	b := &clerk.Backend{BaseURL: h.cfg.Clerk.BackendAPIURL, SecretKey: h.cfg.Clerk.SecretKey}
	users, err := b.ListUsers(context.Background(), clerk.ListUsersParams{EmailAddressQuery: h.cfg.SignUp.Prefix + "+clerk_test_"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		t.Errorf("synthetic user left behind: %s %s", u.ID, u.PrimaryEmail())
	}
}

// TestFlowsFailUnderFaults: each flow fails (not errors) under the local
// Clerk's faults that break it, with a failure screenshot for browser flows
// and a message naming what was seen; and passes again once the fault is
// cleared.
func TestFlowsFailUnderFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flow  string
		fault fakeclerk.Fault
		want  string // in the message
	}{
		// The other flow × fault pairs, and the recovery of one per flow, are
		// rows of TestFaultVerdicts.
		{"oauth-google", fakeclerk.FaultRedirectURLInvalid, "redirect_url_domain_mismatch"},
		{"oauth-google", fakeclerk.FaultOAuthRedirectURIMismatch, "redirect_uri_mismatch"},
		{"oauth-google", fakeclerk.FaultOAuthProviderDown, "answered 503"},
		{"password-reset", fakeclerk.FaultTestModeOff, "form_code_incorrect"},
		{"clerk-health", fakeclerk.FaultFAPIDown, "/v1/health"},
	}
	for _, tt := range tests {
		t.Run(tt.flow+"/"+string(tt.fault), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withFaults(tt.fault))
			r := h.run(t, tt.flow)
			if r.Outcome != result.Fail {
				t.Fatalf("outcome %s, want fail: %s", r.Outcome, describe(r))
			}
			if !strings.Contains(r.Message, tt.want) {
				t.Errorf("message %q does not name %q", r.Message, tt.want)
			}
			if r.Diagnosis.Cause == "" || r.Diagnosis.Summary == "" {
				t.Errorf("no diagnosis: %+v", r.Diagnosis)
			}
			if flows.ByName(tt.flow).NeedsBrowser() {
				shots, err := h.st.Screenshots(context.Background(), r.ID)
				if err != nil || len(shots) == 0 || shots[0].When != "failure" {
					t.Errorf("want a failure screenshot, got %d (%v)", len(shots), err)
				}
			}
			h.setFaults(t)
			if r := h.run(t, tt.flow); r.Outcome != result.Pass {
				t.Errorf("after clearing %s: %s", tt.fault, describe(r))
			}
		})
	}
}
