// Package result holds the record of a run: what every consumer of loginprobe
// (the store, the CLI, alerts, diagnosis) reads. It is plain data with no
// behaviour beyond small helpers, so every package can depend on it.
package result

import "time"

// Outcome is the verdict of a run or a step.
type Outcome string

// The outcomes. Fail means the thing being monitored is broken; Error means
// loginprobe itself could not judge (no browser, a crash, a database error) and
// never counts as the target being down. Interrupted marks a run whose process
// died or was stopped (a signal, a shutdown) before it finished; Running a run
// still in progress.
const (
	Pass        Outcome = "pass"
	Fail        Outcome = "fail"
	Error       Outcome = "error"
	Interrupted Outcome = "interrupted"
	Running     Outcome = "running"
	Skipped     Outcome = "skipped"
)

// Cause is the diagnosed reason for a failure.
type Cause string

// The causes loginprobe can name.
const (
	CauseNone        Cause = ""
	CauseClerkOutage Cause = "clerk_outage" // Clerk's side: 5xx, 503 health, 429 outage, unreachable FAPI
	CauseConfig      Cause = "app_config"   // the app's configuration: keys, redirect URLs, CSP, OAuth app
	CauseTestData    Cause = "test_data"    // the monitor user: password rotated, missing, locked
	CauseRateLimited Cause = "rate_limited" // Clerk's rate limits hit by the monitor
	CauseApp         Cause = "app"          // the app's own pages failed (500, never rendered)
	CauseMonitor     Cause = "monitor"      // loginprobe itself: browser crash, database, config
	CauseUnknown     Cause = "unknown"

	// Finer causes where one of the above was too coarse.
	CauseClerkDegraded Cause = "clerk_degraded" // Clerk answers, but slowly or partly: Clerk.status degraded, one endpoint failing
	CauseBotProtection Cause = "bot_protection" // captcha refused, testing token missing or refused
	CauseNetwork       Cause = "network"        // the app itself unreachable: DNS, TLS, connection refused
	CauseUIChanged     Cause = "ui_changed"     // Clerk and the app answer, but an expected element never appears
)

// Diagnosis says why a run failed, with the evidence that says so and what to do.
type Diagnosis struct {
	Cause    Cause    `json:"cause,omitempty"`
	Summary  string   `json:"summary,omitempty"`
	Next     string   `json:"next,omitempty"`     // the next step for the on-call engineer
	Evidence []string `json:"evidence,omitempty"` // short lines quoting what was seen
}

// Run is one execution of one flow.
type Run struct {
	ID           int64         `json:"id"`
	Flow         string        `json:"flow"`
	Target       string        `json:"target"` // the instance and page, e.g. "pk host + sign-in URL"
	Probe        string        `json:"probe,omitempty"`
	Attempt      int           `json:"attempt"`
	RetryOf      int64         `json:"retry_of,omitempty"` // the first attempt's id, for attempt > 1
	StartedAt    time.Time     `json:"started_at"`
	Duration     time.Duration `json:"duration_ns"`
	Held         time.Duration `json:"held_ns,omitempty"` // of Duration, the time loginprobe's own pacing held requests
	Outcome      Outcome       `json:"outcome"`
	Message      string        `json:"message,omitempty"` // expected vs seen, for fail and error
	Diagnosis    Diagnosis     `json:"diagnosis"`
	ClerkStatus  string        `json:"clerk_status,omitempty"`
	ClerkVersion string        `json:"clerk_version,omitempty"`
	PageURL      string        `json:"page_url,omitempty"`
	PageTitle    string        `json:"page_title,omitempty"`
	Notes        []string      `json:"notes,omitempty"` // e.g. "cleanup skipped: no secret key"
	Steps        []Step        `json:"steps"`
	Events       []Event       `json:"events,omitempty"`
	Screenshots  []Screenshot  `json:"screenshots,omitempty"`
}

// FlowDuration is the run's duration without loginprobe's own holds (its
// pacing of Clerk's rate limits): the time the target took. Metrics and the
// dashboard use it.
func (r *Run) FlowDuration() time.Duration {
	return r.Duration - min(max(r.Held, 0), max(r.Duration, 0))
}

// Flaky reports whether the run passed only on a retry: an earlier attempt
// of the same scheduled run failed. A flaky pass counts as up and never
// alerts, but is counted and shown.
func (r *Run) Flaky() bool { return r.Outcome == Pass && r.Attempt > 1 }

// Step is one named step of a run.
type Step struct {
	Name      string        `json:"name"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration_ns"`
	Outcome   Outcome       `json:"outcome"`
	Error     string        `json:"error,omitempty"`
	Always    bool          `json:"always,omitempty"` // a cleanup step that runs whatever happened before
}

// EventKind says what an Event records.
type EventKind string

// The event kinds.
const (
	EventConsole       EventKind = "console"        // console.* calls
	EventException     EventKind = "exception"      // uncaught exceptions
	EventLog           EventKind = "log"            // browser log entries: CSP violations, Failed to load resource
	EventRequest       EventKind = "request"        // a finished request to FAPI, BAPI or a Clerk script
	EventRequestFailed EventKind = "request_failed" // a request that got no response (net error)
	EventNote          EventKind = "note"           // something the flow observed (e.g. a redirect URL)
	EventHold          EventKind = "hold"           // loginprobe held a request (pacing); Duration is the hold
)

// Event is one thing seen during a run. Secrets are redacted before it is built.
type Event struct {
	Time      time.Time     `json:"time"`
	Kind      EventKind     `json:"kind"`
	Level     string        `json:"level,omitempty"`  // console level: log, info, warning, error
	Text      string        `json:"text,omitempty"`   // message, or the net error text
	Source    string        `json:"source,omitempty"` // source URL of a console message or log entry
	Method    string        `json:"method,omitempty"`
	URL       string        `json:"url,omitempty"`
	Status    int           `json:"status,omitempty"`
	ClerkCode string        `json:"clerk_code,omitempty"`
	TraceID   string        `json:"trace_id,omitempty"`
	Duration  time.Duration `json:"duration_ns,omitempty"`
	// Failure says why a request_failed event got no answer; BlockedBy
	// names who blocked it when Failure is FailureBlocked. Text keeps the
	// human line (the net error, "no answer after 3s").
	Failure   FailureKind `json:"failure,omitempty"`
	BlockedBy string      `json:"blocked_by,omitempty"` // csp, mixed-content, mime (Chromium's BlockedReason, e.g. "inspector" for loginprobe's own)
}

// FailureKind says why a request got no answer.
type FailureKind string

// The failure kinds of a request_failed event.
const (
	FailureNone     FailureKind = ""
	FailureNet      FailureKind = "net"      // a network error: reset, refused, DNS, TLS, timed out
	FailureBlocked  FailureKind = "blocked"  // the browser refused it (BlockedBy says who)
	FailureCORS     FailureKind = "cors"     // a CORS check failed (Text names the CORS error)
	FailurePending  FailureKind = "pending"  // still unanswered when the run looked
	FailureCanceled FailureKind = "canceled" // cancelled, e.g. by a navigation: not evidence
)

// Screenshot is an image of the page at a step.
type Screenshot struct {
	Step    string    `json:"step"`
	When    string    `json:"when"`   // "failure" or "final"
	Format  string    `json:"format"` // "png" or "jpeg"
	TakenAt time.Time `json:"taken_at"`
	Data    []byte    `json:"-"`
}
