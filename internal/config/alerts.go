package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// The alert channel kinds (alerts.channels[].kind).
const (
	KindSlack     = "slack"
	KindPagerDuty = "pagerduty"
	KindWebhook   = "webhook"
	KindEmail     = "email"
)

// AlertKinds lists the channel kinds, in the order errors name them.
var AlertKinds = []string{KindSlack, KindPagerDuty, KindWebhook, KindEmail}

// How a "loginprobe cannot judge" incident notifies (alerts.cannot_judge.severity).
const (
	CannotJudgeWarn = "warn" // notify at warning severity
	CannotJudgePage = "page" // notify like a flow incident
	CannotJudgeOff  = "off"  // record the incident, notify nobody
)

// How an email channel encrypts (alerts.channels[].tls).
const (
	EmailSTARTTLS = "starttls" // plain connection upgraded with STARTTLS, which is required (port 587)
	EmailTLS      = "tls"      // TLS from the first byte (port 465)
	EmailNoTLS    = "none"     // no encryption: only for a relay on a trusted network, and never with a password
)

// The minimum severity a channel is sent (alerts.channels[].min_severity):
// a channel gets the messages of incidents at least this severe. PagerDuty
// defaults to critical (it pages even for warnings), the others to info.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// DefaultPagerDutyURL is the PagerDuty Events API v2 endpoint.
const DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// Alerts is when incidents open and resolve, and where they are announced.
type Alerts struct {
	FailureThreshold int           // consecutive fail verdicts of a flow that open an incident
	SuccessThreshold int           // consecutive passes that resolve it
	Reminder         time.Duration // re-notify an open incident this often; 0 is off
	CannotJudge      CannotJudge
	DashboardURL     string // base of run links in messages; "" leaves links out
	Channels         []Channel
	// MinFailedLocations is how many locations must fail a flow in the same
	// round for a global incident; 0 means the default: 1 with one
	// location, 2 when the database knows of more (see replicas.go).
	MinFailedLocations int
}

// CannotJudge is the separate incident opened when loginprobe keeps
// erroring: it cannot judge the target, which is not the target being down.
type CannotJudge struct {
	Threshold int    // consecutive error runs, of any flow, that open it
	Severity  string // CannotJudgeWarn, CannotJudgePage or CannotJudgeOff
}

// Channel is one place notifications go. Which fields matter depends on
// Kind; Validate rejects fields another kind uses.
type Channel struct {
	Name        string // unique; defaults to the kind
	Kind        string // one of AlertKinds
	MinSeverity string // SeverityCritical, SeverityWarning or SeverityInfo; default by kind

	URL        secret.Secret // slack and webhook: where to POST; pagerduty: the Events API endpoint
	RoutingKey secret.Secret // pagerduty: the integration key of the service (Events API v2)
	Secret     secret.Secret // webhook: HMAC-SHA256 key of the X-Loginprobe-Signature header

	Host     string        // email: SMTP server
	Port     int           // email: default 587, 465 with tls: tls, 25 with tls: none
	Username string        // email: SMTP AUTH user ("" sends without AUTH)
	Password secret.Secret // email: SMTP AUTH password
	From     string        // email: sender address
	To       []string      // email: recipients
	TLS      string        // email: EmailSTARTTLS (default), EmailTLS or EmailNoTLS
	CAFile   string        // email: PEM file of CAs to trust instead of the system's (a private relay)
	CA       []byte        // the contents of CAFile, read at load

	unreadable map[string]bool // secret fields given but not readable (already reported)
}

// DefaultAlerts is the alerts section when the config says nothing: no
// channels, incidents after 2 fails, resolved after 2 passes, no reminders,
// "cannot judge" after 5 errors at warning severity.
func DefaultAlerts() Alerts {
	return Alerts{FailureThreshold: 2, SuccessThreshold: 2, CannotJudge: CannotJudge{Threshold: 5, Severity: CannotJudgeWarn}}
}

type rawAlerts struct {
	FailureThreshold *int           `yaml:"failure_threshold"`
	SuccessThreshold *int           `yaml:"success_threshold"`
	Reminder         *time.Duration `yaml:"reminder"`
	CannotJudge      rawCannotJudge `yaml:"cannot_judge"`
	DashboardURL     string         `yaml:"dashboard_url"`
	Channels         []rawChannel   `yaml:"channels"`
	// MinFailedLocations: see Alerts.MinFailedLocations.
	MinFailedLocations *int `yaml:"min_failed_locations"`
}

type rawCannotJudge struct {
	Threshold *int   `yaml:"threshold"`
	Severity  string `yaml:"severity"`
}

type rawChannel struct {
	Name       string     `yaml:"name"`
	Kind       string     `yaml:"kind"`
	MinSev     string     `yaml:"min_severity"`
	URL        SecretRef  `yaml:"url"`
	RoutingKey SecretRef  `yaml:"routing_key"`
	Secret     SecretRef  `yaml:"secret"`
	Host       string     `yaml:"host"`
	Port       string     `yaml:"port"` // a string, so a bad port gets its own message
	Username   string     `yaml:"username"`
	Password   SecretRef  `yaml:"password"`
	From       string     `yaml:"from"`
	To         stringList `yaml:"to"`
	TLS        string     `yaml:"tls"`
	CAFile     string     `yaml:"ca_file"`
}

// The alert sections' raw types join rawTypes here rather than in raw.go, so
// unknown keys in them are listed like everywhere else.
func init() {
	for _, v := range []any{rawAlerts{}, rawCannotJudge{}, rawChannel{}} {
		t := reflect.TypeOf(v)
		rawTypes[t.String()] = t
	}
}

// stringList is a list that may also be written as one plain value
// (to: oncall@example.com).
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = stringList{n.Value}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// alerts fills c.Alerts from the file over its defaults.
func (b *builder) alerts(r rawAlerts) {
	a := &b.c.Alerts
	setPtr(&a.FailureThreshold, r.FailureThreshold)
	setPtr(&a.SuccessThreshold, r.SuccessThreshold)
	setPtr(&a.Reminder, r.Reminder)
	setPtr(&a.CannotJudge.Threshold, r.CannotJudge.Threshold)
	setIf(&a.CannotJudge.Severity, strings.TrimSpace(r.CannotJudge.Severity))
	a.DashboardURL = strings.TrimRight(strings.TrimSpace(r.DashboardURL), "/")
	for i, rc := range r.Channels {
		a.Channels = append(a.Channels, b.channel(fmt.Sprintf("alerts.channels[%d]", i), rc))
	}
}

func (b *builder) channel(field string, r rawChannel) Channel {
	ch := Channel{
		Name:        strings.TrimSpace(r.Name),
		Kind:        strings.TrimSpace(r.Kind),
		MinSeverity: strings.TrimSpace(r.MinSev),
		URL:         b.secret(field+".url", r.URL, ""),
		RoutingKey:  b.secret(field+".routing_key", r.RoutingKey, ""),
		Secret:      b.secret(field+".secret", r.Secret, ""),
		Host:        strings.TrimSpace(r.Host),
		Username:    strings.TrimSpace(r.Username),
		Password:    b.secret(field+".password", r.Password, ""),
		From:        strings.TrimSpace(r.From),
		TLS:         strings.TrimSpace(r.TLS),
		CAFile:      strings.TrimSpace(r.CAFile),
	}
	// A secret given but unreadable was reported by b.secret; Validate
	// must not call it missing too.
	for _, s := range []struct {
		name string
		ref  SecretRef
		got  secret.Secret
	}{{"url", r.URL, ch.URL}, {"routing_key", r.RoutingKey, ch.RoutingKey}, {"secret", r.Secret, ch.Secret}, {"password", r.Password, ch.Password}} {
		if s.ref.IsSet() && s.got.IsZero() {
			if ch.unreadable == nil {
				ch.unreadable = map[string]bool{}
			}
			ch.unreadable[s.name] = true
		}
	}
	for _, to := range r.To {
		ch.To = append(ch.To, strings.TrimSpace(to))
	}
	if ch.Name == "" {
		ch.Name = ch.Kind
	}
	if ch.Kind == KindPagerDuty && ch.URL.IsZero() {
		ch.URL = secret.New(DefaultPagerDutyURL)
	}
	if ch.MinSeverity == "" {
		ch.MinSeverity = SeverityInfo
		if ch.Kind == KindPagerDuty {
			ch.MinSeverity = SeverityCritical
		}
	}
	if ch.Kind == KindEmail && ch.TLS == "" {
		ch.TLS = EmailSTARTTLS
	}
	if port := strings.TrimSpace(r.Port); port != "" || ch.Kind == KindEmail {
		ch.Port = b.port(field+".port", port, ch.TLS)
	}
	if ch.CAFile != "" {
		ch.CAFile, ch.CA = b.caFile(field+".ca_file", ch.CAFile)
	}
	return ch
}

// port parses an SMTP port, defaulting by the TLS mode.
func (b *builder) port(field, s, tls string) int {
	if s == "" {
		switch tls {
		case EmailTLS:
			return 465
		case EmailNoTLS:
			return 25
		}
		return 587
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		b.errs = append(b.errs, &FieldError{Field: field, Problem: fmt.Sprintf("%q is not a port number", shorten(s, 20)),
			Fix: "use 587 (STARTTLS), 465 (tls: tls) or 25 (tls: none)"})
	}
	return p
}

// caFile reads a PEM file of CAs (relative paths start at the config's folder).
func (b *builder) caFile(field, path string) (string, []byte) {
	if !filepath.IsAbs(path) && b.dir != "" {
		path = filepath.Join(b.dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		b.errs = append(b.errs, &FieldError{Field: field, Problem: fmt.Sprintf("cannot read %s: %v", path, err),
			Fix: "give a readable PEM file of CA certificates (a relative path starts at the config file's folder)"})
	}
	return path, data
}

// Secrets returns every secret value the alerts hold, for redaction.
func (a *Alerts) Secrets() []secret.Secret {
	var out []secret.Secret
	for _, ch := range a.Channels {
		out = append(out, ch.URL, ch.RoutingKey, ch.Secret, ch.Password)
	}
	return out
}

// alertsSummary is the alerts part of Summary: the thresholds and one line
// per channel with where its secrets come from. It is empty without
// channels.
func (c *Config) alertsSummary() string {
	a := c.Alerts
	if len(a.Channels) == 0 {
		return ""
	}
	var b strings.Builder
	reminder := "no reminders"
	if a.Reminder > 0 {
		reminder = "reminder every " + FormatDuration(a.Reminder)
	}
	fmt.Fprintf(&b, "%-15s incident after %d fails, resolved after %d passes, %s; cannot judge after %d errors: %s\n",
		"Alerts:", a.FailureThreshold, a.SuccessThreshold, reminder, a.CannotJudge.Threshold, a.CannotJudge.Severity)
	for i, ch := range a.Channels {
		field := fmt.Sprintf("alerts.channels[%d]", i)
		var what string
		switch ch.Kind {
		case KindSlack, KindWebhook:
			what = "url: " + c.secretSource(field+".url", ch.URL)
			if ch.Kind == KindWebhook {
				what += ", signed: " + c.secretSource(field+".secret", ch.Secret)
			}
		case KindPagerDuty:
			what = "routing key: " + c.secretSource(field+".routing_key", ch.RoutingKey)
		case KindEmail:
			what = fmt.Sprintf("to %s via %s:%d (%s, password: %s)", strings.Join(ch.To, ", "), ch.Host, ch.Port, ch.TLS, c.secretSource(field+".password", ch.Password))
		}
		fmt.Fprintf(&b, "  %-15s %s, %s\n", ch.Name, ch.Kind, what)
	}
	return b.String()
}
