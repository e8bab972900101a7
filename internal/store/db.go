package store

import (
	"context"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// The interfaces below are the store as its consumers see it: probe writes
// Results, the scheduler and the incident tracker use Incidents, Heartbeats
// and Retention, the CLI and the dashboard read through Reader. DB is all of
// them; *Store (SQLite) and internal/store/postgres implement it, both
// checked by storetest.RunContract; internal/store/open picks one by the
// database setting, and Buffer wraps either to ride out an outage.
//
// A run's location (the region or site a replica probes from) is
// result.Run.Probe, stored in the runs.probe column; Query.Location selects
// by it.

// Results records runs as they happen.
type Results interface {
	// StartRun writes the run row (outcome running) and sets r.ID.
	StartRun(ctx context.Context, r *result.Run) error
	// StepDone records a finished step of a run in progress.
	StepDone(ctx context.Context, runID int64, st result.Step) error
	// FinishRun writes the end of a run with its steps, events and
	// screenshots, replacing what StepDone wrote.
	FinishRun(ctx context.Context, r *result.Run) error
	// Path says where the record is kept, for messages (a file path, or a
	// database URL without its password).
	Path() string
}

// Reader reads the record of runs.
type Reader interface {
	Runs(ctx context.Context, q Query) ([]result.Run, error)
	LastRuns(ctx context.Context) (map[string]result.Run, error)
	Run(ctx context.Context, id int64) (*result.Run, error)
	Screenshots(ctx context.Context, runID int64) ([]result.Screenshot, error)
}

// Incidents keeps incidents and the notifications sent for them.
type Incidents interface {
	OpenIncident(ctx context.Context, in *result.Incident) error
	AddIncidentRun(ctx context.Context, id int64, run *result.Run, latest bool) error
	ResolveIncident(ctx context.Context, id int64, at time.Time, runID int64) error
	MarkNotified(ctx context.Context, id int64, at time.Time) error
	OpenIncidents(ctx context.Context) ([]result.Incident, error)
	Incidents(ctx context.Context, q IncidentQuery) ([]result.Incident, error)
	Incident(ctx context.Context, id int64) (*result.Incident, error)
	// RecordNotification is what internal/notify's Recorder calls.
	RecordNotification(ctx context.Context, n result.Notification) error
	Notifications(ctx context.Context, incidentID int64) ([]result.Notification, error)
}

// Heartbeats tells live processes from dead ones, so runs left running by a
// dead process (on any host) are marked interrupted.
type Heartbeats interface {
	Heartbeat(ctx context.Context) error
	KeepAlive(ctx context.Context, report func(error))
	MarkInterrupted(ctx context.Context) (int, error)
}

// Retention keeps the record bounded.
type Retention interface {
	Prune(ctx context.Context, p Policy) (Pruned, error)
}

// Slots keys scheduled runs, so that each scheduled run of a flow happens
// once per location even when two replicas both believe they lead (the
// moments around a failover).
type Slots interface {
	// ClaimSlot claims the scheduled run of flow at location for slot (the
	// time the schedule meant it to start): the first caller, in any process,
	// gets true, every later one false.
	ClaimSlot(ctx context.Context, flow, location string, slot time.Time) (bool, error)
}

// DB is the whole store.
type DB interface {
	Results
	Reader
	Incidents
	Heartbeats
	Retention
	Slots
	Dashboard
	Close() error
}

var _ DB = (*Store)(nil)
