package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Policy says how long records are kept. A zero field keeps that record
// forever. Its fields match config.Retention, so store.Policy(cfg.Retention)
// converts one into the other.
type Policy struct {
	Runs            time.Duration // runs (with their steps, events, screenshots) by start time
	PassScreenshots time.Duration // screenshots of passed runs; the newest per flow is always kept
	Incidents       time.Duration // resolved incidents (with their runs list and notifications) by end
}

// Pruned counts what Prune deleted.
type Pruned struct {
	Runs          int
	Screenshots   int
	Incidents     int
	Notifications int // test messages, which belong to no incident
	Heartbeats    int
	FreedPages    int // given back to the file system by incremental_vacuum
}

// pruneBatch is how many rows one delete transaction removes, so pruning
// never holds the write lock long: runs being recorded wait for one batch at
// most.
const pruneBatch = 500

// heartbeatKeep is how long the heartbeat of a process that stopped is kept.
const heartbeatKeep = 7 * 24 * time.Hour

// Prune deletes what p no longer keeps, in batches of pruneBatch rows per
// transaction, then gives the freed pages back to the file system
// (incremental_vacuum). Running runs and open incidents are never deleted.
// It stops at ctx's end with what it did so far.
func (s *Store) Prune(ctx context.Context, p Policy) (Pruned, error) {
	var out Pruned
	now := s.now()
	steps := []struct {
		keep time.Duration
		n    *int
		what string
		q    string
	}{
		{p.Runs, &out.Runs, "runs", `DELETE FROM runs WHERE id IN (
  SELECT id FROM runs WHERE started_at < ?1 AND outcome <> 'running' LIMIT ?2)`},
		{p.PassScreenshots, &out.Screenshots, "screenshots of passed runs", `DELETE FROM screenshots WHERE id IN (
  SELECT s.id FROM screenshots s JOIN runs r ON r.id = s.run_id
  WHERE r.outcome = 'pass' AND r.started_at < ?1 AND s.run_id NOT IN (
    SELECT id FROM (
      SELECT r.id, row_number() OVER (PARTITION BY r.flow ORDER BY r.started_at DESC, r.id DESC) AS n
      FROM runs r WHERE r.outcome = 'pass' AND EXISTS (SELECT 1 FROM screenshots x WHERE x.run_id = r.id))
    WHERE n = 1)
  LIMIT ?2)`},
		{p.Incidents, &out.Incidents, "incidents", `DELETE FROM incidents WHERE id IN (
  SELECT id FROM incidents WHERE resolved_at IS NOT NULL AND resolved_at < ?1 LIMIT ?2)`},
		{p.Incidents, &out.Notifications, "test notifications", `DELETE FROM notifications WHERE id IN (
  SELECT id FROM notifications WHERE incident_id IS NULL AND at < ?1 LIMIT ?2)`},
		{heartbeatKeep, &out.Heartbeats, "heartbeats", `DELETE FROM heartbeats WHERE process IN (
  SELECT process FROM heartbeats WHERE last_beat < ?1
    AND process NOT IN (SELECT process FROM runs WHERE outcome = 'running') LIMIT ?2)`},
	}
	for _, st := range steps {
		if st.keep <= 0 {
			continue
		}
		n, err := s.deleteBatches(ctx, st.q, fmtTime(now.Add(-st.keep)))
		*st.n = n
		if err != nil {
			return out, fmt.Errorf("prune %s older than %s: %w", st.what, st.keep, err)
		}
	}
	freed, err := s.vacuum(ctx)
	out.FreedPages = freed
	if err != nil {
		return out, fmt.Errorf("prune: %w", err)
	}
	return out, nil
}

// deleteBatches runs q (a DELETE taking the cutoff as ?1 and the batch size
// as ?2) in one transaction per batch until a batch deletes fewer rows than
// pruneBatch, and returns how many rows it deleted.
func (s *Store) deleteBatches(ctx context.Context, q, cutoff string) (int, error) {
	total := 0
	for {
		var n int64
		err := s.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, q, cutoff, pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < pruneBatch {
			return total, nil
		}
	}
}
