package clerk

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/loginprobe/loginprobe/internal/result"
)

// codeInfo is what loginprobe knows about one ClerkAPIError code. This is
// the one catalogue of Clerk's error codes: the diagnosis reads its phrases,
// UI texts and 429 rules from here.
type codeInfo struct {
	cause   result.Cause
	phrase  string   // a few words for a summary: "the monitor user is locked"
	ui      []string // what Clerk's prebuilt UI shows for it ("Password is incorrect")
	own429  bool     // a 429 with this code names its own cause (bot protection, code sends), whatever the endpoint
	meaning string   // what it means and what to do
}

// testingTokenFix is the advice for every bot-protection code.
const testingTokenFix = "Bot protection (CAPTCHA) rejected the request: set clerk.secret_key so loginprobe can use a testing token (or CLERK_TESTING_TOKEN); if one is set, it may have expired or belong to another instance."

// codes is the catalog: every code of clerk.md §4.2 (from Clerk's
// api_errors.json) plus bot_detected, seen in the wild.
var codes = map[string]codeInfo{
	// Outage.
	"internal_clerk_error": {cause: result.CauseClerkOutage, meaning: "Clerk hit an internal error: a Clerk-side problem. Nothing to fix in the app; check https://status.clerk.com and quote the trace id to Clerk support."},
	"service_unavailable":  {cause: result.CauseClerkOutage, meaning: "Clerk's service is unavailable: a Clerk-side problem. Check https://status.clerk.com."},

	// The app's configuration: keys, domains, origins.
	"host_invalid":                        {cause: result.CauseConfig, phrase: "the publishable key does not match a Clerk instance", meaning: "The request could not be attributed to a Clerk instance: the publishable key (or the Frontend API host/proxy) is wrong. Copy the key from the Clerk dashboard."},
	"origin_invalid":                      {cause: result.CauseConfig, phrase: "the page's origin is not allowed for this key", meaning: "The page's Origin is not allowed for this instance (production keys only work on their own domain): check the app's domain in the Clerk dashboard, or that the right key is deployed."},
	"origin_missing":                      {cause: result.CauseConfig, meaning: "The request had no Origin header: a proxy strips it, or the browser runs with --disable-web-security."},
	"subdomain_not_allowed":               {cause: result.CauseConfig, meaning: "The page's subdomain is not in the instance's allowed subdomains: add it in the Clerk dashboard."},
	"authorization_invalid":               {cause: result.CauseConfig, meaning: "The key is not authorized for this request: check that the secret key belongs to this instance and has the needed permissions."},
	"authorization_header_format_invalid": {cause: result.CauseConfig, meaning: "The Backend API Authorization header is malformed: clerk.secret_key is empty or not an sk_test_/sk_live_ key."},
	"clerk_key_invalid":                   {cause: result.CauseConfig, phrase: "the secret key is invalid", meaning: "The secret key is invalid: set clerk.secret_key to the instance's current secret key (sk_test_… or sk_live_…) from the Clerk dashboard."},
	"proxy_request_missing_secret_key":    {cause: result.CauseConfig, meaning: "The FAPI proxy does not send the Clerk-Secret-Key header: fix the proxy configuration."},
	"proxy_request_invalid_secret_key":    {cause: result.CauseConfig, meaning: "The FAPI proxy sends a wrong Clerk-Secret-Key: fix the proxy configuration."},
	"invalid_proxy_configuration":         {cause: result.CauseConfig, meaning: "Clerk's Frontend API cannot be reached through the configured proxy URL: fix the proxy_url in the Clerk dashboard or the proxy itself."},

	// The app's configuration: instance settings.
	"form_code_incorrect":              {cause: result.CauseConfig, phrase: "test mode is off (code 424242 refused)", ui: []string{"Incorrect code"}, meaning: "The verification code 424242 was rejected: test mode is off for this instance, or the identifier is not a test one (+clerk_test email, +1 XXX 555-01XX phone). Enable test mode or use a test identifier."},
	"user_quota_exceeded":              {cause: result.CauseConfig, phrase: "the instance's user limit is reached", meaning: "The instance reached its user limit (100 on development instances): delete leftover synthetic users (loginprobe cleanup) or raise the plan."},
	"dev_monthly_email_limit_exceeded": {cause: result.CauseConfig, meaning: "The development instance's monthly email limit was reached: use +clerk_test addresses, which send no email."},
	"dev_monthly_sms_limit_exceeded":   {cause: result.CauseConfig, meaning: "The development instance's monthly SMS limit was reached: use test phone numbers (+1 XXX 555-01XX), which send no SMS."},
	"not_allowed_access":               {cause: result.CauseConfig, phrase: "the instance's restrictions refuse the monitor's identifier", meaning: "The instance's restrictions refuse this identifier (allowlist/blocklist, or email subaddresses such as +clerk_test are blocked): allow the monitor's identifier."},
	"sign_up_mode_restricted":          {cause: result.CauseConfig, meaning: "Sign-ups are restricted on this instance: the sign-up flow cannot work unless sign-up mode is public."},
	"sign_up_restricted_waitlist":      {cause: result.CauseConfig, meaning: "Sign-ups are restricted to a waitlist: the sign-up flow cannot work unless sign-up mode is public."},

	// Bot protection.
	"captcha_invalid":       {cause: result.CauseBotProtection, phrase: "bot protection rejected the monitor (no valid testing token)", own429: true, meaning: testingTokenFix},
	"captcha_missing_token": {cause: result.CauseBotProtection, phrase: "bot protection rejected the monitor (no valid testing token)", own429: true, meaning: testingTokenFix},
	"requires_captcha":      {cause: result.CauseBotProtection, phrase: "bot protection rejected the monitor (no valid testing token)", own429: true, meaning: testingTokenFix},
	"bot_detected":          {cause: result.CauseBotProtection, phrase: "bot protection rejected the monitor (no valid testing token)", own429: true, meaning: testingTokenFix},
	"action_blocked":        {cause: result.CauseBotProtection, phrase: "Clerk's fraud rules blocked the monitor", meaning: "Clerk's fraud rules blocked the action: the monitor looks like a bot; use a testing token (clerk.secret_key) or relax the Protect rules for the monitor."},
	"device_blocked":        {cause: result.CauseBotProtection, phrase: "Clerk's fraud rules blocked the monitor's browser", meaning: "Clerk's fraud rules blocked this device: use a testing token (clerk.secret_key) or relax the Protect rules for the monitor."},

	// Redirect URLs and OAuth.
	"resource_missmatch":                     {cause: result.CauseConfig, phrase: "the redirect URL is not allowed", meaning: "The redirect URL does not match an authorized redirect URI of this instance: add it to the allowed redirect URLs in the Clerk dashboard."},
	"redirect_url_domain_mismatch":           {cause: result.CauseConfig, phrase: "the redirect URL is not allowed", meaning: "The redirect URL is not on the instance's domain: add it to the allowed redirect URLs, or fix the app's redirect URL."},
	"invalid_redirect_url":                   {cause: result.CauseConfig, phrase: "the redirect URL is not allowed", meaning: "The redirect URL is invalid: fix the app's redirect URL or the instance's allowed redirect URLs."},
	"prohibited_redirect_url":                {cause: result.CauseConfig, phrase: "the redirect URL is not allowed", meaning: "The redirect URL is prohibited for this instance: fix the app's redirect URL or the instance's allowed redirect URLs."},
	"redirect_uri_mismatch":                  {cause: result.CauseConfig, phrase: "the OAuth app does not accept Clerk's callback URL", meaning: "The OAuth provider refused the callback URL: register Clerk's Authorization Callback URL in the provider's OAuth app."},
	"oauth_provider_not_enabled":             {cause: result.CauseConfig, meaning: "The OAuth provider is not enabled for this instance: enable it under SSO connections in the Clerk dashboard."},
	"oauth_config_missing":                   {cause: result.CauseConfig, meaning: "The OAuth provider has no credentials configured: set the provider's client ID and secret in the Clerk dashboard."},
	"misconfigured_oauth_provider":           {cause: result.CauseConfig, meaning: "The OAuth provider is misconfigured in the Clerk dashboard: check its client ID, secret and scopes."},
	"oauth_shared_credentials_not_supported": {cause: result.CauseConfig, meaning: "Shared OAuth credentials only work on development instances: set your own client ID and secret for production."},
	"oauth_token_exchange_error":             {cause: result.CauseConfig, phrase: "the OAuth token exchange failed", ui: []string{"Token exchange error"}, meaning: "The OAuth provider refused the token exchange: usually a wrong client secret in the Clerk dashboard, sometimes the provider is down."},
	"oauth_fetch_user_error":                 {cause: result.CauseConfig, meaning: "Clerk could not fetch the user from the OAuth provider: check the OAuth app's scopes and credentials, or the provider's status."},
	"oauth_callback_invalid":                 {cause: result.CauseConfig, meaning: "The OAuth callback was invalid (state or code missing or expired): check the OAuth app's callback URL."},

	// The monitor's test data.
	"form_password_incorrect":      {cause: result.CauseTestData, phrase: "the monitor user's password was rejected", ui: []string{"Password is incorrect"}, meaning: "The monitor user's password was rejected: it was changed or rotated; update the monitor's password. Repeated failures lock the account after 10 attempts."},
	"form_identifier_not_found":    {cause: result.CauseTestData, phrase: "the monitor user does not exist", ui: []string{"Couldn't find your account", "Couldn’t find your account"}, meaning: "The monitor user does not exist on this instance: create it (or fix the configured email)."},
	"user_locked":                  {cause: result.CauseTestData, phrase: "the monitor user is locked", ui: []string{"Your account is locked"}, meaning: "The monitor user is locked after too many failed attempts (default 10, for 1 hour): unlock it in the Clerk dashboard and fix the password."},
	"form_identifier_exists":       {cause: result.CauseTestData, phrase: "a synthetic user was left behind", ui: []string{"email address is taken"}, meaning: "The sign-up email already exists: a synthetic user was not cleaned up; delete it (loginprobe cleanup)."},
	"form_password_pwned":          {cause: result.CauseTestData, ui: []string{"password has been found as part of a breach"}, meaning: "The monitor user's password was found in a breach: give the monitor user a new password."},
	"external_account_not_found":   {cause: result.CauseTestData, meaning: "The OAuth account is not linked to any user: link the monitor's provider account or use the sign-up flow."},
	"oauth_identification_claimed": {cause: result.CauseTestData, meaning: "The OAuth account's email belongs to another user: use a dedicated provider account for the monitor."},
	"oauth_access_denied":          {cause: result.CauseTestData, meaning: "The OAuth provider account declined access: approve the OAuth app once with the monitor's provider account."},

	// Rate limits hit by the monitor.
	"too_many_requests":                   {cause: result.CauseRateLimited, meaning: "Clerk rate-limited the request (per IP: 5 sign-in/sign-up creates and 3 attempts per 10 s): run flows less often or spread them out."},
	"verification_code_too_many_requests": {cause: result.CauseRateLimited, own429: true, meaning: "Verification codes were requested too often (wait at least 30 s between codes for one identifier): run the flow less often."},
	"signup_rate_limit_exceeded":          {cause: result.CauseRateLimited, own429: true, meaning: "Clerk's sign-up rate limit was exceeded: run the sign-up flow less often."},

	// The monitor itself (its browser state).
	"session_exists":               {cause: result.CauseMonitor, meaning: "The browser was already signed in: loginprobe reused a browser state it should not have."},
	"identifier_already_signed_in": {cause: result.CauseMonitor, meaning: "The browser was already signed in: loginprobe reused a browser state it should not have."},
	"client_not_found":             {cause: result.CauseMonitor, meaning: "Clerk found no client for the request: the browser lost its Clerk cookies (or dev-browser token) mid-flow."},
	"dev_browser_unauthenticated":  {cause: result.CauseMonitor, meaning: "The development browser token was not accepted: clerk-js normally recreates it; if this persists, the browser blocks Clerk's cookies."},

	// Unclear without more context.
	"authentication_invalid":            {cause: result.CauseUnknown, meaning: "The request needed an active session and had none: the session ended or was never created (or, on the Backend API, the key was not accepted)."},
	"resource_not_found":                {cause: result.CauseUnknown, meaning: "Clerk did not find the sign-in, sign-up, session or user: it expired or was removed."},
	"session_refresh_session_not_found": {cause: result.CauseUnknown, meaning: "The session to refresh no longer exists: it ended."},
}

// CodeCause maps a Clerk API error to a cause. Any 5xx, internal_clerk_error
// and service_unavailable are a Clerk outage, and so is a 429 without a code;
// for a 429 with a code, use Is429Outage with the path first. Unknown codes
// are CauseUnknown.
func CodeCause(status int, code string) result.Cause {
	if status >= 500 || code == "internal_clerk_error" || code == "service_unavailable" {
		return result.CauseClerkOutage
	}
	if status == http.StatusTooManyRequests && code == "" {
		return result.CauseClerkOutage
	}
	if c, ok := codes[code]; ok {
		return c.cause
	}
	if status == http.StatusTooManyRequests {
		return result.CauseRateLimited
	}
	return result.CauseUnknown
}

// CodeMeaning is a short explanation of a ClerkAPIError code and what to do,
// or "" for a code loginprobe does not know.
func CodeMeaning(code string) string { return codes[code].meaning }

// CodePhrase says in a few words what a code means, for a summary, or
// "Clerk refused the request" for a code without a phrase.
func CodePhrase(code string) string {
	if p := codes[code].phrase; p != "" {
		return p
	}
	return "Clerk refused the request"
}

// CodesShownIn returns the codes whose prebuilt-UI text appears in s.
func CodesShownIn(s string) []string {
	var out []string
	for code, c := range codes {
		for _, t := range c.ui {
			if strings.Contains(s, t) {
				out = append(out, code)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// KnownCode reports whether loginprobe's catalog has the code.
func KnownCode(code string) bool {
	_, ok := codes[code]
	return ok
}

// rateLimitedPath matches the Frontend API endpoints Clerk rate-limits per IP
// (system-limits docs): creating sign-ins and sign-ups, attempting (and
// preparing, which sends codes) their factors and verifications.
var rateLimitedPath = regexp.MustCompile(`^/v1/client/(sign_ins|sign_ups)(/[^/]+/(attempt|prepare)_(first_factor|second_factor|verification))?/?$`)

// Is429Outage reports whether a 429 on path (a Frontend or Backend API path
// such as "/v1/environment"; a prefix before "/v1/" and a query are ignored)
// with the given code is better read as a Clerk incident than as a rate limit
// (clerk.md §4.2, outage note): a 429 with no code, or a 429 on an endpoint
// Clerk does not rate-limit (environment, client, session tokens, Backend API
// reads). Bot-protection and code-send 429s are never outages.
func Is429Outage(path, code string) bool {
	if codes[code].own429 {
		return false
	}
	if code == "" {
		return true
	}
	return !rateLimitedPath.MatchString(APIPath(path))
}

// APIPath reduces a URL or path to its Clerk API path: the part from "/v1/"
// on, without query or fragment ("https://x/__clerk/v1/client?a=b" →
// "/v1/client"). A path without "/v1/" is returned without its query.
func APIPath(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "/v1/"); i >= 0 {
		return u[i:]
	}
	if strings.HasSuffix(u, "/v1") {
		return "/v1"
	}
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return "/"
	}
	return u
}
