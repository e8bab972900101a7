package diagnose

import (
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// testingTokenPath is the Backend API call that creates a testing token.
const testingTokenPath = "/v1/testing_tokens"

// botProtectionNoToken: the Backend API did not give loginprobe a testing
// token, the run went on without one, and bot protection refused it. The
// Backend API failure is the decisive evidence, so this runs before the
// outage rules (a Backend API 5xx alone is not a sign-in outage).
func botProtectionNoToken(f *facts) (result.Diagnosis, bool) {
	var token, refused *request
	for _, r := range f.failures(kindBAPI) {
		if strings.HasSuffix(r.path, testingTokenPath) {
			token = &r
			break
		}
	}
	for _, r := range f.failures(kindFAPI) {
		if r.status < 500 && clerk.CodeCause(r.status, r.code) == result.CauseBotProtection {
			refused = &r
			break
		}
	}
	if token == nil || refused == nil {
		return result.Diagnosis{}, false
	}
	return result.Diagnosis{
		Cause: result.CauseBotProtection,
		Summary: fmt.Sprintf("Bot protection refused the monitor: the Backend API gave no testing token (%s), so the run went on without one and Clerk refused %s %s (%s).",
			token, refused.method, refused.path, refused.code),
		Next:     "Sign-in for people is not shown broken: loginprobe could not pass bot protection because Clerk's Backend API failed. Check Clerk's status for the Backend API and clerk.secret_key; the next run fetches a new token.",
		Evidence: []string{"testing token: " + token.String(), "bot protection: " + refused.String()},
	}, true
}
