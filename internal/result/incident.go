package result

import "time"

// IncidentKind says what an incident is about.
type IncidentKind string

// The incident kinds. A flow incident means the target is broken (consecutive
// fail verdicts of one flow); a monitor incident means loginprobe itself
// cannot judge (consecutive error runs of any flow) and never counts as the
// target being down.
const (
	IncidentFlow    IncidentKind = "flow"
	IncidentMonitor IncidentKind = "monitor"
)

// Severity is how loudly an incident notifies.
type Severity string

// The severities, from loudest.
const (
	SeverityCritical Severity = "critical"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Incident is a period during which a flow kept failing (or loginprobe kept
// erroring). It is open while ResolvedAt is zero.
type Incident struct {
	ID              int64        `json:"id"`
	Kind            IncidentKind `json:"kind"`
	Flow            string       `json:"flow,omitempty"` // empty for a monitor incident
	Location        string       `json:"location,omitempty"`
	Severity        Severity     `json:"severity"`
	StartedAt       time.Time    `json:"started_at"`
	ResolvedAt      time.Time    `json:"resolved_at,omitzero"`
	FirstDiagnosis  Diagnosis    `json:"first_diagnosis"`
	LatestDiagnosis Diagnosis    `json:"latest_diagnosis"`
	FirstRunID      int64        `json:"first_run_id,omitempty"`
	LatestRunID     int64        `json:"latest_run_id,omitempty"`
	RunIDs          []int64      `json:"run_ids,omitempty"`
	LastNotifiedAt  time.Time    `json:"last_notified_at,omitzero"` // for reminders
}

// Open reports whether the incident has not been resolved.
func (i *Incident) Open() bool { return i.ResolvedAt.IsZero() }

// Duration is how long the incident lasted, or has lasted until now.
func (i *Incident) Duration(now time.Time) time.Duration {
	if i.Open() {
		return now.Sub(i.StartedAt)
	}
	return i.ResolvedAt.Sub(i.StartedAt)
}

// NotifyEvent is why a notification was sent.
type NotifyEvent string

// The notification events.
const (
	NotifyOpen     NotifyEvent = "open"
	NotifyResolve  NotifyEvent = "resolve"
	NotifyReminder NotifyEvent = "reminder"
	NotifyTest     NotifyEvent = "test"
)

// Notification is the record of one message to one channel: sent, or given up
// on after its retries. Error is redacted text.
type Notification struct {
	ID         int64       `json:"id,omitempty"`
	IncidentID int64       `json:"incident_id,omitempty"`
	Channel    string      `json:"channel"` // the configured channel's name
	Kind       string      `json:"kind"`    // slack, pagerduty, webhook, email
	Event      NotifyEvent `json:"event"`
	At         time.Time   `json:"at"`
	Attempts   int         `json:"attempts"`
	OK         bool        `json:"ok"`
	Error      string      `json:"error,omitempty"`
}
