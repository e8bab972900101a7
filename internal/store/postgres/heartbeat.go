package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Heartbeat records that this process is alive now.
func (s *Store) Heartbeat(ctx context.Context) error {
	if err := s.tx(ctx, func(tx pgx.Tx) error { return s.beat(ctx, tx) }); err != nil {
		return fmt.Errorf("heartbeat of %s: %w", s.process, err)
	}
	return nil
}

// beat upserts this process's heartbeat row in tx.
func (s *Store) beat(ctx context.Context, tx pgx.Tx) error {
	now := ts(s.now())
	_, err := tx.Exec(ctx, `INSERT INTO heartbeats (process, host, pid, started_at, last_beat)
VALUES ($1, $2, $3, $4, $4)
ON CONFLICT (process) DO UPDATE SET last_beat = excluded.last_beat`, s.process, red(s.host), s.pid, now)
	return err
}

// KeepAlive beats every Options.BeatEvery and on every beat marks as
// interrupted the runs of processes that stopped beating, until ctx is done;
// failures go to report (which may be nil) and do not stop the loop.
func (s *Store) KeepAlive(ctx context.Context, report func(error)) {
	t := time.NewTicker(s.o.BeatEvery)
	defer t.Stop()
	for {
		err := s.Heartbeat(ctx)
		if err == nil {
			_, err = s.MarkInterrupted(ctx)
		}
		if err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startHeartbeat starts, once, the goroutine that keeps this process's
// heartbeat fresh while it may have runs in progress; Close stops it.
func (s *Store) startHeartbeat() {
	s.beatOnce.Do(func() {
		s.beatDone = make(chan struct{})
		go func() {
			defer close(s.beatDone)
			t := time.NewTicker(s.o.BeatEvery)
			defer t.Stop()
			for {
				select {
				case <-s.beatCtx.Done():
					return
				case <-t.C:
				}
				ctx, cancel := context.WithTimeout(s.beatCtx, s.o.BeatEvery)
				s.Heartbeat(ctx) // a missed beat is retried at the next tick
				cancel()
			}
		}()
	})
}

func (s *Store) stopHeartbeat() {
	s.beatOnce.Do(func() {})
	s.beatCancel()
	if s.beatDone != nil {
		<-s.beatDone
	}
}

// MarkInterrupted marks as interrupted the running runs of other processes
// whose heartbeat is older than Options.StaleAfter or missing, and returns
// how many it marked. There is no pid rule: replicas on other machines share
// no process table. Runs written without a process id are left alone.
func (s *Store) MarkInterrupted(ctx context.Context) (int, error) {
	cutoff := ts(s.now().Add(-s.o.StaleAfter))
	type dead struct {
		id       int64
		host     string
		pid      int
		lastBeat *time.Time
	}
	var list []dead
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var d dead
		err := rows.Scan(&d.id, &d.host, &d.pid, &d.lastBeat)
		list = append(list, d)
		return err
	}, `SELECT r.id, r.host, r.pid, h.last_beat
FROM runs r LEFT JOIN heartbeats h ON h.process = r.process
WHERE r.outcome = 'running' AND r.process <> '' AND r.process <> $1
  AND (h.last_beat IS NULL OR h.last_beat < $2)`, s.process, cutoff)
	if err != nil {
		return 0, fmt.Errorf("find running runs: %w", s.err(err))
	}
	if len(list) == 0 {
		return 0, nil
	}
	n := 0
	err = s.tx(ctx, func(tx pgx.Tx) error {
		n = 0
		for _, d := range list {
			why := fmt.Sprintf("interrupted: loginprobe process %d on host %s left no heartbeat", d.pid, d.host)
			if d.lastBeat != nil {
				why = fmt.Sprintf("interrupted: loginprobe process %d on host %s stopped heartbeating at %s",
					d.pid, d.host, d.lastBeat.UTC().Format(time.RFC3339Nano))
			}
			// outcome = 'running' again: the owner may have finished it since.
			tag, err := tx.Exec(ctx, `UPDATE runs SET outcome = $1, message = $2, finished_at = $3
WHERE id = $4 AND outcome = 'running'`, string(result.Interrupted), red(why), ts(s.now()), d.id)
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return n, nil
}
