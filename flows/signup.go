package flows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
)

// SignUp is the `sign-up` flow: a new person signs up with a fresh test
// address, a generated password and the email code, and gets a live session.
// The synthetic user is always deleted, and older ones are swept, so a
// development instance never reaches its 100-user cap.
type SignUp struct{}

// Name implements probe.Flow.
func (SignUp) Name() string { return "sign-up" }

// Description implements probe.Flow.
func (SignUp) Description() string {
	return "sign up a fresh +clerk_test user with the email code, get a live session, then delete the user"
}

// NeedsBrowser implements probe.Flow.
func (SignUp) NeedsBrowser() bool { return true }

// Run implements probe.Flow.
func (SignUp) Run(ctx context.Context, r *probe.Run) error {
	email := syntheticEmail(r)
	password := strongPassword()
	r.AddSecret(password)
	r.Note("synthetic user %s", email)
	registerSignUpCleanup(r, email)
	r.Always("sign out", func(ctx context.Context) error { return signOut(ctx, r) })

	if err := r.Step(ctx, "open sign-up page", func(ctx context.Context) error {
		if err := open(ctx, r.Config.Pages.SignUpURL); err != nil {
			return err
		}
		_, err := waitFor(ctx, r, "the sign-up form", clerk.SelSignUpEmail)
		return err
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "enter email and password", func(ctx context.Context) error {
		if err := typeInto(ctx, clerk.SelSignUpEmail, email); err != nil {
			return err
		}
		last := clerk.SelSignUpEmail
		if l, err := glance(ctx, []string{clerk.SelSignUpPassword}); err == nil && l.Found != "" {
			if err := typeInto(ctx, clerk.SelSignUpPassword, password); err != nil {
				return err
			}
			last = clerk.SelSignUpPassword
		}
		return submit(ctx, last)
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "enter email code", func(ctx context.Context) error {
		if _, err := waitFor(ctx, r, "the email code step", clerk.SelOTPInput); err != nil {
			return err
		}
		return typeCode(ctx, r, r.Config.Monitor.VerificationCode)
	}); err != nil {
		return err
	}
	_, err := waitSession(ctx, r, email)
	return err
}

// syntheticEmail is <prefix>+clerk_test_<run id>_<random>@<domain>: unique
// even when several probes with their own databases share an instance.
func syntheticEmail(r *probe.Run) string {
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s%d_%s@%s", syntheticPrefix(r), r.ID, hex.EncodeToString(b), r.Config.SignUp.Domain)
}

func syntheticPrefix(r *probe.Run) string {
	return r.Config.SignUp.Prefix + "+clerk_test_"
}

// strongPassword returns a random password that passes Clerk's default rules
// (length 8–72, not breached, mixed classes).
func strongPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "Lp-" + hex.EncodeToString(b) + "-Zq9!"
}

// registerSignUpCleanup deletes the run's synthetic user and sweeps old ones.
func registerSignUpCleanup(r *probe.Run, email string) {
	if r.Backend == nil {
		r.Note("cleanup not possible: no clerk.secret_key, so synthetic user %s stays in the instance (a development instance stops sign-ups at 100 users)", email)
		return
	}
	r.Always("sweep old synthetic users", func(ctx context.Context) error {
		n, err := sweepSynthetic(ctx, r.Backend, syntheticPrefix(r), r.Config.SignUp.CleanupAfter)
		if n > 0 {
			r.Note("swept %d synthetic users older than %s", n, r.Config.SignUp.CleanupAfter)
		}
		return err
	})
	r.Always("delete the synthetic user", func(ctx context.Context) error {
		users, err := r.Backend.ListUsers(ctx, clerk.ListUsersParams{EmailAddress: []string{email}})
		if err != nil {
			return fmt.Errorf("looking up %s: %w", email, err)
		}
		for _, u := range users {
			if err := r.Backend.DeleteUser(ctx, u.ID); err != nil {
				return fmt.Errorf("deleting %s (%s): %w", email, u.ID, err)
			}
		}
		return nil
	})
}

// sweepSynthetic deletes users whose email starts with prefix and who are
// older than age: leftovers of runs that died before their cleanup.
func sweepSynthetic(ctx context.Context, b *clerk.Backend, prefix string, age time.Duration) (int, error) {
	users, err := b.ListUsers(ctx, clerk.ListUsersParams{EmailAddressQuery: prefix, Limit: 100})
	if err != nil {
		return 0, fmt.Errorf("listing synthetic users: %w", err)
	}
	cutoff := time.Now().Add(-age).UnixMilli()
	var n int
	var errs []error
	for _, u := range users {
		if !strings.HasPrefix(strings.ToLower(u.PrimaryEmail()), strings.ToLower(prefix)) || u.CreatedAt > cutoff {
			continue
		}
		if err := b.DeleteUser(ctx, u.ID); err != nil {
			errs = append(errs, fmt.Errorf("deleting %s: %w", u.ID, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
