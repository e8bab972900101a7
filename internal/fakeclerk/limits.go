package fakeclerk

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clerk's limits (clerk.md §1.4).
const (
	rateWindow      = 10 * time.Second
	createLimit     = 5 // sign-in / sign-up creates per IP per window
	attemptLimit    = 3 // factor attempts / verification attempts per IP per window
	lockoutAttempts = 10
	lockoutDuration = time.Hour
	testCode        = "424242"
)

// limiter counts requests per key in a sliding window. Safe for concurrent use.
type limiter struct {
	mu   sync.Mutex
	hits map[string][]time.Time
}

func newLimiter() *limiter { return &limiter{hits: map[string][]time.Time{}} }

// allow records a hit for key and reports whether it is within limit; when it
// is not, wait is how long until the oldest hit leaves the window.
func (l *limiter) allow(key string, limit int, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < rateWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= limit {
		l.hits[key] = recent
		return false, rateWindow - now.Sub(recent[0])
	}
	l.hits[key] = append(recent, now)
	return true, 0
}

// rateLimited applies the per-IP limit of one endpoint class when rate limits
// are on, and answers 429 too_many_requests with Retry-After when it is hit.
func (s *Server) rateLimited(c *call, class string, limit int) bool {
	if !s.opts.RateLimits {
		return false
	}
	ok, wait := s.limits.allow(class+"|"+c.ip, limit, s.now())
	if ok {
		return false
	}
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeClerkError(c.w, http.StatusTooManyRequests, "too_many_requests", "Too many requests",
		"Too many requests, retry later", nil)
	return true
}

// locked answers 403 user_locked when u is locked out.
func (s *Server) locked(c *call, u *user) bool {
	if u == nil || !s.now().Before(u.LockedUntil) {
		return false
	}
	left := u.LockedUntil.Sub(s.now())
	mins := int(math.Ceil(left.Minutes()))
	writeClerkError(c.w, http.StatusForbidden, "user_locked", "Account locked",
		fmt.Sprintf("Your account is locked. You will be able to try again in %d minutes. For more information, please contact support.", mins),
		map[string]any{"lockout_expires_in_seconds": int(left.Seconds())})
	return true
}

// failedAttempt counts a wrong password or code; the 10th locks the user for an hour.
func (s *Server) failedAttempt(u *user) {
	if u == nil {
		return
	}
	u.FailedAttempts++
	if u.FailedAttempts >= lockoutAttempts {
		u.LockedUntil = s.now().Add(lockoutDuration)
		u.FailedAttempts = 0
		s.log.Info("fakeclerk: user locked out", "user_id", u.ID)
	}
}

var testPhoneRe = regexp.MustCompile(`^\+1\d{3}55501\d{2}$`)

// isTestIdentifier reports whether Clerk's test mode covers the identifier.
func isTestIdentifier(id string) bool {
	return strings.Contains(strings.ToLower(id), "+clerk_test") || testPhoneRe.MatchString(id)
}

// codeOK reports whether code verifies identifier: only test identifiers,
// only code 424242, only while test mode is on. Nothing is ever sent, so other
// identifiers never receive a usable code.
func (s *Server) codeOK(identifier, code string) bool {
	return isTestIdentifier(identifier) && code == testCode && !s.faults.Active(FaultTestModeOff)
}

// codeIncorrect answers 422 form_code_incorrect.
func codeIncorrect(c *call) {
	writeClerkError(c.w, http.StatusUnprocessableEntity, "form_code_incorrect", "Incorrect code", "Incorrect code", paramMeta("code"))
}
