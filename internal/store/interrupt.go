package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/loginprobe/loginprobe/internal/result"
)

// owner is who wrote a run that is still marked running.
type owner struct {
	id        int64
	host      string
	pid       int
	start     string
	process   string
	lastBeat  sql.NullString // the process's heartbeat; NULL if it has none
	interrupt string         // why it is judged gone; "" while it may be alive
}

// MarkInterrupted marks as interrupted the runs still running whose process
// is gone, and returns how many it marked. Two rules:
//
//   - same host name: the pid is not alive, or is alive but is a different
//     process than the one that started the run (pid reuse, reboot, a new
//     container that kept its host name). No waiting.
//   - another host name (every container restart has a new one): the run's
//     process has not beaten its heartbeat for Options.StaleAfter.
//
// Runs of this process, of live processes, and runs from another host written
// before heartbeats existed are left alone. An interrupted run claims neither
// pass nor fail. Open calls it, and KeepAlive on every beat.
func (s *Store) MarkInterrupted(ctx context.Context) (int, error) {
	var owners []owner
	err := each(ctx, s.r, func(rows *sql.Rows) error {
		var o owner
		err := rows.Scan(&o.id, &o.host, &o.pid, &o.start, &o.process, &o.lastBeat)
		owners = append(owners, o)
		return err
	}, `SELECT r.id, r.host, r.pid, r.proc_start, r.process, h.last_beat
FROM runs r LEFT JOIN heartbeats h ON h.process = r.process
WHERE r.outcome = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("find running runs: %w", err)
	}
	var dead []owner
	for _, o := range owners {
		if o.interrupt = s.gone(o); o.interrupt != "" {
			dead = append(dead, o)
		}
	}
	if len(dead) == 0 {
		return 0, nil
	}
	n, err := s.markInterrupted(ctx, dead)
	if err != nil {
		return 0, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return n, nil
}

// gone says why o's process is judged gone, or "" if it may be alive.
func (s *Store) gone(o owner) string {
	switch {
	case o.process != "" && o.process == s.process:
		return ""
	case o.host == s.host:
		if alive(o.pid, o.start) {
			return ""
		}
		return fmt.Sprintf("interrupted: loginprobe process %d on host %s ended before the run finished", o.pid, o.host)
	case o.process == "":
		return "" // written before heartbeats: nothing tells us about it
	case !o.lastBeat.Valid:
		return fmt.Sprintf("interrupted: loginprobe process %d on host %s left no heartbeat", o.pid, o.host)
	}
	last, err := parseTime(o.lastBeat.String)
	if err != nil || s.now().Sub(last) < s.o.StaleAfter {
		return ""
	}
	return fmt.Sprintf("interrupted: loginprobe process %d on host %s stopped heartbeating at %s",
		o.pid, o.host, fmtTime(last))
}

// markInterrupted writes the interruption of each run in dead that is still
// running.
func (s *Store) markInterrupted(ctx context.Context, dead []owner) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		now := fmtTime(s.now())
		for _, o := range dead {
			// outcome = 'running' again: the owner may have finished it since.
			res, err := tx.ExecContext(ctx, `UPDATE runs SET outcome = ?, message = ?, finished_at = ?
WHERE id = ? AND outcome = 'running'`, string(result.Interrupted), red(o.interrupt), now, o.id)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}
