package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// incidentSelect reads the columns scanIncident expects.
var incidentSelect = "SELECT id, " + strings.Join(incidentColumns, ", ") + " FROM incidents"

// OpenIncidents returns the incidents not yet resolved, oldest first, with
// their run ids.
func (s *Store) OpenIncidents(ctx context.Context) ([]result.Incident, error) {
	var out []result.Incident
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryIncidents(ctx, tx, incidentSelect+" WHERE resolved_at IS NULL ORDER BY started_at, id")
		if err != nil {
			return err
		}
		for i := range out {
			if out[i].RunIDs, err = incidentRuns(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open incidents: %w", err)
	}
	return out, nil
}

// Incidents returns the incidents q selects, newest first, without their run
// ids (see Incident).
func (s *Store) Incidents(ctx context.Context, q IncidentQuery) ([]result.Incident, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if q.Kind != "" {
		add("kind = ?", string(q.Kind))
	}
	if q.Flow != "" {
		add("flow = ?", q.Flow)
	}
	if q.OpenOnly {
		where = append(where, "resolved_at IS NULL")
	}
	if !q.Since.IsZero() {
		add("(resolved_at IS NULL OR resolved_at >= ?)", fmtTime(q.Since))
	}
	if !q.Until.IsZero() {
		add("started_at < ?", fmtTime(q.Until))
	}
	sqlq := incidentSelect
	if where != nil {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += " ORDER BY started_at DESC, id DESC"
	if q.Limit > 0 {
		sqlq += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	out, err := queryIncidents(ctx, s.r, sqlq, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}

// Incident returns incident id with its run ids; ErrNotFound if unknown.
func (s *Store) Incident(ctx context.Context, id int64) (*result.Incident, error) {
	var in result.Incident
	err := s.read(ctx, func(tx *sql.Tx) error {
		list, err := queryIncidents(ctx, tx, incidentSelect+" WHERE id = ?", id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return ErrNotFound
		}
		in = list[0]
		in.RunIDs, err = incidentRuns(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("incident %d: %w", id, err)
	}
	return &in, nil
}

// Notifications returns the notifications recorded for incident id, oldest
// first (id 0: those of no incident, such as test messages).
func (s *Store) Notifications(ctx context.Context, incidentID int64) ([]result.Notification, error) {
	cond, args := "incident_id = ?", []any{incidentID}
	if incidentID == 0 {
		cond, args = "incident_id IS NULL", nil
	}
	var out []result.Notification
	err := each(ctx, s.r, func(rows *sql.Rows) error {
		var (
			n   result.Notification
			inc sql.NullInt64
			at  string
		)
		if err := rows.Scan(&n.ID, &inc, &n.Channel, &n.Kind, &n.Event, &at, &n.Attempts, &n.OK, &n.Error); err != nil {
			return err
		}
		n.IncidentID = inc.Int64
		var err error
		n.At, err = parseTime(at)
		out = append(out, n)
		return err
	}, "SELECT id, incident_id, channel, kind, event, at, attempts, ok, error FROM notifications WHERE "+cond+" ORDER BY at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("notifications of incident %d: %w", incidentID, err)
	}
	return out, nil
}

func incidentRuns(ctx context.Context, db querier, id int64) ([]int64, error) {
	var ids []int64
	err := each(ctx, db, func(rows *sql.Rows) error {
		var r int64
		err := rows.Scan(&r)
		ids = append(ids, r)
		return err
	}, "SELECT run_id FROM incident_runs WHERE incident_id = ? ORDER BY run_id", id)
	if err != nil {
		return nil, fmt.Errorf("runs of incident %d: %w", id, err)
	}
	return ids, nil
}

func queryIncidents(ctx context.Context, db querier, q string, args ...any) ([]result.Incident, error) {
	var out []result.Incident
	err := each(ctx, db, func(rows *sql.Rows) error {
		var (
			in                 result.Incident
			started            string
			resolved, notified sql.NullString
			firstEv, latestEv  string
		)
		f, l := &in.FirstDiagnosis, &in.LatestDiagnosis
		err := rows.Scan(&in.ID, &in.Kind, &in.Flow, &in.Location, &in.Severity, &started, &resolved,
			&f.Cause, &f.Summary, &f.Next, &firstEv, &l.Cause, &l.Summary, &l.Next, &latestEv,
			&in.FirstRunID, &in.LatestRunID, &notified)
		if err != nil {
			return err
		}
		if in.StartedAt, err = parseTime(started); err != nil {
			return err
		}
		if in.ResolvedAt, err = parseNullTime(resolved); err != nil {
			return err
		}
		if in.LastNotifiedAt, err = parseNullTime(notified); err != nil {
			return err
		}
		if f.Evidence, err = parseList(firstEv); err != nil {
			return err
		}
		if l.Evidence, err = parseList(latestEv); err != nil {
			return err
		}
		out = append(out, in)
		return nil
	}, q, args...)
	return out, err
}

// parseNullTime reads a nullable time column; NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}
