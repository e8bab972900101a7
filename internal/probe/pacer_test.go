package probe

import (
	"strings"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	tests := []struct{ method, url, want string }{
		{"POST", "https://x.clerk.accounts.dev/v1/client/sign_ins?__clerk_api_version=1", "create"},
		{"POST", "http://127.0.0.1:1/__clerk/v1/client/sign_ups", "create"},
		{"POST", "http://h/__clerk/v1/client/sign_ups/sua_1?_method=PATCH", ""},
		{"POST", "http://h/v1/client/sign_ins/sia_1/attempt_first_factor", "attempt"},
		{"POST", "http://h/v1/client/sign_ins/sia_1/attempt_second_factor?x=1", "attempt"},
		{"POST", "http://h/v1/client/sign_ups/sua_1/attempt_verification", "attempt"},
		{"POST", "http://h/v1/client/sign_ins/sia_1/prepare_first_factor", ""},
		{"GET", "http://h/v1/client/sign_ins", ""},
		{"POST", "http://h/v1/environment?_method=PATCH", ""},
	}
	for _, tt := range tests {
		if got := bucket(tt.method, tt.url); got != tt.want {
			t.Errorf("bucket(%s %s) = %q, want %q", tt.method, tt.url, got, tt.want)
		}
	}
}

func TestPacerSpacesCreates(t *testing.T) {
	now := time.Unix(1000, 0)
	p := NewPacer()
	p.now = func() time.Time { return now }
	for i := range createsPerWin {
		if w := p.reserve("create"); w != 0 {
			t.Fatalf("create %d waits %v, want 0", i, w)
		}
	}
	if w := p.reserve("create"); w <= 0 {
		t.Fatalf("create %d does not wait", createsPerWin+1)
	}
	now = now.Add(pacerWindow)
	if w := p.reserve("create"); w != 0 {
		t.Fatalf("after the window, create waits %v", w)
	}
	if w := p.reserve("attempt"); w != 0 {
		t.Fatalf("attempts are a separate bucket; waits %v", w)
	}
}

func TestPacerHonoursRetryAfter(t *testing.T) {
	now := time.Unix(1000, 0)
	p := NewPacer()
	p.now = func() time.Time { return now }
	p.Observe("POST", "http://h/v1/client/sign_ins", 429, map[string]string{"retry-after": "7"})
	if w := p.reserve("create"); w != 7*time.Second {
		t.Fatalf("after a 429 with Retry-After 7, wait = %v", w)
	}
	p.Observe("GET", "http://h/v1/client", 429, nil) // not a paced endpoint: ignored
	if w := p.reserve("attempt"); w != 0 {
		t.Fatalf("attempt bucket blocked by a create 429: %v", w)
	}
	now = now.Add(7 * time.Second)
	if w := p.reserve("create"); w != 0 {
		t.Fatalf("after Retry-After passed, wait = %v", w)
	}
}

func TestPaceRefusesLongHolds(t *testing.T) {
	p := NewPacer()
	p.Observe("POST", "http://h/v1/client/sign_ins", 429, map[string]string{"Retry-After": "60"})
	err := p.Pace(t.Context(), "POST", "http://h/v1/client/sign_ins")
	if err == nil || !strings.Contains(err.Error(), "held by loginprobe's pacing") {
		t.Fatalf("Pace after Retry-After 60 = %v, want a refusal", err)
	}
	if err := p.Pace(t.Context(), "GET", "http://h/v1/client"); err != nil {
		t.Fatalf("an unpaced request was refused: %v", err)
	}
}
