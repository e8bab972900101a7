// Package secret holds Secret, a string that never prints, marshals or logs
// its value, and Redactor, which removes known secret values from text.
package secret

import (
	"encoding/json"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted is what a secret prints as.
const Redacted = "<redacted>"

// Secret is a value that must never reach logs, the database or error text.
// Only Reveal returns it.
type Secret struct{ v string }

// New wraps v.
func New(v string) Secret { return Secret{v: v} }

// Reveal returns the value, for the one place that must send it.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return Redacted
}

// GoString implements fmt.GoStringer, so %#v hides it too.
func (s Secret) GoString() string { return s.String() }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Redactor replaces every registered secret value in a text with Redacted.
// It is safe for concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values []string
}

// Add registers values to redact; values shorter than 4 characters are ignored
// (they would redact ordinary words).
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < 4 {
			continue
		}
		dup := false
		for _, have := range r.values {
			dup = dup || have == v
		}
		if !dup {
			r.values = append(r.values, v)
		}
	}
	// Longest first, so a secret containing another is removed whole.
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
}

// Patterns of secrets whose values are not known in advance: JWTs (session
// tokens), and the query parameters and form fields Clerk carries them in.
var (
	jwtPattern    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+`)
	paramPattern  = regexp.MustCompile(`((?:__clerk_db_jwt|__clerk_testing_token|__session|__client|dev_browser|password|new_password|token|jwt|code)=)[^&\s"';]+`)
	bearerPattern = regexp.MustCompile(`(Bearer\s+)\S+`)
	keyPattern    = regexp.MustCompile(`sk_(?:test|live)_[A-Za-z0-9]+`)
)

// Redact returns s with every registered value and every secret-shaped
// substring (JWTs, secret keys, tokens in query strings) replaced.
func (r *Redactor) Redact(s string) string {
	s = RedactPatterns(s)
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// RedactPatterns replaces secret-shaped substrings: JWTs, secret keys, bearer
// tokens, and the values of query parameters that carry Clerk tokens or
// passwords.
func RedactPatterns(s string) string {
	if s == "" {
		return s
	}
	s = jwtPattern.ReplaceAllString(s, Redacted)
	s = keyPattern.ReplaceAllString(s, Redacted)
	s = bearerPattern.ReplaceAllString(s, "${1}"+Redacted)
	return paramPattern.ReplaceAllString(s, "${1}"+Redacted)
}
