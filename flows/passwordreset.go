package flows

import (
	"context"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
)

// PasswordReset is the `password-reset` flow: "Forgot password?", the email
// code, a new random password, and a live session. It never needs the old
// password, so every run sets a new one, which is never recorded.
type PasswordReset struct{}

// Name implements probe.Flow.
func (PasswordReset) Name() string { return "password-reset" }

// Description implements probe.Flow.
func (PasswordReset) Description() string {
	return "reset the reset user's password through \"Forgot password?\" and the email code, and get a live session"
}

// NeedsBrowser implements probe.Flow.
func (PasswordReset) NeedsBrowser() bool { return true }

// Run implements probe.Flow.
func (PasswordReset) Run(ctx context.Context, r *probe.Run) error {
	id := r.Config.PasswordReset.Identifier
	password := strongPassword()
	r.AddSecret(password)
	if err := openSignIn(ctx, r); err != nil {
		return err
	}
	if err := r.Step(ctx, "enter identifier", func(ctx context.Context) error {
		if err := typeInto(ctx, clerk.SelIdentifier, id); err != nil {
			return err
		}
		return click(ctx, clerk.SelPrimaryButton)
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "click Forgot password", func(ctx context.Context) error {
		if _, err := waitFor(ctx, r, "the password step", clerk.SelForgotPassword); err != nil {
			return err
		}
		return click(ctx, clerk.SelForgotPassword)
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "enter email code", func(ctx context.Context) error {
		// Clerk shows a choice of methods first when the user has several.
		found, err := waitFor(ctx, r, "the reset code step", clerk.SelOTPInput, clerk.SelResetPasswordMethod)
		if err != nil {
			return err
		}
		if found == clerk.SelResetPasswordMethod {
			if err := click(ctx, clerk.SelResetPasswordMethod); err != nil {
				return err
			}
			if _, err := waitFor(ctx, r, "the reset code step", clerk.SelOTPInput); err != nil {
				return err
			}
		}
		return typeCode(ctx, r, r.Config.Monitor.VerificationCode)
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "set a new password", func(ctx context.Context) error {
		if _, err := waitFor(ctx, r, "the new-password step", clerk.SelNewPassword); err != nil {
			return err
		}
		if err := typeInto(ctx, clerk.SelNewPassword, password); err != nil {
			return err
		}
		if l, err := glance(ctx, []string{clerk.SelConfirmPassword}); err == nil && l.Found != "" {
			if err := typeInto(ctx, clerk.SelConfirmPassword, password); err != nil {
				return err
			}
		}
		// The form validates as one types, with a delay ("Passwords don't
		// match." can show after both fields are filled): submit once it says
		// the passwords match.
		if err := waitAccepted(ctx, clerk.SelPasswordsMatch, "the form to accept the new password"); err != nil {
			return err
		}
		return submit(ctx, clerk.SelConfirmPassword)
	}); err != nil {
		return err
	}
	_, err := waitSession(ctx, r, id)
	return err
}
