package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Notes are an incident's newest notifications, oldest first, and how many
// it has in all.
type Notes struct {
	Items []result.Notification
	Total int
}

// NotificationsOf reads the notifications of several incidents in one
// query: the newest per of each (oldest first) and each one's total, keyed
// by incident id. An incident without notifications is absent.
func (s *Store) NotificationsOf(ctx context.Context, ids []int64, per int) (map[int64]Notes, error) {
	out := make(map[int64]Notes, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, per)
	q := `SELECT id, incident_id, channel, kind, event, at, attempts, ok, error, total FROM (
  SELECT *, row_number() OVER (PARTITION BY incident_id ORDER BY at DESC, id DESC) AS n,
    count(*) OVER (PARTITION BY incident_id) AS total
  FROM notifications WHERE incident_id IN (?` + strings.Repeat(", ?", len(ids)-1) + `))
WHERE n <= ? ORDER BY incident_id, at, id`
	err := each(ctx, s.r, func(rows *sql.Rows) error {
		var total int
		n, err := scanNotification(rows, &total)
		if err != nil {
			return err
		}
		ns := out[n.IncidentID]
		ns.Items, ns.Total = append(ns.Items, n), total
		out[n.IncidentID] = ns
		return nil
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("notifications of %d incidents: %w", len(ids), err)
	}
	return out, nil
}

// scanNotification reads the columns id, incident_id, channel, kind, event,
// at, attempts, ok, error, then extra.
func scanNotification(rows *sql.Rows, extra ...any) (result.Notification, error) {
	var (
		n   result.Notification
		inc sql.NullInt64
		at  string
	)
	dest := append([]any{&n.ID, &inc, &n.Channel, &n.Kind, &n.Event, &at, &n.Attempts, &n.OK, &n.Error}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return n, err
	}
	n.IncidentID = inc.Int64
	var err error
	n.At, err = parseTime(at)
	return n, err
}

// column reads a one-column query into a slice.
func column[T any](ctx context.Context, db querier, q string, args ...any) ([]T, error) {
	var out []T
	err := each(ctx, db, func(rows *sql.Rows) error {
		var v T
		err := rows.Scan(&v)
		out = append(out, v)
		return err
	}, q, args...)
	return out, err
}
