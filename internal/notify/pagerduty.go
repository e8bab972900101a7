package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// PagerDuty sends events to the PagerDuty Events API v2: trigger when an
// incident opens (and on reminders: PagerDuty folds them into the open
// alert by dedup_key), resolve when it resolves. The dedup_key is stable per
// incident (DedupKey). PagerDuty answers 202 with {"status":"success"}.
type PagerDuty struct {
	name       string
	routingKey secret.Secret
	ep         *endpoint
}

var _ Notifier = (*PagerDuty)(nil)

// NewPagerDuty builds the PagerDuty notifier of a configured channel.
func NewPagerDuty(ch config.Channel) (Notifier, error) {
	u := ch.URL
	if u.IsZero() {
		u = secret.New(config.DefaultPagerDutyURL)
	}
	ep, err := newEndpoint(u)
	if err != nil {
		return nil, fmt.Errorf("pagerduty channel %s: %w", ch.Name, err)
	}
	if ch.RoutingKey.IsZero() {
		return nil, fmt.Errorf("pagerduty channel %s: no routing key", ch.Name)
	}
	ep.redact.Add(ch.RoutingKey.Reveal())
	return &PagerDuty{name: ch.Name, routingKey: ch.RoutingKey, ep: ep}, nil
}

// Name implements Notifier.
func (p *PagerDuty) Name() string { return p.name }

// Kind implements Notifier.
func (p *PagerDuty) Kind() string { return config.KindPagerDuty }

// Send implements Notifier. A test message triggers an info alert and
// resolves it at once.
func (p *PagerDuty) Send(ctx context.Context, m Message) error {
	if m.At.IsZero() {
		m.At = time.Now() // one time for both events of a test, so one dedup_key
	}
	switch m.Event {
	case result.NotifyResolve:
		return p.send(ctx, p.event(m, "resolve"))
	case result.NotifyTest:
		if err := p.send(ctx, p.event(m, "trigger")); err != nil {
			return err
		}
		return p.send(ctx, p.event(m, "resolve"))
	}
	return p.send(ctx, p.event(m, "trigger"))
}

func (p *PagerDuty) send(ctx context.Context, ev pdEvent) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = p.ep.post(ctx, body, nil)
	return err
}

// pdEvent is an Events API v2 event
// (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"` // trigger or resolve
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload,omitempty"` // trigger only
	Client      string     `json:"client,omitempty"`
	Links       []pdLink   `json:"links,omitempty"`
}

type pdPayload struct {
	Summary       string            `json:"summary"`
	Source        string            `json:"source"`
	Severity      string            `json:"severity"` // critical, error, warning or info
	Timestamp     string            `json:"timestamp,omitempty"`
	Component     string            `json:"component,omitempty"`
	Group         string            `json:"group,omitempty"`
	Class         string            `json:"class,omitempty"`
	CustomDetails map[string]string `json:"custom_details,omitempty"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

func (p *PagerDuty) event(m Message, action string) pdEvent {
	ev := pdEvent{RoutingKey: p.routingKey.Reveal(), EventAction: action, DedupKey: DedupKey(m)}
	if action != "trigger" {
		return ev
	}
	c := Render(m)
	details := map[string]string{"event": string(m.Event)}
	for _, f := range c.Fields {
		details[strings.ToLower(strings.ReplaceAll(f.Label, " ", "_"))] = f.Value
	}
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	ev.Client = "loginprobe"
	ev.Payload = &pdPayload{
		Summary:       c.Title,
		Source:        orText(m.Instance, "loginprobe"),
		Severity:      PagerDutySeverity(m),
		Timestamp:     at.UTC().Format(time.RFC3339),
		Component:     m.Incident.Flow,
		Group:         m.Incident.Location,
		Class:         string(m.Incident.LatestDiagnosis.Cause),
		CustomDetails: details,
	}
	if c.Link != "" {
		ev.Links = []pdLink{{Href: c.Link, Text: "The latest run"}}
	}
	return ev
}

// DedupKey is the PagerDuty dedup_key of m's incident: the same for its
// trigger, reminders and resolve, and different for every incident:
// loginprobe/<instance>/<location>/<flow or monitor>/<incident id>, empty
// parts left out. A test message gets a key of its own.
func DedupKey(m Message) string {
	in := m.Incident
	parts := []string{"loginprobe"}
	for _, p := range []string{m.Instance, in.Location} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	switch {
	case m.Event == result.NotifyTest:
		at := m.At
		if at.IsZero() {
			at = time.Now()
		}
		parts = append(parts, "test", strconv.FormatInt(at.UnixNano(), 10))
	case in.Kind == result.IncidentMonitor:
		parts = append(parts, "monitor", strconv.FormatInt(in.ID, 10))
	default:
		parts = append(parts, in.Flow, strconv.FormatInt(in.ID, 10))
	}
	return result.OneLine(strings.Join(parts, "/"), 255)
}

// PagerDutySeverity maps an incident to a PagerDuty severity. The incident's
// own severity decides first (warning and info stay so; a "cannot judge"
// incident set to page is critical). A critical flow incident is then
// graded by cause: the monitor's test user broken is error (real users may
// still sign in), the monitor's own faults are warning, anything else
// (Clerk down, the app's config or pages, undiagnosed) is critical. A test
// message is info.
func PagerDutySeverity(m Message) string {
	in := m.Incident
	switch {
	case m.Event == result.NotifyTest || in.Severity == result.SeverityInfo:
		return "info"
	case in.Severity == result.SeverityWarning:
		return "warning"
	case in.Kind == result.IncidentMonitor:
		return "critical"
	}
	switch in.LatestDiagnosis.Cause {
	case result.CauseTestData:
		return "error"
	case result.CauseRateLimited, result.CauseMonitor:
		return "warning"
	}
	return "critical"
}
