package diagnose

import (
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// preflight is a run without a browser (the clerk-health flow): only a message.
func preflight(msg string, events ...result.Event) Evidence {
	return Evidence{Flow: "clerk-health", Outcome: result.Fail, FailedStep: "Frontend API health", Message: msg,
		Events: events, FAPIPrefix: prodFAPI, BAPIPrefix: "https://api.clerk.com"}
}

func TestDiagnoseClientErrorTexts(t *testing.T) {
	t.Parallel()
	tokenNote := "FAPI request blocked by loginprobe (testing token): getting a testing token: clerk backend POST /v1/testing_tokens: 500 internal_clerk_error: There was an internal error on our servers (trace abc)"
	blockedByUs := runEvidence(healthyLoad().
		failed("POST", fapiURL+"/v1/client/sign_ins"+qs, "blocked:inspector").
		note("FAPI request blocked by loginprobe (testing token): getting a testing token: no Backend API client (set clerk.secret_key, or CLERK_TESTING_TOKEN)"), timeoutMsg)
	tokenOutage := runEvidence(healthyLoad().failed("POST", fapiURL+"/v1/client/sign_ins"+qs, "blocked:inspector").note(tokenNote), timeoutMsg)

	runCases(t, []diagCase{
		{name: "health 503 from the preflight client",
			e:     preflight("GET " + prodFAPI + "/v1/health: clerk frontend GET /v1/health: 503: unhealthy"),
			cause: result.CauseClerkOutage, summary: []string{"Clerk outage", "GET /v1/health → 503"}},
		{name: "dev browser 500 inside the environment call",
			e:     preflight("GET " + prodFAPI + "/v1/environment: clerk frontend GET /v1/environment: creating a dev browser (POST /v1/dev_browser): 500 internal_clerk_error: Oops (trace t9)"),
			cause: result.CauseClerkOutage, summary: []string{"POST /v1/dev_browser → 500 internal_clerk_error"}},
		{name: "secret key invalid",
			e:     preflight("GET /v1/users?limit=1: clerk backend GET /v1/users: 401 clerk_key_invalid: The provided Clerk Secret Key is invalid. (trace t1)"),
			cause: result.CauseConfig, summary: []string{"secret key is invalid", "GET /v1/users → 401 clerk_key_invalid"}, next: "clerk.secret_key"},
		{name: "host_invalid from the environment",
			e:     preflight("GET " + prodFAPI + "/v1/environment: clerk frontend GET /v1/environment: 400 host_invalid: We were unable to attribute this request to an instance running on Clerk."),
			cause: result.CauseConfig, summary: []string{"publishable key does not match"}},
		{name: "script 404",
			e:     preflight("GET " + prodFAPI + "/npm/@clerk/clerk-js@6/dist/clerk.browser.js: fetching script " + prodFAPI + "/npm/@clerk/clerk-js@6/dist/clerk.browser.js: 404: Not Found"),
			cause: result.CauseConfig, summary: []string{"Clerk's script is missing", "clerk.browser.js → 404"}},
		{name: "Backend API unreachable",
			e:     preflight(`GET /v1/users?limit=1: clerk backend GET /v1/users: Get "https://api.clerk.com/v1/users?limit=1": dial tcp 1.2.3.4:443: connect: connection refused`),
			cause: result.CauseClerkOutage, summary: []string{"GET /v1/users failed", "connection refused"}},
		{name: "recorded Backend API call with the same text is not doubled",
			e: preflight("GET /v1/users?limit=1: clerk backend GET /v1/users: 500 internal_clerk_error: oops",
				result.Event{Kind: result.EventRequest, Method: "GET", URL: "https://api.clerk.com/v1/users", Status: 500, ClerkCode: "internal_clerk_error", TraceID: "t2"}),
			cause: result.CauseClerkOutage, summary: []string{"GET /v1/users → 500 internal_clerk_error (trace t2)"}},
		{name: "loginprobe blocked the request itself", e: blockedByUs, cause: result.CauseMonitor,
			summary: []string{"loginprobe blocked a Clerk request itself", "blocked:inspector"}, evidence: "set clerk.secret_key"},
		{name: "testing token fetch hit a Clerk 500", e: tokenOutage, cause: result.CauseClerkOutage,
			summary: []string{"POST /v1/testing_tokens → 500 internal_clerk_error"}},
		{name: "CSP blocks the Frontend API connection",
			e:     runEvidence(healthyLoad().failed("POST", fapiURL+"/v1/client/sign_ins"+qs, "blocked:csp"), timeoutMsg),
			cause: result.CauseConfig, summary: []string{"blocked a Clerk request", "blocked:csp"}, next: "Content-Security-Policy"},
		{name: "CORS failure on the Frontend API",
			e:     runEvidence(healthyLoad().failed("GET", fapiURL+"/v1/client"+qs, "cors:MissingAllowOriginHeader"), timeoutMsg),
			cause: result.CauseConfig, summary: []string{"cors:MissingAllowOriginHeader"}},
		{name: "canceled requests are noise",
			e:     runEvidence(healthyLoad().failed("GET", fapiURL+"/v1/client"+qs, "canceled"), "expected URL /dashboard"),
			cause: result.CauseUnknown, summary: []string{"Unknown cause: expected URL /dashboard"}},
	})
}

func TestParseClientErrorIgnoresOtherText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"",
		"waiting for .cl-signIn-root: not visible after 15s",
		"GET /v1/users: 500", // not one of loginprobe's clients
		"clerk backend GET /v1/users: decoding the 200 answer (3 bytes): unexpected EOF",
	} {
		if r, ok := parseClientError(s); ok {
			t.Errorf("parseClientError(%q) = %+v, want nothing", s, r)
		}
	}
}
