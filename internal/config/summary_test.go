package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	t.Parallel()
	y := `
clerk:
  publishable_key: pk_live_Y2xlcmsuZXhhbXBsZS5jb20k
  secret_key: {env: PROD_SECRET}
  status_page_url: ""
monitor:
  identifier: monitor+clerk_test@example.com
oauth:
  github: {mode: full, username: octo, password: {file: gh}}
flows:
  sign-up: {enabled: false}
  sign-in: {interval: 1m, timeout: 45s, step_timeout: 15s}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte("gh-pw-0003\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"PROD_SECRET": "sk_live_Summary0001", "LOGINPROBE_PASSWORD": "summary-pw-0002"})
	c, err := Parse([]byte(y), env, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := `Clerk instance: clerk.example.com (production, publishable key from the config file)
Frontend API:   https://clerk.example.com
Backend API:    https://api.clerk.com (secret key: from env PROD_SECRET)
Status page:    not checked
Sign-in page:   https://accounts.example.com/sign-in
Sign-up page:   https://accounts.example.com/sign-up
Monitor user:   monitor+clerk_test@example.com (password: from env LOGINPROBE_PASSWORD)
Reset user:     not set
Sign-up users:  loginprobe+clerk_test_<run id>@example.com, deleted after 1h
OAuth GitHub:   full, as octo (password: from file {dir}/gh) at https://github.com/login/oauth/authorize
OAuth Google:   initiate, up to https://accounts.google.com/o/oauth2/v2/auth
Database:       loginprobe.db
Browser:        chromium from PATH; screenshots failure; new browser every 50 runs
Config folder:  {dir}
Flows:
  sign-in         every 1m, timeout 45s, step timeout 15s
  sign-up         disabled
  oauth-github    every 5m, timeout 1m30s, step timeout 20s
  oauth-google    every 5m, timeout 1m30s, step timeout 20s
  password-reset  every 5m, timeout 1m30s, step timeout 20s; cannot run: password_reset.identifier: missing: set password_reset.identifier or export LOGINPROBE_RESET_IDENTIFIER (a +clerk_test user other than the monitor user)
  session         every 5m, timeout 1m30s, step timeout 20s
  user-api        every 5m, timeout 1m30s, step timeout 20s
  clerk-health    every 5m, timeout 1m30s, step timeout 20s
`
	want = strings.ReplaceAll(want, "{dir}", dir)
	if got := c.Summary(); got != want {
		t.Errorf("Summary:\n%s\nwant:\n%s", got, want)
	}
}

// TestSummaryEnvOnly: without a file, Summary says which variables were used.
func TestSummaryEnvOnly(t *testing.T) {
	t.Parallel()
	c, err := Load("", envOf(map[string]string{"VITE_CLERK_PUBLISHABLE_KEY": devPK}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Summary()
	for _, want := range []string{
		"Clerk instance: major-heron-86.clerk.accounts.dev (development, publishable key from env VITE_CLERK_PUBLISHABLE_KEY)\n",
		"Backend API:    https://api.clerk.com (secret key: not set)\n",
		"Monitor user:   not set (password: not set)\n",
		"  sign-in         every 1m, timeout 1m30s, step timeout 20s; cannot run: monitor.identifier: missing",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Config folder") {
		t.Errorf("Summary names a config folder without a file:\n%s", s)
	}
}
