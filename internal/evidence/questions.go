package evidence

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// View is a run's events with what the configuration says about Clerk.
type View struct {
	Events []result.Event
	FAPI   string // the configured Frontend API URL, e.g. https://x.clerk.accounts.dev or http://127.0.0.1:8787/__clerk
	BAPI   string // the configured Backend API URL
}

// API says whose API a URL is: "FAPI", "Backend API", or "" for neither.
func (v View) API(u string) string {
	switch {
	case v.BAPI != "" && strings.HasPrefix(u, strings.TrimRight(v.BAPI, "/")):
		return "Backend API"
	case v.FAPI != "" && strings.HasPrefix(u, strings.TrimRight(v.FAPI, "/")), IsFAPIPath(u):
		return "FAPI"
	}
	return ""
}

// LastClerkFailure is the last failed request to a Frontend or Backend API
// (the configured ones or any Frontend-API-looking one), pending ones aside.
func (v View) LastClerkFailure() (result.Event, bool) {
	for i := len(v.Events) - 1; i >= 0; i-- {
		e := v.Events[i]
		if v.API(e.URL) != "" && Failed(e) && Failure(e) != result.FailurePending {
			return e, true
		}
	}
	return result.Event{}, false
}

// Quote describes a request as evidence: "FAPI POST /v1/client/sign_ins →
// 500 internal_clerk_error" or "FAPI GET /v1/client → net::ERR_…".
func (v View) Quote(e result.Event) string {
	api, path := v.API(e.URL), APIPath(e.URL)
	if api == "" {
		api, path = "", stripQuery(e.URL)
	} else if base := APIBase(e.URL); api == "FAPI" && !v.configured(base) {
		path = base + path // another Frontend API than the configured one: name it
	}
	s := strings.TrimSpace(api + " " + e.Method + " " + path)
	switch {
	case e.Kind == result.EventRequestFailed && e.Status < 400:
		return s + " → " + e.Text
	case e.Failure == result.FailureBlocked:
		return s + " → " + e.Text
	}
	s = fmt.Sprintf("%s → %d", s, e.Status)
	if e.ClerkCode != "" {
		s += " " + e.ClerkCode
	}
	return s
}

// configured reports whether base is the configured Frontend API.
func (v View) configured(base string) bool {
	return v.FAPI == "" || strings.TrimRight(base, "/") == strings.TrimRight(v.FAPI, "/")
}

// ScriptFailure reports a Clerk script (clerk-js, the UI bundle, a chunk)
// that failed to download or that the browser refused (CSP, MIME type),
// and was not loaded later: such a page can never render Clerk. A script
// still downloading or cut short by a navigation is not a failure.
func (v View) ScriptFailure() (string, bool) {
	loaded := map[string]bool{}
	for _, e := range v.Events {
		if e.Kind == result.EventRequest && e.Status < 400 && e.Failure == "" {
			loaded[stripQuery(e.URL)] = true
		}
	}
	for _, e := range v.Events {
		if !IsClerkScript(e.URL) || loaded[stripQuery(e.URL)] && e.Kind == result.EventRequestFailed {
			continue
		}
		switch f := Failure(e); {
		case e.Kind == result.EventRequest && e.Failure == result.FailureBlocked:
			return fmt.Sprintf("%s %s → %s", e.Method, stripQuery(e.URL), e.Text), true
		case e.Status >= 400:
			return fmt.Sprintf("%s %s → %d", e.Method, stripQuery(e.URL), e.Status), true
		case e.Kind != result.EventRequestFailed, f == result.FailurePending, f == result.FailureCanceled:
		default:
			return fmt.Sprintf("%s %s → %s", e.Method, stripQuery(e.URL), e.Text), true
		}
	}
	for _, e := range v.Events {
		if e.Kind != result.EventRequest && e.Kind != result.EventRequestFailed && IsScriptRefusal(e.Text) {
			return "the browser refused it: " + result.OneLine(e.Text, 240), true
		}
	}
	return "", false
}

// IsScriptRefusal matches the browser's refusal of a Clerk script: "Refused
// to execute script from '…clerk.browser.js' because its MIME type …" or a
// CSP violation naming a Clerk script.
func IsScriptRefusal(s string) bool {
	if !strings.HasPrefix(s, "Refused to ") {
		return false
	}
	l := strings.ToLower(s)
	return strings.Contains(l, "clerk.browser.js") || strings.Contains(l, "ui.browser.js") || strings.Contains(l, "@clerk/")
}

// ForeignFAPI reports a Frontend API call of the page to another base than
// the configured Frontend API (a proxy URL or another instance's host), with
// the first such request.
func (v View) ForeignFAPI() (base string, e result.Event, ok bool) {
	if v.FAPI == "" {
		return "", result.Event{}, false
	}
	for _, e := range v.Events {
		if e.Kind != result.EventRequest && e.Kind != result.EventRequestFailed || !IsFAPIPath(e.URL) || v.API(e.URL) == "Backend API" {
			continue
		}
		if b := APIBase(e.URL); b != "" && !v.configured(b) {
			return b, e, true
		}
	}
	return "", result.Event{}, false
}

// loadRejections are what apps and Clerk's SDKs print when Clerk.load()
// rejects or clerk-js cannot start.
var loadRejections = []string{
	"Something went wrong initializing Clerk",
	"Failed to load Clerk",
	"failed_to_load_clerk_js",
	"failed_to_load_clerk_ui",
	"The publishableKey passed to Clerk is invalid",
	"Missing publishableKey",
	"Clerk was not loaded with Ui components",
}

// LoadRejected returns the console error or exception that says Clerk.load()
// rejected or clerk-js could not start, if any.
func (v View) LoadRejected() (string, bool) {
	for _, e := range v.Events {
		if (e.Kind == result.EventException || e.Level == "error") && containsAny(e.Text, loadRejections) {
			return result.OneLine(e.Text, 240), true
		}
	}
	return "", false
}

// Decisive returns an unrecovered Frontend API failure that no wait can
// outlast: a 5xx or 429, or no answer at all, that ended at least grace
// before now, with no later request to the same path started or in flight
// (inFlight are the URLs of requests still waiting for an answer), and no
// Frontend API success since (Clerk went on working after it) — unless the
// wait has stalled and the failure is of the environment or the client,
// which the UI and the session need whatever else answers.
func (v View) Decisive(now time.Time, grace time.Duration, inFlight []string, stalled bool) (result.Event, bool) {
	busy := map[string]bool{}
	for _, u := range inFlight {
		busy[APIPath(u)] = true
	}
	answered := false
	for i := len(v.Events) - 1; i >= 0; i-- {
		e := v.Events[i]
		if v.API(e.URL) == "FAPI" && e.Kind == result.EventRequest && e.Status >= 200 && e.Status < 400 {
			answered = true // Clerk answered since: what failed before blocks only what needs it
			continue
		}
		if answered && !(stalled && foundation[APIPath(e.URL)]) {
			continue
		}
		if v.API(e.URL) != "FAPI" || busy[APIPath(e.URL)] || Recovered(v.Events, i) || later(v.Events, i) {
			continue
		}
		outage := e.Status >= 500 || e.Status == http.StatusTooManyRequests ||
			e.Kind == result.EventRequestFailed && Failure(e) == result.FailureNet
		if outage && now.Sub(e.Time.Add(e.Duration)) >= grace {
			return e, true
		}
	}
	return result.Event{}, false
}

// foundation are the paths clerk-js needs to render and to hold a session.
var foundation = map[string]bool{"/v1/environment": true, "/v1/client": true}

// later reports whether the same request was sent again after evs[i].
func later(evs []result.Event, i int) bool {
	e := evs[i]
	for _, l := range evs[i+1:] {
		if (l.Kind == result.EventRequest || l.Kind == result.EventRequestFailed) && l.Method == e.Method && APIPath(l.URL) == APIPath(e.URL) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// FailedVerification returns the error code of a sign-in or sign-up
// verification that Clerk reported failed in a successful answer (the
// recorder notes them with their ClerkCode), e.g. oauth_token_exchange_error.
func (v View) FailedVerification() (string, bool) {
	for i := len(v.Events) - 1; i >= 0; i-- {
		if e := v.Events[i]; e.Kind == result.EventNote && e.ClerkCode != "" {
			return e.ClerkCode, true
		}
	}
	return "", false
}
