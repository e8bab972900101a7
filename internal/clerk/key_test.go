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
