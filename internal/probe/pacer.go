package probe

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clerk's Frontend API limits per client IP (clerk.md §1.4): 5 sign-in or
// sign-up creates and 3 attempts per 10 s. The pacer keeps one below each, so
// a probe sharing its IP with a person testing by hand still fits.
const (
	pacerWindow    = 10 * time.Second
	createsPerWin  = 4
	attemptsPerWin = 3
)

// Pacer spaces the Frontend API calls that Clerk rate-limits, across every
// flow of the process, and holds them after a 429 until Retry-After passes.
// The browser calls Pace before each Frontend API request and Observe after
// each response.
type Pacer struct {
	mu     sync.Mutex
	now    func() time.Time
	sent   map[string][]time.Time // bucket → send times inside the window
	until  map[string]time.Time   // bucket → blocked until (Retry-After)
	limits map[string]int
}

// NewPacer returns a Pacer with Clerk's limits.
func NewPacer() *Pacer { return NewPacerWith(createsPerWin, attemptsPerWin) }

// NewPacerWith returns a Pacer allowing creates and attempts per 10 s: for
// an instance with other limits (or none, like a local test instance).
func NewPacerWith(creates, attempts int) *Pacer {
	return &Pacer{
		now:    time.Now,
		sent:   map[string][]time.Time{},
		until:  map[string]time.Time{},
		limits: map[string]int{"create": creates, "attempt": attempts},
	}
}

// bucket names the limit a Frontend API request counts against, or "".
func bucket(method, rawURL string) string {
	if method != "POST" {
		return ""
	}
	path := rawURL
	if i := strings.IndexByte(path, '?'); i >= 0 {
		if strings.Contains(path[i:], "_method=") {
			return "" // a tunnelled PATCH or DELETE
		}
		path = path[:i]
	}
	switch {
	case strings.HasSuffix(path, "/v1/client/sign_ins"), strings.HasSuffix(path, "/v1/client/sign_ups"):
		return "create"
	case strings.HasSuffix(path, "/attempt_first_factor"), strings.HasSuffix(path, "/attempt_second_factor"),
		strings.HasSuffix(path, "/attempt_verification"):
		return "attempt"
	}
	return ""
}

// maxHold is the longest Pace holds a request. A longer wait (a Retry-After
// of a minute) would look like a Frontend API that does not answer; the
// request fails instead, and the run is loginprobe's error, not a fail.
const maxHold = 12 * time.Second

// Pace blocks until the request may be sent without breaking a limit, or ctx
// ends. It reserves the slot before it returns.
func (p *Pacer) Pace(ctx context.Context, method, url string) error {
	_, err := p.PaceHeld(ctx, method, url)
	return err
}

// PaceHeld is Pace that also says how long it held the request: loginprobe's
// own time, which a run reports apart from the target's.
func (p *Pacer) PaceHeld(ctx context.Context, method, url string) (time.Duration, error) {
	b := bucket(method, url)
	if b == "" {
		return 0, nil
	}
	start := time.Now()
	for {
		wait := p.reserve(b)
		if wait <= 0 {
			return time.Since(start), nil
		}
		if wait > maxHold {
			return time.Since(start), fmt.Errorf("held by loginprobe's pacing: Clerk's rate limit for sign-in/sign-up %ss allows the next one in %s", b, wait.Round(time.Second))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Since(start), ctx.Err()
		case <-t.C:
		}
	}
}

// reserve takes a slot in bucket b and returns 0, or returns how long to wait.
func (p *Pacer) reserve(b string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if u := p.until[b]; now.Before(u) {
		return u.Sub(now)
	}
	kept := p.sent[b][:0]
	for _, t := range p.sent[b] {
		if now.Sub(t) < pacerWindow {
			kept = append(kept, t)
		}
	}
	p.sent[b] = kept
	if len(kept) >= p.limits[b] {
		return pacerWindow - now.Sub(kept[0]) + 10*time.Millisecond
	}
	p.sent[b] = append(kept, now)
	return 0
}

// Observe holds a bucket after a 429 answer until its Retry-After passes.
func (p *Pacer) Observe(method, url string, status int, headers map[string]string) {
	if status != 429 {
		return
	}
	b := bucket(method, url)
	if b == "" {
		return
	}
	secs := 0
	for k, v := range headers {
		if strings.EqualFold(k, "Retry-After") {
			secs, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	switch {
	case secs <= 0:
		secs = 10
	case secs > 120:
		secs = 120
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.now().Add(time.Duration(secs) * time.Second); u.After(p.until[b]) {
		p.until[b] = u
	}
}
