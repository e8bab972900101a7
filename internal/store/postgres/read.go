package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// runSelect reads the columns scanRun expects.
var runSelect = "SELECT id, " + strings.Join(runColumns, ", ") + " FROM runs"

// where builds a WHERE clause with numbered placeholders.
type where struct {
	conds []string
	args  []any
}

// add adds cond, whose "?" is the next placeholder.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1))
}

func (w *where) String() string {
	if w.conds == nil {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Runs returns the runs q selects, newest first, without steps, events or
// screenshots.
func (s *Store) Runs(ctx context.Context, q store.Query) ([]result.Run, error) {
	var w where
	if q.Flow != "" {
		w.add("flow = ?", q.Flow)
	}
	if q.Location != "" {
		w.add("probe = ?", q.Location)
	}
	if q.Outcome != "" {
		w.add("outcome = ?", string(q.Outcome))
	}
	if !q.Since.IsZero() {
		w.add("started_at >= ?", ts(q.Since))
	}
	if q.Verdicts {
		w.conds = append(w.conds, "outcome IN ('pass', 'fail', 'error')")
	}
	sqlq := runSelect + w.String() + " ORDER BY started_at DESC, id DESC"
	if q.Limit > 0 {
		sqlq += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	runs, err := queryRuns(ctx, s.pool, sqlq, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", s.err(err))
	}
	return runs, nil
}

// LastRuns returns, per flow, the newest run with a verdict.
func (s *Store) LastRuns(ctx context.Context) (map[string]result.Run, error) {
	runs, err := queryRuns(ctx, s.pool, "SELECT DISTINCT ON (flow) id, "+strings.Join(runColumns, ", ")+
		" FROM runs WHERE outcome IN ('pass', 'fail', 'error') ORDER BY flow, started_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("last runs: %w", s.err(err))
	}
	last := make(map[string]result.Run, len(runs))
	for _, r := range runs {
		last[r.Flow] = r
	}
	return last, nil
}

// Run returns the run with id with its steps, events and screenshots'
// metadata (Data nil); ErrNotFound if unknown.
func (s *Store) Run(ctx context.Context, id int64) (*result.Run, error) {
	var r result.Run
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		runs, err := queryRuns(ctx, tx, runSelect+" WHERE id = $1", id)
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return store.ErrNotFound
		}
		r = runs[0]
		if r.Steps, err = querySteps(ctx, tx, id); err != nil {
			return err
		}
		if r.Events, err = queryEvents(ctx, tx, id); err != nil {
			return err
		}
		r.Screenshots, err = queryScreenshots(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	return &r, nil
}

// Screenshots returns the screenshots of run runID with their bytes;
// ErrNotFound for an unknown run.
func (s *Store) Screenshots(ctx context.Context, runID int64) ([]result.Screenshot, error) {
	var shots []result.Screenshot
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM runs WHERE id = $1", runID).Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return store.ErrNotFound
			}
			return err
		}
		var err error
		shots, err = queryScreenshots(ctx, tx, runID, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("screenshots of run %d: %w", runID, err)
	}
	return shots, nil
}

// querier is what the pool and a transaction share.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// each runs q and calls scan for every row.
func each(ctx context.Context, db querier, scan func(pgx.Rows) error, q string, args ...any) error {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func queryRuns(ctx context.Context, db querier, q string, args ...any) ([]result.Run, error) {
	var runs []result.Run
	err := each(ctx, db, func(rows pgx.Rows) error {
		var (
			r         result.Run
			ev, notes string
			dur, held int64
		)
		d := &r.Diagnosis
		err := rows.Scan(&r.ID, &r.Flow, &r.Target, &r.Probe, &r.Attempt, &r.StartedAt, &dur, &r.Outcome,
			&r.Message, &d.Cause, &d.Summary, &d.Next, &ev,
			&r.ClerkStatus, &r.ClerkVersion, &r.PageURL, &r.PageTitle, &notes, &r.RetryOf, &held)
		if err != nil {
			return err
		}
		r.StartedAt = r.StartedAt.UTC()
		r.Duration, r.Held = time.Duration(dur), time.Duration(held)
		if d.Evidence, err = parseList(ev); err != nil {
			return err
		}
		if r.Notes, err = parseList(notes); err != nil {
			return err
		}
		runs = append(runs, r)
		return nil
	}, q, args...)
	return runs, err
}

func querySteps(ctx context.Context, db querier, runID int64) ([]result.Step, error) {
	var steps []result.Step
	err := each(ctx, db, func(rows pgx.Rows) error {
		var (
			st  result.Step
			dur int64
		)
		if err := rows.Scan(&st.Name, &st.StartedAt, &dur, &st.Outcome, &st.Error, &st.Always); err != nil {
			return err
		}
		st.StartedAt, st.Duration = st.StartedAt.UTC(), time.Duration(dur)
		steps = append(steps, st)
		return nil
	}, "SELECT name, started_at, duration_ns, outcome, error, always FROM steps WHERE run_id = $1 ORDER BY seq", runID)
	if err != nil {
		return nil, fmt.Errorf("steps: %w", err)
	}
	return steps, nil
}

func queryEvents(ctx context.Context, db querier, runID int64) ([]result.Event, error) {
	var events []result.Event
	err := each(ctx, db, func(rows pgx.Rows) error {
		var (
			e   result.Event
			dur int64
		)
		if err := rows.Scan(&e.Time, &e.Kind, &e.Level, &e.Text, &e.Source, &e.Method, &e.URL, &e.Status,
			&e.ClerkCode, &e.TraceID, &dur, &e.Failure, &e.BlockedBy); err != nil {
			return err
		}
		e.Time, e.Duration = e.Time.UTC(), time.Duration(dur)
		events = append(events, e)
		return nil
	}, `SELECT time, kind, level, text, source, method, url, status, clerk_code, trace_id, duration_ns, failure, blocked_by
FROM events WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return events, nil
}

// queryScreenshots reads a run's screenshots; the bytes only if withData.
func queryScreenshots(ctx context.Context, db querier, runID int64, withData bool) ([]result.Screenshot, error) {
	data := "NULL::bytea"
	if withData {
		data = "data"
	}
	var shots []result.Screenshot
	err := each(ctx, db, func(rows pgx.Rows) error {
		var sc result.Screenshot
		if err := rows.Scan(&sc.Step, &sc.When, &sc.Format, &sc.TakenAt, &sc.Data); err != nil {
			return err
		}
		if withData && sc.Data == nil {
			sc.Data = []byte{}
		}
		sc.TakenAt = sc.TakenAt.UTC()
		shots = append(shots, sc)
		return nil
	}, "SELECT step, kind, format, taken_at, "+data+" FROM screenshots WHERE run_id = $1 ORDER BY seq", runID)
	if err != nil {
		return nil, fmt.Errorf("screenshots: %w", err)
	}
	return shots, nil
}
