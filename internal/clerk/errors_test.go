package clerk

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

func TestParseAPIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		want    APIError
		wantErr string // Error()
	}{
		{
			name:    "envelope",
			status:  500,
			body:    `{"errors":[{"message":"Oops, an unexpected error occurred","long_message":"There was an internal error on our servers","code":"internal_clerk_error","meta":{}}],"meta":{},"clerk_trace_id":"abc"}`,
			want:    APIError{Status: 500, Code: "internal_clerk_error", Message: "Oops, an unexpected error occurred", LongMessage: "There was an internal error on our servers", TraceID: "abc"},
			wantErr: "500 internal_clerk_error: There was an internal error on our servers (trace abc)",
		},
		{
			name:    "param name and header trace",
			status:  422,
			header:  http.Header{"X-Clerk-Trace-Id": {"hdr"}},
			body:    `{"errors":[{"message":"Password is incorrect. Try again, or use another method.","code":"form_password_incorrect","meta":{"param_name":"password"}}]}`,
			want:    APIError{Status: 422, Code: "form_password_incorrect", Message: "Password is incorrect. Try again, or use another method.", ParamName: "password", TraceID: "hdr"},
			wantErr: "422 form_password_incorrect: Password is incorrect. Try again, or use another method. (trace hdr)",
		},
		{
			name:    "429 no body with Retry-After",
			status:  429,
			header:  http.Header{"Retry-After": {"7"}, "Cf-Ray": {"8a1b"}},
			want:    APIError{Status: 429, RetryAfter: 7 * time.Second, CFRay: "8a1b"},
			wantErr: "429: Too Many Requests",
		},
		{
			name:    "html from a proxy",
			status:  502,
			body:    "<html><body>Bad gateway</body></html>",
			want:    APIError{Status: 502, Body: "<html><body>Bad gateway</body></html>"},
			wantErr: "502: Bad Gateway",
		},
		{
			name:    "health 503",
			status:  503,
			body:    `{"status":"unhealthy","message":"database unreachable"}`,
			want:    APIError{Status: 503, Message: "database unreachable"},
			wantErr: "503: database unreachable",
		},
		{
			name:    "bot detected",
			status:  429,
			body:    `{"errors":[{"message":"Bot traffic was detected. Please try again or contact support.","code":"bot_detected"}]}`,
			want:    APIError{Status: 429, Code: "bot_detected", Message: "Bot traffic was detected. Please try again or contact support."},
			wantErr: "429 bot_detected: Bot traffic was detected. Please try again or contact support.",
		},
		{
			name:    "errors not an array",
			status:  400,
			body:    `{"errors":"nope"}`,
			want:    APIError{Status: 400, Body: `{"errors":"nope"}`},
			wantErr: "400: Bad Request",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := ParseAPIError(tt.status, h, []byte(tt.body))
			want := tt.want
			if want.Body == "" {
				want.Body = tt.body
			}
			if *got != want {
				t.Errorf("ParseAPIError:\n got %+v\nwant %+v", *got, want)
			}
			if got.Error() != tt.wantErr {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.wantErr)
			}
		})
	}
}

func TestParseAPIErrorBodyIsTruncatedAndRedacted(t *testing.T) {
	t.Parallel()
	body := `{"echo":"Bearer sk_test_abcdef123456 eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"}` + strings.Repeat("é", 400)
	e := ParseAPIError(400, http.Header{}, []byte(body))
	if len(e.Body) > maxErrorBody+20 {
		t.Errorf("Body is %d bytes, want at most about %d", len(e.Body), maxErrorBody)
	}
	for _, leak := range []string{"sk_test_abcdef123456", "eyJhbGciOiJSUzI1NiJ9"} {
		if strings.Contains(e.Body, leak) {
			t.Errorf("Body keeps %q: %s", leak, e.Body)
		}
	}
	if !strings.HasSuffix(e.Body, "é") {
		t.Errorf("Body was cut inside a rune: %q", e.Body[len(e.Body)-4:])
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"30", 30 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCodeCause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		code   string
		want   result.Cause
	}{
		{500, "internal_clerk_error", result.CauseClerkOutage},
		{503, "service_unavailable", result.CauseClerkOutage},
		{502, "", result.CauseClerkOutage},
		{500, "form_password_incorrect", result.CauseClerkOutage}, // a 5xx is Clerk's, whatever the code
		{429, "", result.CauseClerkOutage},
		{429, "too_many_requests", result.CauseRateLimited},
		{429, "verification_code_too_many_requests", result.CauseRateLimited},
		{429, "some_new_code", result.CauseRateLimited},
		{429, "bot_detected", result.CauseBotProtection},
		{400, "captcha_invalid", result.CauseBotProtection},
		{400, "host_invalid", result.CauseConfig},
		{400, "origin_invalid", result.CauseConfig},
		{401, "clerk_key_invalid", result.CauseConfig},
		{422, "form_code_incorrect", result.CauseConfig},
		{403, "user_quota_exceeded", result.CauseConfig},
		{422, "redirect_url_domain_mismatch", result.CauseConfig},
		{400, "redirect_uri_mismatch", result.CauseConfig},
		{400, "oauth_token_exchange_error", result.CauseConfig},
		{422, "form_password_incorrect", result.CauseTestData},
		{422, "form_identifier_not_found", result.CauseTestData},
		{403, "user_locked", result.CauseTestData},
		{400, "session_exists", result.CauseMonitor},
		{404, "resource_not_found", result.CauseUnknown},
		{400, "never_heard_of_it", result.CauseUnknown},
	}
	for _, tt := range tests {
		if got := CodeCause(tt.status, tt.code); got != tt.want {
			t.Errorf("CodeCause(%d, %q) = %q, want %q", tt.status, tt.code, got, tt.want)
		}
	}
}

// TestCodeMeaningCoversTheCatalog checks every code of clerk.md §4.2, plus
// bot_detected and captcha_invalid, has an explanation.
func TestCodeMeaningCoversTheCatalog(t *testing.T) {
	t.Parallel()
	doc := []string{
		"host_invalid", "origin_invalid", "origin_missing", "subdomain_not_allowed",
		"dev_browser_unauthenticated", "authentication_invalid", "authorization_invalid",
		"authorization_header_format_invalid", "clerk_key_invalid", "form_identifier_not_found",
		"form_password_incorrect", "form_code_incorrect", "form_identifier_exists", "session_exists",
		"identifier_already_signed_in", "user_locked", "user_quota_exceeded",
		"dev_monthly_email_limit_exceeded", "dev_monthly_sms_limit_exceeded", "not_allowed_access",
		"sign_up_mode_restricted", "sign_up_restricted_waitlist", "captcha_invalid",
		"captcha_missing_token", "requires_captcha", "signup_rate_limit_exceeded", "action_blocked",
		"device_blocked", "bot_detected", "too_many_requests", "verification_code_too_many_requests",
		"resource_missmatch", "redirect_url_domain_mismatch", "invalid_redirect_url",
		"prohibited_redirect_url", "redirect_uri_mismatch", "oauth_provider_not_enabled",
		"oauth_config_missing", "misconfigured_oauth_provider", "oauth_shared_credentials_not_supported",
		"oauth_token_exchange_error", "oauth_fetch_user_error", "resource_not_found",
		"session_refresh_session_not_found", "client_not_found", "internal_clerk_error",
		"service_unavailable", "proxy_request_missing_secret_key", "proxy_request_invalid_secret_key",
		"invalid_proxy_configuration", "oauth_access_denied", "oauth_callback_invalid",
		"external_account_not_found", "oauth_identification_claimed",
	}
	for _, c := range doc {
		if CodeMeaning(c) == "" || !KnownCode(c) {
			t.Errorf("CodeMeaning(%q) is empty", c)
		}
	}
	if CodeMeaning("never_heard_of_it") != "" {
		t.Error("CodeMeaning of an unknown code is not empty")
	}
	if !strings.Contains(CodeMeaning("captcha_invalid"), "clerk.secret_key") {
		t.Errorf("CodeMeaning(captcha_invalid) does not say to set clerk.secret_key: %q", CodeMeaning("captcha_invalid"))
	}
}

func TestIs429Outage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, code string
		want       bool
	}{
		{"/v1/client/sign_ins", "too_many_requests", false},
		{"https://x.clerk.accounts.dev/v1/client/sign_ins?__clerk_api_version=2026-08-20", "too_many_requests", false},
		{"http://127.0.0.1:8787/__clerk/v1/client/sign_ups", "too_many_requests", false},
		{"/v1/client/sign_ins/sia_1/attempt_first_factor", "too_many_requests", false},
		{"/v1/client/sign_ins/sia_1/attempt_second_factor", "too_many_requests", false},
		{"/v1/client/sign_ups/sua_1/attempt_verification", "too_many_requests", false},
		{"/v1/client/sign_ups/sua_1/prepare_verification", "too_many_requests", false},
		{"/v1/client/sign_ins", "", true}, // no code: Clerk's Feb/Mar 2026 outages
		{"/v1/environment", "too_many_requests", true},
		{"/v1/client", "too_many_requests", true},
		{"/v1/client/sessions/sess_1/tokens", "too_many_requests", true},
		{"/v1/users", "too_many_requests", true},
		{"/v1/environment", "", true},
		{"/v1/client/sign_ups/sua_1/prepare_verification", "verification_code_too_many_requests", false},
		{"/v1/client/sign_ins", "bot_detected", false},
		{"/v1/environment", "captcha_invalid", false},
	}
	for _, tt := range tests {
		if got := Is429Outage(tt.path, tt.code); got != tt.want {
			t.Errorf("Is429Outage(%q, %q) = %v, want %v", tt.path, tt.code, got, tt.want)
		}
	}
}

func TestAPIErrorCause(t *testing.T) {
	t.Parallel()
	e := &APIError{Status: 429, Code: "too_many_requests"}
	if got := e.Cause("/v1/client/sign_ins"); got != result.CauseRateLimited {
		t.Errorf("429 too_many_requests on sign_ins: %q, want rate_limited", got)
	}
	if got := e.Cause("/v1/client/sessions/s/tokens"); got != result.CauseClerkOutage {
		t.Errorf("429 too_many_requests on tokens: %q, want clerk_outage", got)
	}
	if m := (&APIError{Status: 503}).Meaning(); !strings.Contains(m, "status.clerk.com") {
		t.Errorf("Meaning of a bare 503 = %q", m)
	}
}

func TestAPIPath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://x.clerk.accounts.dev/v1/client?__clerk_db_jwt=s": "/v1/client",
		"http://127.0.0.1:8787/__clerk/v1/environment#x":          "/v1/environment",
		"/v1/users?limit=1":                   "/v1/users",
		"https://app.example.com/sign-in?x=1": "/sign-in",
		"https://app.example.com":             "/",
	}
	for in, want := range tests {
		if got := APIPath(in); got != want {
			t.Errorf("APIPath(%q) = %q, want %q", in, got, want)
		}
	}
}
