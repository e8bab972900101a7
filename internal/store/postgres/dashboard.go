package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

var _ store.Dashboard = (*Store)(nil)

// Flows lists every flow with a verdict, from the daily rollups.
func (s *Store) Flows(ctx context.Context) ([]string, error) {
	var flows []string
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var f string
		err := rows.Scan(&f)
		flows = append(flows, f)
		return err
	}, "SELECT DISTINCT flow FROM run_days ORDER BY flow")
	if err != nil {
		return nil, fmt.Errorf("flows: %w", s.err(err))
	}
	return flows, nil
}

// DayStats reads the daily rollups from since's UTC day on.
func (s *Store) DayStats(ctx context.Context, since time.Time) ([]store.DayStat, error) {
	var out []store.DayStat
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var d store.DayStat
		err := rows.Scan(&d.Flow, &d.Day, &d.Pass, &d.Flaky, &d.Fail, &d.Error, &d.Retried)
		d.Day = d.Day.UTC()
		out = append(out, d)
		return err
	}, "SELECT flow, day, pass, flaky, fail, error, retried FROM run_days WHERE day >= $1::date ORDER BY day, flow",
		since.UTC().Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("daily rollups: %w", s.err(err))
	}
	return out, nil
}

// RunPoints reads the light rows of flow's verdict runs since since.
func (s *Store) RunPoints(ctx context.Context, flow string, since time.Time) ([]store.RunPoint, error) {
	var out []store.RunPoint
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var (
			p   store.RunPoint
			dur int64
		)
		err := rows.Scan(&p.ID, &p.StartedAt, &dur, &p.Outcome, &p.Attempt)
		p.StartedAt, p.Duration = p.StartedAt.UTC(), time.Duration(dur)
		out = append(out, p)
		return err
	}, `SELECT id, started_at, duration_ns, outcome, attempt FROM runs
WHERE flow = $1 AND started_at >= $2 AND outcome IN ('pass', 'fail', 'error') ORDER BY started_at, id`,
		flow, ts(since))
	if err != nil {
		return nil, fmt.Errorf("runs of %s since %s: %w", flow, since.UTC().Format(time.RFC3339), s.err(err))
	}
	return out, nil
}

// LastVerdict reads flow's newest run with a verdict; nil if none.
func (s *Store) LastVerdict(ctx context.Context, flow string) (*result.Run, error) {
	runs, err := s.Runs(ctx, store.Query{Flow: flow, Verdicts: true, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

// RunPage reads one page of runs.
func (s *Store) RunPage(ctx context.Context, f store.RunFilter) ([]result.Run, error) {
	var w where
	if f.Flow != "" {
		w.add("flow = ?", f.Flow)
	}
	if f.Outcome != "" {
		w.add("outcome = ?", string(f.Outcome))
	}
	if f.Cause != "" {
		w.add("cause = ?", string(f.Cause))
		w.conds = append(w.conds, "cause <> ''") // matches the partial index
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := runSelect + w.String() + fmt.Sprintf(" ORDER BY started_at DESC, id DESC LIMIT %d OFFSET %d", limit, max(f.Offset, 0))
	runs, err := queryRuns(ctx, s.pool, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("page of runs: %w", s.err(err))
	}
	return runs, nil
}

// Causes lists the distinct causes of flow's runs.
func (s *Store) Causes(ctx context.Context, flow string) ([]result.Cause, error) {
	var out []result.Cause
	err := each(ctx, s.pool, func(rows pgx.Rows) error {
		var c result.Cause
		err := rows.Scan(&c)
		out = append(out, c)
		return err
	}, "SELECT DISTINCT cause FROM runs WHERE flow = $1 AND cause <> '' ORDER BY cause", flow)
	if err != nil {
		return nil, fmt.Errorf("causes of %s: %w", flow, s.err(err))
	}
	return out, nil
}

// LastPass reads flow's newest passing run before before, in full; nil if
// none.
func (s *Store) LastPass(ctx context.Context, flow string, before time.Time) (*result.Run, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM runs WHERE flow = $1 AND started_at < $2 AND outcome = 'pass'
ORDER BY started_at DESC, id DESC LIMIT 1`, flow, ts(before)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last pass of %s: %w", flow, s.err(err))
	}
	return s.Run(ctx, id)
}
