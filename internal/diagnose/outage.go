package diagnose

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// signal is one piece of evidence for a cause; a lower tier is more decisive.
type signal struct {
	tier int
	idx  int
	line string
}

// sortSignals orders signals by tier, then by time.
func sortSignals(s []signal) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].tier != s[j].tier {
			return s[i].tier < s[j].tier
		}
		return s[i].idx < s[j].idx
	})
}

// lines returns the evidence lines of the signals.
func lines(s []signal) []string {
	out := make([]string, 0, len(s))
	for _, sg := range s {
		out = append(out, sg.line)
	}
	return out
}

// monitorNetwork: the monitor's own network is down, or both the app and
// Clerk were unreachable from it (they are on different hosts, so the common
// factor is the monitor).
func monitorNetwork(f *facts) (result.Diagnosis, bool) {
	var local, app, fapi []request
	for _, r := range f.failures(kindFAPI, kindBAPI, kindScript, kindApp, kindProvider, kindOther) {
		switch c := r.class(); {
		case c == netMonitor:
			local = append(local, r)
		case c == netOutage && r.kind == kindApp:
			app = append(app, r)
		case c == netOutage && r.kind == kindFAPI:
			fapi = append(fapi, r)
		}
	}
	d := result.Diagnosis{
		Cause: result.CauseMonitor,
		Next:  "Check the network of the machine loginprobe runs on (DNS, egress, proxy); this run says nothing about the app or Clerk.",
	}
	switch {
	case len(local) > 0:
		d.Summary = fmt.Sprintf("Monitor network down: %s.", local[0])
		d.Evidence = requestLines(local)
	case len(app) > 0 && len(fapi) > 0 && hostOf(app[0].url) != hostOf(fapi[0].url):
		d.Summary = fmt.Sprintf("Monitor network problem: both the app (%s) and Clerk (%s) were unreachable.", app[0], fapi[0])
		d.Evidence = append(requestLines(app), requestLines(fapi)...)
	default:
		return d, false
	}
	return d, true
}

// clerkOutage: Clerk's servers failed: 5xx, internal_clerk_error,
// service_unavailable, outage-shaped 429s, unreachable or very slow FAPI,
// Clerk's scripts failing to download, or Clerk.status degraded with FAPI
// failing for no configuration reason.
func clerkOutage(f *facts) (result.Diagnosis, bool) {
	var sigs []signal
	counted := map[int]bool{}
	for _, r := range f.requests {
		if r.kind != kindFAPI && r.kind != kindBAPI && r.kind != kindScript {
			continue
		}
		if r.failed() && f.recovered(r) {
			continue
		}
		if tier, why, ok := outageReason(r); ok {
			sigs = append(sigs, signal{tier, r.idx, why})
			counted[r.idx] = true
		}
	}
	if f.e.ClerkStatus == "degraded" {
		for _, r := range f.failures(kindFAPI) {
			if !counted[r.idx] && degradedFailure(r) {
				sigs = append(sigs, signal{5, r.idx, "Clerk.status is degraded and " + r.String()})
			}
		}
	}
	if len(sigs) == 0 {
		return result.Diagnosis{}, false
	}
	sortSignals(sigs)
	if why := f.degraded(sigs); why != "" {
		return result.Diagnosis{
			Cause:    result.CauseClerkDegraded,
			Summary:  fmt.Sprintf("Clerk degraded (%s): %s; %s.", why, sigs[0].line, statusLine(f.e.Status)),
			Next:     nextDegraded,
			Evidence: lines(sigs),
		}, true
	}
	return result.Diagnosis{
		Cause:    result.CauseClerkOutage,
		Summary:  fmt.Sprintf("Clerk outage: %s; %s.", sigs[0].line, statusLine(f.e.Status)),
		Next:     nextOutage,
		Evidence: lines(sigs),
	}, true
}

// nextDegraded is the next step of a degraded Clerk.
const nextDegraded = "Nothing to fix in the app: Clerk answers, but slowly or only in part. Follow https://status.clerk.com and give Clerk support the trace ids in the evidence; loginprobe keeps probing."

// degraded says why outage signals describe a degraded Clerk rather than an
// outage, or "": clerk-js itself says degraded (it runs, with some requests
// failing), or Clerk only answered slowly (or not yet), and the status page
// does not report an outage.
func (f *facts) degraded(sigs []signal) string {
	if f.e.Status != nil && f.e.Status.AuthDegraded() || f.e.ClerkStatus == "error" {
		return ""
	}
	if f.e.ClerkStatus == "degraded" {
		return "Clerk.status is degraded"
	}
	slow := true
	for _, sg := range sigs {
		slow = slow && sg.tier >= tierSlow
	}
	if slow {
		return "slow answers"
	}
	return ""
}

// tierSlow is the tier of slowness signals: a slow or unanswered request.
const tierSlow = 3

// outageReason says whether one Clerk request is outage evidence, how
// decisive (tier) and in what words.
func outageReason(r request) (tier int, why string, ok bool) {
	api := r.kind == kindFAPI || r.kind == kindBAPI
	switch {
	case r.status >= 500:
		return 0, r.String(), true
	case api && (r.code == "internal_clerk_error" || r.code == "service_unavailable"):
		return 0, r.String(), true
	case api && r.status == http.StatusTooManyRequests && clerk.Is429Outage(r.path, r.code):
		if r.code == "" {
			return 1, r.String() + " without an error code", true
		}
		return 1, r.String() + " on an endpoint Clerk does not rate-limit", true
	case r.class() == netOutage:
		return 2, r.String(), true
	case r.class() == netPending && r.kind != kindForeignFAPI:
		return tierSlow, r.String(), true
	case r.kind == kindFAPI && !r.failed() && r.duration >= slowRequest:
		return tierSlow, r.String(), true
	}
	return 0, "", false
}

// degradedFailure: a FAPI failure that, with Clerk.status degraded, points
// at Clerk rather than at the app's configuration, test data or rate limits.
func degradedFailure(r request) bool {
	if r.netErr != "" {
		c := r.class()
		return c == netOutage || c == netOther || c == netPending
	}
	switch clerk.CodeCause(r.status, r.code) {
	case result.CauseConfig, result.CauseTestData, result.CauseRateLimited, result.CauseMonitor:
		return false
	}
	return true
}

// monitorBlocked: loginprobe itself failed a Clerk request (its testing-token
// interception could not go on), which says nothing about the target.
func monitorBlocked(f *facts) (result.Diagnosis, bool) {
	var rs []request
	for _, r := range f.failures(kindFAPI, kindScript) {
		if r.class() == netBlocked {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return result.Diagnosis{}, false
	}
	d := result.Diagnosis{
		Cause:    result.CauseMonitor,
		Summary:  fmt.Sprintf("Monitor error: loginprobe blocked a Clerk request itself (%s).", rs[0]),
		Next:     "Check loginprobe's testing-token setup (clerk.secret_key or CLERK_TESTING_TOKEN) and its log; the note in the evidence says why.",
		Evidence: requestLines(rs),
	}
	for _, t := range f.texts {
		if t.kind == result.EventNote && strings.Contains(t.text, "blocked by loginprobe") {
			d.Evidence = append([]string{"note: " + clip(t.text, 300)}, d.Evidence...)
			break
		}
	}
	return d, true
}

// sessionPath matches session refresh and touch calls.
var sessionPath = regexp.MustCompile(`^/v1/client/sessions/[^/]+/(tokens|touch)(/|$)`)

// sessionLost: Clerk forgot a session the flow had just created: its token
// refresh answers 404 or 401.
func sessionLost(f *facts) (result.Diagnosis, bool) {
	for _, r := range f.failures(kindFAPI) {
		if !sessionPath.MatchString(r.path) || (r.status != http.StatusNotFound && r.status != http.StatusUnauthorized) {
			continue
		}
		return result.Diagnosis{
			Cause:    result.CauseClerkOutage,
			Summary:  fmt.Sprintf("Clerk outage: Clerk lost the session the flow had just created (%s); %s.", r, statusLine(f.e.Status)),
			Next:     "Clerk no longer knows a fresh session: report it to Clerk support with the trace id. If the instance's session lifetime or inactivity timeout is set to a few seconds, fix that instead.",
			Evidence: []string{r.String()},
		}, true
	}
	return result.Diagnosis{}, false
}

// statusPageOnly: no request explains the failure, but the status page says
// sign-in or sessions are degraded.
func statusPageOnly(f *facts) (result.Diagnosis, bool) {
	if f.e.Status == nil || !f.e.Status.AuthDegraded() {
		return result.Diagnosis{}, false
	}
	return result.Diagnosis{
		Cause:    result.CauseClerkOutage,
		Summary:  fmt.Sprintf("Clerk outage reported by the status page: %s; no failing Clerk request was captured in this run.", strings.Join(f.e.Status.AuthProblems(), ", ")),
		Next:     nextOutage,
		Evidence: f.e.Status.Incidents,
	}, true
}

// appDown: the app's own page answered 5xx, could not be reached, or shows a
// server error, while the Frontend API did not fail.
func appDown(f *facts) (result.Diagnosis, bool) {
	if len(f.failures(kindFAPI)) > 0 {
		return result.Diagnosis{}, false
	}
	doc := map[string]bool{stripQuery(f.e.AppURL): true, stripQuery(f.e.PageURL): true}
	var bad []request
	for _, r := range f.failures(kindApp) {
		switch {
		case r.status >= 500, r.class() == netOutage, r.netErr != "" && strings.Contains(strings.ToLower(r.netErr), "cert_"):
			bad = append(bad, r)
		case r.status >= 400 && doc[r.url]:
			bad = append(bad, r)
		}
	}
	d := result.Diagnosis{Cause: result.CauseApp, Next: nextApp}
	onProvider := isProviderURL(f.e.PageURL) // an OAuth provider's error page is not the app's
	switch {
	case len(bad) > 0 && bad[0].status == 0:
		d.Cause, d.Next = result.CauseNetwork, nextNetwork
		d.Summary = fmt.Sprintf("Network: the app could not be reached: %s.", strings.TrimPrefix(bad[0].String(), bad[0].method+" "))
		d.Evidence = requestLines(bad)
	case len(bad) > 0:
		d.Summary = fmt.Sprintf("App failure: the app's page %s.", strings.TrimPrefix(bad[0].String(), bad[0].method+" "))
		if bad[0].status == http.StatusNotFound {
			d.Next = "Check the page URL loginprobe opens (pages.sign_in_url and the like) and the app's routes."
		}
		d.Evidence = requestLines(bad)
	case !onProvider && serverErrorTitle.MatchString(f.e.PageTitle):
		d.Summary = fmt.Sprintf("App failure: the page %s shows %q.", orNone(stripQuery(f.e.PageURL)), f.e.PageTitle)
		d.Evidence = []string{"page title: " + f.e.PageTitle}
	case strings.HasPrefix(f.e.PageURL, "chrome-error:"):
		d.Cause, d.Next = result.CauseNetwork, nextNetwork
		d.Summary = fmt.Sprintf("Network: the app's page could not be reached (Chromium shows its error page, title %q).", f.e.PageTitle)
		d.Evidence = []string{"page: " + f.e.PageURL}
	default:
		return d, false
	}
	return d, true
}

// nextNetwork is the next step when the app itself could not be reached.
const nextNetwork = "Check the app's DNS record, TLS certificate and that its server accepts connections (from where loginprobe runs); Clerk was not involved yet."

// requestLines quotes requests as evidence.
func requestLines(rs []request) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}
