package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
)

// Validate parses the publishable key into Key, fills the URLs derived from
// it when they are empty (Frontend API, sign-in and sign-up pages), and checks
// every field. It returns one *FieldError per problem, joined. What only some
// flows need (the monitor's password, the reset user, the secret key) is not
// checked here but by FlowProblem, so a config without a password can still
// run clerk-health.
func (c *Config) Validate() error {
	v := &validator{}
	c.validateClerk(v)
	c.validatePages(v)
	c.validateMonitor(v)
	c.validateSignUp(v)
	c.validateOAuth(v, "oauth.github", &c.OAuth.GitHub)
	c.validateOAuth(v, "oauth.google", &c.OAuth.Google)
	c.validateFlows(v)
	c.validateServe(v)
	c.validateReplicas(v)
	if strings.TrimSpace(c.Database) == "" {
		v.add("database", "empty", "set a file path such as loginprobe.db, or export LOGINPROBE_DB")
	}
	c.validateBrowser(v)
	c.validateConcurrency(v)
	c.validateRetention(v)
	c.validateDashboard(v)
	c.validateAlerts(v)
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) add(field, problem, fix string) {
	v.errs = append(v.errs, &FieldError{Field: field, Problem: problem, Fix: fix})
}

// url checks an absolute http(s) URL; empty is "missing".
func (v *validator) url(field, s, example string) {
	if s == "" {
		v.add(field, "missing", "set it to an absolute URL such as "+example)
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(field, fmt.Sprintf("%q is not an absolute http(s) URL", shorten(s, 60)), "write it like "+example)
	}
}

func (c *Config) validateClerk(v *validator) {
	const fixKey = "copy it again from the Clerk dashboard (API keys); it starts with pk_test_ or pk_live_"
	pk := strings.TrimSpace(c.Clerk.PublishableKey)
	from := ""
	if src := c.Source("clerk.publishable_key"); strings.HasPrefix(src, "env ") {
		from = ", from " + strings.TrimPrefix(src, "env ")
	}
	key, err := clerk.ParsePublishableKey(pk)
	switch {
	case errors.Is(err, clerk.ErrKeyMissing):
		v.add("clerk.publishable_key", "missing", "set it in the config or export CLERK_PUBLISHABLE_KEY")
	case strings.HasPrefix(pk, "sk_"):
		// Never echo a secret key, even a misplaced one.
		v.add("clerk.publishable_key", "is a secret key (sk_…"+from+")", "use the publishable key (pk_test_… or pk_live_…) here and put the secret key in clerk.secret_key")
	case err != nil && strings.HasPrefix(pk, "pk_"):
		v.add("clerk.publishable_key", "malformed ("+shortKey(pk)+from+")", fixKey)
	case err != nil:
		v.add("clerk.publishable_key", "malformed (it does not start with pk_test_ or pk_live_"+from+")", fixKey)
	default:
		c.Key = key
		if c.Clerk.FrontendAPIURL == "" {
			c.Clerk.FrontendAPIURL = key.FrontendAPIURL()
		}
	}
	if c.Clerk.FrontendAPIURL != "" {
		v.url("clerk.frontend_api_url", c.Clerk.FrontendAPIURL, "https://app.example.com/__clerk")
	}
	v.url("clerk.backend_api_url", c.Clerk.BackendAPIURL, "https://api.clerk.com")
	if c.Clerk.StatusPageURL != "" {
		v.url("clerk.status_page_url", c.Clerk.StatusPageURL, `https://status.clerk.com (or "" to skip the status check)`)
	}
	c.validateSecretKey(v)
}

func (c *Config) validateSecretKey(v *validator) {
	sk := c.Clerk.SecretKey.Reveal()
	if sk == "" {
		return
	}
	live := strings.HasPrefix(sk, "sk_live_")
	from := ""
	if src := c.Source("clerk.secret_key"); strings.HasPrefix(src, "env ") || strings.HasPrefix(src, "file ") {
		from = " (from " + src + ")"
	}
	switch {
	case !live && !strings.HasPrefix(sk, "sk_test_"):
		v.add("clerk.secret_key", "does not start with sk_test_ or sk_live_"+from, "copy it again from the Clerk dashboard (API keys)")
	case c.Key.Raw != "" && live != c.Key.Live:
		v.add("clerk.secret_key", fmt.Sprintf("is a %s key%s but the publishable key is a %s key", kind(live), from, kind(c.Key.Live)),
			"use both keys of the same instance (Clerk dashboard, API keys)")
	}
}

func kind(live bool) string {
	if live {
		return "production (sk_live_/pk_live_)"
	}
	return "development (sk_test_/pk_test_)"
}

// shortKey shows enough of a public key to recognise it.
func shortKey(pk string) string {
	if len(pk) <= 12 {
		return pk
	}
	return pk[:12] + "…"
}

func (c *Config) validatePages(v *validator) {
	portal, perr := "", error(nil)
	if c.Key.Raw != "" {
		portal, perr = c.Key.AccountPortalURL()
	}
	if portal != "" && c.Pages.SignInURL == "" {
		c.Pages.SignInURL = portal + "/sign-in"
	}
	if portal != "" && c.Pages.SignUpURL == "" {
		c.Pages.SignUpURL = portal + "/sign-up"
	}
	switch {
	case c.Pages.SignInURL != "":
		v.url("pages.sign_in_url", c.Pages.SignInURL, "https://app.example.com/sign-in")
	case perr != nil:
		v.add("pages.sign_in_url", fmt.Sprintf("missing, and the Account Portal cannot be derived from the Frontend API host %s", c.Key.FrontendAPI),
			"set it to your app's sign-in page, e.g. https://app.example.com/sign-in")
	}
	if c.Pages.SignUpURL != "" {
		v.url("pages.sign_up_url", c.Pages.SignUpURL, "https://app.example.com/sign-up")
	}
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

func (c *Config) validateMonitor(v *validator) {
	if code := c.Monitor.VerificationCode; !sixDigits.MatchString(code) {
		v.add("monitor.verification_code", fmt.Sprintf("%q is not 6 digits", shorten(code, 20)), `use "424242", the code of Clerk's test addresses`)
	}
}

var (
	localPart  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	domainName = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
)

func (c *Config) validateSignUp(v *validator) {
	s := c.SignUp
	if !localPart.MatchString(s.Prefix) {
		v.add("sign_up.prefix", fmt.Sprintf("%q is not usable before +clerk_test_", shorten(s.Prefix, 40)), "use letters, digits, '.', '_' or '-', e.g. loginprobe")
	}
	if !domainName.MatchString(s.Domain) {
		v.add("sign_up.domain", fmt.Sprintf("%q is not a domain name", shorten(s.Domain, 40)), "use a domain such as example.com (no @)")
	}
	positive(v, "sign_up.cleanup_after", s.CleanupAfter)
}

func (c *Config) validateOAuth(v *validator, field string, p *OAuthProvider) {
	switch p.Mode {
	case OAuthInitiate, OAuthFull:
	default:
		v.add(field+".mode", fmt.Sprintf("%q is not one of initiate, full", shorten(p.Mode, 20)),
			"use initiate (stop at the provider's page) or full (sign in with a provider account)")
	}
	v.url(field+".authorize_url", p.AuthorizeURL, "https://github.com/login/oauth/authorize")
	if p.Mode != OAuthFull {
		return
	}
	if p.Username == "" {
		v.add(field+".username", "missing in full mode", "set the provider account's username, or use mode: initiate")
	}
	if p.Password.IsZero() {
		v.add(field+".password", "missing in full mode", "set it ({env: NAME} or {file: PATH}), or use mode: initiate")
	}
	for _, s := range []struct{ name, val string }{
		{"username", p.Selectors.Username}, {"password", p.Selectors.Password}, {"submit", p.Selectors.Submit},
	} {
		if s.val == "" {
			v.add(field+".selectors."+s.name, "missing in full mode", "set the CSS selector of the provider's login form")
		}
	}
}

func (c *Config) validateFlows(v *validator) {
	var unknown []string
	for name := range c.Flows {
		if !isFlowName(name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		v.add("flows."+name, "unknown flow", "use one of "+strings.Join(FlowNames, ", "))
	}
	for _, name := range FlowNames {
		f, ok := c.Flows[name]
		field := "flows." + name
		if !ok {
			v.add(field, "missing", "start from config.Default(), which has every flow")
			continue
		}
		positive(v, field+".timeout", f.Timeout)
		positive(v, field+".step_timeout", f.StepTimeout)
		positive(v, field+".interval", f.Interval)
		if f.StepTimeout > f.Timeout && f.Timeout > 0 {
			v.add(field+".step_timeout", fmt.Sprintf("%s is longer than timeout %s", FormatDuration(f.StepTimeout), FormatDuration(f.Timeout)), "make step_timeout at most timeout")
		}
	}
}

func positive(v *validator, field string, d time.Duration) {
	if d <= 0 {
		v.add(field, "must be positive", "write a duration such as 90s, 5m or 1h")
	}
}

func (c *Config) validateBrowser(v *validator) {
	b := c.Browser
	switch b.Screenshots {
	case ScreenshotsAlways, ScreenshotsFailure, ScreenshotsNever:
	default:
		v.add("browser.screenshots", fmt.Sprintf("%q is not one of always, failure, never", shorten(b.Screenshots, 20)), "use failure (the default) to keep evidence of failed runs")
	}
	if b.RecycleAfter < 1 {
		v.add("browser.recycle_after", fmt.Sprintf("%d is less than 1", b.RecycleAfter), "use the number of runs before a new browser is started, e.g. 50")
	}
	if b.JPEGQuality < 1 || b.JPEGQuality > 100 {
		v.add("browser.jpeg_quality", fmt.Sprintf("%d is not between 1 and 100", b.JPEGQuality), "use 80 (JPEG) or 100 (PNG)")
	}
	if b.Viewport.Width < 1 || b.Viewport.Height < 1 {
		v.add("browser.viewport", fmt.Sprintf("%dx%d is not a size", b.Viewport.Width, b.Viewport.Height), "use positive width and height, e.g. {width: 1280, height: 900}")
	}
	for i, f := range b.Flags {
		field := fmt.Sprintf("browser.flags[%d]", i)
		name, _, _ := strings.Cut(f, "=")
		switch {
		case !strings.HasPrefix(f, "--"):
			v.add(field, fmt.Sprintf("%q does not start with --", shorten(f, 40)), "write Chromium flags like --proxy-server=http://proxy:3128")
		case name == "--disable-web-security":
			v.add(field, "--disable-web-security breaks Clerk (it strips the Origin header, and Clerk rejects the environment request)", "remove it")
		case name == "--enable-automation":
			v.add(field, "--enable-automation sets navigator.webdriver, which changes how clerk-js reports network errors", "remove it")
		}
	}
}

// FormatDuration formats d as the config file writes it: 90s, 5m, 1h30m.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
