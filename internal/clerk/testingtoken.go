package clerk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Defaults of TestingTokens.
const (
	DefaultTokenMargin     = 60 * time.Second
	DefaultTokenRetries    = 3
	DefaultTokenRetryDelay = 500 * time.Millisecond
	DefaultTokenMaxDelay   = 30 * time.Second
)

// TestingTokens hands out a Clerk testing token, fetched from the Backend API
// and cached until Margin before it expires, as @clerk/testing's clerkSetup
// does. A fixed token (env CLERK_TESTING_TOKEN) is returned as is. It is safe
// for concurrent use; only one fetch runs at a time. Do not copy it after use.
type TestingTokens struct {
	Backend    *Backend         // used when Fixed is empty
	Fixed      string           // a token given by the operator (CLERK_TESTING_TOKEN); never fetched or refreshed
	Margin     time.Duration    // refresh this long before expires_at; default 60 s
	Now        func() time.Time // default time.Now
	MaxRetries int              // retries of 408/429/5xx and network errors; default 3, negative for none
	RetryDelay time.Duration    // first backoff, doubled each retry, plus up to half of it as jitter; default 500 ms
	MaxDelay   time.Duration    // cap on one wait, including Retry-After; default 30 s

	once    sync.Once
	sem     chan struct{} // one fetch at a time; waiting honours ctx
	mu      sync.Mutex
	token   string
	expires time.Time
}

// Get returns a valid testing token, fetching a new one when the cached one is
// missing or within Margin of its expiry.
func (t *TestingTokens) Get(ctx context.Context) (string, error) {
	if t.Fixed != "" {
		return t.Fixed, nil
	}
	if tok, ok := t.cached(); ok {
		return tok, nil
	}
	t.once.Do(func() { t.sem = make(chan struct{}, 1) })
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("getting a testing token: waiting for the fetch in flight: %w", ctx.Err())
	}
	defer func() { <-t.sem }()
	if tok, ok := t.cached(); ok { // fetched while we waited
		return tok, nil
	}
	if t.Backend == nil {
		return "", errors.New("getting a testing token: no Backend API client (set clerk.secret_key, or CLERK_TESTING_TOKEN)")
	}
	tt, err := t.fetch(ctx)
	if err != nil {
		return "", fmt.Errorf("getting a testing token: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token, t.expires = "", time.Time{}
	// A token that is already within the margin (or has no expiry) is used
	// once and not cached.
	if exp := tt.Expires(); !exp.IsZero() && t.now().Before(exp.Add(-t.margin())) {
		t.token, t.expires = tt.Token, exp
	}
	return tt.Token, nil
}

// Invalidate drops the cached token, so the next Get fetches a new one (for
// instance after Clerk answered bot_detected while a token was in use).
func (t *TestingTokens) Invalidate() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token, t.expires = "", time.Time{}
}

// ExpiresAt is the expiry of the cached token (zero if none is cached).
func (t *TestingTokens) ExpiresAt() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.expires
}

// cached returns the cached token if it is still fresh.
func (t *TestingTokens) cached() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == "" || !t.now().Before(t.expires.Add(-t.margin())) {
		return "", false
	}
	return t.token, true
}

// fetch creates a token, retrying 408, 429, 5xx and network errors with
// backoff (honouring Retry-After) while ctx allows.
func (t *TestingTokens) fetch(ctx context.Context) (TestingToken, error) {
	retries := t.MaxRetries
	if retries == 0 {
		retries = DefaultTokenRetries
	}
	for attempt := 0; ; attempt++ {
		tt, err := t.Backend.CreateTestingToken(ctx)
		if err == nil {
			return tt, nil
		}
		if attempt >= retries || !retryable(err) || ctx.Err() != nil {
			return TestingToken{}, err
		}
		wait := t.delay(attempt, err)
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return TestingToken{}, fmt.Errorf("%w (no time left to retry in %s)", err, wait.Round(time.Millisecond))
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return TestingToken{}, fmt.Errorf("%w (retry abandoned: %w)", err, ctx.Err())
		}
	}
}

// delay is the wait before retry number attempt+1.
func (t *TestingTokens) delay(attempt int, err error) time.Duration {
	base := t.RetryDelay
	if base <= 0 {
		base = DefaultTokenRetryDelay
	}
	d := base<<attempt + rand.N(base/2+1)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > d {
		d = apiErr.RetryAfter
	}
	maxDelay := t.MaxDelay
	if maxDelay <= 0 {
		maxDelay = DefaultTokenMaxDelay
	}
	return min(d, maxDelay)
}

// retryable reports whether a Backend API error is worth retrying: 408, 429,
// 5xx, or a network error (not the caller's ctx ending, nor a local mistake
// such as a missing secret key).
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s := apiErr.Status
		return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
	}
	var netErr *url.Error
	return errors.As(err, &netErr)
}

func (t *TestingTokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *TestingTokens) margin() time.Duration {
	if t.Margin > 0 {
		return t.Margin
	}
	return DefaultTokenMargin
}
