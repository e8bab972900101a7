package diagnose

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// finding is a candidate diagnosis of one cause with its decisiveness.
type finding struct {
	tier    int
	idx     int
	line    string // evidence
	summary string
	next    string
}

// best turns findings into a diagnosis: the most decisive one speaks, all
// of them are evidence.
func best(cause result.Cause, fs []finding) (result.Diagnosis, bool) {
	if len(fs) == 0 {
		return result.Diagnosis{}, false
	}
	top := fs[0]
	for _, f := range fs[1:] {
		if f.tier < top.tier || (f.tier == top.tier && f.idx < top.idx) {
			top = f
		}
	}
	d := result.Diagnosis{Cause: cause, Summary: top.summary, Next: top.next, Evidence: []string{top.line}}
	for _, f := range fs {
		d.Evidence = append(d.Evidence, f.line)
	}
	return d, true
}

// appConfig: the app's keys, CSP, redirect URLs, OAuth apps or instance
// settings are wrong.
func appConfig(f *facts) (result.Diagnosis, bool) {
	var fs []finding
	for _, t := range f.texts {
		fs = append(fs, configText(f, t)...)
	}
	for _, r := range f.failures(kindFAPI, kindBAPI, kindScript, kindProvider) {
		if fd, ok := configRequest(r); ok {
			fs = append(fs, fd)
		}
	}
	for _, m := range f.mentions(result.CauseConfig) {
		fs = append(fs, finding{5, m.idx, m.line,
			fmt.Sprintf("App configuration: %s (%s seen in %s).", clerk.CodePhrase(m.code), m.code, m.where), clerk.CodeMeaning(m.code)})
	}
	return best(result.CauseConfig, fs)
}

// configText reads one console line, exception or log entry.
func configText(f *facts, t text) []finding {
	line := string(t.kind) + ": " + clip(t.text, 300)
	switch {
	case containsAny(t.text, keyProblems):
		return []finding{{0, t.idx, line, "App configuration: Clerk rejects the app's keys: " + quoted(t.text) + ".",
			"Deploy the publishable key (and secret key) of the right instance, copied from the Clerk dashboard (pk_test_… / pk_live_…)."}}
	case isCSPViolation(t.text) && (f.mentionsClerk(t.text+" "+t.source) || !f.e.ClerkLoaded):
		return []finding{{2, t.idx, line, "App configuration: the app's Content-Security-Policy blocks Clerk: " + quoted(t.text) + ".",
			"Allow Clerk in the app's CSP: script-src and connect-src need the Frontend API host, plus challenges.cloudflare.com (see https://clerk.com/docs/guides/secure/best-practices/csp-headers)."}}
	case isMIMERefusal(t.text):
		return []finding{{3, t.idx, line, "App configuration: the browser refused Clerk's script: " + quoted(t.text) + ".",
			"The URL the app loads clerk-js from does not serve JavaScript: check the script URL, version tag and proxy path."}}
	case containsAny(t.text, uiMissing):
		return []finding{{4, t.idx, line, "App configuration: Clerk's UI components did not load: " + quoted(t.text) + ".",
			"Check that the page loads @clerk/ui (ui.browser.js) and passes it to Clerk.load({ui: {ClerkUI}})."}}
	case strings.Contains(t.text, captchaScript):
		return []finding{{7, t.idx, line, "App configuration: Clerk could not load the CAPTCHA script from Cloudflare: " + quoted(t.text) + ".",
			"Allow challenges.cloudflare.com in the app's CSP (script-src, frame-src), or give loginprobe a testing token (clerk.secret_key)."}}
	case strings.Contains(t.text, redirectOrigins):
		return []finding{{8, t.idx, line, "App configuration: the redirect URL is not allowed: " + quoted(t.text) + ".",
			"Add the redirect URL's origin to allowedRedirectOrigins, or fix the flow's redirect URL."}}
	}
	return nil
}

// configRequest reads one failed request.
func configRequest(r request) (finding, bool) {
	switch {
	case (r.kind == kindFAPI || r.kind == kindBAPI) && r.status > 0 && r.status < 500 && clerk.CodeCause(r.status, r.code) == result.CauseConfig:
		return finding{1, r.idx, r.String(), fmt.Sprintf("App configuration: %s: %s.", clerk.CodePhrase(r.code), r), clerk.CodeMeaning(r.code)}, true
	case r.kind == kindScript && r.status >= 400 && r.status < 500:
		return finding{3, r.idx, r.String(), fmt.Sprintf("App configuration: Clerk's script is missing: %s.", r),
			"Check the clerk-js / @clerk/ui URL the app loads (host, version tag, proxy path): " + r.url}, true
	case r.kind == kindScript && r.blocked == "mime":
		return finding{3, r.idx, r.String(), fmt.Sprintf("App configuration: the browser refused Clerk's script: %s.", r),
			"The URL the app loads clerk-js from does not serve JavaScript (wrong Content-Type with nosniff): check the script URL, version tag and proxy path: " + r.url}, true
	case (r.kind == kindFAPI || r.kind == kindScript) && r.class() == netConfig:
		return finding{3, r.idx, r.String(), fmt.Sprintf("App configuration: the browser blocked a Clerk request: %s.", r),
			"Check the app's Content-Security-Policy and the TLS certificate of the Clerk domain."}, true
	case r.kind == kindProvider && r.status >= 400 && r.status < 500 && strings.HasSuffix(r.url, "/authorize"):
		return finding{6, r.idx, r.String(), fmt.Sprintf("App configuration: the OAuth provider refused the authorization request: %s.", r),
			"The provider does not accept the OAuth app's client ID or callback URL: register Clerk's Authorization Callback URL (https://<frontend-api>/v1/oauth_callback) in the provider's OAuth app and check the client ID in the Clerk dashboard."}, true
	case r.kind == kindProvider && (r.status >= 500 || r.class() == netOutage):
		return finding{6, r.idx, r.String(), fmt.Sprintf("App configuration: the OAuth provider failed: %s.", r),
			"The OAuth provider may be down, or the OAuth app misconfigured: check the provider's status page and the connection's credentials in the Clerk dashboard."}, true
	}
	return finding{}, false
}

// testData: the monitor's user is wrong: bad password, missing, locked.
func testData(f *facts) (result.Diagnosis, bool) {
	var fs []finding
	for _, r := range f.failures(kindFAPI) {
		if r.status < 500 && clerk.CodeCause(r.status, r.code) == result.CauseTestData {
			fs = append(fs, finding{0, r.idx, r.String(), fmt.Sprintf("Test data: %s: %s.", clerk.CodePhrase(r.code), r), clerk.CodeMeaning(r.code)})
		}
	}
	for _, m := range f.mentions(result.CauseTestData) {
		fs = append(fs, finding{1, m.idx, m.line, fmt.Sprintf("Test data: %s (%s seen in %s).", clerk.CodePhrase(m.code), m.code, m.where), clerk.CodeMeaning(m.code)})
	}
	return best(result.CauseTestData, fs)
}

// rateLimited: Clerk throttled the monitor on an endpoint it rate-limits.
func rateLimited(f *facts) (result.Diagnosis, bool) {
	var fs []finding
	for _, r := range f.failures(kindFAPI, kindBAPI) {
		if r.status == http.StatusTooManyRequests || clerk.CodeCause(r.status, r.code) == result.CauseRateLimited {
			next := clerk.CodeMeaning(r.code)
			if next == "" {
				next = clerk.CodeMeaning("too_many_requests")
			}
			fs = append(fs, finding{0, r.idx, r.String(), fmt.Sprintf("Rate limited: Clerk throttled the monitor: %s.", r), next})
		}
	}
	return best(result.CauseRateLimited, fs)
}

// monitorState: Clerk says the browser's state was wrong (already signed in,
// no client): loginprobe's doing.
func monitorState(f *facts) (result.Diagnosis, bool) {
	var fs []finding
	for _, r := range f.failures(kindFAPI) {
		if r.status < 500 && clerk.CodeCause(r.status, r.code) == result.CauseMonitor {
			fs = append(fs, finding{0, r.idx, r.String(), fmt.Sprintf("Monitor error: the browser's Clerk state was wrong: %s.", r), clerk.CodeMeaning(r.code)})
		}
	}
	return best(result.CauseMonitor, fs)
}

// clerkNeverLoaded: Clerk did not load and nothing says why; say so plainly
// rather than guess.
func clerkNeverLoaded(f *facts) (result.Diagnosis, bool) {
	if f.e.ClerkLoaded {
		return result.Diagnosis{}, false
	}
	status := f.e.ClerkStatus
	if status == "" {
		status = "window.Clerk undefined"
	}
	d := result.Diagnosis{
		Cause: result.CauseUnknown,
		Summary: fmt.Sprintf("Unknown cause: Clerk never loaded on %s (%s) and no failing request or console error explains why: %s.",
			orNone(stripQuery(f.e.PageURL)), status, orNone(clip(f.e.Message, 160))),
		Next: "Check that the page still includes Clerk's script tags and calls Clerk.load(); compare with the last passing run's events.",
	}
	for _, r := range f.requests {
		if r.kind == kindScript {
			d.Evidence = append(d.Evidence, "script: "+r.String())
		}
	}
	d.Evidence = append(d.Evidence, f.errorTexts(4)...)
	return d, true
}

// quoted quotes the first line of a console text for a summary.
func quoted(s string) string { return `"` + clip(firstLine(s), 200) + `"` }

// firstLine is s up to its first newline.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
