package fakeclerk

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// providerRows are the faults about which OAuth providers the instance offers.
func providerRows() []faultRow {
	return []faultRow{
		{fault: FaultGoogleDisabled, check: func(e *faultEnv) {
			social := e.socialProviders()
			if social["oauth_google"] || !social["oauth_github"] {
				e.t.Errorf("user_settings.social enabled = %v, want GitHub only", social)
			}
			oauth := url.Values{"strategy": {"oauth_google"}, "redirect_url": {e.base + "/sign-in#/sso-callback"}}
			e.wantClerkError("POST sign_ins strategy=oauth_google", e.fapi(http.MethodPost, "/v1/client/sign_ins", oauth), 422,
				"oauth_provider_not_enabled", "The OAuth provider google is not enabled")
		}, control: func(e *faultEnv) {
			if social := e.socialProviders(); !social["oauth_google"] {
				e.t.Errorf("Google still off after clearing the fault: %v", social)
			}
		}},
	}
}

// socialProviders reads user_settings.social of GET /v1/environment: strategy → enabled.
func (e *faultEnv) socialProviders() map[string]bool {
	e.t.Helper()
	r := e.fapi(http.MethodGet, "/v1/environment", nil)
	var env struct {
		UserSettings struct {
			Social map[string]struct{ Enabled bool } `json:"social"`
		} `json:"user_settings"`
	}
	if err := json.Unmarshal([]byte(r.body), &env); err != nil || r.status != http.StatusOK {
		e.t.Fatalf("GET /v1/environment: %d %v", r.status, err)
	}
	out := map[string]bool{}
	for k, v := range env.UserSettings.Social {
		out[k] = v.Enabled
	}
	return out
}
