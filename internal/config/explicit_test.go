package config

import "testing"

// TestExplicitFlow: only `enabled: true` in the file makes a flow explicit;
// the default and `enabled: false` do not.
func TestExplicitFlow(t *testing.T) {
	yaml := []byte(`clerk:
  publishable_key: pk_test_bWFqb3ItaGVyb24tODYuY2xlcmsuYWNjb3VudHMuZGV2JA
flows:
  oauth-google:
    enabled: true
  oauth-github:
    enabled: false
`)
	c, err := Parse(yaml, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"oauth-google": true, "oauth-github": false, "sign-in": false} {
		if got := c.Flows[name].Explicit; got != want {
			t.Errorf("%s: Explicit = %v, want %v", name, got, want)
		}
	}
}
