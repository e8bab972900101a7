package clerk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testDBJWT = "dvb_2pQ9secretdevbrowsertoken"

// minimalEnvironment is the environment JSON of fakeclerk.md §3.3, with a
// GitHub connection, test mode and captcha fields added.
const minimalEnvironment = `{"object":"environment","id":"env_min",
 "auth_config":{"object":"auth_config","id":"aac","single_session_mode":true,"test_mode":true},
 "display_config":{"object":"display_config","id":"dc","instance_environment_type":"development",
   "application_name":"Min","preferred_sign_in_strategy":"password","captcha_public_key":null},
 "user_settings":{
   "attributes":{"email_address":{"enabled":true,"required":true},"password":{"enabled":true,"required":true},"phone_number":{"enabled":false}},
   "social":{"oauth_github":{"enabled":true,"strategy":"oauth_github"},"oauth_google":{"enabled":false}},
   "sign_up":{"mode":"public","progressive":true,"captcha_enabled":false}},
 "maintenance_mode":false}`

// fapiServer is a Frontend API stand-in with a dev browser. It counts dev
// browser creations; expireFirst makes the first environment call answer
// dev_browser_unauthenticated.
func fapiServer(t *testing.T, envStatus int, expireFirst bool) (*Frontend, *atomic.Int64) {
	t.Helper()
	var created, envCalls atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /__clerk/v1/dev_browser", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != "http://app.test" {
			w.WriteHeader(400)
			fmt.Fprint(w, clerkErrorBody("origin_missing", "This request requires an Origin header"))
			return
		}
		n := created.Add(1)
		fmt.Fprintf(w, `{"object":"dev_browser","id":"%s%d"}`, testDBJWT, n)
	})
	mux.HandleFunc("GET /__clerk/v1/environment", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !strings.HasPrefix(q.Get("__clerk_db_jwt"), testDBJWT) || q.Get("__clerk_api_version") == "" {
			w.WriteHeader(401)
			fmt.Fprint(w, clerkErrorBody("dev_browser_unauthenticated", "Unable to authenticate this browser"))
			return
		}
		if expireFirst && envCalls.Add(1) == 1 {
			w.WriteHeader(401)
			fmt.Fprint(w, clerkErrorBody("dev_browser_unauthenticated", "Unable to authenticate this browser"))
			return
		}
		if envStatus != 200 {
			w.WriteHeader(envStatus)
			// A broken FAPI that echoes the request URL, token included.
			fmt.Fprint(w, clerkErrorBody("internal_clerk_error", "failed for "+r.URL.String()))
			return
		}
		fmt.Fprint(w, minimalEnvironment)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &Frontend{BaseURL: srv.URL + "/__clerk/", HTTP: srv.Client(), Origin: "http://app.test", DevBrowser: true}, &created
}

func TestFrontendEnvironment(t *testing.T) {
	t.Parallel()
	f, created := fapiServer(t, 200, false)
	env, err := f.Environment(t.Context())
	if err != nil {
		t.Fatalf("Environment: %v", err)
	}
	want := Environment{TestMode: true, TestModeKnown: true, SingleSessionMode: true, SignUpMode: "public",
		ApplicationName: "Min", InstanceEnvironmentType: "development"}
	if env.TestMode != want.TestMode || env.TestModeKnown != want.TestModeKnown || env.SingleSessionMode != want.SingleSessionMode ||
		env.SignUpMode != want.SignUpMode || env.ApplicationName != want.ApplicationName ||
		env.InstanceEnvironmentType != want.InstanceEnvironmentType || env.CaptchaEnabled || env.CaptchaPublicKey != "" || env.MaintenanceMode {
		t.Errorf("Environment = %+v", env)
	}
	if !env.Social["oauth_github"] || env.Social["oauth_google"] || !env.Attributes["email_address"] || !env.Attributes["password"] || env.Attributes["phone_number"] {
		t.Errorf("Social = %v, Attributes = %v", env.Social, env.Attributes)
	}
	if _, err := f.Environment(t.Context()); err != nil || created.Load() != 1 {
		t.Errorf("second Environment: %v after %d dev browsers, want 1", err, created.Load())
	}
}

func TestFrontendEnvironmentRecreatesExpiredDevBrowser(t *testing.T) {
	t.Parallel()
	f, created := fapiServer(t, 200, true)
	if _, err := f.Environment(t.Context()); err != nil || created.Load() != 2 {
		t.Errorf("Environment: %v after %d dev browsers, want success after 2", err, created.Load())
	}
}

func TestFrontendEnvironmentErrors(t *testing.T) {
	t.Parallel()
	f, _ := fapiServer(t, 500, false)
	_, err := f.Environment(t.Context())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 500 || apiErr.Code != "internal_clerk_error" {
		t.Fatalf("err = %v, want a 500 *APIError", err)
	}
	for _, s := range []string{err.Error(), apiErr.Body, apiErr.Message} {
		if strings.Contains(s, testDBJWT) {
			t.Errorf("the dev browser token leaked: %q", s)
		}
	}

	noOrigin, _ := fapiServer(t, 200, false)
	noOrigin.Origin = ""
	if _, err := noOrigin.Environment(t.Context()); !errors.As(err, &apiErr) || apiErr.Code != "origin_missing" {
		t.Errorf("without Origin: err = %v, want origin_missing", err)
	}

	malformed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"auth_config":`) }))
	defer malformed.Close()
	if _, err := (&Frontend{BaseURL: malformed.URL}).Environment(t.Context()); err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Errorf("malformed: err = %v", err)
	}
}

func TestFrontendHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		header     map[string]string
		want       HealthResult
		wantAPIErr bool
		wantRetry  time.Duration
	}{
		{"healthy", 200, `{"status":"healthy"}`, nil, HealthResult{Status: "healthy", HTTPStatus: 200}, false, 0},
		{"unhealthy", 503, `{"status":"unhealthy","message":"db down"}`, nil, HealthResult{Status: "unhealthy", HTTPStatus: 503, Message: "db down"}, true, 0},
		{"401 host_invalid", 401, clerkErrorBody("host_invalid", "We were unable to attribute this request to an instance running on Clerk."), nil, HealthResult{HTTPStatus: 401}, true, 0},
		{"429 Retry-After", 429, ``, map[string]string{"Retry-After": "5"}, HealthResult{HTTPStatus: 429}, true, 5 * time.Second},
		{"malformed 200", 200, `<html>`, nil, HealthResult{HTTPStatus: 200}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/health" {
					http.NotFound(w, r)
					return
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			got, err := (&Frontend{BaseURL: srv.URL}).Health(t.Context())
			if got != tt.want {
				t.Errorf("Health = %+v, want %+v", got, tt.want)
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) != tt.wantAPIErr || (err != nil && !tt.wantAPIErr) {
				t.Fatalf("err = %v, want *APIError: %v", err, tt.wantAPIErr)
			}
			if apiErr != nil && apiErr.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", apiErr.RetryAfter, tt.wantRetry)
			}
		})
	}
}

func TestFrontendHealthDeadline(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := (&Frontend{BaseURL: srv.URL}).Health(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestFrontendScripts(t *testing.T) {
	t.Parallel()
	key, _ := ParsePublishableKey("pk_test_bWFqb3ItaGVyb24tODYuY2xlcmsuYWNjb3VudHMuZGV2JA")
	want := []string{
		"https://major-heron-86.clerk.accounts.dev/npm/@clerk/clerk-js@6/dist/clerk.browser.js",
		"https://major-heron-86.clerk.accounts.dev/npm/@clerk/ui@1/dist/ui.browser.js",
	}
	if got := (&Frontend{}).ScriptURLs(key); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ScriptURLs = %v, want %v", got, want)
	}
	if got := (&Frontend{BaseURL: "http://127.0.0.1:8787/__clerk/"}).ScriptURLs(key); got[0] != "http://127.0.0.1:8787/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js" {
		t.Errorf("proxied ScriptURLs = %v", got)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/clerk.browser.js"):
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, strings.Repeat("x", 1234))
		case strings.HasSuffix(r.URL.Path, "/ui.browser.js"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><title>My SPA</title>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := &Frontend{BaseURL: srv.URL}
	urls := f.ScriptURLs(key)
	if status, size, err := f.FetchScript(t.Context(), urls[0]); status != 200 || size != 1234 || err != nil {
		t.Errorf("clerk.browser.js: %d, %d, %v", status, size, err)
	}
	if status, _, err := f.FetchScript(t.Context(), urls[1]); status != 200 || err == nil || !strings.Contains(err.Error(), "expected JavaScript") {
		t.Errorf("HTML instead of ui.browser.js: %d, %v", status, err)
	}
	var apiErr *APIError
	if status, _, err := f.FetchScript(t.Context(), srv.URL+"/npm/missing.js"); status != 404 || !errors.As(err, &apiErr) {
		t.Errorf("404: %d, %v", status, err)
	}
}
