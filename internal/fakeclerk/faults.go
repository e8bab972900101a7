package fakeclerk

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Fault names one failure the local Clerk can inject. The table of faults,
// with what each does, is in the package doc (doc.go) and in Catalog.
type Fault string

// The faults, by category.
const (
	// Loading the page and Clerk's scripts.
	FaultClerkJS404        Fault = "clerk_js_404"
	FaultClerkJSTimeout    Fault = "clerk_js_timeout"
	FaultUIJS404           Fault = "ui_js_404"
	FaultApp500            Fault = "app_500"
	FaultAppCSPBlocksClerk Fault = "app_csp_blocks_clerk"
	FaultClerkJSWrongMIME  Fault = "clerk_js_wrong_mime"

	// A Clerk outage.
	FaultFAPIDown        Fault = "fapi_down"
	FaultFAPI500         Fault = "fapi_500"
	FaultFAPI503         Fault = "fapi_503"
	FaultFAPI429Outage   Fault = "fapi_429_outage"
	FaultFAPISlow        Fault = "fapi_slow"
	FaultEnvironment500  Fault = "environment_500"
	FaultDevBrowser500   Fault = "dev_browser_500"
	FaultTokens500       Fault = "tokens_500"
	FaultSessionNotFound Fault = "session_not_found"
	FaultHealth503       Fault = "health_503"
	FaultClient502       Fault = "client_502"
	FaultJWKSEmpty       Fault = "jwks_empty"
	FaultJWKSWrongKey    Fault = "jwks_wrong_key"
	FaultSignIn500Once   Fault = "sign_in_500_once"

	// The app's configuration.
	FaultHostInvalid              Fault = "host_invalid"
	FaultOriginInvalid            Fault = "origin_invalid"
	FaultInvalidPublishableKey    Fault = "invalid_publishable_key"
	FaultRedirectURLInvalid       Fault = "redirect_url_invalid"
	FaultOAuthRedirectURIMismatch Fault = "oauth_redirect_uri_mismatch"
	FaultOAuthTokenExchangeError  Fault = "oauth_token_exchange_error"
	FaultOAuthProviderDown        Fault = "oauth_provider_down"
	FaultTestModeOff              Fault = "test_mode_off"
	FaultUserQuotaExceeded        Fault = "user_quota_exceeded"
	FaultBotProtectionNoToken     Fault = "bot_protection_no_token"
	FaultGoogleDisabled           Fault = "google_disabled"
	FaultPageProxyUnreachable     Fault = "page_proxy_unreachable"

	// The monitor's test data.
	FaultPasswordIncorrect Fault = "password_incorrect"
	FaultUserMissing       Fault = "user_missing"
	FaultUserLocked        Fault = "user_locked"

	// Rate limits.
	FaultRateLimited Fault = "rate_limited"

	// Backend API and status page.
	FaultBAPI401           Fault = "bapi_401"
	FaultBAPI500           Fault = "bapi_500"
	FaultStatusMajorOutage Fault = "status_major_outage"
	FaultStatusUnreachable Fault = "status_unreachable"
)

// FaultInfo describes one fault for the table in the docs and `GET /__fakeclerk/faults/catalog`.
type FaultInfo struct {
	Name     Fault
	Category string
	Effect   string // what the stand-in does, and so what a browser or client sees
}

// Catalog lists every fault. Keep it in step with doc.go.
var Catalog = []FaultInfo{
	{FaultClerkJS404, "loading", "clerk.browser.js answers 404 text/plain: window.Clerk stays undefined"},
	{FaultClerkJSTimeout, "loading", "clerk.browser.js never finishes loading"},
	{FaultUIJS404, "loading", "ui.browser.js answers 404: Clerk loads but cannot mount SignIn/SignUp"},
	{FaultApp500, "loading", "the app's own /sign-in, /sign-up and / pages answer 500"},
	{FaultAppCSPBlocksClerk, "loading", "the app's pages carry a Content-Security-Policy whose script-src blocks Clerk's scripts"},
	{FaultClerkJSWrongMIME, "loading", "clerk.browser.js answers 200 text/plain with nosniff: the browser refuses to run it"},
	{FaultFAPIDown, "outage", "every Frontend API connection is reset"},
	{FaultFAPI500, "outage", "every Frontend API call answers 500 internal_clerk_error"},
	{FaultFAPI503, "outage", "every Frontend API call answers 503 service_unavailable"},
	{FaultFAPI429Outage, "outage", "every Frontend API call answers 429 with no error code (Clerk's Feb/Mar 2026 outages)"},
	{FaultFAPISlow, "outage", "every Frontend API answer is 20 s late"},
	{FaultEnvironment500, "outage", "GET/PATCH /v1/environment answers 500 internal_clerk_error"},
	{FaultDevBrowser500, "outage", "POST /v1/dev_browser answers 500: Clerk.load() rejects"},
	{FaultTokens500, "outage", "session token refresh (/v1/client/sessions/{id}/tokens) answers 500"},
	{FaultSessionNotFound, "outage", "session token refresh answers 404 resource_not_found"},
	{FaultHealth503, "outage", "GET /v1/health answers 503 {\"status\":\"unhealthy\"}"},
	{FaultClient502, "outage", "GET /v1/client answers 502 Bad Gateway (HTML): Clerk.status degraded"},
	{FaultJWKSEmpty, "outage", "the JWKS answers {\"keys\":[]}: no session token verifies"},
	{FaultJWKSWrongKey, "outage", "the JWKS has a key with another kid than the one that signs session tokens"},
	{FaultSignIn500Once, "outage", "the first sign-in create with an identifier after the fault is set answers 500 internal_clerk_error, once for the whole instance, not per client (a retry is a new client); later ones pass (a blip: a retry passes)"},
	{FaultHostInvalid, "config", "every Frontend API call answers 400 host_invalid"},
	{FaultOriginInvalid, "config", "every Frontend API call answers 400 origin_invalid"},
	{FaultInvalidPublishableKey, "config", "the app's pages carry a malformed publishable key (pk_test_JA==)"},
	{FaultRedirectURLInvalid, "config", "OAuth sign-in/sign-up create answers 422 redirect_url_domain_mismatch"},
	{FaultOAuthRedirectURIMismatch, "config", "the OAuth provider refuses the redirect_uri (redirect_uri_mismatch error page)"},
	{FaultOAuthTokenExchangeError, "config", "the OAuth callback fails the token exchange: sign-in verification ends with oauth_token_exchange_error"},
	{FaultOAuthProviderDown, "config", "the OAuth provider's pages answer 503"},
	{FaultTestModeOff, "config", "test mode is off: auth_config.test_mode is false and 424242 is form_code_incorrect"},
	{FaultUserQuotaExceeded, "config", "sign-up create answers 403 user_quota_exceeded"},
	{FaultBotProtectionNoToken, "config", "bot protection on: sign-in/sign-up creates without a valid __clerk_testing_token answer 400 captcha_invalid"},
	{FaultGoogleDisabled, "config", "Google is not enabled on the instance: /v1/environment lists only GitHub in user_settings.social (no Google button) and an oauth_google create answers 422 oauth_provider_not_enabled"},
	{FaultPageProxyUnreachable, "config", "the app's pages give Clerk a proxy URL (/__elsewhere) whose connections are reset: Clerk talks to another Frontend API than the configured one"},
	{FaultPasswordIncorrect, "test_data", "every password attempt answers 422 form_password_incorrect"},
	{FaultUserMissing, "test_data", "sign-in create answers 422 form_identifier_not_found for every identifier"},
	{FaultUserLocked, "test_data", "sign-in attempts answer 403 user_locked"},
	{FaultRateLimited, "rate_limit", "sign-in/sign-up creates answer 429 too_many_requests with Retry-After"},
	{FaultBAPI401, "backend", "every Backend API call answers 401 clerk_key_invalid"},
	{FaultBAPI500, "backend", "every Backend API call answers 500 internal_clerk_error"},
	{FaultStatusMajorOutage, "status", "the status page reports a major outage of User and authentication and Session management"},
	{FaultStatusUnreachable, "status", "status page connections are reset"},
}

// ParseFaults parses a comma-separated list of fault names. Blank entries are
// ignored; an unknown name is an error that lists the known ones.
func ParseFaults(list string) ([]Fault, error) {
	var out []Fault
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !known(Fault(name)) {
			return nil, fmt.Errorf("unknown fault %q: known faults are %s", name, strings.Join(FaultNames(), ", "))
		}
		out = append(out, Fault(name))
	}
	return out, nil
}

// FaultNames lists every fault name, sorted.
func FaultNames() []string {
	names := make([]string, 0, len(Catalog))
	for _, f := range Catalog {
		names = append(names, string(f.Name))
	}
	sort.Strings(names)
	return names
}

func known(f Fault) bool {
	return slices.ContainsFunc(Catalog, func(i FaultInfo) bool { return i.Name == f })
}

// Faults is the set of active faults. It is safe for concurrent use.
type Faults struct {
	mu    sync.RWMutex
	set   map[Fault]bool
	spent map[Fault]bool // one-shot faults that already fired since the last Set
}

// fireOnce reports whether the one-shot fault f is active and has not fired
// since the faults were last set, and marks it fired.
func (s *Faults) fireOnce(f Fault) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.set[f] || s.spent[f] {
		return false
	}
	if s.spent == nil {
		s.spent = map[Fault]bool{}
	}
	s.spent[f] = true
	return true
}

// Active reports whether f is active.
func (s *Faults) Active(f Fault) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.set[f]
}

// Set replaces the active faults. Unknown names are an error and change nothing.
func (s *Faults) Set(faults []Fault) error {
	for _, f := range faults {
		if !known(f) {
			return fmt.Errorf("unknown fault %q: known faults are %s", f, strings.Join(FaultNames(), ", "))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set = make(map[Fault]bool, len(faults))
	s.spent = nil // one-shot faults fire again
	for _, f := range faults {
		s.set[f] = true
	}
	return nil
}

// List returns the active faults, sorted.
func (s *Faults) List() []Fault {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Fault, 0, len(s.set))
	for f := range s.set {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}
