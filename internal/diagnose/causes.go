package diagnose

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/evidence"
	"github.com/loginprobe/loginprobe/internal/result"
)

// foreignFAPI: the page's Clerk talks to another Frontend API than the one
// loginprobe is configured for (a proxy URL on the page, or a publishable
// key of another instance). Whatever failed after that follows from it.
func foreignFAPI(f *facts) (result.Diagnosis, bool) {
	var rs []request
	for _, r := range f.requests {
		if r.kind == kindForeignFAPI {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 || f.e.FAPIPrefix == "" {
		return result.Diagnosis{}, false
	}
	first := rs[0]
	for _, r := range rs {
		if r.failed() {
			first = r
			break
		}
	}
	return result.Diagnosis{
		Cause: result.CauseConfig,
		Summary: fmt.Sprintf("App configuration: the page's Clerk talks to the Frontend API at %s, not the configured %s (%s %s).",
			evidence.APIBase(first.url), strings.TrimRight(f.e.FAPIPrefix, "/"), strings.TrimSpace(first.method+" "+first.url), outcomeOf(first)),
		Next:     "The page's publishable key or proxy URL names another Frontend API than loginprobe's clerk.frontend_api_url: deploy the instance's key and a proxy URL that answers, or point loginprobe at the Frontend API the app really uses.",
		Evidence: requestLines(rs),
	}, true
}

// outcomeOf is what a request got: "→ 200", "failed: net::ERR_…".
func outcomeOf(r request) string {
	s := r.String()
	if i := strings.Index(s, " → "); i >= 0 {
		return s[i+1:]
	}
	if i := strings.Index(s, " failed: "); i >= 0 {
		return s[i+1:]
	}
	return s
}

// botProtection: Clerk's bot protection refused the monitor (captcha codes,
// fraud rules), or the testing token could not be had.
func botProtection(f *facts) (result.Diagnosis, bool) {
	var fs []finding
	for _, r := range f.failures(kindFAPI) {
		if r.status < 500 && clerk.CodeCause(r.status, r.code) == result.CauseBotProtection {
			fs = append(fs, finding{0, r.idx, r.String(), fmt.Sprintf("Bot protection: %s: %s.", clerk.CodePhrase(r.code), r), clerk.CodeMeaning(r.code)})
		}
	}
	for _, m := range f.mentions(result.CauseBotProtection) {
		fs = append(fs, finding{1, m.idx, m.line, fmt.Sprintf("Bot protection: %s (%s seen in %s).", clerk.CodePhrase(m.code), m.code, m.where), clerk.CodeMeaning(m.code)})
	}
	if len(fs) > 0 {
		for _, t := range f.texts {
			if t.kind == result.EventNote && strings.Contains(strings.ToLower(t.text), "testing token") {
				fs = append(fs, finding{2, t.idx, "note: " + clip(t.text, 300), "", ""})
			}
		}
	}
	return best(result.CauseBotProtection, fs)
}

// keyNotFound matches clerk.KeyNotFoundError's text.
var keyNotFound = regexp.MustCompile(`key not found: kid "([^"]*)" is not among the (\d+) keys of the JWKS \(token issuer ([^)]*)\)`)

// jwksFailed matches the session flow's failure to fetch the JWKS.
var jwksFailed = regexp.MustCompile(`fetching the JWKS[^:]*: (.*)`)

// tokenUnverified: the session token does not verify against the
// instance's JWKS. Clerk's side when the JWKS is empty, unreachable or
// lacks the key; the app's configuration when the token's issuer is another
// instance.
func tokenUnverified(f *facts) (result.Diagnosis, bool) {
	msg := f.e.Message
	fapi := strings.TrimRight(f.e.FAPIPrefix, "/")
	if m := keyNotFound.FindStringSubmatch(msg); m != nil {
		kid, n, iss := m[1], m[2], strings.TrimRight(m[3], "/")
		line := "message: " + clip(msg, 300)
		if fapi != "" && iss != "" && iss != fapi {
			return result.Diagnosis{
				Cause:    result.CauseConfig,
				Summary:  fmt.Sprintf("App configuration: the session token was issued by another instance (iss %s) than the configured Frontend API %s, so the JWKS has no key %s.", iss, fapi, kid),
				Next:     "The app's publishable key and loginprobe's clerk.frontend_api_url name different instances: deploy the right key, or point loginprobe at the instance the app uses.",
				Evidence: []string{line},
			}, true
		}
		what := "the JWKS lacks the key " + kid + " that signed the session token"
		if keys, _ := strconv.Atoi(n); keys == 0 {
			what = "the JWKS is empty (no key " + kid + " to verify the session token)"
		}
		return result.Diagnosis{
			Cause:    result.CauseClerkOutage,
			Summary:  fmt.Sprintf("Clerk outage: %s; %s.", what, statusLine(f.e.Status)),
			Next:     "Backends that verify session tokens with this JWKS reject every user: " + nextOutage,
			Evidence: []string{line},
		}, true
	}
	if m := jwksFailed.FindStringSubmatch(msg); m != nil && strings.Contains(msg, "does not verify against") {
		return result.Diagnosis{
			Cause:    result.CauseClerkOutage,
			Summary:  fmt.Sprintf("Clerk outage: the instance's JWKS could not be fetched: %s; %s.", clip(m[1], 200), statusLine(f.e.Status)),
			Next:     nextOutage,
			Evidence: []string{"message: " + clip(msg, 300)},
		}, true
	}
	return result.Diagnosis{}, false
}

// uiChanged: Clerk loaded and nothing failed, yet an element the flow waits
// for never appeared: the page or Clerk's UI changed, and the flow's
// selectors need an update.
func uiChanged(f *facts) (result.Diagnosis, bool) {
	if !f.e.ClerkLoaded || f.e.ClerkStatus == "error" || !strings.Contains(f.e.Message, "not visible") {
		return result.Diagnosis{}, false
	}
	if len(f.failures(kindFAPI, kindBAPI, kindScript, kindApp, kindProvider, kindForeignFAPI)) > 0 {
		return result.Diagnosis{}, false
	}
	return result.Diagnosis{
		Cause:   result.CauseUIChanged,
		Summary: fmt.Sprintf("UI changed: Clerk and the app answered, but %s.", clip(f.e.Message, 240)),
		Next:    "Compare the failure screenshot with the flow's selectors (internal/clerk/selectors.go and the pages.* settings): the page or Clerk's components changed.",
	}, true
}
