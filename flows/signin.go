package flows

import (
	"context"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
)

// SignIn is the `sign-in` flow: a person's email-and-password sign-in through
// the app's SignIn component, including Device Trust's email code, ending
// with a live session.
type SignIn struct{}

// Name implements probe.Flow.
func (SignIn) Name() string { return "sign-in" }

// Description implements probe.Flow.
func (SignIn) Description() string {
	return "sign in with the monitor user's email and password (and Device Trust's email code) and get a live session"
}

// NeedsBrowser implements probe.Flow.
func (SignIn) NeedsBrowser() bool { return true }

// Run implements probe.Flow.
func (SignIn) Run(ctx context.Context, r *probe.Run) error {
	if err := signIn(ctx, r); err != nil {
		return err
	}
	_, err := waitSession(ctx, r, r.Config.Monitor.Identifier)
	return err
}

// signIn opens the sign-in page and goes through the identifier, password
// and (if Clerk asks) verification-code steps, registering the sign-out that
// always runs. It does not wait for the session.
func signIn(ctx context.Context, r *probe.Run) error {
	m := r.Config.Monitor
	if err := openSignIn(ctx, r); err != nil {
		return err
	}
	if err := r.Step(ctx, "enter identifier", func(ctx context.Context) error {
		if err := typeInto(ctx, clerk.SelIdentifier, m.Identifier); err != nil {
			return err
		}
		return click(ctx, clerk.SelPrimaryButton)
	}); err != nil {
		return err
	}
	var next string
	if err := r.Step(ctx, "enter password", func(ctx context.Context) (err error) {
		next, err = waitFor(ctx, r, "the password step", clerk.SelSignInPassword, clerk.SelOTPInput)
		if err != nil || next != clerk.SelSignInPassword {
			return err // an email-code first factor: no password step
		}
		if err := typeInto(ctx, clerk.SelSignInPassword, m.Password.Reveal()); err != nil {
			return err
		}
		return click(ctx, ".cl-signIn-password "+clerk.SelPrimaryButton)
	}); err != nil {
		return err
	}
	return enterCodeIfAsked(ctx, r, m.Identifier, m.VerificationCode)
}

// openSignIn opens the sign-in page, waits for the SignIn component and
// registers the sign-out that always runs.
func openSignIn(ctx context.Context, r *probe.Run) error {
	r.Always("sign out", func(ctx context.Context) error { return signOut(ctx, r) })
	return r.Step(ctx, "open sign-in page", func(ctx context.Context) error {
		if err := open(ctx, r.Config.Pages.SignInURL); err != nil {
			return err
		}
		_, err := waitFor(ctx, r, "the sign-in form", clerk.SelIdentifier)
		return err
	})
}

// enterCodeIfAsked answers Clerk's request for a verification code (Device
// Trust's needs_client_trust, or an email-code factor) with the test code,
// when the identifier is a test address. It is a no-op when Clerk signs in
// without a code.
func enterCodeIfAsked(ctx context.Context, r *probe.Run, identifier, code string) error {
	var asked bool
	if err := r.Step(ctx, "check for a verification code", func(ctx context.Context) (err error) {
		asked, err = codeAsked(ctx, r, identifier)
		return err
	}); err != nil || !asked {
		return err
	}
	return r.Step(ctx, "enter email code", func(ctx context.Context) error {
		if !clerk.IsTestIdentifier(identifier) {
			return fmt.Errorf("Clerk asks for a verification code (Device Trust or an email-code factor), but %s is not a test address (name+clerk_test@…) that takes %s: use a +clerk_test monitor user", identifier, code)
		}
		return typeCode(ctx, r, code)
	})
}

// codeAsked waits until the page either asks for a code or signs the user in.
func codeAsked(ctx context.Context, r *probe.Run, identifier string) (bool, error) {
	const what = "the verification code or the session"
	var l look
	var lerr error
	var watch errorWatch
	var asked bool
	err := poll(ctx, func() (bool, error) {
		got, err := glance(ctx, []string{clerk.SelOTPInput})
		lerr = err
		if err == nil {
			l = got
			if asked = l.Found != ""; asked {
				return true, nil
			}
			if err := watch.check(r, what, l); err != nil {
				return false, err
			}
		}
		u, _ := currentUser(ctx)
		return u.is(identifier), nil
	})
	if timedOut(ctx, err) {
		return false, notSeen(r, what, []string{clerk.SelOTPInput}, l, lerr, err)
	}
	return asked, err
}

// signOut ends the session through clerk-js, if one is loaded.
func signOut(ctx context.Context, r *probe.Run) error {
	if r.Tab == nil || r.Tab.Died() {
		return nil
	}
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`(async () => { if (!window.Clerk || !window.Clerk.session) return false; await window.Clerk.signOut(); return true; })()`,
		chromedp.EvalAwaitPromise))
	if err != nil && !strings.Contains(err.Error(), "navigated or closed") {
		return fmt.Errorf("Clerk.signOut(): %w", err)
	}
	// A page that navigates away as Clerk signs out (afterSignOutUrl) ends
	// the evaluation: the caller's wait for the ended session judges.
	return nil
}
