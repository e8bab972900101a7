package fakeclerk

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// faultRows is the fault table: one row per fault in Catalog.
func faultRows() []faultRow {
	return append(append(append(append(append(loadingRows(), outageRows()...), configRows()...), dataRows()...), evidenceRows()...), providerRows()...)
}

// pageNeverRenders checks that Clerk never came up on the page: no
// window.Clerk and no SignIn.
func (e *faultEnv) pageNeverRenders() {
	e.t.Helper()
	e.wantEqual("typeof window.Clerk", e.js(`typeof window.Clerk`), "undefined")
	e.wantEqual("SignIn mounted", e.js(`!!document.querySelector(".cl-signIn-root")`), "false")
}

func loadingRows() []faultRow {
	return []faultRow{
		{fault: FaultClerkJS404, browser: true, check: func(e *faultEnv) {
			e.open("/sign-in")
			e.waitConsole("Failed to load resource: the server responded with a status of 404 (Not Found)")
			e.waitConsole(`Clerk: Failed to load Clerk JS`)
			e.pageNeverRenders()
		}},
		{fault: FaultClerkJSTimeout, browser: true, check: func(e *faultEnv) {
			e.open("/sign-in")
			e.waitJS("ui.browser.js loaded", `window.__internal_ClerkUICtor`)
			// A request the page starts now answers while clerk.browser.js,
			// requested first, still has not.
			e.wantEqual("a later fetch", e.jsAwait(`fetch("/__clerk/v1/health").then(r => String(r.status))`), "200")
			e.pageNeverRenders()
			e.wantEqual("clerk.browser.js finished", e.js(`performance.getEntriesByType("resource").some(r => r.name.includes("clerk.browser.js"))`), "false")
			e.wantEqual("document.readyState", e.js(`document.readyState`), "interactive")
		}},
		{fault: FaultUIJS404, browser: true, check: func(e *faultEnv) {
			e.open("/sign-in")
			e.waitConsole("Failed to load resource: the server responded with a status of 404 (Not Found)")
			e.waitConsole(`Clerk: Failed to load Clerk UI`)
			e.waitJS("clerk-js loaded", `typeof window.Clerk === "object"`)
			e.wantEqual("typeof window.__internal_ClerkUICtor", e.js(`typeof window.__internal_ClerkUICtor`), "undefined")
			e.wantEqual("SignIn mounted", e.js(`!!document.querySelector(".cl-signIn-root")`), "false")
		}},
		{fault: FaultApp500, check: func(e *faultEnv) {
			for _, p := range []string{"/", "/sign-in", "/sign-up"} {
				r := e.call(http.MethodGet, p, nil)
				e.wantStatus("GET "+p, r, http.StatusInternalServerError)
				e.wantContains("GET "+p+" body", r.body, "<title>500 Internal Server Error</title>")
				if strings.Contains(r.body, "data-clerk-publishable-key") {
					e.t.Errorf("GET %s: the 500 page loads Clerk", p)
				}
			}
		}, control: func(e *faultEnv) {
			e.wantContains("GET /sign-in body", e.call(http.MethodGet, "/sign-in", nil).body, "data-clerk-publishable-key")
		}},
		{fault: FaultAppCSPBlocksClerk, browser: true, check: func(e *faultEnv) {
			e.open("/sign-in")
			l := e.waitConsole("Content Security Policy")
			e.wantContains("CSP console line", l, "clerk.browser.js")
			e.waitConsole(`Clerk: Failed to load Clerk JS`)
			e.pageNeverRenders()
		}},
		{fault: FaultInvalidPublishableKey, browser: true, check: func(e *faultEnv) {
			body := e.call(http.MethodGet, "/sign-in", nil).body
			e.wantContains("page", body, `data-clerk-publishable-key="pk_test_JA=="`)
			if strings.Contains(body, e.s.Info().PublishableKey) {
				e.t.Errorf("the page still carries the real publishable key")
			}
			e.open("/sign-in")
			l := e.waitConsole("The publishableKey passed to Clerk is invalid")
			e.wantContains("exception", l, "key=pk_test_JA==")
			e.pageNeverRenders()
		}},
	}
}

func outageRows() []faultRow {
	env := "/__clerk/v1/environment"
	return []faultRow{
		{fault: FaultFAPIDown, browser: true, check: func(e *faultEnv) {
			e.wantReset("GET /v1/environment", e.call(http.MethodGet, env, nil))
			e.wantReset("GET jwks", e.call(http.MethodGet, "/__clerk/.well-known/jwks.json", nil))
			e.wantStatus("GET /sign-in (the app is up)", e.call(http.MethodGet, "/sign-in", nil), http.StatusOK)
			e.open("/sign-in")
			e.waitConsole("Failed to load resource: net::ERR_CONNECTION_RESET")
			e.waitConsole("TypeError: Failed to fetch")
			e.waitJS("Clerk.status error", `window.Clerk && window.Clerk.status === "error"`)
			e.wantEqual("SignIn mounted", e.js(`!!document.querySelector(".cl-signIn-root")`), "false")
		}, control: func(e *faultEnv) {
			e.wantStatus("GET /v1/environment", e.call(http.MethodGet, env, nil), http.StatusOK)
		}},
		{fault: FaultFAPI500, browser: true, before: (*faultEnv).openSignIn, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/environment", e.call(http.MethodGet, env, nil), 500, "internal_clerk_error", "internal error on our servers")
			e.submitIdentifier()
			e.wantEqual(".cl-alert", e.textOf(".cl-alert"), "There was an internal error on our servers. We've been notified and are working on fixing it.")
		}},
		{fault: FaultFAPI503, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/environment", e.call(http.MethodGet, env, nil), 503, "service_unavailable", "")
			e.wantClerkError("POST /v1/client/sign_ins", e.call(http.MethodPost, "/__clerk/v1/client/sign_ins", url.Values{"identifier": {"a@b.c"}}), 503, "service_unavailable", "")
		}, control: func(e *faultEnv) {
			e.wantStatus("GET /v1/environment", e.call(http.MethodGet, env, nil), http.StatusOK)
		}},
		{fault: FaultFAPI429Outage, check: func(e *faultEnv) {
			for _, p := range []string{env, "/__clerk/v1/client", "/__clerk/v1/health"} {
				r := e.call(http.MethodGet, p, nil)
				e.wantStatus("GET "+p, r, http.StatusTooManyRequests)
				if strings.Contains(r.body, `"code"`) || r.header.Get("Retry-After") != "" {
					e.t.Errorf("GET %s: 429 with body %q, Retry-After %q; want no Clerk error code and no Retry-After", p, r.body, r.header.Get("Retry-After"))
				}
			}
		}, control: func(e *faultEnv) {
			e.wantStatus("GET /v1/environment", e.call(http.MethodGet, env, nil), http.StatusOK)
		}},
		{fault: FaultFAPISlow, check: checkFAPISlow},
		{fault: FaultEnvironment500, browser: true, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/environment", e.call(http.MethodGet, env, nil), 500, "internal_clerk_error", "")
			e.wantStatus("GET /v1/health (only environment fails)", e.call(http.MethodGet, "/__clerk/v1/health", nil), http.StatusOK)
			e.open("/sign-in")
			e.waitConsole("the server responded with a status of 500 (Internal Server Error)")
			e.waitJS("Clerk.status degraded", `window.Clerk && window.Clerk.status === "degraded"`)
		}},
		{fault: FaultDevBrowser500, browser: true, check: func(e *faultEnv) {
			e.open("/sign-in")
			e.waitConsole("ClerkJS: Something went wrong initializing Clerk in development mode")
			e.waitJS("Clerk.status error", `window.Clerk && window.Clerk.status === "error"`)
			e.wantEqual("SignIn mounted", e.js(`!!document.querySelector(".cl-signIn-root")`), "false")
		}},
		{fault: FaultTokens500, check: func(e *faultEnv) {
			for _, p := range []string{"/v1/client/sessions/sess_probe/tokens", "/v1/client/sessions/sess_probe/tokens/supabase"} {
				e.wantClerkError("POST "+p, e.fapi(http.MethodPost, p, nil), 500, "internal_clerk_error", "")
			}
			e.wantStatus("GET /v1/environment (only tokens fail)", e.fapi(http.MethodGet, "/v1/environment", nil), http.StatusOK)
		}},
		{fault: FaultSessionNotFound, check: func(e *faultEnv) {
			ce := e.wantClerkError("POST tokens", e.fapi(http.MethodPost, "/v1/client/sessions/sess_0042/tokens", nil), 404, "resource_not_found", "No session was found with id sess_0042")
			e.wantEqual("message", ce.Message, "Session not found")
		}},
		{fault: FaultHealth503, check: func(e *faultEnv) {
			r := e.call(http.MethodGet, "/__clerk/v1/health", nil)
			e.wantStatus("GET /v1/health", r, http.StatusServiceUnavailable)
			e.wantContains("GET /v1/health body", r.body, `"status":"unhealthy"`)
		}, control: func(e *faultEnv) {
			e.wantContains("GET /v1/health body", e.call(http.MethodGet, "/__clerk/v1/health", nil).body, `"status":"healthy"`)
		}},
		{fault: FaultSignIn500Once, check: func(e *faultEnv) {
			// Instance-wide, not per client: a retry in a fresh browser
			// (a new dev browser, so a new client) passes.
			email := url.Values{"identifier": {seeded(e.t, e.s, RoleSignIn).Email}}
			e.wantClerkError("first POST sign_ins", e.fapi(http.MethodPost, "/v1/client/sign_ins", email), 500, "internal_clerk_error", "")
			e.dvb = "" // a new dev browser: a new client
			e.wantStatus("second POST sign_ins", e.fapi(http.MethodPost, "/v1/client/sign_ins", email), http.StatusOK)
			e.putFaults(string(FaultSignIn500Once)) // setting the faults again re-arms it
			e.wantClerkError("POST sign_ins after re-arming", e.fapi(http.MethodPost, "/v1/client/sign_ins", email), 500, "internal_clerk_error", "")
		}},
	}
}

// checkFAPISlow: a client with a deadline shorter than the delay gets no
// answer; without one, the answer comes, after the answer to a page request
// that was sent later.
func checkFAPISlow(e *faultEnv) {
	ctx, cancel := context.WithTimeout(context.Background(), testSlowDelay/4)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/__clerk/v1/health", nil)
	if r := e.send(req); r.err == nil || !isTimeout(r.err) {
		e.t.Errorf("GET /v1/health with a deadline of a quarter of the delay: status %d, err %v; want a timeout", r.status, r.err)
	}
	order := make(chan string, 2)
	written := make(chan struct{})
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, e.base+"/__clerk/v1/health", nil)
		r := e.send(req)
		order <- "fapi " + http.StatusText(r.status)
	}()
	<-written // the FAPI request is on the wire before the page request starts
	go func() {
		r := e.call(http.MethodGet, "/sign-in", nil)
		order <- "page " + http.StatusText(r.status)
	}()
	first, second := <-order, <-order
	if first != "page OK" || second != "fapi OK" {
		e.t.Errorf("answers came in order %q, %q; want the page first, then the late FAPI answer (both OK)", first, second)
	}
}

func configRows() []faultRow {
	env := "/__clerk/v1/environment"
	return []faultRow{
		{fault: FaultHostInvalid, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/environment", e.call(http.MethodGet, env, nil), 400, "host_invalid", "Make sure that your Clerk Publishable Key is correct.")
		}, control: func(e *faultEnv) {
			e.wantStatus("GET /v1/environment", e.call(http.MethodGet, env, nil), http.StatusOK)
		}},
		{fault: FaultOriginInvalid, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/environment", e.call(http.MethodGet, env, nil), 400, "origin_invalid", "Origin header must be equal to or a subdomain")
		}},
		{fault: FaultRedirectURLInvalid, check: func(e *faultEnv) {
			oauth := url.Values{"strategy": {"oauth_github"}, "redirect_url": {e.base + "/sign-in#/sso-callback"}}
			for _, p := range []string{"/v1/client/sign_ins", "/v1/client/sign_ups"} {
				ce := e.wantClerkError("POST "+p+" strategy=oauth_github", e.fapi(http.MethodPost, p, oauth), 422, "redirect_url_domain_mismatch", "The provided redirect URL must belong to your instance's domain")
				e.wantEqual("meta.param_name", ce.Meta["param_name"].(string), "redirect_url")
			}
			u := seeded(e.t, e.s, RoleSignIn)
			e.wantStatus("POST sign_ins with an identifier (not OAuth)", e.fapi(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {u.Email}}), http.StatusOK)
		}},
		{fault: FaultOAuthRedirectURIMismatch, before: func(e *faultEnv) {
			e.saved = e.startOAuth("github")
		}, check: func(e *faultEnv) {
			r := e.call(http.MethodGet, e.saved, nil)
			e.wantStatus("GET the provider's authorize page", r, http.StatusBadRequest)
			e.wantContains("authorize page", r.body, `data-error="redirect_uri_mismatch"`)
		}, control: func(e *faultEnv) {
			e.wantContains("authorize page", e.call(http.MethodGet, e.saved, nil).body, `id="login_field"`)
		}},
		{fault: FaultOAuthTokenExchangeError, before: func(e *faultEnv) {
			e.saved = e.oauthCallbackURL(e.startOAuth("github"))
		}, check: func(e *faultEnv) {
			e.wantStatus("GET /v1/oauth_callback", e.call(http.MethodGet, e.saved, nil), http.StatusSeeOther)
			r := e.fapi(http.MethodGet, "/v1/client", nil)
			e.wantEqual("sign_in verification status", jsonAt(e.t, r.body, "response.sign_in.first_factor_verification.status"), "failed")
			e.wantEqual("sign_in verification error", jsonAt(e.t, r.body, "response.sign_in.first_factor_verification.error.code"), "oauth_token_exchange_error")
		}},
		{fault: FaultOAuthProviderDown, check: func(e *faultEnv) {
			for _, p := range []string{"github", "google"} {
				r := e.call(http.MethodGet, "/oauth/"+p+"/authorize?client_id=x", nil)
				e.wantStatus("GET "+p+" authorize", r, http.StatusServiceUnavailable)
				e.wantContains(p+" authorize page", r.body, "<title>503 Service Unavailable</title>")
			}
		}},
		{fault: FaultTestModeOff, check: func(e *faultEnv) {
			e.wantEqual("auth_config.test_mode", jsonAt(e.t, e.fapi(http.MethodGet, "/v1/environment", nil).body, "auth_config.test_mode"), "false")
			r := e.fapi(http.MethodPost, "/v1/client/sign_ups", url.Values{"email_address": {"probe+clerk_test@example.com"}, "password": {strongPassword()}})
			e.wantStatus("POST sign_ups", r, http.StatusOK)
			id := jsonAt(e.t, r.body, "response.id")
			e.wantStatus("prepare_verification", e.fapi(http.MethodPost, "/v1/client/sign_ups/"+id+"/prepare_verification", url.Values{"strategy": {"email_code"}}), http.StatusOK)
			e.wantClerkError("attempt_verification 424242", e.fapi(http.MethodPost, "/v1/client/sign_ups/"+id+"/attempt_verification",
				url.Values{"strategy": {"email_code"}, "code": {testCode}}), 422, "form_code_incorrect", "Incorrect code")
		}},
		{fault: FaultUserQuotaExceeded, check: func(e *faultEnv) {
			e.wantClerkError("POST sign_ups", e.fapi(http.MethodPost, "/v1/client/sign_ups", url.Values{"email_address": {"quota+clerk_test@example.com"}}), 403, "user_quota_exceeded", "You have reached your limit of 100 users.")
		}, control: func(e *faultEnv) {
			e.wantStatus("POST sign_ups", e.fapi(http.MethodPost, "/v1/client/sign_ups", url.Values{"email_address": {"quota+clerk_test@example.com"}}), http.StatusOK)
		}},
		{fault: FaultBotProtectionNoToken, check: func(e *faultEnv) {
			e.wantEqual("user_settings.sign_up.captcha_enabled", jsonAt(e.t, e.fapi(http.MethodGet, "/v1/environment", nil).body, "user_settings.sign_up.captcha_enabled"), "true")
			u := seeded(e.t, e.s, RoleSignIn)
			e.wantClerkError("POST sign_ins without a testing token", e.fapi(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {u.Email}}), 400, "captcha_invalid", "failed security validations")
			tok := jsonAt(e.t, e.call(http.MethodPost, "/__bapi/v1/testing_tokens", url.Values{}).body, "token")
			e.wantStatus("POST sign_ins with a testing token", e.fapi(http.MethodPost, "/v1/client/sign_ins?__clerk_testing_token="+url.QueryEscape(tok), url.Values{"identifier": {u.Email}}), http.StatusOK)
		}},
	}
}

func dataRows() []faultRow {
	return []faultRow{
		{fault: FaultPasswordIncorrect, browser: true, check: func(e *faultEnv) {
			e.openSignIn()
			e.submitIdentifier()
			u := seeded(e.t, e.s, RoleSignIn)
			do(e.t, e.tab, "enter the (right) password", 15*time.Second, chromedp.WaitVisible(chromedp.CSS(selPassword)),
				chromedp.SendKeys(chromedp.CSS(selPassword), u.Password), chromedp.Click(chromedp.CSS(selPwContinue)))
			e.wantEqual("#error-password", e.textOf("#error-password"), "Password is incorrect. Try again, or use another method.")
		}},
		{fault: FaultUserMissing, browser: true, check: func(e *faultEnv) {
			e.openSignIn()
			e.submitIdentifier()
			e.wantEqual("#error-identifier", e.textOf("#error-identifier"), "Couldn't find your account.")
		}},
		{fault: FaultUserLocked, browser: true, check: func(e *faultEnv) {
			e.openSignIn()
			e.submitIdentifier()
			e.wantEqual(".cl-alert", e.textOf(".cl-alert"), "Your account is locked. You will be able to try again in 59 minutes. For more information, please contact support.")
		}},
		{fault: FaultRateLimited, check: func(e *faultEnv) {
			u := seeded(e.t, e.s, RoleSignIn)
			for _, p := range []string{"/v1/client/sign_ins", "/v1/client/sign_ups"} {
				r := e.fapi(http.MethodPost, p, url.Values{"identifier": {u.Email}, "email_address": {"rl+clerk_test@example.com"}})
				e.wantClerkError("POST "+p, r, 429, "too_many_requests", "Too many requests, retry later")
				e.wantEqual("Retry-After", r.header.Get("Retry-After"), "10")
			}
			e.wantStatus("GET /v1/environment (not rate limited)", e.fapi(http.MethodGet, "/v1/environment", nil), http.StatusOK)
		}, control: func(e *faultEnv) {
			e.wantStatus("POST sign_ins", e.fapi(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {seeded(e.t, e.s, RoleSignIn).Email}}), http.StatusOK)
		}},
		{fault: FaultBAPI401, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/users", e.call(http.MethodGet, "/__bapi/v1/users", nil), 401, "clerk_key_invalid", "The provided Clerk Secret Key is invalid.")
		}, control: func(e *faultEnv) {
			e.wantStatus("GET /v1/users", e.call(http.MethodGet, "/__bapi/v1/users", nil), http.StatusOK)
		}},
		{fault: FaultBAPI500, check: func(e *faultEnv) {
			e.wantClerkError("GET /v1/users", e.call(http.MethodGet, "/__bapi/v1/users", nil), 500, "internal_clerk_error", "internal error on our servers")
		}},
		{fault: FaultStatusMajorOutage, check: func(e *faultEnv) {
			body := e.call(http.MethodGet, "/api/v2/summary.json", nil).body
			e.wantEqual("status.indicator", jsonAt(e.t, body, "status.indicator"), "major")
			var sum struct {
				Components []struct{ Name, Status string }
			}
			_ = json.Unmarshal([]byte(body), &sum)
			for _, c := range sum.Components {
				if c.Name == "User and authentication" || c.Name == "Session management" {
					e.wantEqual(c.Name+" status", c.Status, "major_outage")
				}
			}
		}, control: func(e *faultEnv) {
			e.wantEqual("status.indicator", jsonAt(e.t, e.call(http.MethodGet, "/api/v2/status.json", nil).body, "status.indicator"), "none")
		}},
		{fault: FaultStatusUnreachable, check: func(e *faultEnv) {
			e.wantReset("GET summary.json", e.call(http.MethodGet, "/api/v2/summary.json", nil))
			e.wantReset("GET status.json", e.call(http.MethodGet, "/api/v2/status.json", nil))
		}, control: func(e *faultEnv) {
			e.wantStatus("GET summary.json", e.call(http.MethodGet, "/api/v2/summary.json", nil), http.StatusOK)
		}},
	}
}
