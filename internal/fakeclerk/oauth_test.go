package fakeclerk

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// providerBrowser is an HTTP client with cookies that does not follow
// redirects, to walk the fake provider's pages.
func providerBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func send(t *testing.T, hc *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// startOAuthSignIn creates an OAuth sign-in and returns its authorize URL.
func startOAuthSignIn(t *testing.T, c *fapiClient, strategy string) string {
	t.Helper()
	var env envelope
	c.call(http.MethodPost, "/v1/client/sign_ins", url.Values{"strategy": {strategy},
		"redirect_url": {c.s.URL() + "/sign-in#/sso-callback"}, "action_complete_redirect_url": {c.s.URL() + "/"}}, http.StatusOK, &env)
	ver := env.Response["first_factor_verification"].(map[string]any)
	authz, _ := ver["external_verification_redirect_url"].(string)
	u, err := url.Parse(authz)
	if err != nil || ver["status"] != "unverified" {
		t.Fatalf("OAuth sign-in create: verification %v", ver)
	}
	q := u.Query()
	if q.Get("client_id") == "" || q.Get("state") == "" || q.Get("redirect_uri") != c.s.Info().FrontendAPIURL+"/v1/oauth_callback" {
		t.Fatalf("authorize URL %s lacks client_id, state or the FAPI redirect_uri", authz)
	}
	return authz
}

// githubApprove logs in at the fake GitHub and answers the consent page;
// it returns the redirect to the callback.
func githubDecide(t *testing.T, hc *http.Client, s *Server, authz string, approve bool) string {
	t.Helper()
	acc := oauthAccount(t, s, "github", GitHubLinked)
	resp, body := send(t, hc, http.MethodGet, authz, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="login_field"`) {
		t.Fatalf("authorize page: %d, no login form", resp.StatusCode)
	}
	u, _ := url.Parse(authz)
	returnTo := strings.TrimPrefix(authz, u.Scheme+"://"+u.Host)
	resp, _ = send(t, hc, http.MethodPost, s.URL()+"/oauth/github/session",
		url.Values{"login": {acc.Username}, "password": {acc.Password}, "return_to": {returnTo}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: status %d, want 302", resp.StatusCode)
	}
	resp, body = send(t, hc, http.MethodGet, s.URL()+resp.Header.Get("Location"), nil)
	if !strings.Contains(body, `id="js-oauth-authorize-btn"`) {
		t.Fatalf("consent page: %d, no authorize button", resp.StatusCode)
	}
	q := u.Query()
	decision := "0"
	if approve {
		decision = "1"
	}
	resp, _ = send(t, hc, http.MethodPost, s.URL()+"/oauth/github/authorize", url.Values{"client_id": {q.Get("client_id")},
		"redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")}, "scope": {q.Get("scope")}, "authorize": {decision}})
	return resp.Header.Get("Location")
}

func TestOAuthFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fault    Fault
		approve  bool
		wantCode string
	}{
		{"denied", "", false, "oauth_access_denied"},
		{"token exchange error", FaultOAuthTokenExchangeError, true, "oauth_token_exchange_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{}
			if tc.fault != "" {
				opts.Faults = []Fault{tc.fault}
			}
			s, logs := startServer(t, opts)
			c := newFAPIClient(t, s)
			hc := providerBrowser(t)
			callback := githubDecide(t, hc, s, startOAuthSignIn(t, c, "oauth_github"), tc.approve)
			resp, _ := send(t, hc, http.MethodGet, callback, nil)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != s.URL()+"/sign-in#/sso-callback" {
				t.Fatalf("callback: %d → %q, want 303 to the redirect_url", resp.StatusCode, resp.Header.Get("Location"))
			}
			var env envelope
			c.call(http.MethodGet, "/v1/client", nil, http.StatusOK, &env)
			ver := env.Response["sign_in"].(map[string]any)["first_factor_verification"].(map[string]any)
			errObj, _ := ver["error"].(map[string]any)
			if ver["status"] != "failed" || errObj == nil || errObj["code"] != tc.wantCode {
				t.Errorf("verification after the callback = %v, want failed with %s", ver, tc.wantCode)
			}
			if len(env.Response["sessions"].([]any)) != 0 {
				t.Error("a failed OAuth sign-in created a session")
			}
			checkLogs(t, logs)
		})
	}
}

func TestOAuthRedirectURIMismatch(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	c := newFAPIClient(t, s)
	hc := providerBrowser(t)
	authz := startOAuthSignIn(t, c, "oauth_google")
	// A redirect_uri other than the instance's callback is refused, as the fault does.
	bad := strings.Replace(authz, url.QueryEscape("/v1/oauth_callback"), url.QueryEscape("/v1/elsewhere"), 1)
	for _, u := range []string{bad, authz} {
		if u == authz {
			if err := s.SetFaults(FaultOAuthRedirectURIMismatch); err != nil {
				t.Fatal(err)
			}
		}
		resp, body := send(t, hc, http.MethodGet, u, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "error=redirect_uri_mismatch") ||
			!strings.Contains(body, "The redirect_uri MUST match the registered callback URL for this application.") ||
			strings.Contains(body, "submit_approve_access") {
			t.Errorf("GET %s: %d, want the redirect_uri_mismatch error page with no approve button", u, resp.StatusCode)
		}
	}
}

func TestProviderWrongPassword(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	hc := providerBrowser(t)
	resp, body := send(t, hc, http.MethodPost, s.URL()+"/oauth/github/session",
		url.Values{"login": {GitHubLinked}, "password": {"nope"}, "return_to": {"/oauth/github/authorize?x=1"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Incorrect username or password.") {
		t.Errorf("wrong GitHub password: %d, want the login page with an error", resp.StatusCode)
	}
	resp, body = send(t, hc, http.MethodPost, s.URL()+"/oauth/google/identifier", url.Values{"identifier": {"stranger@gmail.example"}})
	if !strings.Contains(body, "find your Google Account") {
		t.Errorf("unknown Google account: %d, want an error", resp.StatusCode)
	}
}
