package clerk

import (
	"errors"
	"testing"
)

func TestParsePublishableKey(t *testing.T) {
	tests := []struct {
		name, pk, host, portal string
		live                   bool
		err                    error
	}{
		{name: "docs example", pk: "pk_test_bWFqb3ItaGVyb24tODYuY2xlcmsuYWNjb3VudHMuZGV2JA", host: "major-heron-86.clerk.accounts.dev", portal: "https://major-heron-86.accounts.dev"},
		{name: "padded", pk: "pk_test_c3R1Yi1maXh0dXJlLmNsZXJrLmFjY291bnRzLmRldiQ=", host: "stub-fixture.clerk.accounts.dev", portal: "https://stub-fixture.accounts.dev"},
		{name: "production", pk: NewPublishableKey("clerk.example.com", true), host: "clerk.example.com", live: true, portal: "https://accounts.example.com"},
		{name: "empty", pk: " ", err: ErrKeyMissing},
		{name: "wrong prefix", pk: "sk_test_abc", err: ErrKeyMalformed},
		{name: "garbled", pk: "pk_test_JA==", err: ErrKeyMalformed},
		{name: "not base64", pk: "pk_test_!!!", err: ErrKeyMalformed},
		{name: "no dollar", pk: "pk_test_ZXhhbXBsZS5jb20", err: ErrKeyMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParsePublishableKey(tt.pk)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.FrontendAPI != tt.host || k.Live != tt.live {
				t.Fatalf("got %+v, want host %s live %v", k, tt.host, tt.live)
			}
			portal, err := k.AccountPortalURL()
			if err != nil || portal != tt.portal {
				t.Fatalf("portal = %q, %v; want %q", portal, err, tt.portal)
			}
		})
	}
}

func TestIsTestIdentifier(t *testing.T) {
	for id, want := range map[string]bool{
		"monitor+clerk_test@example.com":       true,
		"loginprobe+clerk_test_42@example.com": true,
		"Jane+Clerk_Test@Example.com":          true,
		"monitor@example.com":                  false,
		"clerk_test@example.com":               false,
		"+12015550100":                         true,
		"+1 (973) 555-0133":                    true,
		"+12015550200":                         false,
		"+442015550100":                        false,
	} {
		if got := IsTestIdentifier(id); got != want {
			t.Errorf("IsTestIdentifier(%q) = %v, want %v", id, got, want)
		}
	}
}
