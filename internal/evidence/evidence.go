// Package evidence answers questions about what a run saw, from its events:
// which requests were Clerk's, the last one that failed, whether a Clerk
// script failed or was refused, which Frontend API the page's Clerk talked
// to, whether Clerk.load() was rejected. The flows (to stop waiting as soon
// as the evidence is decisive) and the diagnosis (to name the cause) ask the
// same questions, so they get the same answers.
//
// It is pure: no I/O and no clock (callers pass the time where it matters).
package evidence

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// APIPath is the Clerk API path of a URL ("/v1/client/sign_ins"), without
// the proxy prefix and the query.
func APIPath(u string) string { return clerk.APIPath(u) }

// fapiPath matches the Frontend API's resources (the part from "/v1/" on).
// An app's own "/api/v1/users" does not match.
var fapiPath = regexp.MustCompile(`/v1/(environment|client|dev_browser|me|health|proxy-health|oauth_callback|verify|tickets)(/|$|\?)`)

// IsFAPIPath reports whether u looks like a call to a Frontend API,
// whatever its host (the configured one, a proxy, another instance).
func IsFAPIPath(u string) bool { return fapiPath.MatchString(stripQuery(u) + "?") }

// IsClerkScript reports whether u is clerk-js, the Clerk UI bundle or one of
// their chunks, from any host.
func IsClerkScript(u string) bool {
	p := strings.ToLower(stripQuery(u))
	return strings.HasSuffix(p, "/clerk.browser.js") || strings.HasSuffix(p, "/ui.browser.js") ||
		strings.Contains(p, "/npm/@clerk/") || strings.Contains(p, "_clerk.browser_") ||
		(strings.HasSuffix(p, ".js") && strings.Contains(p, "_ui_"))
}

// IsClerkURL reports whether u is worth recording as Clerk's whatever its
// host: a Frontend API call, a Clerk script, or a JWKS.
func IsClerkURL(u string) bool {
	return IsFAPIPath(u) || IsClerkScript(u) || strings.HasSuffix(stripQuery(u), "/.well-known/jwks.json")
}

// APIBase is the URL up to the API path: "http://h/__clerk" for
// "http://h/__clerk/v1/client?x", "" when u has no "/v1/".
func APIBase(u string) string {
	u = stripQuery(u)
	if i := strings.Index(u, "/v1/"); i >= 0 {
		return u[:i]
	}
	return ""
}

// Failed reports whether e is a request that got an error status or no
// usable answer. A request cancelled by a navigation is not a failure; one
// still pending is (see Decisive for when that matters).
func Failed(e result.Event) bool {
	switch e.Kind {
	case result.EventRequest:
		return e.Status >= 400 || e.Failure == result.FailureBlocked
	case result.EventRequestFailed:
		return e.Status >= 400 || Failure(e) != result.FailureCanceled
	}
	return false
}

// Failure is e's failure kind, read from the text of events recorded before
// the field existed ("blocked:csp", "cors:…", "canceled", "no answer").
func Failure(e result.Event) result.FailureKind {
	if e.Kind == result.EventRequestFailed && e.Status >= 400 {
		return result.FailureNone // answered with an error status, then discarded (ERR_ABORTED): the status is the evidence
	}
	if e.Failure != "" || e.Kind != result.EventRequestFailed {
		return e.Failure
	}
	t := strings.ToLower(e.Text)
	switch {
	case strings.HasPrefix(t, "blocked:"):
		return result.FailureBlocked
	case strings.HasPrefix(t, "cors:"):
		return result.FailureCORS
	case strings.Contains(t, "err_aborted"), t == "canceled", t == "cancelled":
		return result.FailureCanceled
	case strings.Contains(t, "still pending"):
		return result.FailurePending
	}
	return result.FailureNet
}

// BlockedBy is who blocked e ("csp", "inspector", "mime", …), "" if nobody.
func BlockedBy(e result.Event) string {
	if e.BlockedBy != "" {
		return e.BlockedBy
	}
	if t, ok := strings.CutPrefix(e.Text, "blocked:"); ok {
		return t
	}
	return ""
}

// Recovered reports whether a request after evs[i] to the same method and
// API path succeeded: clerk-js retries, and a failure it recovered from is
// not what failed the run.
func Recovered(evs []result.Event, i int) bool {
	e := evs[i]
	for _, l := range evs[i+1:] {
		if l.Kind == result.EventRequest && l.Status >= 200 && l.Status < 400 && l.Failure == "" &&
			(l.Method == e.Method || l.Method == "" || e.Method == "") && APIPath(l.URL) == APIPath(e.URL) && hostOf(l.URL) == hostOf(e.URL) {
			return true
		}
	}
	return false
}

func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}
