package diagnose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// notLoaded marks Clerk as never loaded.
func notLoaded(e Evidence, status string) Evidence {
	e.ClerkLoaded, e.ClerkStatus = false, status
	return e
}

func TestDiagnoseConfig(t *testing.T) {
	t.Parallel()
	rootTimeout := "waiting for .cl-signIn-root: not visible after 15s"
	oauthPage := runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 200, "").
		req("GET", appURL, "/fake-idp/authorize", 400, ""), "expected the provider's approve link, saw an error page")
	oauthPage.PageURL = appURL + "/fake-idp/authorize?error=redirect_uri_mismatch&state=abc"
	oauthPage.PageTitle = "Error: redirect_uri_mismatch"
	providerDown := runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 200, "").
		req("GET", appURL, "/fake-idp/authorize", 503, ""), "expected the provider's approve link, saw 503")
	providerDown.PageURL, providerDown.PageTitle = appURL+"/fake-idp/authorize?state=abc", "503 Service Unavailable"
	prodOrigin := runEvidence((&ev{}).req("GET", prodApp, "/sign-in", 200, "").
		req("GET", prodFAPI, "/v1/environment", 400, "origin_invalid").
		console("error", "Clerk: Production Keys are only allowed for domain \"example.com\". \nAPI Error: The Request HTTP Origin header must be equal to or a subdomain of the requesting URL."), rootTimeout)
	prodOrigin.FAPIPrefix, prodOrigin.ClerkStatus, prodOrigin.AppURL = prodFAPI, "degraded", prodApp+"/sign-in"

	providerRefuses := runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 200, "").
		req("GET", appURL, "/oauth/github/authorize", 400, ""), "expected the provider's login page, saw an error page")
	providerRefuses.PageURL, providerRefuses.PageTitle = appURL+"/oauth/github/authorize?client_id=x&redirect_uri=y", "GitHub"

	runCases(t, []diagCase{
		{name: "OAuth provider refuses the authorize request", e: providerRefuses, cause: result.CauseConfig,
			summary: []string{"refused the authorization request", "/oauth/github/authorize → 400"}, next: "Authorization Callback URL"},
		{name: "OAuth token exchange error in the UI",
			e:     runEvidence(healthyLoad(), "expected a session after the OAuth callback, saw alert \"Token exchange error\""),
			cause: result.CauseConfig, summary: []string{"OAuth token exchange failed"}},
		{name: "invalid publishable key",
			e:     notLoaded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").req("GET", appURL, "/clerk-js/clerk.browser.js", 200, "").exception(invalidPKLine), rootTimeout), ""),
			cause: result.CauseConfig, summary: []string{"The publishableKey passed to Clerk is invalid"}, next: "publishable key"},
		{name: "CSP blocks clerk-js",
			e:     notLoaded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").log("error", cspLine, signIn).exception(undefinedLoad), rootTimeout), ""),
			cause: result.CauseConfig, summary: []string{"Content-Security-Policy blocks Clerk", "Refused to load the script"}, next: "script-src"},
		{name: "host_invalid everywhere",
			e:     notLoaded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").req("POST", fapiURL, "/v1/dev_browser", 400, "host_invalid").exception("ClerkJS: Something went wrong initializing Clerk in development mode. We were unable to attribute this request to an instance running on Clerk."), rootTimeout), "error"),
			cause: result.CauseConfig, summary: []string{"publishable key does not match a Clerk instance", "POST /v1/dev_browser → 400 host_invalid"}, next: "dashboard"},
		{name: "origin_invalid with Clerk degraded is config, not outage", e: prodOrigin, cause: result.CauseConfig,
			summary: []string{"Production Keys are only allowed for domain"}, evidence: "GET /v1/environment → 400 origin_invalid"},
		{name: "test mode off",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ups", 200, "").req("POST", fapiURL, "/v1/client/sign_ups/sua_1/attempt_verification", 422, "form_code_incorrect"), "expected sign-up complete after code 424242, saw \"Incorrect code\""),
			cause: result.CauseConfig, summary: []string{"test mode is off", "attempt_verification → 422 form_code_incorrect"}, next: "test mode"},
		{name: "Incorrect code only in the DOM",
			e:     runEvidence(healthyLoad(), "expected sign-up complete after code 424242, saw field error \"Incorrect code\""),
			cause: result.CauseConfig, summary: []string{"test mode is off", "form_code_incorrect seen in the failure message"}},
		{name: "user quota",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ups", 403, "user_quota_exceeded"), "expected the code step, saw alert \"You have reached your limit of 100 users.\""),
			cause: result.CauseConfig, summary: []string{"user limit", "403 user_quota_exceeded"}, next: "synthetic users"},
		{name: "bot protection without a testing token",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 400, "captcha_invalid"), "expected the password step, saw alert"),
			cause: result.CauseBotProtection, summary: []string{"bot protection", "400 captcha_invalid"}, next: "set clerk.secret_key so loginprobe can use a testing token"},
		{name: "bot_detected 429 is not an outage nor a rate limit",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 429, "bot_detected"), "expected the password step"),
			cause: result.CauseBotProtection, summary: []string{"429 bot_detected"}, next: "testing token"},
		{name: "clerk.browser.js 404",
			e: notLoaded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, "").
				req("GET", appURL, "/clerk-js/clerk.browser.js", 404, "").log("error", status404Line, appURL+"/clerk-js/clerk.browser.js").
				console("error", mimeLine).exception(undefinedLoad), rootTimeout), ""),
			cause: result.CauseConfig, summary: []string{"Clerk's script is missing", "clerk.browser.js → 404"}, next: "version tag"},
		{name: "MIME refusal only",
			e:     notLoaded(runEvidence((&ev{}).console("error", mimeLine).exception(undefinedLoad), rootTimeout), ""),
			cause: result.CauseConfig, summary: []string{"refused Clerk's script"}},
		{name: "ui.browser.js 404",
			e: runEvidence(healthyLoad().req("GET", appURL, "/clerk-ui/ui.browser.js", 404, "").log("error", status404Line, appURL+"/clerk-ui/ui.browser.js").
				exception(uiMissingLine), rootTimeout),
			cause: result.CauseConfig, summary: []string{"ui.browser.js → 404"}},
		{name: "UI not passed to Clerk.load",
			e:     runEvidence(healthyLoad().exception(uiMissingLine), rootTimeout),
			cause: result.CauseConfig, summary: []string{"UI components did not load"}, next: "ClerkUI"},
		{name: "redirect URL refused",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 422, "redirect_url_domain_mismatch"), "expected a redirect to the provider"),
			cause: result.CauseConfig, summary: []string{"redirect URL is not allowed", "422 redirect_url_domain_mismatch"}, next: "allowed redirect URLs"},
		{name: "OAuth provider refuses the callback", e: oauthPage, cause: result.CauseConfig,
			summary: []string{"does not accept Clerk's callback URL", "redirect_uri_mismatch seen in the page URL"}, next: "Authorization Callback URL"},
		{name: "OAuth token exchange error in a note",
			e:     runEvidence(healthyLoad().note("sign-in after callback: first_factor_verification.error.code = oauth_token_exchange_error"), "expected a session after the OAuth callback"),
			cause: result.CauseConfig, summary: []string{"OAuth token exchange failed"}, next: "client secret"},
		{name: "OAuth provider down", e: providerDown, cause: result.CauseConfig,
			summary: []string{"OAuth provider failed", "/fake-idp/authorize → 503"}, next: "provider's status"},
		{name: "CAPTCHA script blocked",
			e:     runEvidence(healthyLoad().console("warning", captchaLine), "expected the code step"),
			cause: result.CauseConfig, summary: []string{"CAPTCHA script"}, next: "challenges.cloudflare.com"},
		{name: "Backend API key invalid",
			e:     runEvidence(healthyLoad().req("GET", bapiURL, "/v1/users", 401, "clerk_key_invalid"), "cleanup: listing users: 401"),
			cause: result.CauseConfig, summary: []string{"secret key is invalid", "GET /v1/users → 401 clerk_key_invalid"}, next: "clerk.secret_key"},
	})
}

func TestDiagnoseTestDataAndRateLimits(t *testing.T) {
	t.Parallel()
	pwMsg := "expected a session after the password, saw field error \"Password is incorrect. Try again, or use another method.\""
	recovered := runEvidence(healthyLoad().
		req("GET", fapiURL, "/v1/environment", 500, "internal_clerk_error").
		req("GET", fapiURL, "/v1/environment", 200, "").
		failed("GET", fapiURL+"/v1/client"+qs, "net::ERR_ABORTED").
		req("POST", fapiURL, "/v1/client/sign_ins/sia_1/attempt_first_factor", 422, "form_password_incorrect"), pwMsg)
	runCases(t, []diagCase{
		{name: "wrong password",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 200, "").req("POST", fapiURL, "/v1/client/sign_ins/sia_1/attempt_first_factor", 422, "form_password_incorrect"), pwMsg),
			cause: result.CauseTestData, summary: []string{"password was rejected", "attempt_first_factor → 422 form_password_incorrect"}, next: "update the monitor's password"},
		{name: "a recovered 500 and an aborted request do not hide the wrong password", e: recovered, cause: result.CauseTestData,
			summary: []string{"form_password_incorrect"}},
		{name: "password error only in the DOM", e: runEvidence(healthyLoad(), pwMsg), cause: result.CauseTestData,
			summary: []string{"password was rejected", "seen in the failure message"}},
		{name: "user missing",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 422, "form_identifier_not_found"), "expected the password step, saw \"Couldn't find your account.\""),
			cause: result.CauseTestData, summary: []string{"does not exist", "422 form_identifier_not_found"}, next: "create it"},
		{name: "user locked",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins/sia_1/attempt_first_factor", 403, "user_locked"), "expected a session"),
			cause: result.CauseTestData, summary: []string{"locked", "403 user_locked"}, next: "unlock"},
		{name: "sign-in creates throttled",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 429, "too_many_requests"), "expected the password step"),
			cause: result.CauseRateLimited, summary: []string{"Rate limited", "POST /v1/client/sign_ins → 429 too_many_requests"}, next: "less often"},
		{name: "codes sent too often",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ups/sua_1/prepare_verification", 429, "verification_code_too_many_requests"), "expected the code step"),
			cause: result.CauseRateLimited, summary: []string{"verification_code_too_many_requests"}, next: "30 s"},
		{name: "already signed in",
			e:     runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 400, "session_exists"), "expected the password step"),
			cause: result.CauseMonitor, summary: []string{"400 session_exists"}, next: "browser state"},
	})
}

func TestDiagnoseUnknown(t *testing.T) {
	t.Parallel()
	noise := runEvidence(healthyLoad().
		failed("GET", "https://img.clerk.com/static/github.svg", "net::ERR_NAME_NOT_RESOLVED").
		log("error", imgNoise, "https://img.clerk.com/static/github.svg").
		failed("POST", "https://clerk-telemetry.com/v1/event", "net::ERR_NAME_NOT_RESOLVED").
		req("POST", fapiURL, "/v1/client/sign_ins", 200, ""), "expected URL /dashboard after sign-in, saw /signin.html#/factor-one")
	runCases(t, []diagCase{
		{name: "third-party noise is not an outage", e: noise, cause: result.CauseUnknown,
			summary: []string{"Unknown cause: expected URL /dashboard after sign-in"}, evidence: "failed step: submit password"},
		{name: "Clerk never loaded, nothing says why",
			e:     notLoaded(runEvidence((&ev{}).req("GET", appURL, "/signin.html", 200, ""), "waiting for .cl-signIn-root: not visible after 15s"), ""),
			cause: result.CauseUnknown, summary: []string{"Clerk never loaded on http://127.0.0.1:8787/signin.html", "window.Clerk undefined"}, next: "script tags"},
	})
}

func TestDiagnoseEvidenceIsCapped(t *testing.T) {
	t.Parallel()
	b := healthyLoad()
	for i := range 30 {
		b.req("POST", fapiURL, fmt.Sprintf("/v1/client/sign_ins/sia_%d/attempt_first_factor", i), 500, "internal_clerk_error")
	}
	d := Diagnose(runEvidence(b, timeoutMsg))
	if d.Cause != result.CauseClerkOutage || len(d.Evidence) != maxEvidence || !strings.HasPrefix(d.Evidence[maxEvidence-1], "… and ") {
		t.Errorf("got %d lines: %q", len(d.Evidence), d.Evidence)
	}
}
