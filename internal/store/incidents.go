package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// ErrIncidentOpen is returned (wrapped) by OpenIncident when an incident of
// the same kind, flow and location is already open, perhaps opened by another
// process; the incident it fills in is that open one.
var ErrIncidentOpen = errors.New("an incident is already open")

// IncidentQuery selects incidents for Incidents. Zero fields do not filter.
type IncidentQuery struct {
	Kind     result.IncidentKind
	Flow     string
	OpenOnly bool
	Since    time.Time // incidents still open at Since or started after it
	Until    time.Time // incidents that started before Until
	Limit    int       // at most this many, newest first; 0 means all
}

// incidentColumns are read and written in this order by incidentArgs and
// scanIncident.
var incidentColumns = []string{
	"kind", "flow", "location", "severity", "started_at", "resolved_at",
	"first_cause", "first_summary", "first_next", "first_evidence",
	"latest_cause", "latest_summary", "latest_next", "latest_evidence",
	"first_run_id", "latest_run_id", "last_notified_at",
}

func incidentArgs(in *result.Incident) []any {
	f, l := in.FirstDiagnosis, in.LatestDiagnosis
	return []any{
		string(in.Kind), red(in.Flow), red(in.Location), string(in.Severity), fmtTime(in.StartedAt), nullTime(in.ResolvedAt),
		red(string(f.Cause)), red(f.Summary), red(f.Next), fmtList(f.Evidence),
		red(string(l.Cause)), red(l.Summary), red(l.Next), fmtList(l.Evidence),
		in.FirstRunID, in.LatestRunID, nullTime(in.LastNotifiedAt),
	}
}

// nullTime formats t, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

// OpenIncident records a new open incident and sets in.ID; in.RunIDs are
// linked to it. If one of the same kind, flow and location is already open,
// it fills in with that one and returns ErrIncidentOpen: two processes (or a
// restart) cannot open the same incident twice.
func (s *Store) OpenIncident(ctx context.Context, in *result.Incident) error {
	if in.Kind != result.IncidentFlow && in.Kind != result.IncidentMonitor {
		return fmt.Errorf("open incident: kind %q is not %q or %q", in.Kind, result.IncidentFlow, result.IncidentMonitor)
	}
	in.ResolvedAt = time.Time{}
	var existing *result.Incident
	err := s.write(ctx, func(tx *sql.Tx) error {
		open, err := queryIncidents(ctx, tx, incidentSelect+` WHERE resolved_at IS NULL AND kind = ? AND flow = ? AND location = ?`,
			string(in.Kind), red(in.Flow), red(in.Location))
		if err != nil || len(open) > 0 {
			if len(open) > 0 {
				existing = &open[0]
			}
			return err
		}
		q := "INSERT INTO incidents (" + strings.Join(incidentColumns, ", ") + ") VALUES (?" +
			strings.Repeat(", ?", len(incidentColumns)-1) + ")"
		res, err := tx.ExecContext(ctx, q, incidentArgs(in)...)
		if err != nil {
			return err
		}
		if in.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return linkRuns(ctx, tx, in.ID, in.RunIDs...)
	})
	switch {
	case err != nil:
		return fmt.Errorf("open %s incident %q: %w", in.Kind, in.Flow, err)
	case existing != nil:
		*in = *existing
		return fmt.Errorf("open %s incident %q: %w (id %d)", in.Kind, in.Flow, ErrIncidentOpen, in.ID)
	}
	return nil
}

// linkRuns adds runs to incident id (a run already linked, or id 0, a run
// that could not be stored, is ignored).
func linkRuns(ctx context.Context, tx *sql.Tx, id int64, runIDs ...int64) error {
	for _, r := range runIDs {
		if r == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO incident_runs (incident_id, run_id) VALUES (?, ?)", id, r); err != nil {
			return fmt.Errorf("link run %d: %w", r, err)
		}
	}
	return nil
}

// AddIncidentRun links run to incident id. If latest, the run becomes the
// incident's latest run and its diagnosis the latest diagnosis (a failing run
// of an open incident; a passing run on the way to resolution is only linked).
func (s *Store) AddIncidentRun(ctx context.Context, id int64, run *result.Run, latest bool) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := mustIncident(ctx, tx, id); err != nil {
			return err
		}
		if latest {
			d := run.Diagnosis
			_, err := tx.ExecContext(ctx, `UPDATE incidents SET latest_run_id = ?, latest_cause = ?, latest_summary = ?,
latest_next = ?, latest_evidence = ? WHERE id = ?`, run.ID, red(string(d.Cause)), red(d.Summary), red(d.Next), fmtList(d.Evidence), id)
			if err != nil {
				return err
			}
		}
		return linkRuns(ctx, tx, id, run.ID)
	})
	if err != nil {
		return fmt.Errorf("add run %d to incident %d: %w", run.ID, id, err)
	}
	return nil
}

// ResolveIncident closes incident id at at, linking the run that resolved it
// (runID 0 for none). Resolving a resolved incident keeps its first end.
func (s *Store) ResolveIncident(ctx context.Context, id int64, at time.Time, runID int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := mustIncident(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE incidents SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", fmtTime(at), id); err != nil {
			return err
		}
		if runID == 0 {
			return nil
		}
		return linkRuns(ctx, tx, id, runID)
	})
	if err != nil {
		return fmt.Errorf("resolve incident %d: %w", id, err)
	}
	return nil
}

// MarkNotified records that incident id was last notified at at (reminders
// count from it).
func (s *Store) MarkNotified(ctx context.Context, id int64, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := mustIncident(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE incidents SET last_notified_at = ? WHERE id = ?", fmtTime(at), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark incident %d notified: %w", id, err)
	}
	return nil
}

func mustIncident(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM incidents WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// RecordNotification stores one message sent (or given up on) to one
// channel. n.IncidentID 0 records a message that belongs to no incident (a
// test message).
func (s *Store) RecordNotification(ctx context.Context, n result.Notification) error {
	var inc any
	if n.IncidentID != 0 {
		inc = n.IncidentID
	}
	at := n.At
	if at.IsZero() {
		at = s.now()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notifications (incident_id, channel, kind, event, at, attempts, ok, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, inc, red(n.Channel), red(n.Kind), string(n.Event), fmtTime(at), n.Attempts, n.OK, red(n.Error))
		return err
	})
	if err != nil {
		return fmt.Errorf("record %s notification to %s: %w", n.Event, n.Channel, err)
	}
	return nil
}
