package config

import (
	"reflect"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// The raw* types mirror the file. Pointers tell "absent" from an explicit
// zero where the two mean different things (status_page_url: "" disables the
// status check; recycle_after: 0 is an error, absent is the default).
type rawConfig struct {
	Clerk         rawClerk           `yaml:"clerk"`
	Pages         rawPages           `yaml:"pages"`
	Monitor       rawMonitor         `yaml:"monitor"`
	PasswordReset rawPasswordReset   `yaml:"password_reset"`
	SignUp        rawSignUp          `yaml:"sign_up"`
	OAuth         rawOAuth           `yaml:"oauth"`
	Flows         map[string]rawFlow `yaml:"flows"`
	Database      *SecretRef         `yaml:"database"` // a file path or a postgres:// URL, which may hold a password
	Browser       rawBrowser         `yaml:"browser"`
	Retries       *int               `yaml:"retries"`
	ShutdownGrace *time.Duration     `yaml:"shutdown_grace"`
	Location      *string            `yaml:"location"`
	Failover      *time.Duration     `yaml:"failover"`
	Retention     rawRetention       `yaml:"retention"`
	Dashboard     rawDashboard       `yaml:"dashboard"`
	Alerts        rawAlerts          `yaml:"alerts"`
}

type rawClerk struct {
	PublishableKey string    `yaml:"publishable_key"`
	SecretKey      SecretRef `yaml:"secret_key"`
	FrontendAPIURL string    `yaml:"frontend_api_url"`
	BackendAPIURL  string    `yaml:"backend_api_url"`
	StatusPageURL  *string   `yaml:"status_page_url"`
}

type rawPages struct {
	SignInURL string `yaml:"sign_in_url"`
	SignUpURL string `yaml:"sign_up_url"`
}

type rawMonitor struct {
	Identifier       string    `yaml:"identifier"`
	Password         SecretRef `yaml:"password"`
	VerificationCode *string   `yaml:"verification_code"`
}

type rawPasswordReset struct {
	Identifier string `yaml:"identifier"`
}

type rawSignUp struct {
	Prefix       *string        `yaml:"prefix"`
	Domain       *string        `yaml:"domain"`
	CleanupAfter *time.Duration `yaml:"cleanup_after"`
}

type rawOAuth struct {
	GitHub rawOAuthProvider `yaml:"github"`
	Google rawOAuthProvider `yaml:"google"`
}

type rawOAuthProvider struct {
	Mode         string            `yaml:"mode"`
	AuthorizeURL string            `yaml:"authorize_url"`
	Username     string            `yaml:"username"`
	Password     SecretRef         `yaml:"password"`
	Selectors    rawOAuthSelectors `yaml:"selectors"`
}

type rawOAuthSelectors struct {
	Username string  `yaml:"username"`
	Password string  `yaml:"password"`
	Submit   string  `yaml:"submit"`
	Approve  *string `yaml:"approve"` // "" turns the approve click off
}

type rawFlow struct {
	Enabled     *bool          `yaml:"enabled"`
	Timeout     *time.Duration `yaml:"timeout"`
	StepTimeout *time.Duration `yaml:"step_timeout"`
	Interval    *time.Duration `yaml:"interval"`
}

type rawBrowser struct {
	Path         string      `yaml:"path"`
	RecycleAfter *int        `yaml:"recycle_after"`
	Screenshots  string      `yaml:"screenshots"`
	JPEGQuality  *int        `yaml:"jpeg_quality"`
	Flags        []string    `yaml:"flags"`
	Viewport     rawViewport `yaml:"viewport"`

	MaxConcurrent *int `yaml:"max_concurrent"`
}

type rawViewport struct {
	Width  *int `yaml:"width"`
	Height *int `yaml:"height"`
}

// rawTypes maps a raw type's name, as yaml.v3 prints it in errors, to the
// section it holds and the type, so an unknown-key error can list the keys.
var rawTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, v := range []any{rawConfig{}, rawClerk{}, rawPages{}, rawMonitor{}, rawPasswordReset{},
		rawSignUp{}, rawOAuth{}, rawOAuthProvider{}, rawOAuthSelectors{}, rawFlow{}, rawBrowser{}, rawViewport{},
		rawRetention{}, rawDashboard{}, rawStatusComponent{}, rawDashboardAuth{}} {
		t := reflect.TypeOf(v)
		m[t.String()] = t
	}
	return m
}()

// knownKeys lists the YAML keys of a raw struct type, in file order.
func knownKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" {
			keys = append(keys, tag)
		}
	}
	return keys
}

// builder turns a rawConfig into a Config: file values, then environment
// defaults, then built-in defaults. It collects secret errors.
type builder struct {
	c    *Config
	env  func(string) string
	dir  string
	errs []error
}

func (b *builder) secret(field string, ref SecretRef, envName string) secret.Secret {
	if !ref.IsSet() && envName != "" && b.env(envName) != "" {
		ref = SecretRef{Env: envName}
	}
	v, src, err := ref.Resolve(field, b.env, b.dir)
	if err != nil {
		b.errs = append(b.errs, err)
	}
	if src != "" {
		b.c.setSource(field, src)
	}
	return v
}

// str returns the file value, else the first non-empty environment
// variable of names, recording where the value came from.
func (b *builder) str(field, fileValue string, names ...string) string {
	if v := strings.TrimSpace(fileValue); v != "" {
		b.c.setSource(field, "config")
		return v
	}
	for _, n := range names {
		if v := strings.TrimSpace(b.env(n)); v != "" {
			if len(v) > MaxFieldLen {
				b.errs = append(b.errs, valueTooLong(field, " of environment variable "+n, len(v)))
				return ""
			}
			b.c.setSource(field, "env "+n)
			return v
		}
	}
	return ""
}

func build(r *rawConfig, env func(string) string, dir string) (*Config, []error) {
	b := &builder{c: Default(), env: env, dir: dir}
	c := b.c
	c.Dir = dir

	c.Clerk.PublishableKey = b.str("clerk.publishable_key", r.Clerk.PublishableKey,
		"CLERK_PUBLISHABLE_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "VITE_CLERK_PUBLISHABLE_KEY")
	c.Clerk.SecretKey = b.secret("clerk.secret_key", r.Clerk.SecretKey, "CLERK_SECRET_KEY")
	c.Clerk.FrontendAPIURL = strings.TrimRight(strings.TrimSpace(r.Clerk.FrontendAPIURL), "/")
	setIf(&c.Clerk.BackendAPIURL, strings.TrimRight(strings.TrimSpace(r.Clerk.BackendAPIURL), "/"))
	if r.Clerk.StatusPageURL != nil {
		c.Clerk.StatusPageURL = strings.TrimSpace(*r.Clerk.StatusPageURL)
	}

	c.Pages = Pages{SignInURL: strings.TrimSpace(r.Pages.SignInURL), SignUpURL: strings.TrimSpace(r.Pages.SignUpURL)}

	c.Monitor.Identifier = b.str("monitor.identifier", r.Monitor.Identifier, "LOGINPROBE_IDENTIFIER")
	c.Monitor.Password = b.secret("monitor.password", r.Monitor.Password, "LOGINPROBE_PASSWORD")
	setPtr(&c.Monitor.VerificationCode, r.Monitor.VerificationCode)
	c.PasswordReset.Identifier = b.str("password_reset.identifier", r.PasswordReset.Identifier, "LOGINPROBE_RESET_IDENTIFIER")

	setPtr(&c.SignUp.Prefix, r.SignUp.Prefix)
	setPtr(&c.SignUp.Domain, r.SignUp.Domain)
	setPtr(&c.SignUp.CleanupAfter, r.SignUp.CleanupAfter)

	b.oauth(&c.OAuth.GitHub, "oauth.github", r.OAuth.GitHub)
	b.oauth(&c.OAuth.Google, "oauth.google", r.OAuth.Google)

	for name, rf := range r.Flows {
		f, ok := c.Flows[name]
		if !ok {
			continue // reported by checkFlowNames, which knows the line
		}
		setPtr(&f.Enabled, rf.Enabled)
		f.Explicit = rf.Enabled != nil && *rf.Enabled
		setPtr(&f.Timeout, rf.Timeout)
		setPtr(&f.StepTimeout, rf.StepTimeout)
		setPtr(&f.Interval, rf.Interval)
		c.Flows[name] = f
	}

	if r.Database != nil {
		n := len(b.errs)
		if v := b.secret("database", *r.Database, ""); len(b.errs) == n { // else reported once, as the form's error
			c.Database = strings.TrimSpace(v.Reveal())
		}
	} else if v := strings.TrimSpace(env("LOGINPROBE_DATABASE_URL")); v != "" {
		c.Database = v
	} else if v := strings.TrimSpace(env("LOGINPROBE_DB")); v != "" {
		c.Database = v
	}
	b.browser(r.Browser)
	b.serveSettings(r)
	b.replicaSettings(r, env)
	b.retention(r.Retention)
	b.dashboard(r.Dashboard)
	b.alerts(r.Alerts)
	return c, b.errs
}

func (b *builder) oauth(p *OAuthProvider, field string, r rawOAuthProvider) {
	setIf(&p.Mode, strings.TrimSpace(r.Mode))
	setIf(&p.AuthorizeURL, strings.TrimSpace(r.AuthorizeURL))
	p.Username = strings.TrimSpace(r.Username)
	p.Password = b.secret(field+".password", r.Password, "")
	setIf(&p.Selectors.Username, strings.TrimSpace(r.Selectors.Username))
	setIf(&p.Selectors.Password, strings.TrimSpace(r.Selectors.Password))
	setIf(&p.Selectors.Submit, strings.TrimSpace(r.Selectors.Submit))
	setPtr(&p.Selectors.Approve, r.Selectors.Approve)
}

func (b *builder) browser(r rawBrowser) {
	br := &b.c.Browser
	br.Path = b.str("browser.path", r.Path, "LOGINPROBE_CHROME")
	setPtr(&br.RecycleAfter, r.RecycleAfter)
	setIf(&br.Screenshots, strings.TrimSpace(r.Screenshots))
	setPtr(&br.JPEGQuality, r.JPEGQuality)
	br.Flags = r.Flags
	setPtr(&br.Viewport.Width, r.Viewport.Width)
	setPtr(&br.Viewport.Height, r.Viewport.Height)
	setPtr(&br.MaxConcurrent, r.MaxConcurrent)
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func setPtr[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
