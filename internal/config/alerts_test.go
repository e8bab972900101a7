package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const alertsBase = "clerk: {publishable_key: " + devPK + "}\n"

// TestAlertsDefaults: without an alerts section there are no channels and
// the documented thresholds.
func TestAlertsDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(alertsBase), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	want := Alerts{FailureThreshold: 2, SuccessThreshold: 2, CannotJudge: CannotJudge{Threshold: 5, Severity: "warn"}}
	if fmt.Sprint(c.Alerts) != fmt.Sprint(want) {
		t.Errorf("Alerts = %+v, want %+v", c.Alerts, want)
	}
	if strings.Contains(c.Summary(), "Alerts:") {
		t.Errorf("Summary shows alerts without channels:\n%s", c.Summary())
	}
}

// TestAlertsFull parses every alert setting, secrets from the environment,
// a file and inline, and checks Summary names their sources, never values.
func TestAlertsFull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "smtp_pw"), []byte("smtp-pw-0005\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), []byte(testCAPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	y := alertsBase + `alerts:
  failure_threshold: 3
  success_threshold: 1
  reminder: 30m
  cannot_judge: {threshold: 7, severity: page}
  dashboard_url: https://probe.example.com/
  channels:
    - {name: oncall, kind: slack, url: {env: SLACK_URL}}
    - {kind: pagerduty, routing_key: {env: PD_KEY}}
    - {name: hook, kind: webhook, url: "https://hooks.example.com/lp?token=hook-token-0006", secret: hmac-0007, min_severity: warning}
    - name: mail
      kind: email
      host: smtp.example.com
      port: 2525
      username: probe
      password: {file: smtp_pw}
      from: "Loginprobe <probe@example.com>"
      to: oncall@example.com
      ca_file: ca.pem
`
	env := envOf(map[string]string{"SLACK_URL": "https://hooks.slack.com/services/T1/B2/slack-0008", "PD_KEY": "pd-key-0009"})
	c, err := Parse([]byte(y), env, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	if a.FailureThreshold != 3 || a.SuccessThreshold != 1 || a.Reminder != 30*time.Minute ||
		a.CannotJudge != (CannotJudge{7, "page"}) || a.DashboardURL != "https://probe.example.com" {
		t.Errorf("Alerts = %+v", a)
	}
	if len(a.Channels) != 4 {
		t.Fatalf("%d channels, want 4", len(a.Channels))
	}
	slack, pd, hook, mail := a.Channels[0], a.Channels[1], a.Channels[2], a.Channels[3]
	checks := []struct{ name, got, want string }{
		{"slack url", slack.URL.Reveal(), "https://hooks.slack.com/services/T1/B2/slack-0008"},
		{"pagerduty name defaults to kind", pd.Name, "pagerduty"},
		{"pagerduty endpoint default", pd.URL.Reveal(), DefaultPagerDutyURL},
		{"routing key", pd.RoutingKey.Reveal(), "pd-key-0009"},
		{"hmac secret", hook.Secret.Reveal(), "hmac-0007"},
		{"smtp password from file", mail.Password.Reveal(), "smtp-pw-0005"},
		{"tls default", mail.TLS, EmailSTARTTLS},
		{"port", fmt.Sprint(mail.Port), "2525"},
		{"one recipient as a plain value", strings.Join(mail.To, ","), "oncall@example.com"},
		{"ca file made absolute", mail.CAFile, filepath.Join(dir, "ca.pem")},
		{"ca read", string(mail.CA), testCAPEM},
		{"pagerduty pages for critical only by default", pd.MinSeverity, SeverityCritical},
		{"other kinds take everything by default", slack.MinSeverity, SeverityInfo},
		{"min_severity", hook.MinSeverity, SeverityWarning},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	sum := c.Summary()
	for _, want := range []string{
		"Alerts:         incident after 3 fails, resolved after 1 passes, reminder every 30m; cannot judge after 7 errors: page\n" +
			"  oncall          slack, url: from env SLACK_URL\n" +
			"  pagerduty       pagerduty, routing key: from env PD_KEY\n" +
			"  hook            webhook, url: inline in the config file, signed: inline in the config file\n" +
			"  mail            email, to oncall@example.com via smtp.example.com:2525 (starttls, password: from file " + filepath.Join(dir, "smtp_pw") + ")\n" +
			"Flows:\n",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("Summary lacks\n%s\ngot:\n%s", want, sum)
		}
	}
	red := c.Redactor()
	for _, s := range []string{"slack-0008", "pd-key-0009", "hook-token-0006", "hmac-0007", "smtp-pw-0005"} {
		if strings.Contains(sum, s) || strings.Contains(fmt.Sprintf("%+v %#v", c, c), s) {
			t.Errorf("the secret %s is printed", s)
		}
		text := "error near " + s
		if s == "slack-0008" || s == "hook-token-0006" {
			text = "POST " + a.Channels[map[string]int{"slack-0008": 0, "hook-token-0006": 2}[s]].URL.Reveal()
		}
		if strings.Contains(red.Redact(text), s) {
			t.Errorf("Redactor keeps %s in %q", s, red.Redact(text))
		}
	}
}

// TestAlertsErrors checks the exact one-line message of each bad alert
// setting: it names the field and the fix, and never shows a secret.
func TestAlertsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{name: "thresholds", yaml: "failure_threshold: 0\n  success_threshold: -1\n  reminder: -1m\n  cannot_judge: {threshold: 0, severity: loud}\n  dashboard_url: probe.example.com", want: []string{
			`alerts.failure_threshold: 0 is less than 1: use the number of consecutive failed runs that open an incident, e.g. 2`,
			`alerts.success_threshold: -1 is less than 1: use the number of consecutive passes that resolve an incident, e.g. 2`,
			`alerts.reminder: must not be negative: use a duration such as 1h, or 0 for no reminders`,
			`alerts.cannot_judge.threshold: 0 is less than 1: use the number of consecutive errored runs that open a "cannot judge" incident, e.g. 5`,
			`alerts.cannot_judge.severity: "loud" is not one of warn, page, off: use warn (the default: notify at warning severity), page, or off`,
			`alerts.dashboard_url: "probe.example.com" is not an absolute http(s) URL: write it like https://loginprobe.example.com`,
		}},
		{name: "dashboard url with a password, value hidden", yaml: "dashboard_url: 'https://ops:hidden-0009@probe.example.com'", want: []string{
			`alerts.dashboard_url: carries a user name or password (user:pass@host; value not shown): remove them: the URL goes into every alert message; people sign in to the dashboard with dashboard.auth`,
		}},
		{name: "unknown kind", yaml: "channels: [{name: team, kind: teams, url: https://x.example.com}]", want: []string{
			`alerts.channels[0].kind: "teams" is not one of slack, pagerduty, webhook, email: use one of them (any other receiver can take kind: webhook)`,
		}},
		{name: "missing kind", yaml: "channels: [{name: x}]", want: []string{
			`alerts.channels[0].kind: missing: use one of slack, pagerduty, webhook, email`,
		}},
		{name: "smtp port not a number", yaml: "channels: [{kind: email, host: smtp.example.com, port: smtp, from: a@example.com, to: [b@example.com]}]", want: []string{
			`alerts.channels[0].port: "smtp" is not a port number: use 587 (STARTTLS), 465 (tls: tls) or 25 (tls: none)`,
		}},
		{name: "smtp port out of range", yaml: "channels: [{kind: email, host: smtp.example.com, port: 70000, from: a@example.com, to: [b@example.com]}]", want: []string{
			`alerts.channels[0].port: "70000" is not a port number: use 587 (STARTTLS), 465 (tls: tls) or 25 (tls: none)`,
		}},
		{name: "webhook url without scheme, value hidden", yaml: "channels: [{kind: webhook, url: 'hooks.example.com/lp?token=hidden-0001'}]", want: []string{
			`alerts.channels[0].url: has no scheme (value not shown: it may hold a token): write it with https://, like https://hooks.example.com/loginprobe`,
		}},
		{name: "slack url not http", yaml: "channels: [{kind: slack, url: 'ftp://hooks.slack.com/services/hidden-0002'}]", want: []string{
			`alerts.channels[0].url: is not an absolute http(s) URL (value not shown: it may hold a token): write it like https://hooks.slack.com/services/T000/B000/XXXX`,
		}},
		{name: "slack url missing", yaml: "channels: [{kind: slack}]", want: []string{
			`alerts.channels[0].url: missing: set the Slack incoming webhook URL, e.g. {env: NAME} holding https://hooks.slack.com/services/T000/B000/XXXX`,
		}},
		{name: "min_severity not a severity", yaml: "channels: [{kind: webhook, url: 'https://a.example.com', min_severity: warn}]", want: []string{
			`alerts.channels[0].min_severity: "warn" is not one of critical, warning, info: use critical (outages only), warning (also "cannot judge") or info (everything)`,
		}},
		{name: "missing routing key", yaml: "channels: [{kind: pagerduty}]", want: []string{
			`alerts.channels[0].routing_key: missing: set the integration key of the PagerDuty service's Events API v2 integration, e.g. {env: PAGERDUTY_ROUTING_KEY}`,
		}},
		{name: "routing key from unset env", yaml: "channels: [{kind: pagerduty, routing_key: {env: PD_KEY}}]", want: []string{
			`alerts.channels[0].routing_key: environment variable PD_KEY is not set: export it or use {file: PATH}`,
		}},
		{name: "webhook url from a missing file", yaml: "channels: [{kind: webhook, url: {file: /nonexistent/hook-url}}]", want: []string{
			`alerts.channels[0].url: file /nonexistent/hook-url does not exist: create it or fix the path (a relative path starts at the config file's folder)`,
		}},
		{name: "field of another kind", yaml: "channels: [{kind: slack, url: 'https://hooks.slack.com/x', routing_key: hidden-0003, to: a@example.com}]", want: []string{
			`alerts.channels[0].routing_key: not used by kind slack: remove it, or check the channel's kind`,
			`alerts.channels[0].to: not used by kind slack: remove it, or check the channel's kind`,
		}},
		{name: "duplicate names", yaml: "channels: [{kind: webhook, url: 'https://a.example.com'}, {kind: webhook, url: 'https://b.example.com'}]", want: []string{
			`alerts.channels[1].name: "webhook" is also the name of alerts.channels[0]: give each channel its own name`,
		}},
		{name: "email problems", yaml: "channels: [{kind: email, tls: ssl, from: 'not an address', to: [ok@example.com, 'bad@'], username: u}]", want: []string{
			`alerts.channels[0].host: missing: set the SMTP server's host name, e.g. smtp.example.com`,
			`alerts.channels[0].tls: "ssl" is not one of starttls, tls, none: use starttls (port 587, the default) or tls (port 465)`,
			`alerts.channels[0].from: "not an address" is not an email address: write it like loginprobe@example.com or "Loginprobe <loginprobe@example.com>"`,
			`alerts.channels[0].to[1]: "bad@" is not an email address: write it like loginprobe@example.com or "Loginprobe <loginprobe@example.com>"`,
			`alerts.channels[0].password: missing while username is set: set it ({env: NAME} or {file: PATH}), or remove username to send without AUTH`,
		}},
		{name: "email password in clear", yaml: "channels: [{kind: email, host: relay, tls: none, from: a@example.com, to: b@example.com, username: u, password: hidden-0004}]", want: []string{
			`alerts.channels[0].password: would be sent unencrypted (tls: none): use tls: starttls or tls: tls`,
		}},
		{name: "email missing addresses", yaml: "channels: [{kind: email, host: relay}]", want: []string{
			`alerts.channels[0].from: missing: set an address such as loginprobe@example.com`,
			`alerts.channels[0].to: missing: list the recipients, e.g. [oncall@example.com]`,
		}},
		{name: "ca file missing", yaml: "channels: [{kind: email, host: relay, from: a@example.com, to: b@example.com, ca_file: /nonexistent/ca.pem}]", want: []string{
			`alerts.channels[0].ca_file: cannot read /nonexistent/ca.pem: no such file or directory: give a readable PEM file of CA certificates (a relative path starts at the config file's folder)`,
		}},
		{name: "ca file without a certificate", yaml: "channels: [{kind: email, host: relay, from: a@example.com, to: b@example.com, ca_file: minimal.yaml}]", want: []string{
			`alerts.channels[0].ca_file: {dir}/minimal.yaml holds no PEM certificate: give the CA certificates in PEM form (-----BEGIN CERTIFICATE-----)`,
		}},
		{name: "unknown key in a channel", yaml: "channels: [{kind: slack, url: 'https://hooks.slack.com/x', webhook_url: y}]", want: []string{
			`config line 3: unknown key "webhook_url" in alerts.channels[0]: check the spelling (known: name, kind, min_severity, url, routing_key, secret, host, port, username, password, from, to, tls, ca_file)`,
		}},
		{name: "unknown key in alerts", yaml: "failure_treshold: 3", want: []string{
			`config line 3: unknown key "failure_treshold" in alerts: did you mean "failure_threshold"? (known: failure_threshold, success_threshold, reminder, cannot_judge, dashboard_url, channels, min_failed_locations)`,
		}},
		{name: "reminder not a duration", yaml: "reminder: 30", want: []string{
			`alerts.reminder: "30" is not a duration (line 3): write it with a unit, like 90s, 5m or 1h`,
		}},
	}
	dir := testdataDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(alertsBase+"alerts:\n  "+tt.yaml+"\n"), nil, dir)
			if err == nil {
				t.Fatal("Parse succeeded, want errors")
			}
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "{dir}", dir)
			if got := err.Error(); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
			if strings.Contains(err.Error(), "hidden-") {
				t.Errorf("an error shows a secret: %s", err)
			}
		})
	}
}

// testCAPEM is a self-signed certificate, for ca_file parsing only.
const testCAPEM = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIQIRi6zePL6mKjOipn+dNuaTAKBggqhkjOPQQDAjASMRAw
DgYDVQQKEwdBY21lIENvMB4XDTE3MTAyMDE5NDMwNloXDTE4MTAyMDE5NDMwNlow
EjEQMA4GA1UEChMHQWNtZSBDbzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABD0d
7VNhbWvZLWPuj/RtHFjvtJBEwOkhbN/BnnE8rnZR8+sbwnc/KhCk3FhnpHZnQz7B
5aETbbIgmuvewdjvSBSjYzBhMA4GA1UdDwEB/wQEAwICpDATBgNVHSUEDDAKBggr
BgEFBQcDATAPBgNVHRMBAf8EBTADAQH/MCkGA1UdEQQiMCCCDmxvY2FsaG9zdDo1
NDUzgg4xMjcuMC4wLjE6NTQ1MzAKBggqhkjOPQQDAgNIADBFAiEA2zpJEPQyz6/l
Wf86aX6PepsntZv2GYlA5UpabfT2EZICICpJ5h/iI+i341gBmLiAFQOyTDT+/wQc
6MF9+Yw1Yy0t
-----END CERTIFICATE-----
`
