package browser

import (
	"encoding/json"
	"testing"
)

// TestFailedVerifications: a client answer whose sign-in verification
// failed (the OAuth token exchange) yields its code; verified and
// unverified ones yield nothing.
func TestFailedVerifications(t *testing.T) {
	t.Parallel()
	body := `{"response":{"sign_in":{"status":"needs_identifier",
		"first_factor_verification":{"status":"failed","strategy":"oauth_github","error":{"code":"oauth_token_exchange_error","message":"Token exchange error","long_message":"Token exchange error: bad_verification_code"}},
		"second_factor_verification":{"status":"unverified","error":null}},
		"sign_up":{"verifications":{"email_address":{"status":"verified"}}}}}`
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	got := failedVerifications(v)
	if len(got) != 1 || got[0].code != "oauth_token_exchange_error" || got[0].message != "Token exchange error: bad_verification_code" {
		t.Fatalf("failedVerifications = %+v", got)
	}
	for u, want := range map[string]bool{
		"http://h/__clerk/v1/client?x=1":                                 true,
		"http://h/__clerk/v1/client/sign_ins/sia_1/attempt_first_factor": true,
		"http://h/__clerk/v1/client/sessions/sess_1/tokens":              false,
		"http://h/__clerk/v1/environment":                                false,
	} {
		if clientResponse(u) != want {
			t.Errorf("clientResponse(%s) = %v", u, !want)
		}
	}
}
