package diagnose

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/loginprobe/loginprobe/internal/result"
)

// loginprobe's own Clerk clients (internal/clerk) word their errors as
// "clerk backend POST /v1/testing_tokens: 500 internal_clerk_error: …",
// "clerk frontend GET /v1/health: 503: unhealthy" and
// "fetching script <url>: 404: Not Found". Failures that only reach the run
// as such text (a failure message, a note) are read back as requests.
var (
	clientStatus = regexp.MustCompile(`\b(GET|POST|DELETE|PATCH) (/v1/[^\s:)?]*)\)?: (\d{3})\b(?: ([a-z][a-z0-9]*(?:_[a-z0-9]+)+))?`)
	clientNet    = regexp.MustCompile(`\b(GET|POST|DELETE|PATCH) (/v1/[^\s:)?]*)\)?: (.*)`)
	scriptStatus = regexp.MustCompile(`fetching script (\S+): (\d{3})\b`)
	scriptNet    = regexp.MustCompile(`fetching script: Get "([^"]+)": (.*)`)
)

// textRequests turns client error texts in the message and notes into
// requests (at the end of the run, so they are never "recovered").
func (f *facts) textRequests() {
	end := len(f.e.Events)
	texts := []string{f.e.Message}
	for _, t := range f.texts {
		if t.kind == result.EventNote {
			texts = append(texts, t.text)
		}
	}
	for _, s := range texts {
		if r, ok := parseClientError(s); ok && !f.hasRequest(r) {
			r.idx = end
			f.requests = append(f.requests, r)
		}
	}
}

// parseClientError reads one error text of loginprobe's Clerk clients.
func parseClientError(s string) (request, bool) {
	if m := scriptStatus.FindStringSubmatch(s); m != nil {
		st, _ := strconv.Atoi(m[2])
		u := stripQuery(m[1])
		return request{kind: kindScript, method: "GET", url: u, path: u, status: st}, true
	}
	if m := scriptNet.FindStringSubmatch(s); m != nil && classifyNet(m[2]) == netOutage {
		u := stripQuery(m[1])
		return request{kind: kindScript, method: "GET", url: u, path: u, netErr: clip(m[2], 120)}, true
	}
	kind := kindFAPI
	i := strings.Index(s, "clerk frontend ")
	if j := strings.Index(s, "clerk backend "); j >= 0 && (i < 0 || j < i) {
		kind, i = kindBAPI, j
	}
	if i < 0 {
		return request{}, false
	}
	s = s[i:] // the caller's own prefix ("GET <url>?limit=1: …") is not the request
	if m := clientStatus.FindStringSubmatch(s); m != nil {
		st, _ := strconv.Atoi(m[3])
		return request{kind: kind, method: m[1], url: m[2], path: m[2], status: st, code: m[4]}, true
	}
	if m := clientNet.FindStringSubmatch(s); m != nil && classifyNet(m[3]) == netOutage {
		return request{kind: kind, method: m[1], url: m[2], path: m[2], netErr: clip(netErrorText(m[3]), 160)}, true
	}
	return request{}, false
}

// hasRequest reports whether an equal request is already known.
func (f *facts) hasRequest(r request) bool {
	for _, have := range f.requests {
		if have.kind == r.kind && have.path == r.path && have.status == r.status && (have.method == r.method || have.method == "") {
			return true
		}
	}
	return false
}
