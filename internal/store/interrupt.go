package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// owner is who wrote a run that is still marked running.
type owner struct {
	id    int64
	pid   int
	start string
}

// MarkInterrupted marks as interrupted the runs still running whose process
// is gone: same host name, and the pid is not alive, or is alive but is a
// different process than the one that started the run (pid reuse, reboot).
// It returns how many runs it marked. An interrupted run claims neither pass
// nor fail. Runs of live processes, and of other hosts (whose processes this
// one cannot see), are left alone. Open calls it.
func (s *Store) MarkInterrupted(ctx context.Context) (int, error) {
	var owners []owner
	err := each(ctx, s.r, func(rows *sql.Rows) error {
		var o owner
		err := rows.Scan(&o.id, &o.pid, &o.start)
		owners = append(owners, o)
		return err
	}, "SELECT id, pid, proc_start FROM runs WHERE outcome = 'running' AND host = ?", s.host)
	if err != nil {
		return 0, fmt.Errorf("find running runs: %w", err)
	}
	var dead []owner
	for _, o := range owners {
		if !alive(o.pid, o.start) {
			dead = append(dead, o)
		}
	}
	if len(dead) == 0 {
		return 0, nil
	}
	n := 0
	err = s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		now := fmtTime(time.Now())
		for _, o := range dead {
			msg := fmt.Sprintf("interrupted: loginprobe process %d on host %s ended before the run finished", o.pid, s.host)
			// outcome = 'running' again: the owner may have finished it since.
			res, err := tx.ExecContext(ctx, `UPDATE runs SET outcome = ?, message = ?, finished_at = ?
WHERE id = ? AND outcome = 'running'`, string(result.Interrupted), red(msg), now, o.id)
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
	if err != nil {
		return 0, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return n, nil
}
