package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
)

// TestCommandsSayWhyAnOAuthFlowIsSkipped: against an instance without
// Google, `flows` and `check` say that oauth-google is skipped and why; with
// flows.oauth-google.enabled: true in the file, that it will fail.
func TestCommandsSayWhyAnOAuthFlowIsSkipped(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t, fakeclerk.FaultGoogleDisabled)
	const why = "oauth-google skipped: the instance does not offer it (oauth_google is absent from user_settings.social; enabled: github)"
	o := run(t, nil, "flows", "--config", cfg)
	if o.code != ExitOK || !strings.Contains(o.stdout, strings.TrimPrefix(why, "oauth-google ")) {
		t.Errorf("flows: exit %d, want oauth-google's skip explained:\n%s%s", o.code, o.stdout, o.stderr)
	}
	if strings.Contains(o.stdout, "oauth-github skipped") {
		t.Errorf("flows: GitHub, which the instance offers, is said to be skipped:\n%s", o.stdout)
	}
	c := run(t, nil, "check", "--config", cfg)
	if c.code != ExitOK || !strings.Contains(c.stdout, "instance: "+why) {
		t.Errorf("check: exit %d, want %q:\n%s%s", c.code, "instance: "+why, c.stdout, c.stderr)
	}

	body, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	explicit := cfg + ".explicit.yaml"
	if err := os.WriteFile(explicit, append(body, []byte("\nflows:\n  oauth-google:\n    enabled: true\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	c = run(t, nil, "check", "--config", explicit)
	if !strings.Contains(c.stdout, "instance: oauth-google will fail (app_config): flows.oauth-google.enabled is true") {
		t.Errorf("check with the flow enabled explicitly: want it to say the run will fail:\n%s%s", c.stdout, c.stderr)
	}
}
