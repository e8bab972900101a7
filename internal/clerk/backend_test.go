package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
)

const testSecretKey = "sk_test_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"

// clerkErrorBody is Clerk's error envelope with one error.
func clerkErrorBody(code, msg string) string {
	return fmt.Sprintf(`{"errors":[{"code":%q,"message":%q,"long_message":%q,"meta":{}}],"meta":{},"clerk_trace_id":"trace123"}`, code, msg, msg)
}

// newBackend starts a server running h and returns a Backend for it.
func newBackend(t *testing.T, h http.HandlerFunc) *Backend {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Backend{BaseURL: srv.URL + "/__bapi", SecretKey: secret.New(testSecretKey), HTTP: srv.Client()}
}

// checkBackendHeaders fails the request with 400 when loginprobe's headers are missing.
func checkBackendHeaders(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Header.Get("Authorization") != "Bearer "+testSecretKey:
		http.Error(w, "bad auth", 400)
	case r.Header.Get("Clerk-API-Version") != "2026-05-12":
		http.Error(w, "bad version", 400)
	case r.Header.Get("User-Agent") != "loginprobe":
		http.Error(w, "bad UA", 400)
	default:
		return true
	}
	return false
}

func TestBackendSuccess(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if !checkBackendHeaders(w, r) {
			return
		}
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		switch r.Method + " " + r.URL.Path {
		case "GET /__bapi/v1/users":
			fmt.Fprint(w, `[{"id":"user_1","primary_email_address_id":"idn_2","email_addresses":[{"id":"idn_1","email_address":"a@x.com"},{"id":"idn_2","email_address":"b@x.com"}],"created_at":1700000000000}]`)
		case "GET /__bapi/v1/users/user_1":
			fmt.Fprint(w, `{"id":"user_1","email_addresses":[{"id":"idn_1","email_address":"a@x.com"}],"primary_email_address_id":"idn_1","password_enabled":true}`)
		case "DELETE /__bapi/v1/users/user_1":
			fmt.Fprint(w, `{"object":"user","id":"user_1","deleted":true}`)
		case "POST /__bapi/v1/users":
			var p map[string]any
			if json.Unmarshal(body, &p) != nil || p["password"] != "hunter22hunter22" || p["skip_password_checks"] != true {
				http.Error(w, "bad body "+string(body), 400)
				return
			}
			fmt.Fprint(w, `{"id":"user_new","email_addresses":[{"id":"idn_9","email_address":"n+clerk_test@x.com"}],"primary_email_address_id":"idn_9"}`)
		case "POST /__bapi/v1/testing_tokens":
			fmt.Fprint(w, `{"object":"testing_token","token":"1713877200-c_abc","expires_at":1713880800}`)
		case "GET /__bapi/v1/jwks":
			fmt.Fprint(w, `{"keys":[]}`)
		default:
			http.NotFound(w, r)
		}
	})
	var calls []Call
	b.OnCall = func(c Call) { calls = append(calls, c) }
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	users, err := b.ListUsers(ctx, ListUsersParams{EmailAddress: []string{"a@x.com", "b@x.com"}, EmailAddressQuery: "+clerk_test", Limit: 5})
	if err != nil || len(users) != 1 || users[0].PrimaryEmail() != "b@x.com" || users[0].Created().UnixMilli() != 1700000000000 {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
	u, err := b.GetUser(ctx, "user_1")
	if err != nil || u.PrimaryEmail() != "a@x.com" || !u.PasswordEnabled {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if err := b.DeleteUser(ctx, "user_1"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	nu, err := b.CreateUser(ctx, CreateUserParams{EmailAddress: []string{"n+clerk_test@x.com"}, Password: secret.New("hunter22hunter22"), SkipPasswordChecks: true})
	if err != nil || nu.ID != "user_new" {
		t.Fatalf("CreateUser = %+v, %v", nu, err)
	}
	tt, err := b.CreateTestingToken(ctx)
	if err != nil || tt.Token != "1713877200-c_abc" || tt.Expires().Unix() != 1713880800 {
		t.Fatalf("CreateTestingToken = %+v, %v", tt, err)
	}
	jwks, err := b.JWKS(ctx)
	if err != nil || string(jwks) != `{"keys":[]}` {
		t.Fatalf("JWKS = %s, %v", jwks, err)
	}
	wantQuery := "GET /__bapi/v1/users?email_address=a%40x.com&email_address=b%40x.com&email_address_query=%2Bclerk_test&limit=5"
	if seen[0] != wantQuery {
		t.Errorf("ListUsers sent %q, want %q", seen[0], wantQuery)
	}
	if len(calls) != 6 || calls[0].Path != "/v1/users" || calls[0].Status != 200 || calls[2].Method != "DELETE" || calls[2].Err != nil {
		t.Errorf("OnCall saw %+v", calls)
	}
}

func TestBackendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		timeout    time.Duration
		wantStatus int // 0: not an *APIError
		wantCode   string
		wantRetry  time.Duration
		wantIn     string
		wantIs     error
	}{
		{
			name: "401 clerk_key_invalid",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(401)
				fmt.Fprint(w, clerkErrorBody("clerk_key_invalid", "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct."))
			},
			wantStatus: 401, wantCode: "clerk_key_invalid",
			wantIn: "clerk backend GET /v1/users/user_1: 401 clerk_key_invalid: The provided Clerk Secret Key is invalid",
		},
		{
			name: "500 internal_clerk_error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(500)
				fmt.Fprint(w, clerkErrorBody("internal_clerk_error", "There was an internal error on our servers"))
			},
			wantStatus: 500, wantCode: "internal_clerk_error", wantIn: "(trace trace123)",
		},
		{
			name: "429 with Retry-After",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "12")
				w.WriteHeader(429)
			},
			wantStatus: 429, wantRetry: 12 * time.Second, wantIn: "429: Too Many Requests",
		},
		{
			name: "malformed 200 body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"id":`)
			},
			wantIn: "decoding the 200 answer",
		},
		{
			name: "ctx deadline",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			timeout: 50 * time.Millisecond,
			wantIs:  context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, tt.handler)
			var got Call
			b.OnCall = func(c Call) { got = c }
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			_, err := b.GetUser(ctx, "user_1")
			if err == nil {
				t.Fatal("GetUser succeeded, want an error")
			}
			if tt.wantIn == "" {
				tt.wantIn = "clerk backend GET /v1/users/user_1"
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantIn)
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) != (tt.wantStatus != 0) {
				t.Fatalf("errors.As(*APIError) = %v for %v", apiErr != nil, err)
			}
			if apiErr != nil && (apiErr.Status != tt.wantStatus || apiErr.Code != tt.wantCode || apiErr.RetryAfter != tt.wantRetry) {
				t.Errorf("APIError = %+v, want status %d code %q retry %v", apiErr, tt.wantStatus, tt.wantCode, tt.wantRetry)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			if got.Err == nil || got.Path != "/v1/users/user_1" {
				t.Errorf("OnCall got %+v, want the failed call", got)
			}
		})
	}
}

// TestBackendSecretKeyNeverInErrors makes a server echo everything it received
// (including the Authorization header) in its error bodies.
func TestBackendSecretKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	odd := "opaque-secret-without-the-usual-shape"
	for _, key := range []string{testSecretKey, odd} {
		b := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"errors":[{"code":"clerk_key_invalid","message":"bad key %s","long_message":"you sent %s","meta":{"param_name":%q}}],"raw":%q}`,
				strings.TrimPrefix(auth, "Bearer "), auth, strings.TrimPrefix(auth, "Bearer "), auth)
		})
		b.SecretKey = secret.New(key)
		var call Call
		b.OnCall = func(c Call) { call = c }
		_, err := b.ListUsers(t.Context(), ListUsersParams{Limit: 1})
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %v, want an *APIError", err)
		}
		texts := []string{err.Error(), fmt.Sprintf("%+v", apiErr), fmt.Sprintf("%#v", b), fmt.Sprint(call.Err), apiErr.Body}
		for _, s := range texts {
			if strings.Contains(s, key) {
				t.Errorf("the secret key leaked into %q", s)
			}
		}
	}
	// Transport errors carry the URL, never the header.
	b := &Backend{BaseURL: "http://127.0.0.1:1", SecretKey: secret.New(testSecretKey)}
	_, err := b.GetUser(t.Context(), "user_1")
	if err == nil || strings.Contains(err.Error(), testSecretKey) {
		t.Errorf("err = %v", err)
	}
	if _, err := (&Backend{}).GetUser(t.Context(), "u"); err == nil || !strings.Contains(err.Error(), "clerk.secret_key") {
		t.Errorf("no key: err = %v, want it to name clerk.secret_key", err)
	}
}
