package diagnose

import (
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestBotProtectionWithoutTestingToken: a sign-in refused by bot protection
// after the Backend API failed to give a testing token is bot_protection,
// with the Backend API failure as evidence; the same Backend API failure
// without a refusal, or a refusal without it, is not this rule's.
func TestBotProtectionWithoutTestingToken(t *testing.T) {
	noToken := func() *ev {
		return healthyLoad().req("POST", bapiURL, "/v1/testing_tokens", 500, "internal_clerk_error")
	}
	runCases(t, []diagCase{
		{
			name: "refused after the token failed",
			e: runEvidence(noToken().req("POST", fapiURL, "/v1/client/sign_ins", 400, "captcha_invalid"),
				`waiting for the password step: .cl-alert says "Captcha invalid"`),
			cause:    result.CauseBotProtection,
			summary:  []string{"no testing token", "POST /v1/testing_tokens → 500", "captcha_invalid"},
			evidence: "testing token: POST /v1/testing_tokens → 500 internal_clerk_error",
		},
	})
	d := Diagnose(runEvidence(healthyLoad().req("POST", fapiURL, "/v1/client/sign_ins", 400, "captcha_invalid"), "captcha"))
	if len(d.Evidence) > 0 && strings.HasPrefix(d.Evidence[0], "testing token:") {
		t.Errorf("a refusal without a Backend API failure was blamed on the testing token: %+v", d)
	}
}
