package flows

import "testing"

// TestCheckCallback: a Clerk OAuth callback is accepted on the instance's
// Frontend API host or on Clerk's shared hosts, without demanding byte
// equality; another host or path is refused.
func TestCheckCallback(t *testing.T) {
	const fapi = "https://clerk.example.com"
	for _, tc := range []struct {
		got string
		ok  bool
	}{
		{"https://clerk.example.com/v1/oauth_callback", true},
		{"https://clerk.example.com/v1/oauth_callback/", true},
		{"https://clerk.example.com:443/v1/oauth_callback", true},
		{"https://clerk.shared.lcl.dev/v1/oauth_callback", true},
		{"https://evil.example.net/v1/oauth_callback", false},
		{"https://clerk.example.com/callback", false},
	} {
		if err := checkCallback(tc.got, fapi); (err == nil) != tc.ok {
			t.Errorf("checkCallback(%s) = %v, want ok=%v", tc.got, err, tc.ok)
		}
	}
	if err := checkCallback("http://127.0.0.1:8787/__clerk/v1/oauth_callback", "http://127.0.0.1:8787/__clerk"); err != nil {
		t.Errorf("a Frontend API under a path: %v", err)
	}
}
