package flows

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// Session is the `session` flow: sign in, then prove the session lives: its
// token verifies against the instance's JWKS, a forced refresh yields a new
// valid token (proven by the tokens request, not by a different token), a reload keeps the user signed in, and sign-out ends it.
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
		began := time.Now()
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
		// The refresh is proven by the request that made it, never by the
		// token differing: RS256 is deterministic, iat has one-second
		// resolution, and a jti is not promised, so a healthy Clerk may
		// return the identical token.
		if err := waitTokensRequest(ctx, r, c.SessionID, began); err != nil {
			return err
		}
		if tok == firstToken {
			r.Note("the refreshed session token is identical to the previous one (allowed: same claims within one second sign to the same JWT)")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "reload the page", func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			return fmt.Errorf("reload: %w", err)
		}
		_, err := waitUser(ctx, r, func(u user) bool { return u.is(id) }, "the user to stay signed in after a reload")
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

// tokensEvidenceWait bounds how long the refresh step waits for the tokens
// request to be recorded after getToken resolved: the browser reports the
// request's end a moment after the page has the answer.
const tokensEvidenceWait = 3 * time.Second

// tokensEvidence reads the tab's record of POST …/v1/client/sessions/{sid}/tokens
// (with or without ?debug=skip_cache) sent after began. ok: one answered
// 2xx. Otherwise refused quotes the refusal once it is decisive: a 4xx
// (other than 429), or a second 5xx/429/network failure while clerk-js keeps
// retrying.
func tokensEvidence(r *probe.Run, sid string, began time.Time) (ok bool, refused string) {
	path := "/v1/client/sessions/" + sid + "/tokens"
	fapi := strings.TrimSuffix(r.Config.Clerk.FrontendAPIURL, "/")
	var failures int
	var last string
	for _, e := range r.Tab.Events() {
		p, _, _ := strings.Cut(strings.TrimPrefix(e.URL, fapi), "?")
		if e.Method != "POST" || !strings.HasPrefix(e.URL, fapi) || p != path || e.Time.Before(began) {
			continue
		}
		switch {
		case e.Kind == result.EventRequest && e.Status >= 200 && e.Status < 300:
			return true, ""
		case e.Kind == result.EventRequest && e.Status >= 400:
			failures++
			last = fmt.Sprintf(" (FAPI POST %s → %d %s", path, e.Status, e.ClerkCode)
			if e.Status < 500 && e.Status != 429 {
				return false, strings.TrimRight(last, " ") + ")"
			}
		case e.Kind == result.EventRequestFailed && !strings.Contains(e.Text, "still pending"):
			failures++
			last = fmt.Sprintf(" (FAPI POST %s → %s", path, e.Text)
		}
	}
	if failures >= 2 {
		return false, fmt.Sprintf("%s; %d attempts failed, clerk-js keeps retrying)", strings.TrimRight(last, " "), failures)
	}
	return false, ""
}

// waitTokensRequest waits for the evidence of a token refresh (see
// tokensEvidence) after getToken resolved. A refresh that answered an error,
// or none at all (the token came from clerk-js's cache), fails.
func waitTokensRequest(ctx context.Context, r *probe.Run, sid string, began time.Time) error {
	if r.Tab == nil {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, tokensEvidenceWait)
	defer cancel()
	err := poll(wctx, func() (bool, error) {
		ok, _ := tokensEvidence(r, sid, began)
		return ok, nil
	})
	path := "/v1/client/sessions/" + sid + "/tokens"
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("forced refresh: waiting for the record of POST %s: %w", path, ctx.Err())
	}
	if _, refused := tokensEvidence(r, sid, began); refused != "" {
		return fmt.Errorf("forced refresh: getToken({skipCache: true}) returned a cached token while Clerk refused the refresh%s", refused)
	}
	return fmt.Errorf("forced refresh: getToken({skipCache: true}) returned a token, but no POST %s answered 2xx after the refresh began: no refresh reached the Frontend API", path)
}
