package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/result"
)

// runColumns are the columns of a run the caller fills, in runArgs' order.
var runColumns = []string{
	"flow", "target", "probe", "attempt", "started_at", "duration_ns", "outcome",
	"message", "cause", "summary", "next_step", "evidence",
	"clerk_status", "clerk_version", "page_url", "page_title", "notes", "retry_of",
	"held_ns",
}

// runArgs returns r's values for runColumns, every text redacted.
func runArgs(r *result.Run) []any {
	d := r.Diagnosis
	return []any{
		red(r.Flow), red(r.Target), red(r.Probe), r.Attempt, fmtTime(r.StartedAt),
		int64(r.Duration), string(r.Outcome),
		red(r.Message), red(string(d.Cause)), red(d.Summary), red(d.Next), fmtList(d.Evidence),
		red(r.ClerkStatus), red(r.ClerkVersion), red(r.PageURL), red(r.PageTitle), fmtList(r.Notes), r.RetryOf,
		int64(r.Held),
	}
}

// insertRun inserts r with this process as its owner and sets r.ID.
func (s *Store) insertRun(ctx context.Context, tx *sql.Tx, r *result.Run, finished bool) error {
	cols := append(append([]string{}, runColumns...), "host", "pid", "proc_start", "process", "finished_at")
	args := append(runArgs(r), red(s.host), s.pid, s.start, s.process, nil)
	if finished {
		args[len(args)-1] = fmtTime(s.now())
	}
	q := "INSERT INTO runs (" + strings.Join(cols, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(cols)-1) + ")"
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("insert run of flow %q: %w", r.Flow, err)
	}
	r.ID, err = res.LastInsertId()
	return err
}

// StartRun records that r has started: it sets r.Outcome to running (and
// r.StartedAt to now if unset), writes the run row with this process's id and
// host name, and sets r.ID. From the first run on, the process keeps a
// heartbeat (see MarkInterrupted) until Close.
func (s *Store) StartRun(ctx context.Context, r *result.Run) error {
	if r.Flow == "" {
		return errors.New("start run: flow is empty")
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = s.now()
	}
	r.Outcome = result.Running
	s.startHeartbeat()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.beat(ctx, tx); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		return s.insertRun(ctx, tx, r, false)
	})
	if err != nil {
		r.ID = 0 // rolled back: FinishRun must insert the run, not update a row that is not there
	}
	return err
}

// StepDone records one finished step of run runID while the run goes on, so
// a run whose process is killed keeps the steps it reached. Steps are
// numbered in the order they are recorded; FinishRun replaces them all with
// the run's final list, so nothing is stored twice.
func (s *Store) StepDone(ctx context.Context, runID int64, st result.Step) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO steps (run_id, seq, name, started_at, duration_ns, outcome, error, always)
SELECT ?1, coalesce(max(seq) + 1, 0), ?2, ?3, ?4, ?5, ?6, ?7 FROM steps WHERE run_id = ?1`,
			runID, red(st.Name), fmtTime(st.StartedAt), int64(st.Duration), red(string(st.Outcome)), red(st.Error), st.Always)
		if err != nil {
			return err
		}
		return s.beat(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("record step %q of run %d: %w", st.Name, runID, err)
	}
	return nil
}

// finalOutcomes are the outcomes a finished run may have.
var finalOutcomes = map[result.Outcome]bool{
	result.Pass: true, result.Fail: true, result.Error: true,
	result.Interrupted: true, result.Skipped: true,
}

// FinishRun records the end of r in one transaction: the run row, its steps,
// events and screenshots (with their bytes). It replaces whatever steps,
// events and screenshots were stored for r before, so a repeated call does not
// duplicate them, and it overwrites an "interrupted" mark (the run did end).
// r.ID 0 inserts the whole run (one that was never started). When a passing
// run has a "final" screenshot, the final screenshots of this flow's older
// passing runs are deleted: failure screenshots are all kept, success
// screenshots only for the newest passing run.
//
// The write honours ctx: to record a run cancelled by shutdown, pass
// context.WithoutCancel (with a timeout).
func (s *Store) FinishRun(ctx context.Context, r *result.Run) error {
	if r.Flow == "" {
		return fmt.Errorf("finish run %d: flow is empty", r.ID)
	}
	if !finalOutcomes[r.Outcome] {
		return fmt.Errorf("finish run %d of flow %q: outcome %q is not a final outcome", r.ID, r.Flow, r.Outcome)
	}
	id := r.ID
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.saveRun(ctx, tx, r); err != nil {
			return err
		}
		if err := saveChildren(ctx, tx, r); err != nil {
			return err
		}
		return keepNewestFinal(ctx, tx, r)
	})
	if err != nil {
		r.ID = id // an inserted row was rolled back
		return fmt.Errorf("finish run %d of flow %q: %w", id, r.Flow, err)
	}
	return nil
}

// saveRun updates r's row (or inserts it when r.ID is 0) and clears its
// children.
func (s *Store) saveRun(ctx context.Context, tx *sql.Tx, r *result.Run) error {
	if r.ID == 0 {
		return s.insertRun(ctx, tx, r, true)
	}
	q := "UPDATE runs SET " + strings.Join(runColumns, " = ?, ") + " = ?, finished_at = ? WHERE id = ?"
	args := append(runArgs(r), fmtTime(s.now()), r.ID)
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("update run: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(ErrNotFound, err)
	}
	for _, table := range []string{"steps", "events", "screenshots"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE run_id = ?", r.ID); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	return nil
}

// saveChildren inserts r's steps, events and screenshots.
func saveChildren(ctx context.Context, tx *sql.Tx, r *result.Run) error {
	steps := make([][]any, len(r.Steps))
	for i, st := range r.Steps {
		steps[i] = []any{r.ID, i, red(st.Name), fmtTime(st.StartedAt), int64(st.Duration),
			red(string(st.Outcome)), red(st.Error), st.Always}
	}
	events := make([][]any, len(r.Events))
	for i, e := range r.Events {
		events[i] = []any{r.ID, i, fmtTime(e.Time), red(string(e.Kind)), red(e.Level), red(e.Text),
			red(e.Source), red(e.Method), red(e.URL), e.Status, red(e.ClerkCode), red(e.TraceID),
			int64(e.Duration), red(string(e.Failure)), red(e.BlockedBy)}
	}
	shots := make([][]any, len(r.Screenshots))
	for i, sc := range r.Screenshots {
		data := sc.Data
		if data == nil {
			data = []byte{} // NOT NULL: an empty image is still a record that one was taken
		}
		shots[i] = []any{r.ID, i, red(sc.Step), red(sc.When), red(sc.Format), fmtTime(sc.TakenAt), data}
	}
	inserts := []struct {
		q    string
		rows [][]any
	}{
		{"INSERT INTO steps (run_id, seq, name, started_at, duration_ns, outcome, error, always) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", steps},
		{"INSERT INTO events (run_id, seq, time, kind, level, text, source, method, url, status, clerk_code, trace_id, duration_ns, failure, blocked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events},
		{"INSERT INTO screenshots (run_id, seq, step, kind, format, taken_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)", shots},
	}
	for _, in := range inserts {
		if err := insertRows(ctx, tx, in.q, in.rows); err != nil {
			return err
		}
	}
	return nil
}

// insertRows runs one prepared insert per row.
func insertRows(ctx context.Context, tx *sql.Tx, q string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return fmt.Errorf("prepare %.30s: %w", q, err)
	}
	defer st.Close()
	for i, args := range rows {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("%.30s row %d: %w", q, i, err)
		}
	}
	return nil
}

// keepNewestFinal applies the success-screenshot retention when r is a
// passing run with a "final" screenshot: of this flow's passing runs, only the
// newest one with a final screenshot keeps it. Chosen by start time, not by
// which finished last, so runs finishing out of order keep the right one.
func keepNewestFinal(ctx context.Context, tx *sql.Tx, r *result.Run) error {
	if r.Outcome != result.Pass || !hasFinal(r) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
DELETE FROM screenshots
WHERE kind = 'final'
  AND run_id IN (SELECT id FROM runs WHERE flow = ?1 AND outcome = 'pass')
  AND run_id <> (
    SELECT r.id FROM runs r
    WHERE r.flow = ?1 AND r.outcome = 'pass'
      AND EXISTS (SELECT 1 FROM screenshots s WHERE s.run_id = r.id AND s.kind = 'final')
    ORDER BY r.started_at DESC, r.id DESC LIMIT 1)`, red(r.Flow))
	if err != nil {
		return fmt.Errorf("delete older success screenshots: %w", err)
	}
	return nil
}

func hasFinal(r *result.Run) bool {
	for _, sc := range r.Screenshots {
		if sc.When == "final" {
			return true
		}
	}
	return false
}
