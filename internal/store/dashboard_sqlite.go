package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Flows lists every flow with a verdict, from the daily rollups.
func (s *Store) Flows(ctx context.Context) ([]string, error) {
	flows, err := column[string](ctx, s.r, "SELECT DISTINCT flow FROM run_days ORDER BY flow")
	if err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	return flows, nil
}

// DayStats reads the daily rollups from since's day on.
func (s *Store) DayStats(ctx context.Context, since time.Time) ([]DayStat, error) {
	var out []DayStat
	err := each(ctx, s.r, func(rows *sql.Rows) error {
		var (
			d   DayStat
			day string
		)
		if err := rows.Scan(&d.Flow, &day, &d.Pass, &d.Flaky, &d.Fail, &d.Error, &d.Retried); err != nil {
			return err
		}
		t, err := time.Parse(dayLayout, day)
		if err != nil {
			return fmt.Errorf("bad day %q in database: %w", day, err)
		}
		d.Day = t
		out = append(out, d)
		return nil
	}, "SELECT flow, day, pass, flaky, fail, error, retried FROM run_days WHERE day >= ? ORDER BY day, flow",
		since.UTC().Format(dayLayout))
	if err != nil {
		return nil, fmt.Errorf("daily rollups: %w", err)
	}
	return out, nil
}

// RunPoints reads the light rows of flow's verdict runs since since.
func (s *Store) RunPoints(ctx context.Context, flow string, since time.Time) ([]RunPoint, error) {
	var out []RunPoint
	err := each(ctx, s.r, func(rows *sql.Rows) error {
		var (
			p       RunPoint
			started string
			dur     int64
		)
		if err := rows.Scan(&p.ID, &started, &dur, &p.Outcome, &p.Attempt); err != nil {
			return err
		}
		p.Duration = time.Duration(dur)
		var err error
		p.StartedAt, err = parseTime(started)
		out = append(out, p)
		return err
	}, `SELECT id, started_at, duration_ns - held_ns, outcome, attempt FROM runs
WHERE flow = ? AND started_at >= ? AND outcome IN ('pass', 'fail', 'error') ORDER BY started_at, id`,
		flow, fmtTime(since))
	if err != nil {
		return nil, fmt.Errorf("runs of %s since %s: %w", flow, fmtTime(since), err)
	}
	return out, nil
}

// LastVerdict reads flow's newest run with a verdict, walking the
// (flow, started_at) index backwards.
func (s *Store) LastVerdict(ctx context.Context, flow string) (*result.Run, error) {
	runs, err := s.Runs(ctx, Query{Flow: flow, Verdicts: true, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

// RunPage reads one page of runs.
func (s *Store) RunPage(ctx context.Context, f RunFilter) ([]result.Run, error) {
	q, args := runPageQuery(f)
	runs, err := queryRuns(ctx, s.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("page of runs: %w", err)
	}
	return runs, nil
}

// runPageQuery is RunPage's SQL. A filter by outcome walks the index
// (flow, outcome, started_at) backwards; by cause, the partial index of
// runs with a cause.
func runPageQuery(f RunFilter) (string, []any) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if f.Flow != "" {
		add("flow = ?", f.Flow)
	}
	if f.Outcome != "" {
		add("outcome = ?", string(f.Outcome))
	}
	if f.Cause != "" {
		add("cause = ?", string(f.Cause))
		where = append(where, "cause <> ''") // lets SQLite use the partial index
	}
	q := runSelect
	if where != nil {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += fmt.Sprintf(" ORDER BY started_at DESC, id DESC LIMIT %d OFFSET %d", limit, max(f.Offset, 0))
	return q, args
}

// Causes lists the distinct causes of flow's runs.
func (s *Store) Causes(ctx context.Context, flow string) ([]result.Cause, error) {
	out, err := column[result.Cause](ctx, s.r, "SELECT DISTINCT cause FROM runs WHERE flow = ? AND cause <> '' ORDER BY cause", flow)
	if err != nil {
		return nil, fmt.Errorf("causes of %s: %w", flow, err)
	}
	return out, nil
}

// LastPass reads flow's newest passing run before before, in full.
func (s *Store) LastPass(ctx context.Context, flow string, before time.Time) (*result.Run, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM runs WHERE flow = ? AND started_at < ? AND outcome = 'pass'
ORDER BY started_at DESC, id DESC LIMIT 1`, flow, fmtTime(before)).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last pass of %s: %w", flow, err)
	}
	return s.Run(ctx, id)
}
