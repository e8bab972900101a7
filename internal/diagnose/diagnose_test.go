package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

const timeoutMsg = "waiting for .cl-signIn-password input[name=password]: not visible after 15s"

// statuses of the status page.
var (
	majorOutage = &clerk.Status{Indicator: "major", Description: "Major System Outage",
		Components: map[string]string{"User and authentication": "major_outage", "Session management": "operational", "Webhooks": "operational"},
		Incidents:  []string{"Elevated errors on FAPI"}}
	allGood = &clerk.Status{Indicator: "none", Description: "All Systems Operational",
		Components: map[string]string{"User and authentication": "operational", "Session management": "operational"}}
)

type diagCase struct {
	name     string
	e        Evidence
	cause    result.Cause
	summary  []string // substrings of Summary
	next     string   // substring of Next
	evidence string   // substring of one Evidence line
}

func runCases(t *testing.T, cases []diagCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := Diagnose(tc.e)
			t.Logf("%s | %s | next: %s | ev: %q", d.Cause, d.Summary, d.Next, d.Evidence)
			if d.Cause != tc.cause {
				t.Fatalf("Cause = %q, want %q\nsummary: %s\nevidence: %q", d.Cause, tc.cause, d.Summary, d.Evidence)
			}
			if tc.cause == result.CauseNone {
				if d.Summary != "" || len(d.Evidence) != 0 {
					t.Errorf("a pass got a diagnosis: %+v", d)
				}
				return
			}
			for _, s := range tc.summary {
				if !strings.Contains(d.Summary, s) {
					t.Errorf("Summary = %q\nwant it to contain %q", d.Summary, s)
				}
			}
			if strings.Contains(d.Summary, "\n") || !strings.HasSuffix(d.Summary, ".") {
				t.Errorf("Summary is not one sentence: %q", d.Summary)
			}
			if d.Next == "" || !strings.Contains(d.Next, tc.next) {
				t.Errorf("Next = %q, want it to contain %q", d.Next, tc.next)
			}
			if tc.evidence != "" && !strings.Contains(strings.Join(d.Evidence, "\n"), tc.evidence) {
				t.Errorf("Evidence = %q\nwant a line containing %q", d.Evidence, tc.evidence)
			}
			if len(d.Evidence) > maxEvidence {
				t.Errorf("%d evidence lines, want at most %d", len(d.Evidence), maxEvidence)
			}
			all := d.Summary + d.Next + strings.Join(d.Evidence, "\n")
			if strings.Contains(all, "dvb_secret123") || strings.Contains(all, "__clerk_db_jwt") {
				t.Errorf("the diagnosis quotes a query string: %s", all)
			}
		})
	}
}

func TestDiagnoseOutcomes(t *testing.T) {
	t.Parallel()
	pass := runEvidence(healthyLoad(), "")
	pass.Outcome = result.Pass
	crashed := runEvidence(healthyLoad().exception(failedToFetch), "browser: websocket closed: chrome exited")
	crashed.Outcome = result.Error
	interrupted := runEvidence(&ev{}, "process exited during the run")
	interrupted.Outcome = result.Interrupted
	runCases(t, []diagCase{
		{name: "pass", e: pass, cause: result.CauseNone},
		{name: "monitor error beats everything", e: crashed, cause: result.CauseMonitor,
			summary: []string{"Monitor error", "chrome exited"}, next: "does not count"},
		{name: "interrupted", e: interrupted, cause: result.CauseMonitor, summary: []string{"stopped before this run finished"}},
	})
}

func TestDiagnoseClerkOutage(t *testing.T) {
	t.Parallel()
	degraded := func(e Evidence) Evidence { e.ClerkStatus = "degraded"; return e }
	withStatus := func(e Evidence, s *clerk.Status) Evidence { e.Status = s; return e }
	devHostDown := runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
		failed("POST", prodFAPI+"/v1/dev_browser"+qs, "net::ERR_NAME_NOT_RESOLVED").
		log("error", imgNoise, prodFAPI+"/v1/dev_browser"+qs).
		exception(failedToFetch), timeoutMsg)
	devHostDown.FAPIPrefix, devHostDown.ClerkStatus, devHostDown.ClerkLoaded = prodFAPI, "error", false

	runCases(t, []diagCase{
		{name: "500 on sign-in create",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 500, "internal_clerk_error").console("error", status500Line), "expected the password step, saw .cl-alert \"Oops\""),
			cause: result.CauseClerkOutage, summary: []string{"Clerk outage", "POST /v1/client/sign_ins → 500 internal_clerk_error (trace trace-internal_clerk_error)", "status page: unknown"},
			next: "status.clerk.com"},
		{name: "all FAPI 500, degraded, status page major outage",
			e: withStatus(degraded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
				req("POST", fapiURL, "/v1/dev_browser", 200, "").
				req("GET", fapiURL, "/v1/environment", 500, "internal_clerk_error").log("error", status500Line, fapiURL+"/v1/environment"+qs).
				req("GET", fapiURL, "/v1/client", 500, "internal_clerk_error").
				req("POST", fapiURL, "/v1/client/sign_ins", 500, "internal_clerk_error"), timeoutMsg)), majorOutage),
			cause: result.CauseClerkOutage, summary: []string{"GET /v1/environment → 500", "status page: major outage of User and authentication"},
			evidence: "POST /v1/client/sign_ins → 500"},
		{name: "503 service_unavailable, status page all operational",
			e:     withStatus(runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins/sia_1/attempt_first_factor", 503, "service_unavailable"), timeoutMsg), allGood),
			cause: result.CauseClerkOutage, summary: []string{"503 service_unavailable", "status page reports all operational — the outage may not be acknowledged yet"}},
		{name: "health 503",
			e:     runEvidence(healthyLoad().req("GET", fapiURL, "/v1/health", 503, ""), "preflight: health unhealthy"),
			cause: result.CauseClerkOutage, summary: []string{"GET /v1/health → 503"}},
		{name: "429 without a code (Feb 2026 outage)",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 429, ""), timeoutMsg),
			cause: result.CauseClerkOutage, summary: []string{"POST /v1/client/sign_ins → 429 without an error code"}},
		{name: "429 too_many_requests on the environment",
			e:     runEvidence(healthyLoad().req("GET", fapiURL, "/v1/environment", 429, "too_many_requests"), timeoutMsg),
			cause: result.CauseClerkOutage, summary: []string{"GET /v1/environment → 429 too_many_requests", "does not rate-limit"}},
		{name: "connections reset",
			e: degraded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
				failed("POST", fapiURL+"/v1/dev_browser"+qs, "net::ERR_CONNECTION_RESET").
				log("error", resetLine, fapiURL+"/v1/dev_browser"+qs).
				failed("GET", fapiURL+"/v1/client"+qs, "net::ERR_CONNECTION_RESET"), timeoutMsg)),
			cause: result.CauseClerkDegraded, summary: []string{"POST /v1/dev_browser failed: net::ERR_CONNECTION_RESET"}},
		{name: "dev instance host unreachable", e: devHostDown, cause: result.CauseClerkOutage,
			summary: []string{"POST /v1/dev_browser failed: net::ERR_NAME_NOT_RESOLVED"}},
		{name: "dev_browser 500",
			e: runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
				req("POST", fapiURL, "/v1/dev_browser", 500, "internal_clerk_error").exception(devInitLine), timeoutMsg),
			cause: result.CauseClerkOutage, summary: []string{"POST /v1/dev_browser → 500"}},
		{name: "only Chromium's log lines",
			e:     degraded(runEvidence((&ev{}).log("error", status500Line, fapiURL+"/v1/environment"+qs), timeoutMsg)),
			cause: result.CauseClerkDegraded, summary: []string{"/v1/environment → 500"}},
		{name: "slow FAPI",
			e:     runEvidence(healthyLoad().slow("POST", fapiURL, "/v1/client/sign_ins", 20*time.Second), timeoutMsg),
			cause: result.CauseClerkDegraded, summary: []string{"POST /v1/client/sign_ins → 200 after 20s"}},
		{name: "degraded with a 404 on the client",
			e:     degraded(runEvidence(healthyLoad().req("GET", fapiURL, "/v1/client", 404, ""), timeoutMsg)),
			cause: result.CauseClerkDegraded, summary: []string{"Clerk.status is degraded and GET /v1/client → 404"}},
		{name: "clerk.browser.js download reset",
			e: runEvidence((&ev{}).req("GET", prodApp, "/sign-in", 200, "").
				failed("GET", prodFAPI+"/npm/@clerk/clerk-js@6/dist/clerk.browser.js", "net::ERR_CONNECTION_RESET"), timeoutMsg),
			cause: result.CauseClerkOutage, summary: []string{"clerk.browser.js failed: net::ERR_CONNECTION_RESET"}},
		{name: "Backend API 500 during cleanup",
			e:     runEvidence(healthyLoad().req("DELETE", bapiURL, "/v1/users/user_1", 500, "internal_clerk_error"), "cleanup: deleting the synthetic user: 500"),
			cause: result.CauseClerkOutage, summary: []string{"DELETE /v1/users/user_1 → 500"}},
		{name: "session token refresh 404",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sessions/sess_1/tokens", 404, "resource_not_found"), "session refresh: getToken rejected"),
			cause: result.CauseClerkOutage, summary: []string{"Clerk lost the session", "POST /v1/client/sessions/sess_1/tokens → 404 resource_not_found"}},
		{name: "status page only",
			e:     withStatus(runEvidence(healthyLoad(), timeoutMsg), majorOutage),
			cause: result.CauseClerkOutage, summary: []string{"reported by the status page: major outage of User and authentication", "no failing Clerk request"}, evidence: "Elevated errors on FAPI"},
	})
}

func TestDiagnoseApp(t *testing.T) {
	t.Parallel()
	page500 := runEvidence((&ev{}).req("GET", appURL, "/signin.html", 500, "").log("error", status500Line, signIn), "waiting for .cl-signIn-root: not visible after 15s")
	page500.ClerkLoaded, page500.ClerkStatus, page500.PageTitle = false, "", "500 Internal Server Error"
	titleOnly := runEvidence(&ev{}, "waiting for .cl-signIn-root: not visible after 15s")
	titleOnly.ClerkLoaded, titleOnly.ClerkStatus, titleOnly.PageTitle = false, "", "502 Bad Gateway"
	chromeErr := runEvidence(&ev{}, "navigating to http://127.0.0.1:8787/signin.html: net::ERR_CONNECTION_REFUSED")
	chromeErr.ClerkLoaded, chromeErr.ClerkStatus, chromeErr.PageURL, chromeErr.PageTitle = false, "", "chrome-error://chromewebdata/", "127.0.0.1"
	dashboard := runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 200, "").req("GET", appURL, "/dashboard", 502, ""), "expected the dashboard after sign-in, saw a 502")

	runCases(t, []diagCase{
		{name: "sign-in page 500", e: page500, cause: result.CauseApp, summary: []string{"App failure", "http://127.0.0.1:8787/signin.html → 500"}, next: "app's server"},
		{name: "title only", e: titleOnly, cause: result.CauseApp, summary: []string{`"502 Bad Gateway"`}},
		{name: "Chromium error page", e: chromeErr, cause: result.CauseNetwork, summary: []string{"could not be reached", "Chromium shows its error page"}},
		{name: "after sign-in page 502", e: dashboard, cause: result.CauseApp, summary: []string{"/dashboard → 502"}},
	})
}

func TestDiagnoseMonitorNetwork(t *testing.T) {
	t.Parallel()
	both := Evidence{Flow: "sign-in", Outcome: result.Fail, Message: timeoutMsg, AppURL: prodApp + "/sign-in", FAPIPrefix: prodFAPI,
		Events: (&ev{}).req("GET", prodApp, "/sign-in", 200, "").
			failed("GET", prodFAPI+"/v1/client"+qs, "net::ERR_NAME_NOT_RESOLVED").
			failed("GET", prodApp+"/api/me", "net::ERR_NAME_NOT_RESOLVED").events}
	offline := runEvidence(healthyLoad().failed("POST", fapiURL+"/v1/client/sign_ins"+qs, "net::ERR_INTERNET_DISCONNECTED"), timeoutMsg)
	runCases(t, []diagCase{
		{name: "app and Clerk both unreachable", e: both, cause: result.CauseMonitor, summary: []string{"both the app", "and Clerk"}, next: "network"},
		{name: "internet disconnected", e: offline, cause: result.CauseMonitor, summary: []string{"ERR_INTERNET_DISCONNECTED"}},
	})
}
