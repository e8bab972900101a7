// Package fakeclerk is a local stand-in for one Clerk development instance,
// built so that the real clerk-js 6.40.0 and @clerk/ui 1.36.0 bundles run
// against it in a browser: Frontend API (proxy mode), Backend API, the app's
// own pages, a fake OAuth provider (GitHub and Google styles) and a status
// page, all on one origin (default http://127.0.0.1:<port>).
//
// It behaves like a freshly created development instance: email + password
// with email codes, GitHub and Google sign-in, Device Trust on (a password
// sign-in from a new client answers needs_client_trust and asks for an email
// code), test mode on (+clerk_test emails and +1XXX55501XX phones take 424242;
// nothing is ever sent, so other identifiers never get a usable code),
// single-session mode, a 100-user cap, lockout after 10 failed attempts for an
// hour, and, when Options.RateLimits is set, Clerk's per-IP FAPI rate limits
// (5 sign-in/sign-up creates and 3 factor attempts per 10 s). State is kept
// per client (one client per dev browser, __clerk_db_jwt), users are global;
// everything is in memory and safe for concurrent flows.
//
// The Clerk bundles are not committed: they are read from the asset cache
// filled by scripts/fetch-clerk-assets.sh (Options.AssetsDir, else
// $LOGINPROBE_CLERK_ASSETS, else .cache/clerk-assets above the working
// directory). New fails, naming that script, when the cache is missing.
//
// # Endpoints
//
// App pages (each loads clerk-js and the UI from the proxy as Clerk's
// framework SDKs do; the publishable key appears once, in the
// data-clerk-publishable-key attribute):
//
//	GET /sign-in                 mounts <SignIn/> (hash routing: #/factor-one, #/client-trust, #/reset-password, #/sso-callback …)
//	GET /sign-up                 mounts <SignUp/> (#/verify-email-address, #/sso-callback …)
//	GET /                        home: #user-id, #user-email, #sign-out when signed in; #signed-out otherwise;
//	                             window.__app = {userId, email}; a failed load shows #load-error and sets window.__loadError
//	                             (for this project's own tests only: loginprobe reads what any app shows, never __loadError)
//	GET /sign-in/sso-callback    Clerk.handleRedirectCallback (for path-routed apps)
//	GET /sign-up/sso-callback    the same
//
// Clerk's bundles (any version segment; only files in the cache; no listing):
//
//	GET /__clerk/npm/@clerk/clerk-js@<v>/dist/<file>
//	GET /__clerk/npm/@clerk/ui@<v>/dist/<file>
//
// Frontend API under /__clerk (POST with ?_method=PATCH|DELETE is tunnelled;
// __clerk_api_version, _clerk_js_version, _clerk_retry_attempt and
// _clerk_session_id are accepted and ignored; /v1/client… needs the dev
// browser, from the __clerk_db_jwt query parameter or cookie, else 401
// dev_browser_unauthenticated):
//
//	POST   /v1/dev_browser
//	GET    /v1/environment, PATCH /v1/environment
//	GET    /v1/health
//	GET    /v1/jwks, GET /.well-known/jwks.json
//	GET    /v1/client, PUT|POST /v1/client, DELETE /v1/client
//	POST   /v1/client/sign_ins                      identifier | strategy=password|email_code|reset_password_email_code|ticket|oauth_github|oauth_google | transfer=true
//	GET    /v1/client/sign_ins/{id}
//	POST   /v1/client/sign_ins/{id}/prepare_first_factor    email_code | reset_password_email_code
//	POST   /v1/client/sign_ins/{id}/attempt_first_factor    password | email_code | reset_password_email_code (→ needs_new_password)
//	POST   /v1/client/sign_ins/{id}/prepare_second_factor   email_code (Device Trust)
//	POST   /v1/client/sign_ins/{id}/attempt_second_factor   email_code
//	POST   /v1/client/sign_ins/{id}/reset_password          password, sign_out_of_other_sessions
//	POST   /v1/client/sign_ups                      email_address, password | strategy=oauth_* | transfer=true
//	GET    /v1/client/sign_ups/{id}, PATCH /v1/client/sign_ups/{id}
//	POST   /v1/client/sign_ups/{id}/prepare_verification    email_code
//	POST   /v1/client/sign_ups/{id}/attempt_verification    email_code
//	DELETE /v1/client/sessions                      sign out (Clerk.signOut)
//	GET    /v1/client/sessions/{id}
//	POST   /v1/client/sessions/{id}/touch|end|remove
//	POST   /v1/client/sessions/{id}/tokens          (?debug=skip_cache) RS256 JWT, 60 s
//	POST   /v1/client/sessions/{id}/tokens/{template}       template "monitor" adds an email claim
//	GET    /v1/oauth_callback                       from the provider (POST is 303'd to GET)
//	GET    /v1/tickets/accept?ticket=…              a sign-in token's URL: redirects to /sign-in?__clerk_ticket=…
//
// Backend API under /__bapi ("Authorization: Bearer <secret key>"; a missing
// or non-Bearer header is 401 authorization_header_format_invalid, a wrong key
// 401 clerk_key_invalid):
//
//	GET    /v1/users          email_address (repeatable, exact), email_address_query (substring), limit, offset; newest first
//	POST   /v1/users          {email_address: [...], password, skip_password_checks}
//	GET    /v1/users/count
//	GET    /v1/users/{id}, DELETE /v1/users/{id}
//	POST   /v1/testing_tokens {object:"testing_token", token:"<unix>-<random>", expires_at: +1 h}
//	POST   /v1/sign_in_tokens {user_id} → {object:"sign_in_token", id, status, user_id, token, url}
//	GET    /v1/jwks
//
// Fake OAuth provider (client_id and redirect_uri are checked; a mismatch is
// GitHub's or Google's redirect_uri_mismatch error page):
//
//	GET  /oauth/github/authorize   login (#login_field, #password, input[type=submit][name=commit]), then
//	                               consent (#js-oauth-authorize-btn, #js-oauth-deny-btn)
//	POST /oauth/github/session, POST /oauth/github/authorize
//	GET  /oauth/google/authorize   email (input[type=email], #identifierNext), password (input[type=password],
//	                               #passwordNext), consent (#submit_approve_access, #submit_deny_access)
//	POST /oauth/google/identifier, POST /oauth/google/session, POST /oauth/google/authorize
//
// Approving redirects to /__clerk/v1/oauth_callback?code&state, denying to
// ?error=access_denied (the sign-in then fails with oauth_access_denied). A
// linked account signs in; an unknown one makes the sign-in transferable and
// clerk-js's sign_ups transfer=true creates the user. Logins starting with
// octo-newcomer (GitHub) or newcomer…@gmail.example (Google), with the
// newcomer password from Info, are fresh unlinked accounts.
//
// Status page (Atlassian Statuspage format, Clerk's component names):
//
//	GET /api/v2/summary.json, GET /api/v2/status.json, GET /api/v2/components.json,
//	GET /api/v2/incidents.json, GET /api/v2/incidents/unresolved.json,
//	GET /api/v2/scheduled-maintenances/active.json, GET /api/v2/scheduled-maintenances/upcoming.json
//
// Local administration:
//
//	GET /__fakeclerk/info      Info as JSON, secrets included (a local test instance)
//	/__fakeclerk/faults        the active faults (faults_http.go)
//
// The /__fakeclerk/ endpoints answer loopback clients only (403 otherwise),
// and Start warns when the address is not a loopback one (exposure.go).
//
// Any other path is logged at WARN and answers 404 (resource_not_found JSON
// under /__clerk and /__bapi).
//
// # Preview listener
//
// StartPreview serves the same instance on a second port of 127.0.0.1, as a
// preview deployment of the app would be: its pages are the app's pages, and
// they load Clerk's scripts and call the Frontend API at the instance's own
// URL, cross-origin (a preview shares its Clerk instance); the Frontend API
// answers CORS with credentials for the preview's origin. It is how
// `loginprobe run --base-url` is tested.
//
// # Base URL
//
// Start listens on Options.Addr and fixes the base URL. A server mounted with
// httptest.NewServer(s.Handler()) derives its URLs from each request's Host
// until SetURL is called; call SetURL(ts.URL) so that Info is complete.
//
// # Deterministic tokens
//
// Options.DeterministicTokens (fakeclerk --deterministic-tokens) mints
// session tokens without a jti and with whole-second times, so a refresh
// within the same second returns the byte-identical token, as a real Clerk
// may: RS256 signatures are deterministic and no claim promises uniqueness.
// loginprobe's tests run every flow in this mode, so no check can rest on a
// refreshed token differing from the last.
//
// # Seeded data
//
// Info lists it: the sign-in user monitor+clerk_test@example.com, the
// password-reset user reset+clerk_test@example.com (both with random strong
// passwords per server), the OAuth user oauth+clerk_test@example.com linked to
// GitHub octo-monitor and Google monitor.oauth@gmail.example, and the unlinked
// newcomer accounts of both providers.
//
// ## Faults
//
// Faults are named failures (Fault, Catalog), set with Options.Faults,
// Server.SetFaults or the /__fakeclerk/faults endpoint.
//
// sign_in_500_once fires once per instance, not once per client (which is
// what the fault was first asked to be). loginprobe retries a failed flow in
// a fresh browser context: new cookies, so Clerk sees a new client. A fault
// that failed each client's first sign-in would fail every retry as well,
// and `--retries 1` could never pass. Firing once for the whole instance is
// the blip a retry is for; it is re-armed each time the faults are set, so
// a test that sets it gets exactly one failed attempt.
//
// Most faults are applied by the fault middleware in front of every route; test_mode_off,
// bot_protection_no_token, oauth_redirect_uri_mismatch,
// oauth_token_exchange_error, google_disabled and status_major_outage live in
// the handlers.
//
//   - clerk_js_404 (loading): clerk.browser.js answers 404 text/plain: window.Clerk stays undefined
//   - clerk_js_timeout (loading): clerk.browser.js never finishes loading
//   - ui_js_404 (loading): ui.browser.js answers 404: Clerk loads but cannot mount SignIn/SignUp
//   - app_500 (loading): the app's own /sign-in, /sign-up and / pages answer 500
//   - app_csp_blocks_clerk (loading): the app's pages carry a Content-Security-Policy whose script-src blocks Clerk's scripts
//   - clerk_js_wrong_mime (loading): clerk.browser.js answers 200 text/plain with nosniff: the browser refuses to run it
//   - fapi_down (outage): every Frontend API connection is reset
//   - fapi_500 (outage): every Frontend API call answers 500 internal_clerk_error
//   - fapi_503 (outage): every Frontend API call answers 503 service_unavailable
//   - fapi_429_outage (outage): every Frontend API call answers 429 with no error code (Clerk's Feb/Mar 2026 outages)
//   - fapi_slow (outage): every Frontend API answer is 20 s late
//   - environment_500 (outage): GET/PATCH /v1/environment answers 500 internal_clerk_error
//   - dev_browser_500 (outage): POST /v1/dev_browser answers 500: Clerk.load() rejects
//   - tokens_500 (outage): session token refresh (/v1/client/sessions/{id}/tokens) answers 500
//   - session_not_found (outage): session token refresh answers 404 resource_not_found
//   - health_503 (outage): GET /v1/health answers 503 {"status":"unhealthy"}
//   - client_502 (outage): GET /v1/client answers 502 Bad Gateway (HTML): Clerk.status degraded
//   - jwks_empty (outage): the JWKS answers {"keys":[]}: no session token verifies
//   - jwks_wrong_key (outage): the JWKS has a key with another kid than the one that signs session tokens
//   - sign_in_500_once (outage): the first sign-in create with an identifier after the fault is set answers 500 internal_clerk_error, once for the whole instance, not per client (a retry is a new client); later ones pass (a blip: a retry passes)
//   - host_invalid (config): every Frontend API call answers 400 host_invalid
//   - origin_invalid (config): every Frontend API call answers 400 origin_invalid
//   - invalid_publishable_key (config): the app's pages carry a malformed publishable key (pk_test_JA==)
//   - redirect_url_invalid (config): OAuth sign-in/sign-up create answers 422 redirect_url_domain_mismatch
//   - oauth_redirect_uri_mismatch (config): the OAuth provider refuses the redirect_uri (redirect_uri_mismatch error page)
//   - oauth_token_exchange_error (config): the OAuth callback fails the token exchange: sign-in verification ends with oauth_token_exchange_error
//   - oauth_provider_down (config): the OAuth provider's pages answer 503
//   - test_mode_off (config): test mode is off: auth_config.test_mode is false and 424242 is form_code_incorrect
//   - user_quota_exceeded (config): sign-up create answers 403 user_quota_exceeded
//   - bot_protection_no_token (config): bot protection on: sign-in/sign-up creates without a valid __clerk_testing_token answer 400 captcha_invalid
//   - google_disabled (config): Google is not enabled on the instance: /v1/environment lists only GitHub in user_settings.social (no Google button) and an oauth_google create answers 422 oauth_provider_not_enabled
//   - page_proxy_unreachable (config): the app's pages give Clerk a proxy URL (/__elsewhere) whose connections are reset: Clerk talks to another Frontend API than the configured one
//   - password_incorrect (test_data): every password attempt answers 422 form_password_incorrect
//   - user_missing (test_data): sign-in create answers 422 form_identifier_not_found for every identifier
//   - user_locked (test_data): sign-in attempts answer 403 user_locked
//   - rate_limited (rate_limit): sign-in/sign-up creates answer 429 too_many_requests with Retry-After
//   - bapi_401 (backend): every Backend API call answers 401 clerk_key_invalid
//   - bapi_500 (backend): every Backend API call answers 500 internal_clerk_error
//   - status_major_outage (status): the status page reports a major outage of User and authentication and Session management
//   - status_unreachable (status): status page connections are reset
package fakeclerk
