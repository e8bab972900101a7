package config

import (
	"errors"
	"reflect"
	"testing"

	"github.com/loginprobe/loginprobe/internal/secret"
)

func TestFlowProblem(t *testing.T) {
	t.Parallel()
	base := "clerk: {publishable_key: " + devPK + "}\n"
	tests := []struct {
		name, yaml, flow string
		env              map[string]string
		want             string
	}{
		{name: "no password", flow: "sign-in", env: map[string]string{"LOGINPROBE_IDENTIFIER": "m+clerk_test@example.com"},
			want: "monitor.password: missing: set monitor.password ({env: NAME} or {file: PATH}) or export LOGINPROBE_PASSWORD"},
		{name: "session too", flow: "session", env: map[string]string{"LOGINPROBE_PASSWORD": "pw-0000"},
			want: "monitor.identifier: missing: set monitor.identifier or export LOGINPROBE_IDENTIFIER"},
		{name: "clerk-health needs nothing", flow: "clerk-health"},
		{name: "oauth initiate needs nothing", flow: "oauth-github"},
		{name: "sign-up without secret key runs", flow: "sign-up"},
		{name: "user-api", flow: "user-api", env: map[string]string{"LOGINPROBE_IDENTIFIER": "m+clerk_test@example.com"},
			want: "clerk.secret_key: missing: set clerk.secret_key ({env: NAME} or {file: PATH}) or export CLERK_SECRET_KEY"},
		{name: "reset user", flow: "password-reset",
			want: "password_reset.identifier: missing: set password_reset.identifier or export LOGINPROBE_RESET_IDENTIFIER (a +clerk_test user other than the monitor user)"},
		{name: "reset user is the monitor", flow: "password-reset",
			env:  map[string]string{"LOGINPROBE_IDENTIFIER": "m+clerk_test@example.com", "LOGINPROBE_RESET_IDENTIFIER": "M+clerk_test@example.com"},
			want: "password_reset.identifier: is the monitor user: use a separate user: resetting the monitor user's password would break the sign-in flow"},
		{name: "sign-up page underivable", flow: "sign-up",
			yaml: "clerk: {publishable_key: pk_test_YXV0aC5leGFtcGxlLm5ldCQ}\npages: {sign_in_url: https://app.example.net/sign-in}\n",
			want: "pages.sign_up_url: missing, and the Account Portal cannot be derived from the publishable key: set it to your app's sign-up page, e.g. https://app.example.com/sign-up"},
		{name: "unknown", flow: "signin",
			want: `unknown flow "signin": use one of sign-in, sign-up, oauth-github, oauth-google, password-reset, session, user-api, clerk-health`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			y := tt.yaml
			if y == "" {
				y = base
			}
			c, err := Parse([]byte(y), envOf(tt.env), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.FlowProblem(tt.flow); got != tt.want {
				t.Errorf("FlowProblem(%s) = %q\nwant %q", tt.flow, got, tt.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	live := "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{name: "dev without secret key", yaml: "clerk: {publishable_key: " + devPK + "}",
			want: []string{"sign-up: no clerk.secret_key: synthetic users cannot be deleted; a development instance stops at 100 users"}},
		{name: "sign-up disabled", yaml: "clerk: {publishable_key: " + devPK + "}\nflows: {sign-up: {enabled: false}}"},
		{name: "production", yaml: "clerk: {publishable_key: " + live + ", secret_key: sk_live_Abc12345}\nmonitor: {identifier: ops@example.com}\noauth: {google: {mode: full, username: u@example.com, password: {env: G}}}",
			want: []string{
				"sign-up: production instance: +clerk_test addresses and code 424242 work only if test mode is on (Clerk dashboard, instance settings)",
				"monitor.identifier: ops@example.com is not a +clerk_test address: if Clerk asks for an email code (Device Trust, MFA), code 424242 will not work",
				"oauth.google.mode: full: Google refuses sign-ins from automated browsers, so expect failures that are not outages; use initiate",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte(tt.yaml), envOf(map[string]string{"G": "google-pass-1"}), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Warnings(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Warnings =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestValidateInCode: a Config built in code (from Default) validates, and
// Validate derives the key's URLs.
func TestValidateInCode(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Clerk.PublishableKey = devPK
	c.Monitor.Password = secret.New("code-pass-1")
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Clerk.FrontendAPIURL != "https://major-heron-86.clerk.accounts.dev" || c.Pages.SignUpURL != "https://major-heron-86.accounts.dev/sign-up" {
		t.Errorf("derived URLs: %+v %+v", c.Clerk, c.Pages)
	}
	delete(c.Flows, "session")
	c.Flows["sesion"] = DefaultFlow()
	err := c.Validate()
	want := "flows.sesion: unknown flow: use one of sign-in, sign-up, oauth-github, oauth-google, password-reset, session, user-api, clerk-health\n" +
		"flows.session: missing: start from config.Default(), which has every flow"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "flows.sesion" {
		t.Errorf("errors.As gave %+v", fe)
	}
}
