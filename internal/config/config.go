// Package config reads loginprobe's configuration: strict YAML (unknown keys
// are errors), secrets inline or from the environment or files, defaults from
// the environment variables Clerk users already have, and validation that
// names the field and the fix. Parse and Load are the entry points.
package config

import (
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// FlowNames are the known flows, in the order loginprobe lists them.
var FlowNames = []string{"sign-in", "sign-up", "oauth-github", "oauth-google", "password-reset", "session", "user-api", "clerk-health"}

// Screenshot policies for Browser.Screenshots.
const (
	ScreenshotsAlways  = "always"
	ScreenshotsFailure = "failure"
	ScreenshotsNever   = "never"
)

// OAuth modes for OAuthProvider.Mode.
const (
	// OAuthInitiate checks that the sign-in page sends the browser to the
	// provider's authorize URL, and stops there.
	OAuthInitiate = "initiate"
	// OAuthFull signs in at the provider with a real account and comes back.
	OAuthFull = "full"
)

// Config is a parsed, defaulted configuration. Secrets are secret.Secret, so
// printing or marshalling a Config never shows them.
type Config struct {
	Clerk         Clerk
	Pages         Pages
	Monitor       Monitor
	PasswordReset PasswordReset
	SignUp        SignUp
	OAuth         OAuth
	Flows         map[string]Flow // every name in FlowNames is present
	Database      string          // a file path (SQLite) or a postgres:// URL; print it with secret.RedactURL
	Browser       Browser
	Retention     Retention
	Dashboard     Dashboard
	Alerts        Alerts

	// Retries is how many times serve runs a failed browser flow again at
	// once before its verdict counts (DefaultRetries).
	Retries int
	// ShutdownGrace is how long serve lets runs in flight finish after
	// SIGTERM (DefaultShutdownGrace).
	ShutdownGrace time.Duration
	// Location names where this replica probes from (DefaultLocation);
	// replicas of one location elect one leader on PostgreSQL.
	Location string
	// Failover is how soon a standby takes over from a dead leader
	// (DefaultFailover); the elector checks every Failover/3.
	Failover time.Duration

	// Key is the parsed publishable key (set by Validate).
	Key clerk.Key
	// Dir is the folder of the config file ("" without a file).
	Dir string

	// sources says where a value came from, by field path: "env NAME",
	// "file PATH" or "inline" (never the value itself).
	sources map[string]string
}

// Clerk is the instance under test.
type Clerk struct {
	PublishableKey string        // public by design
	SecretKey      secret.Secret // optional: deletes synthetic users, user-api flow
	FrontendAPIURL string        // default https://<host from the key>
	BackendAPIURL  string        // default https://api.clerk.com
	StatusPageURL  string        // default https://status.clerk.com; "" disables the check
}

// Pages are the app's pages the browser opens.
type Pages struct {
	SignInURL string // default Account Portal + /sign-in
	SignUpURL string // default Account Portal + /sign-up
}

// Monitor is the user the sign-in, session and user-api flows sign in as.
type Monitor struct {
	Identifier       string
	Password         secret.Secret
	VerificationCode string // typed when Clerk asks for an email or phone code
}

// PasswordReset is the user the password-reset flow resets.
type PasswordReset struct {
	Identifier string
}

// SignUp shapes the synthetic users of the sign-up flow:
// <Prefix>+clerk_test_<run id>@<Domain>.
type SignUp struct {
	Prefix       string
	Domain       string
	CleanupAfter time.Duration // synthetic users older than this are deleted
}

// OAuth holds the OAuth providers.
type OAuth struct {
	GitHub OAuthProvider
	Google OAuthProvider
}

// OAuthProvider is how an OAuth flow treats its provider.
type OAuthProvider struct {
	Mode         string // OAuthInitiate or OAuthFull
	AuthorizeURL string // the provider page the browser must reach
	Username     string // full mode only
	Password     secret.Secret
	Selectors    OAuthSelectors
}

// OAuthSelectors are CSS selectors of the provider's login form (full mode).
type OAuthSelectors struct {
	Username string
	Password string
	Submit   string
	Approve  string // optional: clicked if it appears
}

// Flow is the schedule and deadlines of one flow.
type Flow struct {
	Enabled     bool
	Explicit    bool          // the config file says enabled: true for this flow (an OAuth flow then runs even if the instance does not offer its provider, and fails)
	Timeout     time.Duration // the whole run
	StepTimeout time.Duration // each step
	Interval    time.Duration // between scheduled runs
}

// Browser is how Chromium is started.
type Browser struct {
	Path         string // "" means: search PATH for chromium, chromium-browser, google-chrome
	RecycleAfter int    // start a new browser every N runs
	Screenshots  string // ScreenshotsAlways, ScreenshotsFailure or ScreenshotsNever
	JPEGQuality  int    // 1-100; 100 means PNG
	Flags        []string
	Viewport     Viewport

	// MaxConcurrent is how many flows (browser contexts) one Chromium runs at once.
	MaxConcurrent int
}

// Viewport is the browser window size in CSS pixels.
type Viewport struct{ Width, Height int }

// Default returns a Config holding every default that does not depend on
// the publishable key or the environment. Parse starts from it.
func Default() *Config {
	c := &Config{
		Clerk: Clerk{
			BackendAPIURL: "https://api.clerk.com",
			StatusPageURL: "https://status.clerk.com",
		},
		Monitor:  Monitor{VerificationCode: "424242"},
		SignUp:   SignUp{Prefix: "loginprobe", Domain: "example.com", CleanupAfter: time.Hour},
		OAuth:    OAuth{GitHub: GitHubDefaults(), Google: GoogleDefaults()},
		Flows:    map[string]Flow{},
		Database: "loginprobe.db",
		Browser: Browser{
			RecycleAfter: 50,
			Screenshots:  ScreenshotsFailure,
			JPEGQuality:  80,
			Viewport:     Viewport{Width: 1280, Height: 900},

			MaxConcurrent: DefaultMaxConcurrent,
		},
		Alerts: DefaultAlerts(),
	}
	c.Retention = DefaultRetention()
	for _, name := range FlowNames {
		c.Flows[name] = DefaultFlow()
	}
	signIn := c.Flows["sign-in"]
	signIn.Interval = DefaultSignInInterval
	c.Flows["sign-in"] = signIn
	c.Retries, c.ShutdownGrace = DefaultRetries, DefaultShutdownGrace
	c.Location, c.Failover = DefaultLocation, DefaultFailover
	return c
}

// DefaultFlow is a flow's settings when the config says nothing.
func DefaultFlow() Flow {
	return Flow{Enabled: true, Timeout: 90 * time.Second, StepTimeout: 20 * time.Second, Interval: 5 * time.Minute}
}

// GitHubDefaults is the GitHub provider in initiate mode, with the selectors
// of github.com's login and authorize pages for full mode.
func GitHubDefaults() OAuthProvider {
	return OAuthProvider{
		Mode:         OAuthInitiate,
		AuthorizeURL: "https://github.com/login/oauth/authorize",
		Selectors: OAuthSelectors{
			Username: "#login_field",
			Password: "#password",
			Submit:   "input[type=submit][name=commit]",
			Approve:  "#js-oauth-authorize-btn",
		},
	}
}

// GoogleDefaults is the Google provider in initiate mode. Google refuses
// sign-ins from browsers it detects as automated ("This browser or app may
// not be secure"), so full mode against Google is expected to fail for
// reasons that are not outages: keep Google in initiate mode.
func GoogleDefaults() OAuthProvider {
	return OAuthProvider{
		Mode:         OAuthInitiate,
		AuthorizeURL: "https://accounts.google.com/o/oauth2/v2/auth",
		Selectors: OAuthSelectors{
			Username: "input[type=email]",
			Password: "input[type=password]",
			Submit:   "#identifierNext, #passwordNext",
		},
	}
}

// Source says where the value of a field came from ("env NAME", "file PATH",
// "inline", "config"), or "" when it was not set or set in code. It never
// returns the value. Fields are named as in the file: "monitor.password".
func (c *Config) Source(field string) string { return c.sources[field] }

func (c *Config) setSource(field, src string) {
	if c.sources == nil {
		c.sources = map[string]string{}
	}
	c.sources[field] = src
}
