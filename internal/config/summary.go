package config

import (
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// Redactor returns a Redactor holding every secret value in the config: the
// secret key and the passwords. It also removes secret-shaped text (JWTs,
// sk_ keys, tokens in URLs) that no config holds.
func (c *Config) Redactor() *secret.Redactor {
	r := &secret.Redactor{}
	for _, s := range append([]secret.Secret{c.Clerk.SecretKey, c.Monitor.Password, c.OAuth.GitHub.Password, c.OAuth.Google.Password}, c.Alerts.Secrets()...) {
		if !s.IsZero() {
			r.Add(s.Reveal())
		}
	}
	return r
}

// Summary describes in plain text what the config would run, for
// `loginprobe check`: the instance, the pages, the users, which flows are
// enabled and whether they can run, and where each secret comes from
// (env NAME, file PATH or inline), never a secret's value.
func (c *Config) Summary() string {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-15s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	env := "development"
	if c.Key.Live {
		env = "production"
	}
	line("Clerk instance", "%s (%s, publishable key %s)", orNone(c.Key.FrontendAPI), env, sourceOr(c.Source("clerk.publishable_key"), "set"))
	line("Frontend API", "%s", orNone(c.Clerk.FrontendAPIURL))
	line("Backend API", "%s (secret key: %s)", orNone(c.Clerk.BackendAPIURL), c.secretSource("clerk.secret_key", c.Clerk.SecretKey))
	line("Status page", "%s", orText(c.Clerk.StatusPageURL, "not checked"))
	line("Sign-in page", "%s", orNone(c.Pages.SignInURL))
	line("Sign-up page", "%s", orNone(c.Pages.SignUpURL))
	line("Monitor user", "%s (password: %s)", orText(c.Monitor.Identifier, "not set"), c.secretSource("monitor.password", c.Monitor.Password))
	line("Reset user", "%s", orText(c.PasswordReset.Identifier, "not set"))
	line("Sign-up users", "%s+clerk_test_<run id>@%s, deleted after %s", c.SignUp.Prefix, c.SignUp.Domain, FormatDuration(c.SignUp.CleanupAfter))
	line("OAuth GitHub", "%s", c.oauthSummary("oauth.github", c.OAuth.GitHub))
	line("OAuth Google", "%s", c.oauthSummary("oauth.google", c.OAuth.Google))
	line("Database", "%s", c.Database)
	line("Browser", "%s; screenshots %s; new browser every %d runs", orText(c.Browser.Path, "chromium from PATH"), c.Browser.Screenshots, c.Browser.RecycleAfter)
	if c.Dir != "" {
		line("Config folder", "%s", c.Dir)
	}
	b.WriteString(c.alertsSummary())
	b.WriteString("Flows:\n")
	for _, name := range FlowNames {
		f := c.Flows[name]
		state := "disabled"
		if f.Enabled {
			state = fmt.Sprintf("every %s, timeout %s, step timeout %s", FormatDuration(f.Interval), FormatDuration(f.Timeout), FormatDuration(f.StepTimeout))
		}
		if p := c.FlowProblem(name); p != "" {
			state += "; cannot run: " + p
		}
		fmt.Fprintf(&b, "  %-15s %s\n", name, state)
	}
	return b.String()
}

func (c *Config) secretSource(field string, s secret.Secret) string {
	if s.IsZero() {
		return "not set"
	}
	return sourceOr(c.Source(field), "set")
}

func (c *Config) oauthSummary(field string, p OAuthProvider) string {
	if p.Mode != OAuthFull {
		return fmt.Sprintf("%s, up to %s", p.Mode, p.AuthorizeURL)
	}
	return fmt.Sprintf("full, as %s (password: %s) at %s", p.Username, c.secretSource(field+".password", p.Password), p.AuthorizeURL)
}

func sourceOr(src, alt string) string {
	switch {
	case src == "":
		return alt
	case src == "config":
		return "from the config file"
	case src == "inline":
		return "inline in the config file"
	}
	return "from " + src
}

func orNone(s string) string { return orText(s, "none") }

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
