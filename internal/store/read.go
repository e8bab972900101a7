package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Query selects runs for Runs. Zero fields do not filter.
type Query struct {
	Flow     string
	Location string // result.Run.Probe
	Outcome  result.Outcome
	Limit    int       // at most this many runs; 0 means all
	Since    time.Time // runs that started at or after Since
	// Verdicts keeps only runs with a verdict about the target or loginprobe
	// (pass, fail, error): not running, interrupted or skipped ones.
	Verdicts bool
}

// runSelect reads the columns scanRun expects.
var runSelect = "SELECT id, " + strings.Join(runColumns, ", ") + " FROM runs"

// Runs returns the runs q selects, newest first. They carry no steps, events
// or screenshots (Steps is nil): listing never reads image bytes.
func (s *Store) Runs(ctx context.Context, q Query) ([]result.Run, error) {
	var (
		where []string
		args  []any
	)
	if q.Flow != "" {
		where, args = append(where, "flow = ?"), append(args, q.Flow)
	}
	if q.Location != "" {
		where, args = append(where, "probe = ?"), append(args, q.Location)
	}
	if q.Outcome != "" {
		where, args = append(where, "outcome = ?"), append(args, string(q.Outcome))
	}
	if !q.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, fmtTime(q.Since))
	}
	if q.Verdicts {
		where = append(where, "outcome IN ('pass', 'fail', 'error')")
	}
	sqlq := runSelect
	if where != nil {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += " ORDER BY started_at DESC, id DESC"
	if q.Limit > 0 {
		sqlq += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	runs, err := queryRuns(ctx, s.r, sqlq, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// LastRuns returns, per flow, the newest run that reached a verdict (pass,
// fail or error): running, interrupted and skipped runs say nothing about the
// target. It is what status and alerts compare against.
func (s *Store) LastRuns(ctx context.Context) (map[string]result.Run, error) {
	runs, err := queryRuns(ctx, s.r, runSelect+` WHERE id IN (
  SELECT id FROM (
    SELECT id, row_number() OVER (PARTITION BY flow ORDER BY started_at DESC, id DESC) AS n
    FROM runs WHERE outcome IN ('pass', 'fail', 'error'))
  WHERE n = 1)`)
	if err != nil {
		return nil, fmt.Errorf("last runs: %w", err)
	}
	last := make(map[string]result.Run, len(runs))
	for _, r := range runs {
		last[r.Flow] = r
	}
	return last, nil
}

// Run returns the run with id, with its steps, events and screenshots'
// metadata (Data nil; see Screenshots). An unknown id gives ErrNotFound.
func (s *Store) Run(ctx context.Context, id int64) (*result.Run, error) {
	var r result.Run
	err := s.read(ctx, func(tx *sql.Tx) error {
		runs, err := queryRuns(ctx, tx, runSelect+" WHERE id = ?", id)
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return ErrNotFound
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

// Screenshots returns the screenshots of run runID with their bytes, in the
// order they were given. An unknown run gives ErrNotFound.
func (s *Store) Screenshots(ctx context.Context, runID int64) ([]result.Screenshot, error) {
	var shots []result.Screenshot
	err := s.read(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM runs WHERE id = ?", runID).Scan(&one); err != nil {
			if err == sql.ErrNoRows {
				return ErrNotFound
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

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// each runs q and calls scan for every row.
func each(ctx context.Context, db querier, scan func(*sql.Rows) error, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
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
	err := each(ctx, db, func(rows *sql.Rows) error {
		var (
			r                  result.Run
			started, ev, notes string
			dur, held          int64
		)
		d := &r.Diagnosis
		err := rows.Scan(&r.ID, &r.Flow, &r.Target, &r.Probe, &r.Attempt, &started, &dur, &r.Outcome,
			&r.Message, &d.Cause, &d.Summary, &d.Next, &ev,
			&r.ClerkStatus, &r.ClerkVersion, &r.PageURL, &r.PageTitle, &notes, &r.RetryOf, &held)
		if err != nil {
			return err
		}
		r.Duration, r.Held = time.Duration(dur), time.Duration(held)
		if r.StartedAt, err = parseTime(started); err != nil {
			return err
		}
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
	err := each(ctx, db, func(rows *sql.Rows) error {
		var (
			st      result.Step
			started string
			dur     int64
		)
		err := rows.Scan(&st.Name, &started, &dur, &st.Outcome, &st.Error, &st.Always)
		if err != nil {
			return err
		}
		st.Duration = time.Duration(dur)
		st.StartedAt, err = parseTime(started)
		steps = append(steps, st)
		return err
	}, "SELECT name, started_at, duration_ns, outcome, error, always FROM steps WHERE run_id = ? ORDER BY seq", runID)
	if err != nil {
		return nil, fmt.Errorf("steps: %w", err)
	}
	return steps, nil
}

func queryEvents(ctx context.Context, db querier, runID int64) ([]result.Event, error) {
	var events []result.Event
	err := each(ctx, db, func(rows *sql.Rows) error {
		var (
			e   result.Event
			at  string
			dur int64
		)
		err := rows.Scan(&at, &e.Kind, &e.Level, &e.Text, &e.Source, &e.Method, &e.URL, &e.Status,
			&e.ClerkCode, &e.TraceID, &dur, &e.Failure, &e.BlockedBy)
		if err != nil {
			return err
		}
		e.Duration = time.Duration(dur)
		e.Time, err = parseTime(at)
		events = append(events, e)
		return err
	}, `SELECT time, kind, level, text, source, method, url, status, clerk_code, trace_id, duration_ns, failure, blocked_by
FROM events WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return events, nil
}

// queryScreenshots reads a run's screenshots; the bytes only if withData.
func queryScreenshots(ctx context.Context, db querier, runID int64, withData bool) ([]result.Screenshot, error) {
	data := "NULL"
	if withData {
		data = "data"
	}
	var shots []result.Screenshot
	err := each(ctx, db, func(rows *sql.Rows) error {
		var (
			sc    result.Screenshot
			taken string
		)
		err := rows.Scan(&sc.Step, &sc.When, &sc.Format, &taken, &sc.Data)
		if err != nil {
			return err
		}
		if withData && sc.Data == nil {
			sc.Data = []byte{}
		}
		sc.TakenAt, err = parseTime(taken)
		shots = append(shots, sc)
		return err
	}, "SELECT step, kind, format, taken_at, "+data+" FROM screenshots WHERE run_id = ? ORDER BY seq", runID)
	if err != nil {
		return nil, fmt.Errorf("screenshots: %w", err)
	}
	return shots, nil
}
