package fakeclerk

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fapiClient talks to the Frontend API as clerk-js does: form bodies,
// _method tunnelling, __clerk_db_jwt on every call.
type fapiClient struct {
	t     *testing.T
	s     *Server
	dvb   string
	extra url.Values // more query parameters (e.g. a testing token)
}

func newFAPIClient(t *testing.T, s *Server) *fapiClient {
	t.Helper()
	c := &fapiClient{t: t, s: s, extra: url.Values{}}
	var db struct{ ID string }
	c.call(http.MethodPost, "/v1/dev_browser", nil, http.StatusOK, &db)
	if !strings.HasPrefix(db.ID, "dvb_") {
		t.Fatalf("dev_browser id = %q, want dvb_…", db.ID)
	}
	c.dvb = db.ID
	return c
}

// call sends one request and decodes the JSON answer into out (when non-nil).
func (c *fapiClient) call(method, path string, form url.Values, wantStatus int, out any) http.Header {
	c.t.Helper()
	path, rawQuery, _ := strings.Cut(path, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		c.t.Fatal(err)
	}
	q.Set("__clerk_api_version", "2026-08-20")
	q.Set("_clerk_js_version", ClerkJSVersion)
	if c.dvb != "" {
		q.Set("__clerk_db_jwt", c.dvb)
	}
	for k, v := range c.extra {
		q[k] = v
	}
	wire := method
	if method != http.MethodGet && method != http.MethodPost {
		q.Set("_method", method)
		wire = http.MethodPost
	}
	req, err := http.NewRequest(wire, c.s.URL()+"/__clerk"+path+"?"+q.Encode(), strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.s.URL())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.Header
}

// envelope is {"response": …, "client": …} decoded loosely.
type envelope struct {
	Response map[string]any `json:"response"`
	Client   map[string]any `json:"client"`
}

type clerkErrors struct {
	Errors []struct {
		Code        string         `json:"code"`
		LongMessage string         `json:"long_message"`
		Meta        map[string]any `json:"meta"`
	} `json:"errors"`
	TraceID string `json:"clerk_trace_id"`
}

// wantError calls and checks the status and the first error code.
func (c *fapiClient) wantError(method, path string, form url.Values, status int, code string) clerkErrors {
	c.t.Helper()
	var e clerkErrors
	c.call(method, path, form, status, &e)
	if len(e.Errors) == 0 || e.Errors[0].Code != code {
		c.t.Fatalf("%s %s: errors %+v, want code %s", method, path, e.Errors, code)
	}
	if e.TraceID == "" {
		c.t.Errorf("%s %s: no clerk_trace_id in the error envelope", method, path)
	}
	return e
}

// passwordSignIn runs create + attempt_first_factor and returns the sign-in.
func (c *fapiClient) passwordSignIn(email, password string) map[string]any {
	c.t.Helper()
	var env envelope
	c.call(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {email}}, http.StatusOK, &env)
	id := env.Response["id"].(string)
	c.call(http.MethodPost, "/v1/client/sign_ins/"+id+"/attempt_first_factor",
		url.Values{"strategy": {"password"}, "password": {password}}, http.StatusOK, &env)
	return env.Response
}

func TestDeviceTrust(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	u := seeded(t, s, RoleSignIn)
	c := newFAPIClient(t, s)

	si := c.passwordSignIn(u.Email, u.Password)
	if si["status"] != "needs_client_trust" || si["client_trust_state"] != "new" {
		t.Fatalf("first password sign-in: status %v, client_trust_state %v; want needs_client_trust, new", si["status"], si["client_trust_state"])
	}
	f := si["supported_second_factors"].([]any)[0].(map[string]any)
	if f["strategy"] != "email_code" || f["safe_identifier"] != u.Email || f["email_address_id"] == nil {
		t.Errorf("supported_second_factors[0] = %v, want email_code for %s", f, u.Email)
	}
	id := si["id"].(string)
	c.call(http.MethodPost, "/v1/client/sign_ins/"+id+"/prepare_second_factor",
		url.Values{"strategy": {"email_code"}, "email_address_id": {f["email_address_id"].(string)}}, http.StatusOK, nil)
	c.wantError(http.MethodPost, "/v1/client/sign_ins/"+id+"/attempt_second_factor",
		url.Values{"strategy": {"email_code"}, "code": {"111111"}}, http.StatusUnprocessableEntity, "form_code_incorrect")
	var env envelope
	c.call(http.MethodPost, "/v1/client/sign_ins/"+id+"/attempt_second_factor",
		url.Values{"strategy": {"email_code"}, "code": {testCode}}, http.StatusOK, &env)
	if env.Response["status"] != "complete" || env.Client["last_active_session_id"] != env.Response["created_session_id"] {
		t.Fatalf("after the code: status %v, session %v, client's last active %v", env.Response["status"], env.Response["created_session_id"], env.Client["last_active_session_id"])
	}
	// A second sign-in on the now known client needs no code.
	c.call(http.MethodDelete, "/v1/client/sessions", nil, http.StatusOK, nil)
	if si := c.passwordSignIn(u.Email, u.Password); si["status"] != "complete" {
		t.Errorf("sign-in on a known client: status %v, want complete", si["status"])
	}
	checkLogs(t, logs)
}

func TestSignInErrorsAndLockout(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	u := seeded(t, s, RolePasswordReset)
	c := newFAPIClient(t, s)
	c.wantError(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {"nobody@example.com"}}, 422, "form_identifier_not_found")
	var env envelope
	c.call(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {u.Email}}, http.StatusOK, &env)
	path := "/v1/client/sign_ins/" + env.Response["id"].(string) + "/attempt_first_factor"
	wrong := url.Values{"strategy": {"password"}, "password": {"wrong-password"}}
	for range lockoutAttempts - 1 {
		e := c.wantError(http.MethodPost, path, wrong, 422, "form_password_incorrect")
		if e.Errors[0].Meta["param_name"] != "password" {
			t.Errorf("meta = %v, want param_name password", e.Errors[0].Meta)
		}
	}
	c.wantError(http.MethodPost, path, wrong, 422, "form_password_incorrect")
	e := c.wantError(http.MethodPost, path, url.Values{"strategy": {"password"}, "password": {u.Password}}, 403, "user_locked")
	if !strings.Contains(e.Errors[0].LongMessage, "locked") {
		t.Errorf("user_locked long_message = %q", e.Errors[0].LongMessage)
	}
	c.wantError(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {u.Email}}, 403, "user_locked")
}

func TestTestModeAndCodes(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	c := newFAPIClient(t, s)
	signUpCode := func(email, code string, status int) {
		t.Helper()
		var env envelope
		c.call(http.MethodPost, "/v1/client/sign_ups", url.Values{"email_address": {email}, "password": {strongPassword()}}, http.StatusOK, &env)
		ver := env.Response["verifications"].(map[string]any)["email_address"].(map[string]any)
		if ver["status"] != "unverified" || ver["strategy"] != "email_code" {
			t.Fatalf("sign-up create: email verification %v, want unverified email_code (the UI skips prepare)", ver)
		}
		path := "/v1/client/sign_ups/" + env.Response["id"].(string) + "/attempt_verification"
		if status == http.StatusOK {
			c.call(http.MethodPost, path, url.Values{"strategy": {"email_code"}, "code": {code}}, status, nil)
			c.call(http.MethodDelete, "/v1/client/sessions", nil, http.StatusOK, nil)
			return
		}
		c.wantError(http.MethodPost, path, url.Values{"strategy": {"email_code"}, "code": {code}}, status, "form_code_incorrect")
	}
	signUpCode("real.person@example.com", testCode, 422) // not a test address: no usable code
	signUpCode("a+clerk_test@example.com", "000000", 422)
	signUpCode("b+clerk_test@example.com", testCode, 200)

	var env map[string]any
	c.call(http.MethodGet, "/v1/environment", nil, http.StatusOK, &env)
	if env["auth_config"].(map[string]any)["test_mode"] != true {
		t.Error("auth_config.test_mode is not true on a fresh development instance")
	}
	if err := s.SetFaults(FaultTestModeOff); err != nil {
		t.Fatal(err)
	}
	c.call(http.MethodPatch, "/v1/environment", nil, http.StatusOK, &env)
	if env["auth_config"].(map[string]any)["test_mode"] != false {
		t.Error("test_mode_off: auth_config.test_mode is not false")
	}
	signUpCode("c+clerk_test@example.com", testCode, 422)
}

func TestBotProtectionAndTestingToken(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{Faults: []Fault{FaultBotProtectionNoToken}})
	c := newFAPIClient(t, s)
	e := c.wantError(http.MethodPost, "/v1/client/sign_ups", url.Values{"email_address": {"x+clerk_test@example.com"}}, 400, "captcha_invalid")
	if !strings.HasPrefix(e.Errors[0].LongMessage, "Authentication unsuccessful due to failed security validations") {
		t.Errorf("captcha_invalid long_message = %q", e.Errors[0].LongMessage)
	}
	c.extra.Set("__clerk_testing_token", "1700000000-forged")
	c.wantError(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {SeedSignInEmail}}, 400, "captcha_invalid")
	var tok struct {
		Object, Token string
		ExpiresAt     int64 `json:"expires_at"`
	}
	bapi(t, s, http.MethodPost, "/v1/testing_tokens", "", http.StatusOK, &tok)
	c.extra.Set("__clerk_testing_token", tok.Token)
	var env envelope
	c.call(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {SeedSignInEmail}}, http.StatusOK, &env)
	if env.Client["captcha_bypass"] != true {
		t.Errorf("client.captcha_bypass = %v with a valid testing token, want true", env.Client["captcha_bypass"])
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, _ := startServer(t, Options{RateLimits: true, Now: clock})
	c := newFAPIClient(t, s)
	form := url.Values{"identifier": {SeedSignInEmail}}
	for range createLimit {
		c.call(http.MethodPost, "/v1/client/sign_ins", form, http.StatusOK, nil)
	}
	var e clerkErrors
	h := c.call(http.MethodPost, "/v1/client/sign_ins", form, http.StatusTooManyRequests, &e)
	if len(e.Errors) == 0 || e.Errors[0].Code != "too_many_requests" || h.Get("Retry-After") == "" {
		t.Errorf("6th create: errors %+v, Retry-After %q; want too_many_requests with Retry-After", e.Errors, h.Get("Retry-After"))
	}
	// Other endpoints are not limited, and the window slides.
	c.call(http.MethodGet, "/v1/environment", nil, http.StatusOK, nil)
	mu.Lock()
	now = now.Add(rateWindow)
	mu.Unlock()
	c.call(http.MethodPost, "/v1/client/sign_ins", form, http.StatusOK, nil)
}

func TestClientIsolationAndDevBrowser(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	a, b := newFAPIClient(t, s), newFAPIClient(t, s)
	var env envelope
	a.call(http.MethodPost, "/v1/client/sign_ins", url.Values{"identifier": {SeedSignInEmail}}, http.StatusOK, &env)
	id := env.Response["id"].(string)
	b.call(http.MethodGet, "/v1/client", nil, http.StatusOK, &env)
	if env.Response["sign_in"] != nil {
		t.Errorf("client b sees a sign-in %v, want none", env.Response["sign_in"])
	}
	b.wantError(http.MethodGet, "/v1/client/sign_ins/"+id, nil, 404, "resource_not_found")
	a.call(http.MethodGet, "/v1/client/sign_ins/"+id, nil, http.StatusOK, nil)
	stranger := &fapiClient{t: t, s: s, dvb: "dvb_unknown", extra: url.Values{}}
	stranger.wantError(http.MethodGet, "/v1/client", nil, 401, "dev_browser_unauthenticated")
	a.wantError(http.MethodPut, "/v1/environment", nil, 405, "method_not_allowed")
}

func TestSessionTokensAndTemplates(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	var tok struct{ Token string }
	bapi(t, s, http.MethodPost, "/v1/sign_in_tokens", `{"user_id":"`+seeded(t, s, RoleSignIn).UserID+`"}`, http.StatusOK, &tok)
	c := newFAPIClient(t, s)
	var env envelope
	c.call(http.MethodPost, "/v1/client/sign_ins", url.Values{"strategy": {"ticket"}, "ticket": {tok.Token}}, http.StatusOK, &env)
	sid, _ := env.Response["created_session_id"].(string)
	if env.Response["status"] != "complete" || sid == "" {
		t.Fatalf("ticket sign-in: %v", env.Response)
	}
	c.wantError(http.MethodPost, "/v1/client/sign_ins", url.Values{"strategy": {"ticket"}, "ticket": {tok.Token}}, 400, "session_exists")
	var jwt struct{ Object, JWT string }
	c.call(http.MethodPost, "/v1/client/sessions/"+sid+"/tokens?debug=skip_cache", nil, http.StatusOK, &jwt)
	if jwt.Object != "token" || strings.Count(jwt.JWT, ".") != 2 {
		t.Errorf("tokens: %+v, want a token object with a JWT", jwt)
	}
	c.call(http.MethodPost, "/v1/client/sessions/"+sid+"/tokens/monitor", nil, http.StatusOK, &jwt)
	c.wantError(http.MethodPost, "/v1/client/sessions/"+sid+"/tokens/nope", nil, 404, "resource_not_found")
	c.wantError(http.MethodPost, "/v1/client/sessions/sess_nope/tokens", nil, 404, "resource_not_found")
	c.call(http.MethodPost, "/v1/client/sessions/"+sid+"/touch", url.Values{"intent": {"select_session"}}, http.StatusOK, nil)
	c.call(http.MethodPost, "/v1/client/sessions/"+sid+"/end", nil, http.StatusOK, &env)
	if env.Response["status"] != "ended" || len(env.Client["sessions"].([]any)) != 0 {
		t.Errorf("after end: session status %v, client sessions %v", env.Response["status"], env.Client["sessions"])
	}
	var h map[string]any
	c.call(http.MethodGet, "/v1/health", nil, http.StatusOK, &h)
	if h["status"] != "healthy" {
		t.Errorf("health = %v", h)
	}
}
