package fakeclerk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Helpers of the fault table test (faults_test.go, fault_rows_test.go).

// faultEnv is one row's instance, HTTP client and (for browser rows) tab.
type faultEnv struct {
	t       *testing.T
	s       *Server
	base    string
	hc      *http.Client
	dvb     string // dev browser id, made on first FAPI call
	tab     context.Context
	console *consoleLines
	saved   string // a value a row's before step hands to its check
}

func newFaultEnv(t *testing.T, browser bool) *faultEnv {
	s, _ := startServer(t, Options{})
	jar, _ := cookiejar.New(nil)
	e := &faultEnv{t: t, s: s, base: s.URL(), hc: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if browser {
		e.tab = newTab(t)
		e.console = watchConsole(e.tab)
	}
	return e
}

// reply is an HTTP answer, or the error of a request that got none.
type reply struct {
	status int
	header http.Header
	body   string
	err    error
}

func (e *faultEnv) send(req *http.Request) reply {
	e.t.Helper()
	resp, err := e.hc.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b), err: err}
}

// call sends method to path (relative to the base URL) with an optional
// form body (then as POST, with _method for PATCH and DELETE, as clerk-js).
func (e *faultEnv) call(method, path string, form url.Values) reply {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	if !strings.HasPrefix(path, "http") {
		path = e.base + path
	}
	req, err := http.NewRequest(method, path, body)
	if err != nil {
		e.t.Fatalf("request %s %s: %v", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.Contains(path, "/__bapi/") {
		req.Header.Set("Authorization", "Bearer "+e.s.Info().SecretKey)
	}
	return e.send(req)
}

// fapi calls the Frontend API with this client's dev browser, as clerk-js does.
func (e *faultEnv) fapi(method, path string, form url.Values) reply {
	e.t.Helper()
	if e.dvb == "" {
		r := e.call(http.MethodPost, "/__clerk/v1/dev_browser", url.Values{})
		var db struct{ ID string }
		if r.err != nil || r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &db) != nil || db.ID == "" {
			e.t.Fatalf("POST /v1/dev_browser: status %d, err %v, body %.200s; want 200 with an id", r.status, r.err, r.body)
		}
		e.dvb = db.ID
	}
	q := url.Values{"__clerk_api_version": {"2026-08-20"}, "_clerk_js_version": {"6.40.0"}, "__clerk_db_jwt": {e.dvb}}
	if method != http.MethodGet && method != http.MethodPost {
		q.Set("_method", method)
		method = http.MethodPost
	}
	if method == http.MethodPost && form == nil {
		form = url.Values{}
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return e.call(method, "/__clerk"+path+sep+q.Encode(), form)
}

// wantClerkError checks status and errors[0].code (and that long_message
// contains longHas), and returns errors[0].
func (e *faultEnv) wantClerkError(what string, r reply, status int, code, longHas string) clerkError {
	e.t.Helper()
	if r.err != nil {
		e.t.Fatalf("%s: request failed: %v; want %d %s", what, r.err, status, code)
	}
	var env struct {
		Errors []clerkError `json:"errors"`
		Trace  string       `json:"clerk_trace_id"`
	}
	_ = json.Unmarshal([]byte(r.body), &env)
	if r.status != status || len(env.Errors) == 0 || env.Errors[0].Code != code {
		e.t.Fatalf("%s: got %d %.300s; want %d with errors[0].code %q", what, r.status, r.body, status, code)
	}
	if !strings.Contains(env.Errors[0].LongMessage, longHas) {
		e.t.Errorf("%s: long_message %q, want it to contain %q", what, env.Errors[0].LongMessage, longHas)
	}
	if env.Trace == "" {
		e.t.Errorf("%s: no clerk_trace_id in %.200s", what, r.body)
	}
	return env.Errors[0]
}

// wantStatus checks a plain status.
func (e *faultEnv) wantStatus(what string, r reply, status int) {
	e.t.Helper()
	if r.err != nil || r.status != status {
		e.t.Fatalf("%s: got status %d (err %v, body %.300s), want %d", what, r.status, r.err, r.body, status)
	}
}

// wantReset checks that the request got no answer at all.
func (e *faultEnv) wantReset(what string, r reply) {
	e.t.Helper()
	if r.err == nil {
		e.t.Fatalf("%s: got an answer (%d %.100s), want the connection reset", what, r.status, r.body)
	}
}

func (e *faultEnv) putFaults(list string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, e.base+"/__fakeclerk/faults", strings.NewReader(list))
	r := e.send(req)
	if r.err != nil || r.status != http.StatusNoContent {
		e.t.Fatalf("PUT /__fakeclerk/faults %q: status %d, err %v, body %q; want 204", list, r.status, r.err, r.body)
	}
}

func (e *faultEnv) activeFaults() string {
	e.t.Helper()
	r := e.call(http.MethodGet, "/__fakeclerk/faults", nil)
	e.wantStatus("GET /__fakeclerk/faults", r, http.StatusOK)
	return r.body
}

// consoleLines collects a tab's console: API calls, exceptions, browser log.
type consoleLines struct {
	mu    sync.Mutex
	lines []string
}

func watchConsole(ctx context.Context) *consoleLines {
	c := &consoleLines{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			text := m.String()
			if m.Exception != nil && m.Exception.Exception != nil {
				text += " " + m.Exception.Exception.Description
			}
			c.mu.Lock()
			c.lines = append(c.lines, text)
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *consoleLines) find(substr string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if strings.Contains(l, substr) {
			return l, true
		}
	}
	return "", false
}

func (c *consoleLines) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return "  " + strings.Join(c.lines, "\n  ")
}

// waitConsole waits until a console line contains substr.
func (e *faultEnv) waitConsole(substr string) string {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if l, ok := e.console.find(substr); ok {
			return l
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("console: no line containing %q within 15s; console:\n%s", substr, e.console)
		}
		select {
		case <-e.tab.Done():
			e.t.Fatalf("tab closed while waiting for console %q", substr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// open starts loading path in the tab without waiting for the load event
// (which never fires while a script hangs).
func (e *faultEnv) open(path string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: e.base + path}); err != nil {
		e.t.Fatalf("navigate to %s: %v", path, err)
	}
}

// waitJS waits until expr is truthy and returns it as a string.
func (e *faultEnv) waitJS(what, expr string) string {
	e.t.Helper()
	return waitFor(e.t, e.tab, what, expr, 15*time.Second)
}

// js evaluates expr once and returns it as a string.
func (e *faultEnv) js(expr string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(`+expr+`)`))
	if err != nil {
		e.t.Fatalf("evaluate %s: %v (%s)", expr, err, pageState(e.tab))
	}
	return v
}

// jsAwait evaluates expr, which gives a promise of a string, and returns it.
func (e *faultEnv) jsAwait(expr string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("evaluate %s: %v (%s)", expr, err, pageState(e.tab))
	}
	return v
}

// startOAuth creates an OAuth sign-in, as the GitHub button does, and
// returns the provider's authorize URL.
func (e *faultEnv) startOAuth(provider string) string {
	e.t.Helper()
	r := e.fapi(http.MethodPost, "/v1/client/sign_ins", url.Values{"strategy": {"oauth_" + provider}, "redirect_url": {e.base + "/sign-in#/sso-callback"}})
	e.wantStatus("POST sign_ins strategy=oauth_"+provider, r, http.StatusOK)
	return jsonAt(e.t, r.body, "response.first_factor_verification.external_verification_redirect_url")
}

// oauthCallbackURL signs in at the fake GitHub as the seeded linked account,
// approves, and returns the callback URL (with a real code) GitHub redirects to.
func (e *faultEnv) oauthCallbackURL(authorizeURL string) string {
	e.t.Helper()
	var acc SeededOAuth
	for _, a := range e.s.Info().OAuthAccounts {
		if a.Provider == "github" && a.LinkedUserID != "" {
			acc = a
		}
	}
	au, err := url.Parse(authorizeURL)
	if err != nil {
		e.t.Fatalf("authorize URL %q: %v", authorizeURL, err)
	}
	r := e.call(http.MethodPost, "/oauth/github/session", url.Values{"login": {acc.Username}, "password": {acc.Password}, "return_to": {au.RequestURI()}})
	e.wantStatus("POST github login", r, http.StatusFound)
	q := au.Query()
	r = e.call(http.MethodPost, "/oauth/github/authorize", url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")},
		"state": {q.Get("state")}, "scope": {q.Get("scope")}, "authorize": {"1"}})
	e.wantStatus("POST github consent", r, http.StatusFound)
	loc := r.header.Get("Location")
	if !strings.Contains(loc, "/v1/oauth_callback?") || !strings.Contains(loc, "code=") {
		e.t.Fatalf("consent redirected to %q, want the FAPI oauth_callback with a code", loc)
	}
	return loc
}

// jsonAt returns the value at a dotted path of a JSON object, as text.
func jsonAt(t *testing.T, body, path string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("JSON at %s: %v in %.200q", path, err, body)
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("JSON at %s: no object at %q in %.300s", path, k, body)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("JSON at %s: no key %q in %.300s", path, k, body)
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Selectors of the real SignIn.
const (
	selIdentifier = `input#identifier-field[name=identifier]`
	selContinue   = `.cl-signIn-start button.cl-formButtonPrimary`
	selPassword   = `.cl-signIn-password input[name=password]`
	selPwContinue = `.cl-signIn-password button.cl-formButtonPrimary`
)

// openSignIn loads /sign-in and waits for the identifier field.
func (e *faultEnv) openSignIn() {
	e.t.Helper()
	do(e.t, e.tab, "open /sign-in", 20*time.Second, chromedp.Navigate(e.base+"/sign-in"), chromedp.WaitVisible(chromedp.CSS(selIdentifier)))
}

// submitIdentifier types the seeded sign-in user's email and continues.
func (e *faultEnv) submitIdentifier() {
	e.t.Helper()
	u := seeded(e.t, e.s, RoleSignIn)
	do(e.t, e.tab, "enter the identifier", 15*time.Second,
		chromedp.SendKeys(chromedp.CSS(selIdentifier), u.Email), chromedp.Click(chromedp.CSS(selContinue)))
}

// textOf waits for the element and returns its text.
func (e *faultEnv) textOf(sel string) string {
	e.t.Helper()
	return strings.TrimSpace(e.waitJS(sel, `document.querySelector(`+jsString(sel)+`) && document.querySelector(`+jsString(sel)+`).textContent.trim()`))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (e *faultEnv) wantEqual(what, got, want string) {
	e.t.Helper()
	if got != want {
		e.t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func (e *faultEnv) wantContains(what, got, want string) {
	e.t.Helper()
	if !strings.Contains(got, want) {
		e.t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

// isTimeout reports whether err is a client timeout.
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}
