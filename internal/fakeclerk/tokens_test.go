package fakeclerk

import (
	"testing"
	"time"
)

// TestDeterministicTokens: with DeterministicTokens, two session tokens
// minted within the same second are byte-identical (the refresh a healthy
// Clerk may return); without it, each carries its own jti.
func TestDeterministicTokens(t *testing.T) {
	t0 := time.Unix(1_900_000_000, 100e6)
	now := t0
	for _, det := range []bool{true, false} {
		s, err := New(Options{DeterministicTokens: det, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		sess := &session{ID: "sess_1", UserID: "user_1", CreatedAt: t0}
		now = t0
		a, err := s.mintToken("http://fapi", "http://app", sess, "")
		if err != nil {
			t.Fatal(err)
		}
		now = t0.Add(800 * time.Millisecond)
		b, _ := s.mintToken("http://fapi", "http://app", sess, "")
		if (a == b) != det {
			t.Errorf("DeterministicTokens=%v: tokens 0.8 s apart identical=%v", det, a == b)
		}
		now = t0.Add(time.Second)
		if c, _ := s.mintToken("http://fapi", "http://app", sess, ""); c == a {
			t.Errorf("DeterministicTokens=%v: tokens one second apart are identical", det)
		}
	}
}
