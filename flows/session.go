package flows

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
)

// Session is the `session` flow: sign in, then prove the session lives: its
// token verifies against the instance's JWKS, a forced refresh yields a new
// valid token, a reload keeps the user signed in, and sign-out ends it.
type Session struct{}

// Name implements probe.Flow.
func (Session) Name() string { return "session" }

// Description implements probe.Flow.
func (Session) Description() string {
	return "sign in, verify the session JWT against the JWKS, force a token refresh, reload, and sign out"
}

// NeedsBrowser implements probe.Flow.
func (Session) NeedsBrowser() bool { return true }

// Run implements probe.Flow.
func (Session) Run(ctx context.Context, r *probe.Run) error {
	id := r.Config.Monitor.Identifier
	if err := signIn(ctx, r); err != nil {
		return err
	}
	userID, err := waitSession(ctx, r, id)
	if err != nil {
		return err
	}
	var first clerk.SessionClaims
	var firstToken string
	if err := r.Step(ctx, "verify the session token", func(ctx context.Context) (err error) {
		if firstToken, err = getToken(ctx, false); err != nil {
			return err
		}
		first, err = verifyToken(ctx, r, firstToken, userID)
		return err
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "refresh the session token", func(ctx context.Context) error {
		tok, err := watchedToken(ctx, r, true)
		if err != nil {
			return fmt.Errorf("forced refresh: %w%s", err, lastClerkError(r))
		}
		c, err := verifyToken(ctx, r, tok, userID)
		if err != nil {
			return fmt.Errorf("refreshed token: %w", err)
		}
		if c.SessionID != first.SessionID {
			return fmt.Errorf("refreshed token is for session %s, want %s", c.SessionID, first.SessionID)
		}
		if tok == firstToken {
			return fmt.Errorf("getToken({skipCache: true}) returned the cached token: no refresh reached the Frontend API")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "reload the page", func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			return fmt.Errorf("reload: %w", err)
		}
		_, err := waitUser(ctx, r, func(u user) bool { return strings.EqualFold(u.Email, id) }, "the user to stay signed in after a reload")
		return err
	}); err != nil {
		return err
	}
	return r.Step(ctx, "sign out", func(ctx context.Context) error {
		if err := signOut(ctx, r); err != nil {
			return err
		}
		// Only a loaded clerk-js without a user proves the session ended: while
		// the page after sign-out loads, window.Clerk is briefly undefined.
		_, err := waitUser(ctx, r, func(u user) bool { return u.Loaded && u.ID == "" && u.Session == "" }, "the session to end after sign-out")
		return err
	})
}

// verifyToken checks a session JWT against the instance's JWKS: RS256,
// issuer, subject, session id, expiry and not-before.
func verifyToken(ctx context.Context, r *probe.Run, tok, userID string) (clerk.SessionClaims, error) {
	fapi := strings.TrimSuffix(r.Config.Clerk.FrontendAPIURL, "/")
	c, err := clerk.VerifySessionToken(ctx, fapi+"/.well-known/jwks.json", tok, clerk.VerifyOptions{Issuer: fapi, Leeway: 5 * time.Second})
	if err != nil {
		return c, fmt.Errorf("session token does not verify against %s/.well-known/jwks.json: %w", fapi, err)
	}
	if c.Subject != userID {
		return c, fmt.Errorf("session token is for %s, want the signed-in user %s", c.Subject, userID)
	}
	if c.SessionID == "" {
		return c, fmt.Errorf("session token has no sid")
	}
	return c, nil
}
