package clerk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for TestingTokens.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// gate holds requests: each one signals arrived, then waits for release.
type gate struct{ arrived, release chan struct{} }

// tokenServer answers POST /v1/testing_tokens with a numbered token valid one
// hour after clock's time; fail (if set) decides a failure status per request.
func tokenServer(t *testing.T, clock *fakeClock, fail func(n int64) (status int, retryAfter string), g *gate) (*Backend, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	b := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/__bapi/v1/testing_tokens" {
			http.NotFound(w, r)
			return
		}
		i := n.Add(1)
		if g != nil {
			g.arrived <- struct{}{}
			<-g.release
		}
		if fail != nil {
			if status, ra := fail(i); status != 0 {
				if ra != "" {
					w.Header().Set("Retry-After", ra)
				}
				w.WriteHeader(status)
				fmt.Fprint(w, clerkErrorBody("internal_clerk_error", "oops"))
				return
			}
		}
		exp := clock.Now().Add(time.Hour).Unix()
		fmt.Fprintf(w, `{"object":"testing_token","token":"tok-%d","expires_at":%d}`, i, exp)
	})
	return b, &n
}

func newClock() *fakeClock { return &fakeClock{t: time.Unix(1713877200, 0)} }

func TestTestingTokensCache(t *testing.T) {
	t.Parallel()
	clock := newClock()
	b, n := tokenServer(t, clock, nil, nil)
	tt := &TestingTokens{Backend: b, Now: clock.Now}
	ctx := t.Context()

	first, err := tt.Get(ctx)
	if err != nil || first != "tok-1" {
		t.Fatalf("Get = %q, %v", first, err)
	}
	again, _ := tt.Get(ctx)
	if again != "tok-1" || n.Load() != 1 {
		t.Fatalf("second Get = %q after %d requests, want tok-1 after 1", again, n.Load())
	}
	clock.Add(58 * time.Minute) // 2 min left: still outside the 60 s margin
	if tok, _ := tt.Get(ctx); tok != "tok-1" {
		t.Fatalf("Get 2 min before expiry = %q, want the cached tok-1", tok)
	}
	clock.Add(90 * time.Second) // 30 s left: inside the margin
	if tok, _ := tt.Get(ctx); tok != "tok-2" || n.Load() != 2 {
		t.Fatalf("Get 30 s before expiry = %q after %d requests, want tok-2 after 2", tok, n.Load())
	}
	tt.Invalidate()
	if tok, _ := tt.Get(ctx); tok != "tok-3" {
		t.Fatalf("Get after Invalidate = %q, want tok-3", tok)
	}
	if got := tt.ExpiresAt(); !got.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("ExpiresAt = %v", got)
	}
}

func TestTestingTokensConcurrentGetsFetchOnce(t *testing.T) {
	t.Parallel()
	clock := newClock()
	g := &gate{arrived: make(chan struct{}, 8), release: make(chan struct{})}
	b, n := tokenServer(t, clock, nil, g)
	tt := &TestingTokens{Backend: b, Now: clock.Now}
	var wg sync.WaitGroup
	got := make([]string, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = tt.Get(t.Context()) })
	}
	<-g.arrived // one fetch is in flight; the other Gets wait for it
	close(g.release)
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != "tok-1" {
			t.Errorf("Get #%d = %q, %v", i, got[i], errs[i])
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}

func TestTestingTokensRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fail     func(n int64) (int, string)
		wantTok  string
		wantReqs int64
		wantErr  string
	}{
		{"503 then ok", func(n int64) (int, string) {
			if n < 3 {
				return 503, ""
			}
			return 0, ""
		}, "tok-3", 3, ""},
		{"429 with Retry-After then ok", func(n int64) (int, string) {
			if n == 1 {
				return 429, "1"
			}
			return 0, ""
		}, "tok-2", 2, ""},
		{"408 then ok", func(n int64) (int, string) {
			if n == 1 {
				return 408, ""
			}
			return 0, ""
		}, "tok-2", 2, ""},
		{"always 500: 1 try + 3 retries", func(int64) (int, string) { return 500, "" }, "", 4, "500 internal_clerk_error"},
		{"401 is not retried", func(int64) (int, string) { return 401, "" }, "", 1, "401"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			b, n := tokenServer(t, clock, tc.fail, nil)
			// MaxDelay caps Retry-After too, so the test does not wait a second.
			tt := &TestingTokens{Backend: b, Now: clock.Now, RetryDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
			tok, err := tt.Get(t.Context())
			if tok != tc.wantTok || n.Load() != tc.wantReqs {
				t.Errorf("Get = %q after %d requests, want %q after %d (err %v)", tok, n.Load(), tc.wantTok, tc.wantReqs, err)
			}
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestTestingTokensRespectsCtx(t *testing.T) {
	t.Parallel()
	clock := newClock()
	b, n := tokenServer(t, clock, func(int64) (int, string) { return 503, "3600" }, nil)
	tt := &TestingTokens{Backend: b, Now: clock.Now}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err := tt.Get(ctx)
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v, want the 503", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1: a Retry-After beyond the deadline must not be waited for", n.Load())
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour {
		t.Errorf("err %v does not carry the *APIError with its Retry-After", err)
	}
}

func TestTestingTokensFixedAndNoBackend(t *testing.T) {
	t.Parallel()
	tt := &TestingTokens{Fixed: "1713877200-fixed"}
	if tok, err := tt.Get(t.Context()); tok != "1713877200-fixed" || err != nil {
		t.Errorf("Fixed: Get = %q, %v", tok, err)
	}
	_, err := (&TestingTokens{}).Get(t.Context())
	if err == nil || !strings.Contains(err.Error(), "clerk.secret_key") {
		t.Errorf("no backend: err = %v", err)
	}
}
