package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// OpenIncidents returns the incidents not yet resolved, oldest first, with
// their run ids.
func (s *Store) OpenIncidents(ctx context.Context) ([]result.Incident, error) {
	var out []result.Incident
	err := s.readTx(ctx, func(tx pgx.Tx) error {
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

// Incidents returns the incidents q selects, newest first, without run ids.
func (s *Store) Incidents(ctx context.Context, q store.IncidentQuery) ([]result.Incident, error) {
	var w where
	if q.Kind != "" {
		w.add("kind = ?", string(q.Kind))
	}
	if q.Flow != "" {
		w.add("flow = ?", q.Flow)
	}
	if q.OpenOnly {
		w.conds = append(w.conds, "resolved_at IS NULL")
	}
	if !q.Since.IsZero() {
		w.add("(resolved_at IS NULL OR resolved_at >= ?)", ts(q.Since))
	}
	if !q.Until.IsZero() {
		w.add("started_at < ?", ts(q.Until))
	}
	sqlq := incidentSelect + w.String() + " ORDER BY started_at DESC, id DESC"
	if q.Limit > 0 {
		sqlq += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	out, err := queryIncidents(ctx, s.pool, sqlq, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", s.err(err))
	}
	return out, nil
}

// Incident returns incident id with its run ids; ErrNotFound if unknown.
func (s *Store) Incident(ctx context.Context, id int64) (*result.Incident, error) {
	var in result.Incident
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		list, err := queryIncidents(ctx, tx, incidentSelect+" WHERE id = $1", id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return store.ErrNotFound
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

// Notifications returns the notifications of incident id, oldest first (id
// 0: those of no incident).
func (s *Store) Notifications(ctx context.Context, incidentID int64) ([]result.Notification, error) {
	cond, args := "incident_id = $1", []any{incidentID}
	if incidentID == 0 {
		cond, args = "incident_id IS NULL", nil
	}
	var out []result.Notification
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var (
			n   result.Notification
			inc *int64
		)
		if err := rows.Scan(&n.ID, &inc, &n.Channel, &n.Kind, &n.Event, &n.At, &n.Attempts, &n.OK, &n.Error); err != nil {
			return err
		}
		if inc != nil {
			n.IncidentID = *inc
		}
		n.At = n.At.UTC()
		out = append(out, n)
		return nil
	}, "SELECT id, incident_id, channel, kind, event, at, attempts, ok, error FROM notifications WHERE "+cond+" ORDER BY at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("notifications of incident %d: %w", incidentID, s.err(err))
	}
	return out, nil
}

func incidentRuns(ctx context.Context, db querier, id int64) ([]int64, error) {
	var ids []int64
	err := each(ctx, db, func(rows pgx.Rows) error {
		var r int64
		err := rows.Scan(&r)
		ids = append(ids, r)
		return err
	}, "SELECT run_id FROM incident_runs WHERE incident_id = $1 ORDER BY run_id", id)
	if err != nil {
		return nil, fmt.Errorf("runs of incident %d: %w", id, err)
	}
	return ids, nil
}

func queryIncidents(ctx context.Context, db querier, q string, args ...any) ([]result.Incident, error) {
	var out []result.Incident
	err := each(ctx, db, func(rows pgx.Rows) error {
		var (
			in                 result.Incident
			resolved, notified *time.Time
			firstEv, latestEv  string
		)
		f, l := &in.FirstDiagnosis, &in.LatestDiagnosis
		err := rows.Scan(&in.ID, &in.Kind, &in.Flow, &in.Location, &in.Severity, &in.StartedAt, &resolved,
			&f.Cause, &f.Summary, &f.Next, &firstEv, &l.Cause, &l.Summary, &l.Next, &latestEv,
			&in.FirstRunID, &in.LatestRunID, &notified)
		if err != nil {
			return err
		}
		in.StartedAt = in.StartedAt.UTC()
		in.ResolvedAt, in.LastNotifiedAt = fromNull(resolved), fromNull(notified)
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

// NotificationsOf reads the notifications of several incidents in one
// query: the newest per of each (oldest first) and each one's total, keyed
// by incident id. An incident without notifications is absent.
func (s *Store) NotificationsOf(ctx context.Context, ids []int64, per int) (map[int64]store.Notes, error) {
	out := make(map[int64]store.Notes, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var (
			n     result.Notification
			inc   *int64
			total int
		)
		if err := rows.Scan(&n.ID, &inc, &n.Channel, &n.Kind, &n.Event, &n.At, &n.Attempts, &n.OK, &n.Error, &total); err != nil {
			return err
		}
		if inc != nil {
			n.IncidentID = *inc
		}
		n.At = n.At.UTC()
		ns := out[n.IncidentID]
		ns.Items, ns.Total = append(ns.Items, n), total
		out[n.IncidentID] = ns
		return nil
	}, `SELECT id, incident_id, channel, kind, event, at, attempts, ok, error, total FROM (
  SELECT *, row_number() OVER (PARTITION BY incident_id ORDER BY at DESC, id DESC) AS n,
    count(*) OVER (PARTITION BY incident_id) AS total
  FROM notifications WHERE incident_id = ANY($1)) x
WHERE n <= $2 ORDER BY incident_id, at, id`, ids, per)
	if err != nil {
		return nil, fmt.Errorf("notifications of %d incidents: %w", len(ids), s.err(err))
	}
	return out, nil
}
