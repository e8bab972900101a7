package diagnose

import (
	"regexp"
	"strings"

	"github.com/loginprobe/loginprobe/internal/evidence"
)

// netClass sorts request failure texts by what they say.
type netClass int

const (
	netNone    netClass = iota // not a failure worth reading (cancelled by a navigation)
	netOutage                  // the server is unreachable or did not answer
	netMonitor                 // the monitor's own network is down
	netBlocked                 // loginprobe itself failed the request (Fetch.failRequest)
	netConfig                  // blocked by policy (CSP, CORS, CORP, mixed content) or a bad certificate
	netOther
	netPending // still unanswered when the run ended: a hang, which is slowness
)

// Failure tokens, compared in lower case with spaces as underscores, so
// "net::ERR_CONNECTION_RESET", "connection reset by peer" (Go) and the
// browser recorder's "blocked:csp" / "cors:…" / "canceled" all match.
var (
	outageNet  = []string{"connection_reset", "connection_refused", "connection_closed", "connection_timed_out", "timed_out", "name_not_resolved", "name_resolution_failed", "no_such_host", "empty_response", "address_unreachable", "connection_failed", "http2_protocol_error", "no_answer", "no_response", "timeout", "deadline_exceeded"}
	monitorNet = []string{"internet_disconnected", "network_changed", "network_io_suspended", "network_access_denied"}
	blockedNet = []string{"blocked:inspector", "blocked_by_client"}
	configNet  = []string{"blocked:", "cors:", "blocked_by_csp", "blocked_by_response", "blocked_by_orb", "cert_"}
	ignoredNet = []string{"err_aborted", "canceled", "cancelled"}
)

// classifyNet says what a failure text means.
func classifyNet(s string) netClass {
	if s == "" {
		return netNone
	}
	n := strings.ToLower(strings.ReplaceAll(s, " ", "_"))
	switch {
	case containsAny(n, ignoredNet):
		return netNone
	case containsAny(n, monitorNet):
		return netMonitor
	case containsAny(n, blockedNet):
		return netBlocked
	case containsAny(n, configNet):
		return netConfig
	case containsAny(n, outageNet):
		return netOutage
	}
	return netOther
}

// Console and exception strings (clerk.md §4.1, fakeclerk.md §4).
var (
	// keyProblems: missing, garbled or mismatched keys and proxy URL.
	keyProblems = []string{
		"The publishableKey passed to Clerk is invalid",
		"Missing publishableKey",
		"Publishable key is missing",
		"Publishable key not valid",
		"Failed to decode key",
		"Decoded key has invalid format",
		"Production Keys are only allowed for domain",
		"keys do not match",
		"Missing secretKey",
		"The proxyUrl passed to Clerk is invalid",
	}
	// uiMissing: the Clerk UI bundle did not load or was not passed to Clerk.load.
	uiMissing = []string{
		"Clerk was not loaded with Ui components",
		`code="failed_to_load_clerk_ui"`,
		"Failed to load Clerk UI",
	}
	captchaScript   = "Failed to load the CAPTCHA script from Cloudflare"
	redirectOrigins = "is not on one of the allowedRedirectOrigins"
	// codeWord finds snake_case words that may be ClerkAPIError codes.
	codeWord = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)
	// serverErrorTitle matches the title of a server error page.
	serverErrorTitle = regexp.MustCompile(`(?i)^\s*5\d\d\b|internal server error|bad gateway|service unavailable|gateway time-?out|application error`)
)

// isCSPViolation matches Chromium's CSP violation reports: "Refused to load
// the script '…' because it violates the following Content Security Policy
// directive: …", "Refused to connect to '…' …", "Refused to frame '…' …".
func isCSPViolation(s string) bool {
	return strings.Contains(s, "Refused to") && strings.Contains(s, "Content Security Policy")
}

// isMIMERefusal matches "Refused to execute script from '…clerk.browser.js'
// because its MIME type ('text/plain') is not executable…".
func isMIMERefusal(s string) bool {
	return strings.Contains(s, "Refused to execute script from") && evidence.IsScriptRefusal(s)
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
