package fakeclerk

import (
	"encoding/json"
	"net/http"
	"strings"
)

// evidenceRows are the rows of the faults of faults_evidence.go.
func evidenceRows() []faultRow {
	jwks := "/__clerk/.well-known/jwks.json"
	return []faultRow{
		{fault: FaultClerkJSWrongMIME, browser: true, check: func(e *faultEnv) {
			r := e.call(http.MethodGet, "/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js", nil)
			e.wantStatus("GET clerk.browser.js", r, http.StatusOK)
			e.wantEqual("X-Content-Type-Options", r.header.Get("X-Content-Type-Options"), "nosniff")
			e.open("/sign-in")
			e.waitConsole("Refused to execute script from")
			e.waitConsole(`Clerk: Failed to load Clerk JS`)
			e.pageNeverRenders()
		}},
		{fault: FaultClient502, check: func(e *faultEnv) {
			r := e.call(http.MethodGet, "/__clerk/v1/client", nil)
			e.wantStatus("GET /v1/client", r, http.StatusBadGateway)
			e.wantContains("GET /v1/client body", r.body, "<title>502 Bad Gateway</title>")
			e.wantStatus("GET /v1/environment (only the client fails)", e.fapi(http.MethodGet, "/v1/environment", nil), http.StatusOK)
		}, control: func(e *faultEnv) {
			e.wantStatus("GET /v1/client", e.fapi(http.MethodGet, "/v1/client", nil), http.StatusOK)
		}},
		{fault: FaultJWKSEmpty, check: func(e *faultEnv) {
			e.wantEqual("GET jwks: kids", kids(e, jwks), "")
		}, control: func(e *faultEnv) {
			e.wantEqual("GET jwks: kids", kids(e, jwks), e.s.kid)
		}},
		{fault: FaultJWKSWrongKey, check: func(e *faultEnv) {
			e.wantEqual("kid", kids(e, jwks), e.s.kid+"_rotated")
		}, control: func(e *faultEnv) {
			e.wantEqual("kid", kids(e, jwks), e.s.kid)
		}},
		{fault: FaultPageProxyUnreachable, check: func(e *faultEnv) {
			e.wantContains("GET /sign-in", e.call(http.MethodGet, "/sign-in", nil).body, `data-clerk-proxy-url="`+e.base+elsewhere+`"`)
			e.wantReset("GET "+elsewhere+"/v1/environment", e.call(http.MethodGet, elsewhere+"/v1/environment", nil))
		}, control: func(e *faultEnv) {
			e.wantContains("GET /sign-in", e.call(http.MethodGet, "/sign-in", nil).body, `data-clerk-proxy-url="`+e.base+`/__clerk"`)
		}},
	}
}

// kids lists the kids of the JWKS at path, comma-separated.
func kids(e *faultEnv, path string) string {
	var set struct{ Keys []struct{ Kid string } }
	if err := json.Unmarshal([]byte(e.call(http.MethodGet, path, nil).body), &set); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return strings.Join(out, ",")
}
