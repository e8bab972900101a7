package diagnose

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/evidence"
	"github.com/loginprobe/loginprobe/internal/result"
)

// reqKind says whose a request is.
type reqKind int

const (
	kindOther       reqKind = iota // a third party (telemetry, images, Turnstile)
	kindFAPI                       // Clerk's Frontend API (direct or proxied)
	kindBAPI                       // Clerk's Backend API
	kindScript                     // clerk-js or Clerk UI bundles and chunks
	kindApp                        // the app's own pages and calls
	kindProvider                   // an OAuth provider's pages
	kindForeignFAPI                // a Frontend API other than the configured one (a proxy, another instance)
)

// slowRequest is how long a Frontend API answer may take before it counts as
// an outage signal (fakeclerk's fapi_slow answers after 20 s; Clerk answers in
// well under a second).
const slowRequest = 10 * time.Second

// request is one request seen in the events, from a request or
// request_failed event, or from Chromium's "Failed to load resource" log line.
type request struct {
	idx      int
	kind     reqKind
	method   string
	url      string // without query and fragment
	path     string // the API path (/v1/…) for FAPI and BAPI, else the URL
	status   int
	code     string
	trace    string
	netErr   string // the net error of a request that got no answer
	failure  result.FailureKind
	blocked  string // who blocked it (csp, inspector, mime, …)
	duration time.Duration
}

// failed reports whether the request got an error status or no answer
// (ERR_ABORTED, a request cancelled by a navigation, does not count).
func (r request) failed() bool {
	return r.status >= 400 || r.failure == result.FailureBlocked || (r.netErr != "" && r.class() != netNone)
}

// class says what the request's failure means, from its typed fields, or
// from its text for requests read back from a log line or an error text.
func (r request) class() netClass {
	switch r.failure {
	case result.FailureCanceled:
		return netNone
	case result.FailurePending:
		return netPending
	case result.FailureCORS:
		return netConfig
	case result.FailureBlocked:
		if r.blocked == "inspector" {
			return netBlocked
		}
		return netConfig
	}
	return classifyNet(r.netErr)
}

// String quotes the request as evidence: "POST /v1/client/sign_ins → 500
// internal_clerk_error (trace abc)" or "GET /v1/client failed: net::ERR_…".
func (r request) String() string {
	target := strings.TrimSpace(r.method + " " + r.path)
	if r.netErr != "" {
		return target + " failed: " + r.netErr
	}
	if r.failure == result.FailureBlocked {
		return target + " → " + strconv.Itoa(r.status) + ", refused by the browser (" + r.blocked + ")"
	}
	s := target + " → " + strconv.Itoa(r.status)
	if r.code != "" {
		s += " " + r.code
	}
	if r.trace != "" {
		s += " (trace " + r.trace + ")"
	}
	if r.duration >= slowRequest {
		s += fmt.Sprintf(" after %s", r.duration.Round(time.Second))
	}
	return s
}

// text is a console message, exception, browser log entry or note.
type text struct {
	idx    int
	kind   result.EventKind
	level  string
	text   string
	source string
}

// facts is the evidence, sorted into requests and texts.
type facts struct {
	e        Evidence
	requests []request
	texts    []text
	appHost  string // host of the app (from AppURL, else PageURL)
}

// failedLoad matches Chromium's log line for a failed subresource.
var failedLoad = regexp.MustCompile(`^Failed to load resource: (?:the server responded with a status of (\d{3})|(net::[A-Z0-9_]+))`)

// gather sorts the events of e.
func gather(e Evidence) *facts {
	f := &facts{e: e, appHost: hostOf(e.AppURL)}
	if f.appHost == "" && !strings.HasPrefix(e.PageURL, "chrome-error:") {
		f.appHost = hostOf(e.PageURL)
	}
	seen := map[string]bool{}
	for i, ev := range e.Events {
		switch ev.Kind {
		case result.EventRequest, result.EventRequestFailed:
			r := request{idx: i, method: ev.Method, url: stripQuery(ev.URL), status: ev.Status, code: ev.ClerkCode, trace: ev.TraceID, duration: ev.Duration,
				failure: evidence.Failure(ev), blocked: evidence.BlockedBy(ev)}
			if ev.Kind == result.EventRequestFailed && ev.Status < 400 {
				r.netErr = netErrorText(ev.Text)
			}
			f.addRequest(r)
			seen[r.url] = true
		default:
			f.texts = append(f.texts, text{idx: i, kind: ev.Kind, level: ev.Level, text: ev.Text, source: ev.Source})
		}
	}
	// Chromium's "Failed to load resource" lines stand in for request events
	// the runner did not record.
	for i, ev := range e.Events {
		m := failedLoad.FindStringSubmatch(ev.Text)
		if ev.Kind != result.EventLog && ev.Kind != result.EventConsole || m == nil || ev.Source == "" || seen[stripQuery(ev.Source)] {
			continue
		}
		r := request{idx: i, url: stripQuery(ev.Source), netErr: m[2]}
		r.status, _ = strconv.Atoi(m[1])
		f.addRequest(r)
	}
	f.textRequests()
	return f
}

// addRequest classifies r and keeps it.
func (f *facts) addRequest(r request) {
	r.kind = f.classify(r.url)
	r.path = r.url
	if r.kind == kindFAPI || r.kind == kindBAPI {
		r.path = clerk.APIPath(r.url)
	}
	f.requests = append(f.requests, r)
}

// classify says whose URL u is.
func (f *facts) classify(u string) reqKind {
	host := hostOf(u)
	switch {
	case evidence.IsClerkScript(u):
		return kindScript
	case f.e.BAPIPrefix != "" && strings.HasPrefix(u, strings.TrimRight(f.e.BAPIPrefix, "/")), host == "api.clerk.com":
		return kindBAPI
	case f.e.FAPIPrefix != "" && strings.HasPrefix(u, strings.TrimRight(f.e.FAPIPrefix, "/")):
		return kindFAPI
	case f.e.FAPIPrefix == "" && (strings.HasSuffix(host, ".clerk.accounts.dev") || strings.HasPrefix(host, "clerk.") || strings.Contains(u, "/__clerk/v1/")):
		return kindFAPI
	case evidence.IsFAPIPath(u):
		return kindForeignFAPI
	case isProviderURL(u):
		return kindProvider
	case host != "" && host == f.appHost:
		return kindApp
	}
	return kindOther
}

// providerHosts are the OAuth providers loginprobe flows use.
var providerHosts = []string{"github.com", "accounts.google.com", "login.microsoftonline.com", "appleid.apple.com"}

// isProviderURL matches an OAuth provider's authorize or login pages.
func isProviderURL(u string) bool {
	host := hostOf(u)
	for _, h := range providerHosts {
		if host == h {
			return true
		}
	}
	p := strings.ToLower(stripQuery(u))
	return strings.Contains(p, "/oauth/") || strings.Contains(p, "/oauth2/") || strings.HasSuffix(p, "/authorize")
}

// netErrorText keeps the net::ERR_… part of a failure text when there is one.
func netErrorText(s string) string {
	if i := strings.Index(s, "net::"); i >= 0 {
		end := i + 5
		for end < len(s) && (s[end] == '_' || s[end] >= 'A' && s[end] <= 'Z' || s[end] >= '0' && s[end] <= '9') {
			end++
		}
		return s[i:end]
	}
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return "no answer"
}

// recovered reports whether a later request of the same kind, method and
// path succeeded (clerk-js retries GETs; a transient failure it recovered
// from is not what failed the run).
func (f *facts) recovered(r request) bool {
	for _, later := range f.requests {
		if later.idx > r.idx && later.kind == r.kind && later.path == r.path && hostOf(later.url) == hostOf(r.url) &&
			(later.method == r.method || later.method == "" || r.method == "") &&
			later.netErr == "" && later.status >= 200 && later.status < 400 {
			return true
		}
	}
	return false
}

// failures returns the failed requests of the given kinds that were not
// recovered from, in order.
func (f *facts) failures(kinds ...reqKind) []request {
	var out []request
	for _, r := range f.requests {
		if r.failed() && hasKind(kinds, r.kind) && !f.recovered(r) {
			out = append(out, r)
		}
	}
	return out
}

func hasKind(kinds []reqKind, k reqKind) bool {
	for _, want := range kinds {
		if want == k {
			return true
		}
	}
	return false
}

// hostOf returns the host (with port) of an absolute URL, or "".
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}

// stripQuery drops the query and fragment (they may carry tokens).
func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// clip shortens s for an evidence line.
func clip(s string, n int) string { return result.OneLine(s, n) }
