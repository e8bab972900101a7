// Package clerk holds loginprobe's knowledge of Clerk: publishable-key
// parsing, URLs derived from it, Frontend and Backend API clients, error
// codes and what they mean, and the DOM selectors of Clerk's prebuilt UI.
// It never drives a browser.
package clerk

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Key is a parsed publishable key.
type Key struct {
	Raw         string // the key as given (not secret: it is public by design)
	Live        bool   // pk_live_ (production) rather than pk_test_ (development)
	FrontendAPI string // the Frontend API host, e.g. "major-heron-86.clerk.accounts.dev"
}

// ErrKeyMissing and ErrKeyMalformed are returned by ParsePublishableKey.
var (
	ErrKeyMissing   = errors.New("publishable key is missing")
	ErrKeyMalformed = errors.New("publishable key is malformed (expected pk_test_… or pk_live_… followed by base64 of the Frontend API host and '$')")
)

// ParsePublishableKey decodes a publishable key as @clerk/shared's keys.ts
// does: pk_test_ or pk_live_, then base64 (padded or not) of "<fapi-host>$".
func ParsePublishableKey(pk string) (Key, error) {
	pk = strings.TrimSpace(pk)
	if pk == "" {
		return Key{}, ErrKeyMissing
	}
	var live bool
	var rest string
	switch {
	case strings.HasPrefix(pk, "pk_test_"):
		rest = strings.TrimPrefix(pk, "pk_test_")
	case strings.HasPrefix(pk, "pk_live_"):
		live, rest = true, strings.TrimPrefix(pk, "pk_live_")
	default:
		return Key{}, ErrKeyMalformed
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(rest, "="))
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrKeyMalformed, err)
	}
	host := string(raw)
	if !strings.HasSuffix(host, "$") || strings.Count(host, "$") != 1 {
		return Key{}, fmt.Errorf("%w: decoded value does not end in a single '$'", ErrKeyMalformed)
	}
	host = strings.TrimSuffix(host, "$")
	if !strings.Contains(host, ".") || strings.ContainsAny(host, "/ ") {
		return Key{}, fmt.Errorf("%w: decoded host %q is not a host name", ErrKeyMalformed, host)
	}
	return Key{Raw: pk, Live: live, FrontendAPI: host}, nil
}

// NewPublishableKey builds a development (or live) key for a Frontend API host.
func NewPublishableKey(host string, live bool) string {
	prefix := "pk_test_"
	if live {
		prefix = "pk_live_"
	}
	return prefix + base64.RawStdEncoding.EncodeToString([]byte(host+"$"))
}

// FrontendAPIURL is the Frontend API base URL for this key: https://<host>.
func (k Key) FrontendAPIURL() string { return "https://" + k.FrontendAPI }

// IsDevelopment reports whether the key names a development instance.
func (k Key) IsDevelopment() bool { return !k.Live }

// AccountPortalURL is the instance's hosted Account Portal origin:
// "x.clerk.accounts.dev" → "https://x.accounts.dev" (development), and
// "clerk.example.com" → "https://accounts.example.com" (production).
func (k Key) AccountPortalURL() (string, error) {
	h := k.FrontendAPI
	switch {
	case strings.HasSuffix(h, ".clerk.accounts.dev"):
		return "https://" + strings.TrimSuffix(h, ".clerk.accounts.dev") + ".accounts.dev", nil
	case strings.HasPrefix(h, "clerk."):
		return "https://accounts." + strings.TrimPrefix(h, "clerk."), nil
	}
	return "", fmt.Errorf("cannot derive the Account Portal from Frontend API host %q: set pages.sign_in_url", h)
}

// IsTestIdentifier reports whether Clerk's test mode accepts code 424242 for
// identifier: an email with a +clerk_test subaddress, or a phone number
// +1XXX55501XX (clerk.md §1.3).
func IsTestIdentifier(identifier string) bool {
	id := strings.ToLower(strings.TrimSpace(identifier))
	if at := strings.LastIndexByte(id, '@'); at > 0 {
		return strings.Contains(id[:at], "+clerk_test")
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, id)
	return len(digits) == 12 && strings.HasPrefix(digits, "+1") && digits[5:10] == "55501"
}
