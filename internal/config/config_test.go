package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const devPK = "pk_test_bWFqb3ItaGVyb24tODYuY2xlcmsuYWNjb3VudHMuZGV2JA" // major-heron-86.clerk.accounts.dev

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func testdataDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLoadErrors checks the exact text of every problem, one line each, in
// file order ({dir} is the absolute testdata folder).
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		env  map[string]string
		want []string
	}{
		{file: "unknown_key.yaml", want: []string{
			`config line 4: unknown key "publishable" in clerk: did you mean "publishable_key"? (known: publishable_key, secret_key, frontend_api_url, backend_api_url, status_page_url)`,
			`config line 6: unknown key "identifer" in monitor: did you mean "identifier"? (known: identifier, password, verification_code)`,
			`config line 8: unknown key "hieght" in browser.viewport: did you mean "height"? (known: width, height)`,
			`config line 13: unknown key "aprove" in oauth.google.selectors: did you mean "approve"? (known: username, password, submit, approve)`,
		}},
		{file: "unknown_flow.yaml", want: []string{
			`config line 4: unknown flow "signin" in flows: did you mean "sign-in"? (known: sign-in, sign-up, oauth-github, oauth-google, password-reset, session, user-api, clerk-health)`,
			`config line 5: unknown flow "health" in flows: check the spelling (known: sign-in, sign-up, oauth-github, oauth-google, password-reset, session, user-api, clerk-health)`,
		}},
		{file: "bad_syntax.yaml", want: []string{
			`config line 3: mapping values are not allowed in this context: fix the YAML: indent with spaces, and quote values that contain ": " or " #"`,
		}},
		{file: "bad_types.yaml", want: []string{
			`monitor.identifier: expected a single value, found a mapping (line 4): write a plain value (quote it if it contains ": " or " #")`,
			`flows.sign-in.timeout: "90" is not a duration (line 6): write it with a unit, like 90s, 5m or 1h`,
			`flows.sign-in.enabled: "maybe" is not true or false (line 6): write true or false`,
			`flows.sign-up.interval: "often" is not a duration (line 8): write it with a unit, like 90s, 5m or 1h`,
			`browser.recycle_after: "many" is not a whole number (line 10): write a number such as 50`,
			`browser.flags: expected a list, found "--no-sandbox" (line 11): write a list such as ["--flag=value"]`,
		}},
		{file: "bad_values.yaml", want: []string{
			`clerk.backend_api_url: "api.clerk.com" is not an absolute http(s) URL: write it like https://api.clerk.com`,
			`clerk.status_page_url: "ftp://status.clerk.com" is not an absolute http(s) URL: write it like https://status.clerk.com (or "" to skip the status check)`,
			`clerk.secret_key: is a production (sk_live_/pk_live_) key but the publishable key is a development (sk_test_/pk_test_) key: use both keys of the same instance (Clerk dashboard, API keys)`,
			`pages.sign_in_url: "/sign-in" is not an absolute http(s) URL: write it like https://app.example.com/sign-in`,
			`monitor.verification_code: "4242" is not 6 digits: use "424242", the code of Clerk's test addresses`,
			`sign_up.prefix: "a b" is not usable before +clerk_test_: use letters, digits, '.', '_' or '-', e.g. loginprobe`,
			`sign_up.domain: "@example.com" is not a domain name: use a domain such as example.com (no @)`,
			`sign_up.cleanup_after: must be positive: write a duration such as 90s, 5m or 1h`,
			`oauth.github.mode: "complete" is not one of initiate, full: use initiate (stop at the provider's page) or full (sign in with a provider account)`,
			`oauth.google.username: missing in full mode: set the provider account's username, or use mode: initiate`,
			`oauth.google.password: missing in full mode: set it ({env: NAME} or {file: PATH}), or use mode: initiate`,
			`flows.sign-in.timeout: must be positive: write a duration such as 90s, 5m or 1h`,
			`flows.session.interval: must be positive: write a duration such as 90s, 5m or 1h`,
			`flows.session.step_timeout: 20s is longer than timeout 10s: make step_timeout at most timeout`,
			`database: empty: set a file path such as loginprobe.db, or export LOGINPROBE_DB`,
			`browser.screenshots: "sometimes" is not one of always, failure, never: use failure (the default) to keep evidence of failed runs`,
			`browser.recycle_after: 0 is less than 1: use the number of runs before a new browser is started, e.g. 50`,
			`browser.jpeg_quality: 101 is not between 1 and 100: use 80 (JPEG) or 100 (PNG)`,
			`browser.viewport: 0x900 is not a size: use positive width and height, e.g. {width: 1280, height: 900}`,
			`browser.flags[0]: "proxy-server=x" does not start with --: write Chromium flags like --proxy-server=http://proxy:3128`,
			`browser.flags[1]: --disable-web-security breaks Clerk (it strips the Origin header, and Clerk rejects the environment request): remove it`,
			`browser.flags[2]: --enable-automation sets navigator.webdriver, which changes how clerk-js reports network errors: remove it`,
		}},
		{file: "bad_secrets.yaml", want: []string{
			`clerk.secret_key: environment variable NOT_EXPORTED is not set: export it or use {file: PATH}`,
			`monitor.password: has 2 keys (env, file): use exactly one of {env: NAME} or {file: PATH}`,
			`oauth.github.password: file {dir}/secrets/missing does not exist: create it or fix the path (a relative path starts at the config file's folder)`,
			`oauth.google.password: unknown key "vault": write a string, {env: NAME} or {file: PATH}`,
		}},
		{file: "malformed_key.yaml", want: []string{
			`clerk.publishable_key: malformed (pk_test_JA==…): copy it again from the Clerk dashboard (API keys); it starts with pk_test_ or pk_live_`,
		}},
		{file: "portal_underivable.yaml", want: []string{
			`pages.sign_in_url: missing, and the Account Portal cannot be derived from the Frontend API host auth.example.net: set it to your app's sign-in page, e.g. https://app.example.com/sign-in`,
		}},
		{file: "no_such_file.yaml", want: []string{
			`config testdata/no_such_file.yaml: does not exist: check the path, or leave the config out to use only environment variables`,
		}},
	}
	dir := testdataDir(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			c, err := Load(filepath.Join("testdata", tt.file), envOf(tt.env))
			if err == nil {
				t.Fatalf("Load = %+v, want errors", c)
			}
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "{dir}", dir)
			if got := err.Error(); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
			fes := FieldErrors(err)
			if len(fes) != len(tt.want) {
				t.Errorf("FieldErrors gave %d, want %d", len(fes), len(tt.want))
			}
			for _, fe := range fes {
				if strings.Contains(fe.Error(), "\n") {
					t.Errorf("multi-line error %q", fe.Error())
				}
			}
		})
	}
}

// TestParseErrorsInline covers messages that need no file of their own.
func TestParseErrorsInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{name: "no key at all", yaml: "", want: "clerk.publishable_key: missing: set it in the config or export CLERK_PUBLISHABLE_KEY"},
		{name: "secret key as publishable key", yaml: "clerk: {publishable_key: sk_test_Secret0123456789}",
			want: "clerk.publishable_key: is a secret key (sk_…): use the publishable key (pk_test_… or pk_live_…) here and put the secret key in clerk.secret_key"},
		{name: "malformed key from env", env: map[string]string{"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": "pk_test_JA=="},
			want: "clerk.publishable_key: malformed (pk_test_JA==, from NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY): copy it again from the Clerk dashboard (API keys); it starts with pk_test_ or pk_live_"},
		{name: "not a pk", yaml: "clerk: {publishable_key: hello}",
			want: "clerk.publishable_key: malformed (it does not start with pk_test_ or pk_live_): copy it again from the Clerk dashboard (API keys); it starts with pk_test_ or pk_live_"},
		{name: "password env unset", yaml: "clerk: {publishable_key: " + devPK + "}\nmonitor: {password: {env: LOGINPROBE_PASSWORD}}",
			want: "monitor.password: environment variable LOGINPROBE_PASSWORD is not set: export it or use {file: PATH}"},
		{name: "env without name", yaml: "clerk: {publishable_key: " + devPK + "}\nmonitor: {password: {env: }}",
			want: "monitor.password: {env: …} names no variable: write it like {env: LOGINPROBE_PASSWORD}"},
		{name: "secret key wrong shape", yaml: "clerk: {publishable_key: " + devPK + ", secret_key: abc12345}",
			want: "clerk.secret_key: does not start with sk_test_ or sk_live_: copy it again from the Clerk dashboard (API keys)"},
		{name: "stale secret key in env", yaml: "clerk: {publishable_key: " + devPK + "}", env: map[string]string{"CLERK_SECRET_KEY": "sk_live_Other0001"},
			want: "clerk.secret_key: is a production (sk_live_/pk_live_) key (from env CLERK_SECRET_KEY) but the publishable key is a development (sk_test_/pk_test_) key: use both keys of the same instance (Clerk dashboard, API keys)"},
		{name: "section is a scalar", yaml: "clerk: " + devPK,
			want: "clerk: expected a mapping, found a single value (line 1): write the settings as key: value lines indented under it (known: publishable_key, secret_key, frontend_api_url, backend_api_url, status_page_url)"},
		{name: "duplicate key", yaml: "clerk:\n  publishable_key: a\n  publishable_key: b\n",
			want: `config line 3: key "publishable_key" appears twice in clerk: keep one (the first is on line 2)`},
		{name: "two documents", yaml: "clerk: {publishable_key: " + devPK + "}\n---\ndatabase: x.db\n",
			want: "config line 3: a second YAML document (after ---): keep one document per config file"},
		{name: "full oauth without credentials", yaml: "clerk: {publishable_key: " + devPK + "}\noauth: {github: {mode: full, authorize_url: 'github.com/login'}}",
			want: "oauth.github.authorize_url: \"github.com/login\" is not an absolute http(s) URL: write it like https://github.com/login/oauth/authorize\n" +
				"oauth.github.username: missing in full mode: set the provider account's username, or use mode: initiate\n" +
				"oauth.github.password: missing in full mode: set it ({env: NAME} or {file: PATH}), or use mode: initiate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.yaml), envOf(tt.env), "")
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant   %s", err, tt.want)
			}
		})
	}
}

func TestLoadFull(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PROD_CLERK_SECRET": "sk_live_Prod0000Secret", "GH_MONITOR_PASSWORD": "gh-env-pass-77",
		// File values win over these.
		"CLERK_PUBLISHABLE_KEY": devPK, "LOGINPROBE_IDENTIFIER": "other@example.com",
		"LOGINPROBE_PASSWORD": "env-password-0002", "LOGINPROBE_DB": "env.db", "LOGINPROBE_CHROME": "/opt/chrome",
	}
	c, err := Load("testdata/full.yaml", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	dir := testdataDir(t)
	if c.Dir != dir {
		t.Errorf("Dir = %q, want %q", c.Dir, dir)
	}
	if !c.Key.Live || c.Key.FrontendAPI != "clerk.example.com" {
		t.Errorf("Key = %+v, want live clerk.example.com", c.Key)
	}
	checks := []struct{ name, got, want string }{
		{"secret key", c.Clerk.SecretKey.Reveal(), "sk_live_Prod0000Secret"},
		{"frontend api (trailing / trimmed)", c.Clerk.FrontendAPIURL, "https://app.example.com/__clerk"},
		{"status page disabled", c.Clerk.StatusPageURL, ""},
		{"sign-in", c.Pages.SignInURL, "https://app.example.com/sign-in"},
		{"identifier", c.Monitor.Identifier, "monitor+clerk_test@example.com"},
		{"password from file, newline trimmed", c.Monitor.Password.Reveal(), "file-password-0001"},
		{"password source", c.Source("monitor.password"), "file " + filepath.Join(dir, "secrets/monitor_password")},
		{"github password", c.OAuth.GitHub.Password.Reveal(), "gh-env-pass-77"},
		{"github username selector", c.OAuth.GitHub.Selectors.Username, "#login_field"},
		{"github submit selector (default)", c.OAuth.GitHub.Selectors.Submit, "input[type=submit][name=commit]"},
		{"github approve turned off", c.OAuth.GitHub.Selectors.Approve, ""},
		{"google authorize (default)", c.OAuth.Google.AuthorizeURL, "https://accounts.google.com/o/oauth2/v2/auth"},
		{"database", c.Database, "/var/lib/loginprobe/loginprobe.db"},
		{"browser path", c.Browser.Path, "/usr/bin/chromium"},
		{"screenshots", c.Browser.Screenshots, "always"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	wantFlows := map[string]Flow{
		"sign-in":      {Enabled: true, Explicit: true, Timeout: time.Minute, StepTimeout: 15 * time.Second, Interval: time.Minute},
		"sign-up":      {Enabled: false, Timeout: 90 * time.Second, StepTimeout: 20 * time.Second, Interval: 5 * time.Minute},
		"oauth-google": {Enabled: true, Timeout: 90 * time.Second, StepTimeout: 20 * time.Second, Interval: time.Hour},
		"clerk-health": DefaultFlow(),
	}
	for name, want := range wantFlows {
		if got := c.Flows[name]; got != want {
			t.Errorf("flow %s = %+v, want %+v", name, got, want)
		}
	}
	if len(c.Flows) != len(FlowNames) {
		t.Errorf("%d flows, want %d", len(c.Flows), len(FlowNames))
	}
	if want := (SignUp{Prefix: "probe", Domain: "example.org", CleanupAfter: 30 * time.Minute}); c.SignUp != want {
		t.Errorf("SignUp = %+v, want %+v", c.SignUp, want)
	}
	wantBrowser := Browser{Path: "/usr/bin/chromium", RecycleAfter: 20, MaxConcurrent: 4, Screenshots: "always", JPEGQuality: 100,
		Flags: []string{"--proxy-server=http://proxy:3128"}, Viewport: Viewport{1024, 768}}
	if !reflect.DeepEqual(c.Browser, wantBrowser) {
		t.Errorf("Browser = %+v, want %+v", c.Browser, wantBrowser)
	}
	for _, name := range FlowNames {
		if p := c.FlowProblem(name); p != "" {
			t.Errorf("FlowProblem(%s) = %q, want none", name, p)
		}
	}
}

// TestMinimal: only the publishable key; everything else is a default, and
// the Account Portal pages are derived from the key.
func TestMinimal(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/minimal.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Clerk.PublishableKey = devPK
	want.Clerk.FrontendAPIURL = "https://major-heron-86.clerk.accounts.dev"
	want.Pages = Pages{SignInURL: "https://major-heron-86.accounts.dev/sign-in", SignUpURL: "https://major-heron-86.accounts.dev/sign-up"}
	want.Key, want.Dir, want.sources = c.Key, c.Dir, c.sources
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if c.Key.FrontendAPI != "major-heron-86.clerk.accounts.dev" || c.Key.Live {
		t.Errorf("Key = %+v", c.Key)
	}
}

// TestEnvOnly: no file at all; the variables Clerk apps already export are
// enough.
func TestEnvOnly(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"CLERK_PUBLISHABLE_KEY":             "",
		"VITE_CLERK_PUBLISHABLE_KEY":        "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k", // later in the list: loses
		"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": devPK,
		"CLERK_SECRET_KEY":                  "sk_test_EnvSecret0001",
		"LOGINPROBE_IDENTIFIER":             " monitor+clerk_test@example.com ",
		"LOGINPROBE_PASSWORD":               "env-password-0002",
		"LOGINPROBE_RESET_IDENTIFIER":       "reset+clerk_test@example.com",
		"LOGINPROBE_DB":                     "/data/lp.db",
		"LOGINPROBE_CHROME":                 "/opt/chrome/chrome",
	}
	c, err := Load("", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"publishable key", c.Clerk.PublishableKey, devPK},
		{"key source", c.Source("clerk.publishable_key"), "env NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY"},
		{"secret key", c.Clerk.SecretKey.Reveal(), "sk_test_EnvSecret0001"},
		{"secret source", c.Source("clerk.secret_key"), "env CLERK_SECRET_KEY"},
		{"identifier", c.Monitor.Identifier, "monitor+clerk_test@example.com"},
		{"password", c.Monitor.Password.Reveal(), "env-password-0002"},
		{"password source", c.Source("monitor.password"), "env LOGINPROBE_PASSWORD"},
		{"reset", c.PasswordReset.Identifier, "reset+clerk_test@example.com"},
		{"database", c.Database, "/data/lp.db"},
		{"chrome", c.Browser.Path, "/opt/chrome/chrome"},
		{"sign-in", c.Pages.SignInURL, "https://major-heron-86.accounts.dev/sign-in"},
		{"dir", c.Dir, ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	for _, name := range FlowNames {
		if p := c.FlowProblem(name); p != "" {
			t.Errorf("FlowProblem(%s) = %q, want none", name, p)
		}
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("Warnings = %q, want none", w)
	}
}

// TestFakeClerkConfig: the file `loginprobe fakeclerk --config-out` writes
// (plain http on 127.0.0.1, a proxied Frontend API, inline secrets).
func TestFakeClerkConfig(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/fakeclerk.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Clerk.FrontendAPIURL != "http://127.0.0.1:41234/__clerk" || c.Pages.SignInURL != "http://127.0.0.1:41234/sign-in" ||
		c.OAuth.GitHub.AuthorizeURL != "http://127.0.0.1:41234/oauth/github/authorize" || c.OAuth.GitHub.Mode != OAuthFull {
		t.Errorf("got %+v", c)
	}
	if c.Clerk.SecretKey.Reveal() != "sk_test_Fake0123456789abcdefghijABCDEFGHIJ0123" || c.Source("clerk.secret_key") != "inline" {
		t.Errorf("secret key not read inline (source %q)", c.Source("clerk.secret_key"))
	}
	if c.Key.FrontendAPI != "loginprobe-local-00.clerk.accounts.dev" {
		t.Errorf("Key = %+v", c.Key)
	}
	for _, name := range FlowNames {
		if p := c.FlowProblem(name); p != "" {
			t.Errorf("FlowProblem(%s) = %q, want none", name, p)
		}
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("x: 1"), 0o000); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p, nil)
	if want := "config " + p + ": cannot be read: permission denied: check the path"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
