package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// incidentColumns are read and written in this order.
var incidentColumns = []string{
	"kind", "flow", "location", "severity", "started_at", "resolved_at",
	"first_cause", "first_summary", "first_next", "first_evidence",
	"latest_cause", "latest_summary", "latest_next", "latest_evidence",
	"first_run_id", "latest_run_id", "last_notified_at",
}

var incidentSelect = "SELECT id, " + strings.Join(incidentColumns, ", ") + " FROM incidents"

func incidentArgs(in *result.Incident) []any {
	f, l := in.FirstDiagnosis, in.LatestDiagnosis
	return []any{
		string(in.Kind), red(in.Flow), red(in.Location), string(in.Severity), ts(in.StartedAt), nullTS(in.ResolvedAt),
		red(string(f.Cause)), red(f.Summary), red(f.Next), jsonList(f.Evidence),
		red(string(l.Cause)), red(l.Summary), red(l.Next), jsonList(l.Evidence),
		in.FirstRunID, in.LatestRunID, nullTS(in.LastNotifiedAt),
	}
}

// OpenIncident records a new open incident and sets in.ID. If one of the
// same kind, flow and location is open (the partial unique index decides,
// whichever replica came first), it fills in that one and returns
// store.ErrIncidentOpen.
func (s *Store) OpenIncident(ctx context.Context, in *result.Incident) error {
	if in.Kind != result.IncidentFlow && in.Kind != result.IncidentMonitor {
		return fmt.Errorf("open incident: kind %q is not %q or %q", in.Kind, result.IncidentFlow, result.IncidentMonitor)
	}
	in.ResolvedAt = time.Time{}
	var existing *result.Incident
	err := s.tx(ctx, func(tx pgx.Tx) error {
		q := "INSERT INTO incidents (" + strings.Join(incidentColumns, ", ") + ") VALUES (" +
			placeholders(1, len(incidentColumns)) +
			") ON CONFLICT (kind, flow, location) WHERE resolved_at IS NULL DO NOTHING RETURNING id"
		err := tx.QueryRow(ctx, q, incidentArgs(in)...).Scan(&in.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			open, err := queryIncidents(ctx, tx, incidentSelect+" WHERE resolved_at IS NULL AND kind = $1 AND flow = $2 AND location = $3",
				string(in.Kind), red(in.Flow), red(in.Location))
			if err == nil && len(open) > 0 {
				existing = &open[0]
			}
			return err
		}
		if err != nil {
			return err
		}
		return linkRuns(ctx, tx, in.ID, in.RunIDs...)
	})
	switch {
	case err != nil:
		return fmt.Errorf("open %s incident %q: %w", in.Kind, in.Flow, err)
	case existing != nil:
		*in = *existing
		return fmt.Errorf("open %s incident %q: %w (id %d)", in.Kind, in.Flow, store.ErrIncidentOpen, in.ID)
	}
	return nil
}

// linkRuns adds runs to incident id (run id 0 and runs already linked are
// ignored).
func linkRuns(ctx context.Context, tx pgx.Tx, id int64, runIDs ...int64) error {
	for _, r := range runIDs {
		if r == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, "INSERT INTO incident_runs (incident_id, run_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, r); err != nil {
			return fmt.Errorf("link run %d: %w", r, err)
		}
	}
	return nil
}

// AddIncidentRun links run to incident id; if latest, the run and its
// diagnosis become the incident's latest.
func (s *Store) AddIncidentRun(ctx context.Context, id int64, run *result.Run, latest bool) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := mustIncident(ctx, tx, id); err != nil {
			return err
		}
		if latest {
			d := run.Diagnosis
			if _, err := tx.Exec(ctx, `UPDATE incidents SET latest_run_id = $1, latest_cause = $2, latest_summary = $3,
latest_next = $4, latest_evidence = $5 WHERE id = $6`, run.ID, red(string(d.Cause)), red(d.Summary), red(d.Next), jsonList(d.Evidence), id); err != nil {
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

// ResolveIncident closes incident id at at, linking runID (0 for none); a
// resolved incident keeps its first end.
func (s *Store) ResolveIncident(ctx context.Context, id int64, at time.Time, runID int64) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := mustIncident(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE incidents SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL", ts(at), id); err != nil {
			return err
		}
		return linkRuns(ctx, tx, id, runID)
	})
	if err != nil {
		return fmt.Errorf("resolve incident %d: %w", id, err)
	}
	return nil
}

// MarkNotified records that incident id was last notified at at.
func (s *Store) MarkNotified(ctx context.Context, id int64, at time.Time) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE incidents SET last_notified_at = $1 WHERE id = $2", ts(at), id)
		if err == nil && tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("mark incident %d notified: %w", id, err)
	}
	return nil
}

func mustIncident(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE", id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// RecordNotification stores one message to one channel; IncidentID 0 is a
// message of no incident (a test message).
func (s *Store) RecordNotification(ctx context.Context, n result.Notification) error {
	var inc any
	if n.IncidentID != 0 {
		inc = n.IncidentID
	}
	at := n.At
	if at.IsZero() {
		at = s.now()
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO notifications (incident_id, channel, kind, event, at, attempts, ok, error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, inc, red(n.Channel), red(n.Kind), string(n.Event), ts(at), n.Attempts, n.OK, red(n.Error))
		return err
	})
	if err != nil {
		return fmt.Errorf("record %s notification to %s: %w", n.Event, n.Channel, err)
	}
	return nil
}
