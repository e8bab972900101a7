package diagnose

import (
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// The local Clerk's layout (fakeclerk.md §1, proxy mode), and a production-
// like layout on separate hosts.
const (
	appURL   = "http://127.0.0.1:8787"
	fapiURL  = appURL + "/__clerk"
	bapiURL  = appURL + "/__bapi"
	signIn   = appURL + "/signin.html"
	prodApp  = "https://app.example.com"
	prodFAPI = "https://major-heron-86.clerk.accounts.dev"
	qs       = "?__clerk_api_version=2026-08-20&_clerk_js_version=6.40.0&__clerk_db_jwt=dvb_secret123"
)

// Exact console strings (fakeclerk.md §4, clerk.md §4.1).
const (
	devKeysWarning    = "Clerk: Clerk has been loaded with development keys. Development instances have strict usage limits and should not be used when deploying your application to production. Learn more: https://clerk.com/docs/deployments/overview"
	autocompleteNoise = `[DOM] Input elements should have autocomplete attributes (suggested: "current-password"): (More info: https://goo.gl/9p2vKq) %o`
	status500Line     = "Failed to load resource: the server responded with a status of 500 (Internal Server Error)"
	status404Line     = "Failed to load resource: the server responded with a status of 404 (Not Found)"
	resetLine         = "Failed to load resource: net::ERR_CONNECTION_RESET"
	invalidPKLine     = "@clerk/clerk-js: The publishableKey passed to Clerk is invalid (key=pk_test_JA==, expected format: pk_test_... or pk_live_...). You can get your Publishable key at https://dashboard.clerk.com/last-active?path=api-keys. (This notice only appears in development)"
	devInitLine       = "ClerkJS: Something went wrong initializing Clerk in development mode. Oops"
	mimeLine          = "Refused to execute script from 'http://127.0.0.1:8787/clerk-js/clerk.browser.js' because its MIME type ('text/plain') is not executable, and strict MIME type checking is enabled."
	undefinedLoad     = "TypeError: Cannot read properties of undefined (reading 'load')"
	cspLine           = `Refused to load the script 'http://127.0.0.1:8787/clerk-js/clerk.browser.js' because it violates the following Content Security Policy directive: "script-src 'self' https://cdn.example.com". Note that 'script-src-elem' was not explicitly set, so 'script-src' is used as a fallback.`
	captchaLine       = "Clerk: Failed to load the CAPTCHA script from Cloudflare. If you see a CSP error in your browser, please add the necessary CSP rules to your app. Visit https://clerk.com/docs/security/clerk-csp for more information."
	uiMissingLine     = "Error: Clerk was not loaded with Ui components"
	failedToFetch     = "TypeError: Failed to fetch"
	imgNoise          = "Failed to load resource: net::ERR_NAME_NOT_RESOLVED"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// ev builds events with increasing times.
type ev struct{ events []result.Event }

func (b *ev) add(e result.Event) *ev {
	e.Time = t0.Add(time.Duration(len(b.events)) * 100 * time.Millisecond)
	b.events = append(b.events, e)
	return b
}

// req is a finished request to base+path (the query of a real FAPI call is added).
func (b *ev) req(method, base, path string, status int, code string) *ev {
	u := base + path
	if base == fapiURL || base == prodFAPI {
		u += qs
	}
	trace := ""
	if code != "" {
		trace = "trace-" + code
	}
	return b.add(result.Event{Kind: result.EventRequest, Method: method, URL: u, Status: status, ClerkCode: code, TraceID: trace, Duration: 40 * time.Millisecond})
}

func (b *ev) slow(method, base, path string, d time.Duration) *ev {
	return b.add(result.Event{Kind: result.EventRequest, Method: method, URL: base + path + qs, Status: 200, Duration: d})
}

func (b *ev) failed(method, u, text string) *ev {
	return b.add(result.Event{Kind: result.EventRequestFailed, Method: method, URL: u, Text: text})
}

func (b *ev) console(level, text string) *ev {
	return b.add(result.Event{Kind: result.EventConsole, Level: level, Text: text})
}

func (b *ev) log(level, text, source string) *ev {
	return b.add(result.Event{Kind: result.EventLog, Level: level, Text: text, Source: source})
}

func (b *ev) exception(text string) *ev {
	return b.add(result.Event{Kind: result.EventException, Level: "error", Text: text})
}

func (b *ev) note(text string) *ev { return b.add(result.Event{Kind: result.EventNote, Text: text}) }

// healthyLoad is a page load of the local Clerk that went well.
func healthyLoad() *ev {
	b := &ev{}
	return b.req("GET", appURL, "/signin.html", 200, "").
		req("GET", appURL, "/clerk-js/clerk.browser.js", 200, "").
		req("GET", appURL, "/clerk-ui/ui.browser.js", 200, "").
		req("POST", fapiURL, "/v1/dev_browser", 200, "").
		console("warning", devKeysWarning).
		req("GET", fapiURL, "/v1/environment", 200, "").
		req("GET", fapiURL, "/v1/client", 200, "").
		log("verbose", autocompleteNoise, "")
}

// evidence is a failed sign-in on the local Clerk with the given events.
func runEvidence(b *ev, msg string) Evidence {
	return Evidence{
		Flow: "sign-in", Outcome: result.Fail, FailedStep: "submit password", Message: msg,
		Events: b.events, ClerkStatus: "ready", ClerkLoaded: true,
		PageURL: signIn + "#/factor-one", PageTitle: "StubApp", AppURL: signIn,
		FAPIPrefix: fapiURL, BAPIPrefix: bapiURL,
	}
}
