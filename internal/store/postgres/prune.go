package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/store"
)

// pruneBatch is how many rows one delete transaction removes, so pruning
// never holds row locks long.
const pruneBatch = 500

// heartbeatKeep is how long the heartbeat of a process that stopped is kept.
const heartbeatKeep = 7 * 24 * time.Hour

// Prune deletes what p no longer keeps, pruneBatch rows per transaction.
// Running runs and open incidents are never deleted. Autovacuum reuses the
// space, so FreedPages stays 0. It stops at ctx's end with what it did.
func (s *Store) Prune(ctx context.Context, p store.Policy) (store.Pruned, error) {
	var out store.Pruned
	now := s.now()
	steps := []struct {
		keep time.Duration
		n    *int
		what string
		q    string
	}{
		{p.Runs, &out.Runs, "runs", `DELETE FROM runs WHERE id IN (
  SELECT id FROM runs WHERE started_at < $1 AND outcome <> 'running' LIMIT $2)`},
		{p.Runs, &out.Slots, "slots", `DELETE FROM slots WHERE (flow, location, slot) IN (
  SELECT flow, location, slot FROM slots WHERE slot < $1 LIMIT $2)`},
		{p.PassScreenshots, &out.Screenshots, "screenshots of passed runs", `DELETE FROM screenshots WHERE id IN (
  SELECT s.id FROM screenshots s JOIN runs r ON r.id = s.run_id
  WHERE r.outcome = 'pass' AND r.started_at < $1 AND s.run_id NOT IN (
    SELECT DISTINCT ON (r.flow) r.id FROM runs r
    WHERE r.outcome = 'pass' AND EXISTS (SELECT 1 FROM screenshots x WHERE x.run_id = r.id)
    ORDER BY r.flow, r.started_at DESC, r.id DESC)
  LIMIT $2)`},
		{p.Incidents, &out.Incidents, "incidents", `DELETE FROM incidents WHERE id IN (
  SELECT id FROM incidents WHERE resolved_at IS NOT NULL AND resolved_at < $1 LIMIT $2)`},
		{p.Incidents, &out.Notifications, "test notifications", `DELETE FROM notifications WHERE id IN (
  SELECT id FROM notifications WHERE incident_id IS NULL AND at < $1 LIMIT $2)`},
		{heartbeatKeep, &out.Heartbeats, "heartbeats", `DELETE FROM heartbeats WHERE process IN (
  SELECT process FROM heartbeats WHERE last_beat < $1
    AND process NOT IN (SELECT process FROM runs WHERE outcome = 'running') LIMIT $2)`},
	}
	for _, st := range steps {
		if st.keep <= 0 {
			continue
		}
		n, err := s.deleteBatches(ctx, st.q, ts(now.Add(-st.keep)))
		*st.n = n
		if err != nil {
			return out, fmt.Errorf("prune %s older than %s: %w", st.what, st.keep, err)
		}
	}
	return out, nil
}

// deleteBatches runs q (cutoff $1, batch size $2) once per transaction until
// a batch deletes fewer than pruneBatch rows.
func (s *Store) deleteBatches(ctx context.Context, q string, cutoff time.Time) (int, error) {
	total := 0
	for {
		tag, err := s.pool.Exec(ctx, q, cutoff, pruneBatch)
		if err != nil {
			return total, s.err(err)
		}
		total += int(tag.RowsAffected())
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}
