package config

import (
	"crypto/x509"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

func (c *Config) validateAlerts(v *validator) {
	a := &c.Alerts
	atLeastOne(v, "alerts.failure_threshold", a.FailureThreshold, "use the number of consecutive failed runs that open an incident, e.g. 2")
	atLeastOne(v, "alerts.success_threshold", a.SuccessThreshold, "use the number of consecutive passes that resolve an incident, e.g. 2")
	if a.Reminder < 0 {
		v.add("alerts.reminder", "must not be negative", "use a duration such as 1h, or 0 for no reminders")
	}
	atLeastOne(v, "alerts.cannot_judge.threshold", a.CannotJudge.Threshold, "use the number of consecutive errored runs that open a \"cannot judge\" incident, e.g. 5")
	switch a.CannotJudge.Severity {
	case CannotJudgeWarn, CannotJudgePage, CannotJudgeOff:
	default:
		v.add("alerts.cannot_judge.severity", fmt.Sprintf("%q is not one of warn, page, off", shorten(a.CannotJudge.Severity, 20)),
			"use warn (the default: notify at warning severity), page, or off")
	}
	if a.DashboardURL != "" {
		v.url("alerts.dashboard_url", a.DashboardURL, "https://loginprobe.example.com")
	}
	names := map[string]int{}
	for i := range a.Channels {
		field := fmt.Sprintf("alerts.channels[%d]", i)
		ch := &a.Channels[i]
		if j, dup := names[ch.Name]; dup && ch.Name != "" {
			v.add(field+".name", fmt.Sprintf("%q is also the name of alerts.channels[%d]", shorten(ch.Name, 40), j), "give each channel its own name")
		}
		names[ch.Name] = i
		validateChannel(v, field, ch)
	}
}

func atLeastOne(v *validator, field string, n int, fix string) {
	if n < 1 {
		v.add(field, fmt.Sprintf("%d is less than 1", n), fix)
	}
}

func validateChannel(v *validator, field string, ch *Channel) {
	kinds := strings.Join(AlertKinds, ", ")
	switch ch.Kind {
	case "":
		v.add(field+".kind", "missing", "use one of "+kinds)
		return
	case KindSlack:
		secretURL(v, field+".url", ch, "the Slack incoming webhook URL", "https://hooks.slack.com/services/T000/B000/XXXX")
	case KindPagerDuty:
		secretURL(v, field+".url", ch, "the Events API v2 endpoint", DefaultPagerDutyURL)
		if ch.RoutingKey.IsZero() && !ch.unreadable["routing_key"] {
			v.add(field+".routing_key", "missing", "set the integration key of the PagerDuty service's Events API v2 integration, e.g. {env: PAGERDUTY_ROUTING_KEY}")
		}
	case KindWebhook:
		secretURL(v, field+".url", ch, "the URL to POST to", "https://hooks.example.com/loginprobe")
	case KindEmail:
		validateEmail(v, field, ch)
	default:
		v.add(field+".kind", fmt.Sprintf("%q is not one of %s", shorten(ch.Kind, 20), kinds), "use one of them (any other receiver can take kind: webhook)")
		return
	}
	for _, f := range unusedFields(ch) {
		v.add(field+"."+f, "not used by kind "+ch.Kind, "remove it, or check the channel's kind")
	}
}

// unusedFields names the fields set on ch that its kind does not use.
func unusedFields(ch *Channel) []string {
	set := []struct {
		name  string
		isSet bool
		kinds string
	}{
		{"url", !ch.URL.IsZero(), "slack pagerduty webhook"},
		{"routing_key", !ch.RoutingKey.IsZero(), "pagerduty"},
		{"secret", !ch.Secret.IsZero(), "webhook"},
		{"host", ch.Host != "", "email"},
		{"port", ch.Port != 0, "email"},
		{"username", ch.Username != "", "email"},
		{"password", !ch.Password.IsZero(), "email"},
		{"from", ch.From != "", "email"},
		{"to", len(ch.To) > 0, "email"},
		{"tls", ch.TLS != "", "email"},
		{"ca_file", ch.CAFile != "", "email"},
	}
	var out []string
	for _, f := range set {
		if f.isSet && !strings.Contains(f.kinds, ch.Kind) {
			out = append(out, f.name)
		}
	}
	return out
}

// secretURL checks an absolute http(s) URL that may hold a token, so the
// message never shows it.
func secretURL(v *validator, field string, ch *Channel, what, example string) {
	s := ch.URL
	switch {
	case s.IsZero() && ch.unreadable["url"]:
		return
	case s.IsZero():
		v.add(field, "missing", fmt.Sprintf("set %s, e.g. {env: NAME} holding %s", what, example))
		return
	}
	u, err := url.Parse(strings.TrimSpace(s.Reveal()))
	switch {
	case err == nil && u.Scheme == "":
		v.add(field, "has no scheme (value not shown: it may hold a token)", "write it with https://, like "+example)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.add(field, "is not an absolute http(s) URL (value not shown: it may hold a token)", "write it like "+example)
	}
}

func validateEmail(v *validator, field string, ch *Channel) {
	if ch.Host == "" {
		v.add(field+".host", "missing", "set the SMTP server's host name, e.g. smtp.example.com")
	}
	switch ch.TLS {
	case EmailSTARTTLS, EmailTLS, EmailNoTLS:
	default:
		v.add(field+".tls", fmt.Sprintf("%q is not one of starttls, tls, none", shorten(ch.TLS, 20)), "use starttls (port 587, the default) or tls (port 465)")
	}
	address(v, field+".from", ch.From)
	if len(ch.To) == 0 {
		v.add(field+".to", "missing", "list the recipients, e.g. [oncall@example.com]")
	}
	for i, to := range ch.To {
		address(v, fmt.Sprintf("%s.to[%d]", field, i), to)
	}
	switch {
	case ch.Username != "" && ch.Password.IsZero() && !ch.unreadable["password"]:
		v.add(field+".password", "missing while username is set", "set it ({env: NAME} or {file: PATH}), or remove username to send without AUTH")
	case ch.Username == "" && !ch.Password.IsZero():
		v.add(field+".username", "missing while password is set", "set the SMTP AUTH user name")
	case !ch.Password.IsZero() && ch.TLS == EmailNoTLS:
		v.add(field+".password", "would be sent unencrypted (tls: none)", "use tls: starttls or tls: tls")
	}
	switch {
	case ch.CAFile != "" && ch.TLS == EmailNoTLS:
		v.add(field+".ca_file", "not used with tls: none", "remove it, or use tls: starttls")
	case len(ch.CA) > 0 && !x509.NewCertPool().AppendCertsFromPEM(ch.CA):
		v.add(field+".ca_file", ch.CAFile+" holds no PEM certificate", "give the CA certificates in PEM form (-----BEGIN CERTIFICATE-----)")
	}
}

func address(v *validator, field, s string) {
	if s == "" {
		v.add(field, "missing", "set an address such as loginprobe@example.com")
		return
	}
	if _, err := mail.ParseAddress(s); err != nil {
		v.add(field, fmt.Sprintf("%q is not an email address", shorten(s, 60)), "write it like loginprobe@example.com or \"Loginprobe <loginprobe@example.com>\"")
	}
}
