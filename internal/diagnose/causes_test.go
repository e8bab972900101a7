package diagnose

import (
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestDiagnoseFinerCauses: the causes that split a coarser one (issue 7,
// item 8) and the named failures of items 3 and 4.
func TestDiagnoseFinerCauses(t *testing.T) {
	t.Parallel()
	const other = "http://127.0.0.1:1/__clerk"
	foreign := runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
		req("GET", appURL, "/clerk-js/clerk.browser.js", 200, "").
		add(result.Event{Kind: result.EventRequestFailed, Method: "POST", URL: other + "/v1/dev_browser" + qs,
			Text: "net::ERR_CONNECTION_REFUSED", Failure: result.FailureNet}).
		console("error", "ClerkJS: Something went wrong initializing Clerk in development mode"),
		"waiting for the sign-in form: Clerk.status is error")
	foreign.ClerkStatus = "error"

	refused := runEvidence((&ev{}).add(result.Event{Kind: result.EventRequestFailed, Method: "GET", URL: appURL + "/signin.html",
		Text: "net::ERR_CONNECTION_REFUSED", Failure: result.FailureNet}), "opening http://127.0.0.1:8787/signin.html: net::ERR_CONNECTION_REFUSED")
	refused.ClerkLoaded, refused.ClerkStatus = false, ""

	keyMsg := func(n, iss string) string {
		return `verify the session token: session token does not verify against ` + fapiURL + `/.well-known/jwks.json: session token rejected: key not found: kid "ins_1" is not among the ` + n + ` keys of the JWKS (token issuer ` + iss + `)`
	}
	runCases(t, []diagCase{
		{name: "the page's Clerk talks to another Frontend API", e: foreign, cause: result.CauseConfig,
			summary: []string{other, "not the configured " + fapiURL, "ERR_CONNECTION_REFUSED"}, next: "proxy URL"},
		{name: "the app refuses connections", e: refused, cause: result.CauseNetwork,
			summary: []string{"could not be reached", "ERR_CONNECTION_REFUSED"}},
		{name: "empty JWKS", e: runEvidence(healthyLoad(), keyMsg("0", fapiURL)), cause: result.CauseClerkOutage,
			summary: []string{"the JWKS is empty", "ins_1"}},
		{name: "JWKS without the token's key", e: runEvidence(healthyLoad(), keyMsg("1", fapiURL)), cause: result.CauseClerkOutage,
			summary: []string{"the JWKS lacks the key ins_1"}},
		{name: "token of another instance", e: runEvidence(healthyLoad(), keyMsg("1", "https://other.clerk.accounts.dev")), cause: result.CauseConfig,
			summary: []string{"another instance (iss https://other.clerk.accounts.dev)", fapiURL}},
		{name: "JWKS unreachable", e: runEvidence(healthyLoad(), "session token does not verify against "+fapiURL+"/.well-known/jwks.json: verifying a session token: fetching the JWKS: connection reset by peer"),
			cause: result.CauseClerkOutage, summary: []string{"JWKS could not be fetched", "connection reset"}},
		{name: "an element never appears on a healthy page", e: runEvidence(healthyLoad(), timeoutMsg), cause: result.CauseUIChanged,
			summary: []string{"UI changed", "not visible"}, next: "selectors"},
		{name: "Clerk.status degraded with a 502 on the client",
			e:     withClerkStatus(runEvidence(healthyLoad().req("GET", fapiURL, "/v1/client", 502, ""), "waiting for the sign-in form: GET /v1/client answered 502"), "degraded"),
			cause: result.CauseClerkDegraded, summary: []string{"Clerk.status is degraded", "GET /v1/client → 502"}},
		{name: "a Clerk script refused for its MIME type",
			e: notLoaded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
				add(result.Event{Kind: result.EventRequest, Method: "GET", URL: fapiURL + "/npm/@clerk/clerk-js@6/dist/clerk.browser.js", Status: 200,
					Failure: result.FailureBlocked, BlockedBy: "mime", Text: `refused: served as "text/plain", not JavaScript`}),
				"waiting for the sign-in form: Clerk's script did not load"), ""),
			cause: result.CauseConfig, summary: []string{"clerk.browser.js"}},
	})
}

func withClerkStatus(e Evidence, status string) Evidence {
	e.ClerkStatus = status
	return e
}
