package config

import (
	"fmt"
	"strings"
)

// FlowProblem returns "" when the config has what flow name needs, or why it
// cannot run, on one line ("monitor.password: missing: set monitor.password
// ({env: NAME} or {file: PATH}) or export LOGINPROBE_PASSWORD"; several
// problems are separated by "; "). It does not look at Flow.Enabled: a
// disabled flow can still be run by name.
func (c *Config) FlowProblem(name string) string {
	var errs []*FieldError
	switch name {
	case "sign-in", "session":
		errs = c.needMonitor()
	case "user-api":
		errs = append(c.needSecretKey(), c.needIdentifier()...)
	case "password-reset":
		errs = c.needResetUser()
	case "sign-up":
		if c.Pages.SignUpURL == "" {
			errs = append(errs, &FieldError{Field: "pages.sign_up_url", Problem: "missing, and the Account Portal cannot be derived from the publishable key",
				Fix: "set it to your app's sign-up page, e.g. https://app.example.com/sign-up"})
		}
	case "oauth-github", "oauth-google", "clerk-health":
	default:
		return fmt.Sprintf("unknown flow %q: use one of %s", name, strings.Join(FlowNames, ", "))
	}
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "; ")
}

func (c *Config) needIdentifier() []*FieldError {
	if c.Monitor.Identifier != "" {
		return nil
	}
	return []*FieldError{{Field: "monitor.identifier", Problem: "missing", Fix: "set monitor.identifier or export LOGINPROBE_IDENTIFIER"}}
}

func (c *Config) needMonitor() []*FieldError {
	errs := c.needIdentifier()
	if c.Monitor.Password.IsZero() {
		errs = append(errs, &FieldError{Field: "monitor.password", Problem: "missing",
			Fix: "set monitor.password ({env: NAME} or {file: PATH}) or export LOGINPROBE_PASSWORD"})
	}
	return errs
}

func (c *Config) needSecretKey() []*FieldError {
	if !c.Clerk.SecretKey.IsZero() {
		return nil
	}
	return []*FieldError{{Field: "clerk.secret_key", Problem: "missing",
		Fix: "set clerk.secret_key ({env: NAME} or {file: PATH}) or export CLERK_SECRET_KEY"}}
}

func (c *Config) needResetUser() []*FieldError {
	id := c.PasswordReset.Identifier
	switch {
	case id == "":
		return []*FieldError{{Field: "password_reset.identifier", Problem: "missing",
			Fix: "set password_reset.identifier or export LOGINPROBE_RESET_IDENTIFIER (a +clerk_test user other than the monitor user)"}}
	case strings.EqualFold(id, c.Monitor.Identifier):
		return []*FieldError{{Field: "password_reset.identifier", Problem: "is the monitor user",
			Fix: "use a separate user: resetting the monitor user's password would break the sign-in flow"}}
	}
	return nil
}

// Warnings returns what will work but probably not as intended, one line
// each, for `loginprobe check` and the start of `loginprobe schedule`. Flows
// that cannot run at all are reported by FlowProblem, not here.
func (c *Config) Warnings() []string {
	var w []string
	enabled := func(name string) bool { return c.Flows[name].Enabled }
	dev := c.Key.Raw == "" || c.Key.IsDevelopment()
	if enabled("sign-up") && c.Clerk.SecretKey.IsZero() {
		if dev {
			w = append(w, "sign-up: no clerk.secret_key: synthetic users cannot be deleted; a development instance stops at 100 users")
		} else {
			w = append(w, "sign-up: no clerk.secret_key: synthetic users cannot be deleted and pile up in the production user list")
		}
	}
	if enabled("sign-up") && !dev {
		w = append(w, "sign-up: production instance: +clerk_test addresses and code 424242 work only if test mode is on (Clerk dashboard, instance settings)")
	}
	id := c.Monitor.Identifier
	if (enabled("sign-in") || enabled("session")) && strings.Contains(id, "@") && !strings.Contains(id, "+clerk_test") {
		w = append(w, fmt.Sprintf("monitor.identifier: %s is not a +clerk_test address: if Clerk asks for an email code (Device Trust, MFA), code %s will not work", id, c.Monitor.VerificationCode))
	}
	if enabled("oauth-google") && c.OAuth.Google.Mode == OAuthFull {
		w = append(w, "oauth.google.mode: full: Google refuses sign-ins from automated browsers, so expect failures that are not outages; use initiate")
	}
	return w
}
