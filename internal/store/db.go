package store

import (
	"context"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// The interfaces below are the store as its consumers see it: probe writes
// Results, the scheduler and the incident tracker use Incidents, Heartbeats
// and Retention, the CLI and the dashboard read through Reader. DB is all of
// them; *Store (SQLite) implements it, and a PostgreSQL store will too, both
// checked by RunContract.

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

// DB is the whole store.
type DB interface {
	Results
	Reader
	Incidents
	Heartbeats
	Retention
	Close() error
}

var _ DB = (*Store)(nil)
