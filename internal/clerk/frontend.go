package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// FrontendAPIVersion is the __clerk_api_version clerk-js 6.40.0 sends.
const FrontendAPIVersion = "2026-08-20"

// Frontend is a minimal client of Clerk's Frontend API for preflight checks
// without a browser: health, environment and script reachability. It is safe
// for concurrent use.
type Frontend struct {
	BaseURL    string       // FAPI base: https://<fapi-host>, or a proxy such as http://127.0.0.1:8787/__clerk
	HTTP       *http.Client // nil: a default client
	Origin     string       // sent as the Origin header (the app's origin), as a browser would
	DevBrowser bool         // a development instance: create a dev browser first and send __clerk_db_jwt
	UserAgent  string       // default "loginprobe"

	mu    sync.Mutex
	dbJWT string // the dev browser token; a secret, never in errors
}

// HealthResult is the answer of GET /v1/health.
type HealthResult struct {
	Status     string // "healthy", "unhealthy", or "" if the body had none
	HTTPStatus int
	Message    string
}

// Environment is the part of GET /v1/environment loginprobe checks.
type Environment struct {
	TestMode                bool            // auth_config.test_mode
	TestModeKnown           bool            // the answer had auth_config.test_mode at all
	SingleSessionMode       bool            // auth_config.single_session_mode
	Social                  map[string]bool // user_settings.social: "oauth_github" → enabled
	Attributes              map[string]bool // user_settings.attributes: "email_address", "password", … → enabled
	CaptchaEnabled          bool            // user_settings.sign_up.captcha_enabled
	SignUpMode              string          // user_settings.sign_up.mode: public, restricted, waitlist
	ApplicationName         string          // display_config.application_name
	CaptchaPublicKey        string          // display_config.captcha_public_key
	InstanceEnvironmentType string          // display_config.instance_environment_type: development, production
	MaintenanceMode         bool
}

type enabledJSON struct {
	Enabled bool `json:"enabled"`
}

// environmentJSON is the wire shape of the fields Environment keeps.
type environmentJSON struct {
	AuthConfig struct {
		TestMode          *bool `json:"test_mode"`
		SingleSessionMode bool  `json:"single_session_mode"`
	} `json:"auth_config"`
	UserSettings struct {
		Social     map[string]enabledJSON `json:"social"`
		Attributes map[string]enabledJSON `json:"attributes"`
		SignUp     struct {
			CaptchaEnabled bool   `json:"captcha_enabled"`
			Mode           string `json:"mode"`
		} `json:"sign_up"`
	} `json:"user_settings"`
	DisplayConfig struct {
		ApplicationName         string  `json:"application_name"`
		CaptchaPublicKey        *string `json:"captcha_public_key"`
		InstanceEnvironmentType string  `json:"instance_environment_type"`
	} `json:"display_config"`
	MaintenanceMode bool `json:"maintenance_mode"`
}

// Health calls GET /v1/health. A non-2xx answer (503 when unhealthy) returns
// the decoded result and an *APIError.
func (f *Frontend) Health(ctx context.Context) (HealthResult, error) {
	status, header, body, err := f.get(ctx, f.base()+"/v1/health", false)
	if err != nil {
		return HealthResult{}, fmt.Errorf("clerk frontend GET /v1/health: %w", err)
	}
	res := HealthResult{HTTPStatus: status}
	var h struct{ Status, Message string }
	if json.Unmarshal(body, &h) == nil {
		res.Status, res.Message = h.Status, h.Message
	}
	if status < 200 || status > 299 {
		return res, fmt.Errorf("clerk frontend GET /v1/health: %w", ParseAPIError(status, header, body))
	}
	return res, nil
}

// Environment calls GET /v1/environment, first creating a dev browser when
// DevBrowser is set (and once more if FAPI answers dev_browser_unauthenticated).
func (f *Frontend) Environment(ctx context.Context) (Environment, error) {
	body, err := f.environment(ctx)
	var apiErr *APIError
	if f.DevBrowser && errors.As(err, &apiErr) && apiErr.Code == "dev_browser_unauthenticated" {
		f.mu.Lock()
		f.dbJWT = ""
		f.mu.Unlock()
		body, err = f.environment(ctx)
	}
	if err != nil {
		return Environment{}, fmt.Errorf("clerk frontend GET /v1/environment: %w", err)
	}
	var w environmentJSON
	if err := json.Unmarshal(body, &w); err != nil {
		return Environment{}, fmt.Errorf("clerk frontend GET /v1/environment: decoding %d bytes: %w", len(body), err)
	}
	env := Environment{
		SingleSessionMode:       w.AuthConfig.SingleSessionMode,
		Social:                  enabledMap(w.UserSettings.Social),
		Attributes:              enabledMap(w.UserSettings.Attributes),
		CaptchaEnabled:          w.UserSettings.SignUp.CaptchaEnabled,
		SignUpMode:              w.UserSettings.SignUp.Mode,
		ApplicationName:         w.DisplayConfig.ApplicationName,
		InstanceEnvironmentType: w.DisplayConfig.InstanceEnvironmentType,
		MaintenanceMode:         w.MaintenanceMode,
	}
	if w.AuthConfig.TestMode != nil {
		env.TestMode, env.TestModeKnown = *w.AuthConfig.TestMode, true
	}
	if w.DisplayConfig.CaptchaPublicKey != nil {
		env.CaptchaPublicKey = *w.DisplayConfig.CaptchaPublicKey
	}
	return env, nil
}

// environment fetches the raw environment JSON.
func (f *Frontend) environment(ctx context.Context) ([]byte, error) {
	q := url.Values{"__clerk_api_version": {FrontendAPIVersion}}
	if f.DevBrowser {
		jwt, err := f.devBrowser(ctx)
		if err != nil {
			return nil, err
		}
		q.Set("__clerk_db_jwt", jwt)
	}
	status, header, body, err := f.get(ctx, f.base()+"/v1/environment?"+q.Encode(), false)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, f.apiError(status, header, body)
	}
	return body, nil
}

// devBrowser returns the dev browser token, creating it with
// POST /v1/dev_browser the first time.
func (f *Frontend) devBrowser(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dbJWT != "" {
		return f.dbJWT, nil
	}
	status, header, body, err := f.get(ctx, f.base()+"/v1/dev_browser?__clerk_api_version="+FrontendAPIVersion, true)
	if err != nil {
		return "", fmt.Errorf("creating a dev browser (POST /v1/dev_browser): %w", err)
	}
	if status < 200 || status > 299 {
		// Not f.apiError: f.mu is held, and there is no token to scrub yet.
		return "", fmt.Errorf("creating a dev browser (POST /v1/dev_browser): %w", ParseAPIError(status, header, body))
	}
	var db struct{ ID, Token string }
	if err := json.Unmarshal(body, &db); err != nil || db.ID+db.Token == "" {
		return "", fmt.Errorf("creating a dev browser (POST /v1/dev_browser): answer %d has no id (%d bytes)", status, len(body))
	}
	f.dbJWT = db.ID
	if f.dbJWT == "" {
		f.dbJWT = db.Token
	}
	return f.dbJWT, nil
}

// ScriptURLs returns the URLs of the clerk-js and Clerk UI bundles a page
// using key would load (Core 3: clerk-js v6, @clerk/ui v1), from BaseURL, or
// from the key's Frontend API host when BaseURL is empty.
func (f *Frontend) ScriptURLs(key Key) []string {
	base := f.base()
	if base == "" {
		base = key.FrontendAPIURL()
	}
	return []string{
		base + "/npm/@clerk/clerk-js@6/dist/clerk.browser.js",
		base + "/npm/@clerk/ui@1/dist/ui.browser.js",
	}
}

// FetchScript GETs a script and returns its status and size. A non-2xx answer
// is an *APIError; a 2xx HTML page (an app's catch-all route) is an error too,
// because the browser would not run it.
func (f *Frontend) FetchScript(ctx context.Context, scriptURL string) (status, size int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scriptURL, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("fetching script %s: %w", scriptURL, err)
	}
	f.setHeaders(req)
	resp, err := httpClient(f.HTTP).Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("fetching script: %w", sanitizeURLError(err))
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return resp.StatusCode, int(n), fmt.Errorf("fetching script %s: reading the %d answer: %w", scriptURL, resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, int(n), fmt.Errorf("fetching script %s: %w", scriptURL, ParseAPIError(resp.StatusCode, resp.Header, nil))
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "text/html") {
		return resp.StatusCode, int(n), fmt.Errorf("fetching script %s: expected JavaScript, got %d with Content-Type %q (%d bytes)", scriptURL, resp.StatusCode, ct, n)
	}
	return resp.StatusCode, int(n), nil
}

// get sends a GET (or, with post, an empty POST) and reads the answer.
func (f *Frontend) get(ctx context.Context, u string, post bool) (int, http.Header, []byte, error) {
	method := http.MethodGet
	if post {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, nil, nil, sanitizeURLError(err)
	}
	f.setHeaders(req)
	if post {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := httpClient(f.HTTP).Do(req)
	if err != nil {
		return 0, nil, nil, sanitizeURLError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return resp.StatusCode, resp.Header, nil, fmt.Errorf("reading the %d answer: %w", resp.StatusCode, sanitizeURLError(err))
	}
	return resp.StatusCode, resp.Header, body, nil
}

// apiError parses an error answer and removes the dev browser token from it.
func (f *Frontend) apiError(status int, header http.Header, body []byte) *APIError {
	e := ParseAPIError(status, header, body)
	f.mu.Lock()
	tok := f.dbJWT
	f.mu.Unlock()
	e.scrub(tok)
	return e
}

func (f *Frontend) setHeaders(req *http.Request) {
	if f.Origin != "" {
		req.Header.Set("Origin", f.Origin)
	}
	ua := f.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
}

func (f *Frontend) base() string { return strings.TrimRight(f.BaseURL, "/") }

// enabledMap flattens {"name":{"enabled":bool}} to name → enabled.
func enabledMap(m map[string]enabledJSON) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v.Enabled
	}
	return out
}
