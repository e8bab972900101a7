package flows

import (
	"context"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/probe"
)

// user is what clerk-js says about the signed-in user.
type user struct {
	Loaded  bool   `json:"loaded"` // clerk-js has loaded on this page: the other fields are its answer
	ID      string `json:"id"`
	Email   string `json:"email"`
	Session string `json:"session"`
	// Identifiers are every address, phone number and the username the user
	// can sign in with: the monitor's identifier need not be the primary email.
	Identifiers []string `json:"identifiers"`
}

// is reports whether identifier names this user.
func (u user) is(identifier string) bool {
	for _, id := range u.Identifiers {
		if id != "" && strings.EqualFold(id, identifier) {
			return true
		}
	}
	return u.Email != "" && strings.EqualFold(u.Email, identifier)
}

const currentUserJS = `(() => {
  const c = window.Clerk;
  const loaded = !!(c && c.loaded);
  if (!c || !c.user) return {loaded, id: '', email: '', session: '', identifiers: []};
  const e = c.user.primaryEmailAddress || (c.user.emailAddresses || [])[0];
  const ids = [...(c.user.emailAddresses || []).map(a => a.emailAddress), ...(c.user.phoneNumbers || []).map(p => p.phoneNumber), c.user.username || ''];
  return {loaded, id: c.user.id || '', email: (e && e.emailAddress) || '', session: (c.session && c.session.id) || '', identifiers: ids.filter(Boolean)};
})()`

func currentUser(ctx context.Context) (user, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[user](currentUserJS))
}

// getToken asks clerk-js for the session token; skipCache forces a refresh
// through the Frontend API.
func getToken(ctx context.Context, skipCache bool) (string, error) {
	js := `(async () => { if (!window.Clerk || !window.Clerk.session) throw new Error('no session in clerk-js'); return (await window.Clerk.session.getToken(` +
		map[bool]string{true: `{skipCache: true}`, false: ``}[skipCache] + `)) || ''; })()`
	tok, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return "", fmt.Errorf("Clerk.session.getToken(): %w", err)
	}
	if strings.Count(tok, ".") != 2 {
		return "", fmt.Errorf("Clerk.session.getToken() returned no JWT")
	}
	return tok, nil
}

// waitSession is the last step of every sign-in: it passes only when the
// browser holds a live session for identifier (clerk-js has the user, and a
// session token can be had). It returns the signed-in user's id.
func waitSession(ctx context.Context, r *probe.Run, identifier string) (string, error) {
	var id string
	err := r.Step(ctx, "wait for the session", func(ctx context.Context) error {
		u, err := waitUser(ctx, r, func(u user) bool { return u.is(identifier) }, "the signed-in user "+identifier)
		if err != nil {
			return err
		}
		id = u.ID
		_, err = watchedToken(ctx, r, false) // session JWTs are redacted by shape
		return err
	})
	return id, err
}

// waitUser polls clerk-js until ok(user) holds, failing early on a Clerk
// error on the page. Evaluation errors during the redirect after sign-in are
// expected and retried until the deadline.
func waitUser(ctx context.Context, r *probe.Run, ok func(user) bool, what string) (user, error) {
	var last user
	var l look
	var lerr error
	var watch errorWatch
	err := poll(ctx, func() (bool, error) {
		if u, err := currentUser(ctx); err == nil {
			if last = u; ok(u) {
				return true, nil
			}
		}
		got, err := glance(ctx, nil)
		lerr = err
		if err == nil {
			l = got
			return false, watch.check(r, what, l)
		}
		return false, nil
	})
	if timedOut(ctx, err) {
		err = notSeen(r, what, []string{"window.Clerk.user"}, l, lerr, err)
		if last.Email != "" {
			err = fmt.Errorf("%w; Clerk.user is %s instead", err, last.Email)
		}
	}
	return last, err
}
