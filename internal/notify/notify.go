// Package notify announces incidents: one Notifier per channel kind (Slack
// incoming webhook, PagerDuty Events API v2, a signed generic webhook, email
// over SMTP), a plain registry from kind to constructor, and a Dispatcher that
// sends in the background with retries so that a slow or broken receiver
// never delays probing.
//
// Every notifier says the same thing, built once by Render: a title and
// label/value lines (flow, cause, summary, since when, run link). Secrets
// (webhook URLs, routing keys, passwords, HMAC keys) are secret.Secret and
// never appear in errors: an HTTP error names the receiver's host only.
package notify

import (
	"context"
	"strconv"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Message is one event about one incident, for every channel.
type Message struct {
	Event    result.NotifyEvent
	Incident result.Incident
	RunURL   string    // the latest run's page; "" when no dashboard_url is set
	Instance string    // the monitored Clerk instance, e.g. its Frontend API host
	Title    string    // replaces the title Render builds, when set
	At       time.Time // when the event happened; zero means now
}

// Notifier sends messages to one configured channel.
type Notifier interface {
	// Name is the channel's configured name.
	Name() string
	// Kind is the channel kind: slack, pagerduty, webhook or email.
	Kind() string
	// Send delivers m once. Its error never holds a secret.
	Send(ctx context.Context, m Message) error
}

// Recorder stores the outcome of each notification (the store implements
// it). RecordNotification must not block for long.
type Recorder interface {
	RecordNotification(ctx context.Context, n result.Notification) error
}

// RunLink is the link to a run on the dashboard at dashboardURL, or "" when
// there is no dashboard.
func RunLink(dashboardURL string, runID int64) string {
	if dashboardURL == "" || runID == 0 {
		return ""
	}
	return dashboardURL + "/runs/" + strconv.FormatInt(runID, 10)
}

// Sender hands incident events to a Dispatcher, adding what a message needs
// beyond the incident: the instance and the link to the latest run. It has
// the incident tracker's Sender method.
type Sender struct {
	Dispatcher   *Dispatcher
	Instance     string // e.g. the config's Key.FrontendAPI
	DashboardURL string // alerts.dashboard_url
}

// Send queues the event for every channel; it never blocks.
func (s Sender) Send(ev result.NotifyEvent, in result.Incident) {
	s.Dispatcher.Notify(Message{Event: ev, Incident: in, Instance: s.Instance, RunURL: RunLink(s.DashboardURL, in.LatestRunID)})
}
