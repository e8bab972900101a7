package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway is the clock skew VerifySessionToken allows, as @clerk/backend.
const DefaultLeeway = 5 * time.Second

// maxJWKS caps the size of a JWKS answer.
const maxJWKS = 1 << 20

// ErrSessionToken wraps every rejection of a session token by
// VerifySessionToken; the jwt package's own errors (jwt.ErrTokenExpired,
// jwt.ErrTokenInvalidIssuer, …) are wrapped too.
var ErrSessionToken = errors.New("session token rejected")

// VerifyOptions configures VerifySessionToken.
type VerifyOptions struct {
	Issuer            string        // required: the Frontend API URL, e.g. https://x.clerk.accounts.dev
	AuthorizedParties []string      // optional: if set, azp (when present) must be one of them
	Leeway            time.Duration // clock skew for exp, nbf and iat; default 5 s
	HTTP              *http.Client  // for the JWKS; nil: a default client
}

// SessionClaims are the verified claims of a Clerk session token.
type SessionClaims struct {
	Subject, SessionID, Issuer, AuthorizedParty string
	IssuedAt, NotBefore, Expiry                 time.Time
}

// clerkClaims is the wire shape of a session token's claims.
type clerkClaims struct {
	jwt.RegisteredClaims
	SID string `json:"sid"`
	AZP string `json:"azp"`
}

// VerifySessionToken verifies a Clerk session token (RS256 only) against the
// JWKS at jwksURL, fetched once for this call with ctx (no cache, no
// background refresh): signature, iss, exp (required), nbf and iat (with
// leeway), and sid and sub present. Errors never contain the token.
func VerifySessionToken(ctx context.Context, jwksURL, token string, opts VerifyOptions) (SessionClaims, error) {
	if opts.Issuer == "" {
		return SessionClaims{}, errors.New("verifying a session token: VerifyOptions.Issuer is empty (expected the Frontend API URL)")
	}
	leeway := opts.Leeway
	if leeway <= 0 {
		leeway = DefaultLeeway
	}
	raw, err := fetchJWKS(ctx, httpClient(opts.HTTP), jwksURL)
	if err != nil {
		return SessionClaims{}, fmt.Errorf("verifying a session token: %w", err)
	}
	if err := checkKid(raw, token); err != nil {
		return SessionClaims{}, err
	}
	kf, err := keyfunc.NewJWKSetJSON(raw)
	if err != nil {
		return SessionClaims{}, fmt.Errorf("verifying a session token: JWKS from %s: %w", jwksURL, err)
	}
	var c clerkClaims
	_, err = jwt.ParseWithClaims(token, &c, kf.KeyfuncCtx(ctx),
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(opts.Issuer),
		jwt.WithLeeway(leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		return SessionClaims{}, fmt.Errorf("%w: %w", ErrSessionToken, err)
	}
	switch {
	case c.Subject == "":
		return SessionClaims{}, fmt.Errorf("%w: no sub (user id) claim", ErrSessionToken)
	case c.SID == "":
		return SessionClaims{}, fmt.Errorf("%w: no sid (session id) claim", ErrSessionToken)
	case len(opts.AuthorizedParties) > 0 && c.AZP != "" && !slices.Contains(opts.AuthorizedParties, c.AZP):
		return SessionClaims{}, fmt.Errorf("%w: azp %q is not one of %q", ErrSessionToken, c.AZP, opts.AuthorizedParties)
	}
	return SessionClaims{
		Subject:         c.Subject,
		SessionID:       c.SID,
		Issuer:          c.Issuer,
		AuthorizedParty: c.AZP,
		IssuedAt:        numericTime(c.IssuedAt),
		NotBefore:       numericTime(c.NotBefore),
		Expiry:          numericTime(c.ExpiresAt),
	}, nil
}

// fetchJWKS GETs a JWKS document.
func fetchJWKS(ctx context.Context, client *http.Client, jwksURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("JWKS URL %q: %w", jwksURL, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", DefaultUserAgent)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the JWKS: %w", sanitizeURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS))
	if err != nil {
		return nil, fmt.Errorf("fetching the JWKS from %s: reading the %d answer: %w", jwksURL, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the JWKS from %s: %w", jwksURL, ParseAPIError(resp.StatusCode, resp.Header, body))
	}
	return body, nil
}

// KeyNotFoundError says that the JWKS has no key with the token's kid: an
// empty or stale JWKS (Clerk's side), or a token of another instance.
type KeyNotFoundError struct {
	Kid    string
	Keys   int    // how many keys the JWKS has
	Issuer string // the token's iss, unverified
}

// Error implements error; the diagnosis reads this wording.
func (e *KeyNotFoundError) Error() string {
	return fmt.Sprintf("key not found: kid %q is not among the %d keys of the JWKS (token issuer %s)", e.Kid, e.Keys, e.Issuer)
}

// checkKid returns a *KeyNotFoundError (wrapped with ErrSessionToken) when
// the token names a kid that the JWKS does not have. A token or JWKS it
// cannot read is left for the verification to reject.
func checkKid(rawJWKS []byte, token string) error {
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if json.Unmarshal(rawJWKS, &set) != nil {
		return nil
	}
	var c jwt.RegisteredClaims
	t, _, err := jwt.NewParser().ParseUnverified(token, &c)
	if err != nil {
		return nil
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil
	}
	for _, k := range set.Keys {
		if k.Kid == kid {
			return nil
		}
	}
	return fmt.Errorf("%w: %w: %w", ErrSessionToken, jwt.ErrTokenUnverifiable, &KeyNotFoundError{Kid: kid, Keys: len(set.Keys), Issuer: c.Issuer})
}

func numericTime(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}
