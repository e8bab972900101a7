// Package incident turns verdicts into incidents: the state machine that
// decides when a flow is down (consecutive fail verdicts), when it is back
// (consecutive passes), and when loginprobe itself cannot judge (consecutive
// error runs of any flow). It records incidents through the store and hands
// open, resolve and reminder events to a Sender; it never sends anything
// itself.
//
// The rules:
//   - a flow incident opens after FailureThreshold consecutive fail verdicts
//     of that flow, and resolves after SuccessThreshold consecutive passes
//     (a flaky pass, one that passed on retry, is a pass);
//   - error runs never open or resolve a flow incident, and do not break a
//     streak either: fail, error, fail is two fails in a row;
//   - interrupted, skipped and running runs count for nothing;
//   - ErrorThreshold consecutive error runs, whatever their flows, open one
//     monitor incident ("loginprobe cannot judge") at MonitorSeverity (off
//     when empty); the next pass or fail verdict resolves it.
//
// State survives a restart: New rebuilds the counters from the store (the
// open incidents and the latest verdicts), so an incident open before a
// restart stays open and its open message is not sent again.
package incident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// Sender hands an incident event to the notifiers. Send must not block on the
// network: the tracker calls it on the path that records runs.
type Sender interface {
	Send(ev result.NotifyEvent, in result.Incident)
}

// Store is what the tracker needs of the store.
type Store interface {
	store.Incidents
	Runs(ctx context.Context, q store.Query) ([]result.Run, error)
	LastRuns(ctx context.Context) (map[string]result.Run, error)
}

// Options are the tracker's thresholds (config alerts.*).
type Options struct {
	FailureThreshold int             // default 2
	SuccessThreshold int             // default 2
	ErrorThreshold   int             // default 5
	MonitorSeverity  result.Severity // "" turns monitor incidents off
	FlowSeverity     result.Severity // default critical
	Reminder         time.Duration   // 0: no reminders
	Location         string
	Now              func() time.Time // default time.Now
	Log              *slog.Logger
}

// MonitorSeverity maps the config's alerts.cannot_judge setting (off, warn,
// page) to Options.MonitorSeverity.
func MonitorSeverity(setting string) result.Severity {
	switch setting {
	case "warn":
		return result.SeverityWarning
	case "page":
		return result.SeverityCritical
	}
	return "" // off
}

func (o Options) withDefaults() Options {
	if o.FailureThreshold <= 0 {
		o.FailureThreshold = 2
	}
	if o.SuccessThreshold <= 0 {
		o.SuccessThreshold = 2
	}
	if o.ErrorThreshold <= 0 {
		o.ErrorThreshold = 5
	}
	if o.FlowSeverity == "" {
		o.FlowSeverity = result.SeverityCritical
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// flowState is what the tracker remembers of one flow.
type flowState struct {
	fails  []*result.Run    // the current streak of fail verdicts (no incident open)
	passes int              // consecutive passes while an incident is open
	open   *result.Incident // the open incident, if any
}

// Tracker is the incident state machine. It is safe for concurrent use.
type Tracker struct {
	st   Store
	send Sender
	o    Options

	mu      sync.Mutex
	flows   map[string]*flowState
	errors  []*result.Run    // the current streak of error runs
	monitor *result.Incident // the open monitor incident, if any
}

// New returns a tracker whose state is rebuilt from st.
func New(ctx context.Context, st Store, send Sender, o Options) (*Tracker, error) {
	t := &Tracker{st: st, send: send, o: o.withDefaults(), flows: map[string]*flowState{}}
	if err := t.rebuild(ctx); err != nil {
		return nil, fmt.Errorf("incident tracker: %w", err)
	}
	return t, nil
}

func (t *Tracker) flow(name string) *flowState {
	fs := t.flows[name]
	if fs == nil {
		fs = &flowState{}
		t.flows[name] = fs
	}
	return fs
}

// Observe takes a stored run's verdict into account: it may open or resolve
// an incident, or add the run to the open one. It returns the store's error,
// if any; the state it keeps lets the next run try again.
func (t *Tracker) Observe(ctx context.Context, run *result.Run) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch run.Outcome {
	case result.Error:
		return t.observeError(ctx, run)
	case result.Pass, result.Fail:
		return errors.Join(t.judged(ctx, run), t.observeFlow(ctx, run))
	}
	return nil // interrupted, skipped, running: no verdict
}

// observeFlow applies a pass or fail verdict to its flow.
func (t *Tracker) observeFlow(ctx context.Context, run *result.Run) error {
	fs := t.flow(run.Flow)
	if run.Outcome == result.Fail {
		fs.passes = 0
		if fs.open != nil {
			return t.st.AddIncidentRun(ctx, fs.open.ID, run, true)
		}
		fs.fails = append(fs.fails, run)
		if len(fs.fails) < t.o.FailureThreshold {
			return nil
		}
		in := t.newIncident(result.IncidentFlow, run.Flow, t.o.FlowSeverity, fs.fails)
		opened, err := t.open(ctx, in)
		if err != nil {
			return err
		}
		fs.open, fs.fails = opened, nil
		return nil
	}
	fs.fails = nil
	if fs.open == nil {
		return nil
	}
	fs.passes++
	if fs.passes < t.o.SuccessThreshold {
		return t.st.AddIncidentRun(ctx, fs.open.ID, run, false)
	}
	if err := t.resolve(ctx, fs.open, run); err != nil {
		return err
	}
	fs.open, fs.passes = nil, 0
	return nil
}

// observeError counts an error run towards the monitor incident.
func (t *Tracker) observeError(ctx context.Context, run *result.Run) error {
	if t.o.MonitorSeverity == "" {
		return nil
	}
	if t.monitor != nil {
		return t.st.AddIncidentRun(ctx, t.monitor.ID, run, true)
	}
	t.errors = append(t.errors, run)
	if len(t.errors) < t.o.ErrorThreshold {
		return nil
	}
	in := t.newIncident(result.IncidentMonitor, "", t.o.MonitorSeverity, t.errors)
	opened, err := t.open(ctx, in)
	if err != nil {
		return err
	}
	t.monitor, t.errors = opened, nil
	return nil
}

// judged ends the error streak: loginprobe could judge a run, so a monitor
// incident resolves.
func (t *Tracker) judged(ctx context.Context, run *result.Run) error {
	t.errors = nil
	if t.monitor == nil {
		return nil
	}
	if err := t.resolve(ctx, t.monitor, run); err != nil {
		return err
	}
	t.monitor = nil
	return nil
}

// newIncident builds an incident from the streak of runs that opens it.
func (t *Tracker) newIncident(kind result.IncidentKind, flow string, sev result.Severity, runs []*result.Run) *result.Incident {
	first, last := runs[0], runs[len(runs)-1]
	in := &result.Incident{
		Kind: kind, Flow: flow, Location: t.o.Location, Severity: sev, StartedAt: first.StartedAt,
		FirstDiagnosis: first.Diagnosis, LatestDiagnosis: last.Diagnosis,
		FirstRunID: first.ID, LatestRunID: last.ID,
	}
	for _, r := range runs {
		in.RunIDs = append(in.RunIDs, r.ID)
	}
	return in
}

// open records in and sends its open message. An incident another process
// (or this one before a restart) already opened is adopted without a message.
func (t *Tracker) open(ctx context.Context, in *result.Incident) (*result.Incident, error) {
	err := t.st.OpenIncident(ctx, in)
	if errors.Is(err, store.ErrIncidentOpen) {
		t.o.Log.Info("incident already open", "id", in.ID, "kind", in.Kind, "flow", in.Flow)
		return in, nil
	}
	if err != nil {
		return nil, err
	}
	t.notify(ctx, result.NotifyOpen, in, t.o.Now())
	return in, nil
}

// resolve records the end of in at run's start and sends the resolve message.
func (t *Tracker) resolve(ctx context.Context, in *result.Incident, run *result.Run) error {
	at := run.StartedAt.Add(run.Duration)
	if err := t.st.ResolveIncident(ctx, in.ID, at, run.ID); err != nil {
		return err
	}
	in.ResolvedAt = at
	in.RunIDs = append(in.RunIDs, run.ID)
	t.notify(ctx, result.NotifyResolve, in, t.o.Now())
	return nil
}

// notify hands ev to the sender and records when the incident was notified.
func (t *Tracker) notify(ctx context.Context, ev result.NotifyEvent, in *result.Incident, now time.Time) {
	in.LastNotifiedAt = now
	if t.send != nil {
		t.send.Send(ev, *in)
	}
	if err := t.st.MarkNotified(ctx, in.ID, now); err != nil {
		t.o.Log.Warn("recording an incident notification time", "id", in.ID, "err", err)
	}
}

// Tick sends a reminder for every open incident last notified at least
// Options.Reminder before now. serve calls it periodically.
func (t *Tracker) Tick(ctx context.Context, now time.Time) {
	if t.o.Reminder <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, in := range t.openIncidents() {
		if now.Sub(in.LastNotifiedAt) >= t.o.Reminder {
			t.notify(ctx, result.NotifyReminder, in, now)
		}
	}
}

// openIncidents returns the incidents the tracker holds open.
func (t *Tracker) openIncidents() []*result.Incident {
	var out []*result.Incident
	for _, fs := range t.flows {
		if fs.open != nil {
			out = append(out, fs.open)
		}
	}
	if t.monitor != nil {
		out = append(out, t.monitor)
	}
	return out
}

// Open returns copies of the incidents open now (for metrics and health).
func (t *Tracker) Open() []result.Incident {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []result.Incident
	for _, in := range t.openIncidents() {
		out = append(out, *in)
	}
	return out
}
