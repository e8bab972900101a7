package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// runColumns are the columns of a run the caller fills, in runArgs' order.
var runColumns = []string{
	"flow", "target", "probe", "attempt", "started_at", "duration_ns", "outcome",
	"message", "cause", "summary", "next_step", "evidence",
	"clerk_status", "clerk_version", "page_url", "page_title", "notes",
	"retry_of", "held_ns",
}

func runArgs(r *result.Run) []any {
	d := r.Diagnosis
	return []any{
		red(r.Flow), red(r.Target), red(r.Probe), r.Attempt, ts(r.StartedAt),
		int64(r.Duration), string(r.Outcome),
		red(r.Message), red(string(d.Cause)), red(d.Summary), red(d.Next), jsonList(d.Evidence),
		red(r.ClerkStatus), red(r.ClerkVersion), red(r.PageURL), red(r.PageTitle), jsonList(r.Notes),
		r.RetryOf, int64(r.Held),
	}
}

// placeholders returns "$from, $from+1, …" for n values.
func placeholders(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(p, ", ")
}

// insertRun inserts r with this process as its owner and sets r.ID.
func (s *Store) insertRun(ctx context.Context, tx pgx.Tx, r *result.Run, finished bool) error {
	cols := append(append([]string{}, runColumns...), "host", "pid", "process", "finished_at")
	args := append(runArgs(r), red(s.host), s.pid, s.process, nil)
	if finished {
		args[len(args)-1] = ts(s.now())
	}
	q := "INSERT INTO runs (" + strings.Join(cols, ", ") + ") VALUES (" + placeholders(1, len(cols)) + ") RETURNING id"
	if err := tx.QueryRow(ctx, q, args...).Scan(&r.ID); err != nil {
		return fmt.Errorf("insert run of flow %q: %w", r.Flow, err)
	}
	return nil
}

// StartRun records that r has started (outcome running, StartedAt now if
// unset), sets r.ID, and from the first run on keeps a heartbeat.
func (s *Store) StartRun(ctx context.Context, r *result.Run) error {
	if r.Flow == "" {
		return errors.New("start run: flow is empty")
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = s.now()
	}
	r.Outcome = result.Running
	s.startHeartbeat()
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.beat(ctx, tx); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		return s.insertRun(ctx, tx, r, false)
	})
	if err != nil {
		r.ID = 0 // rolled back: FinishRun must insert the whole run, not update a row that is not there
	}
	return err
}

// StepDone records one finished step of run runID while it goes on.
func (s *Store) StepDone(ctx context.Context, runID int64, st result.Step) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO steps (run_id, seq, name, started_at, duration_ns, outcome, error, always)
SELECT $1, coalesce(max(seq) + 1, 0), $2, $3, $4, $5, $6, $7 FROM steps WHERE run_id = $1`,
			runID, red(st.Name), ts(st.StartedAt), int64(st.Duration), red(string(st.Outcome)), red(st.Error), st.Always)
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

// FinishRun records the end of r in one transaction, replacing what StepDone
// wrote; r.ID 0 inserts the whole run. As in SQLite, only the newest passing
// run of a flow keeps its "final" screenshot.
func (s *Store) FinishRun(ctx context.Context, r *result.Run) error {
	if r.Flow == "" {
		return fmt.Errorf("finish run %d: flow is empty", r.ID)
	}
	if !finalOutcomes[r.Outcome] {
		return fmt.Errorf("finish run %d of flow %q: outcome %q is not a final outcome", r.ID, r.Flow, r.Outcome)
	}
	id := r.ID
	err := s.tx(ctx, func(tx pgx.Tx) error {
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

func (s *Store) saveRun(ctx context.Context, tx pgx.Tx, r *result.Run) error {
	if r.ID == 0 {
		return s.insertRun(ctx, tx, r, true)
	}
	set := make([]string, len(runColumns))
	for i, c := range runColumns {
		set[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	n := len(runColumns)
	q := fmt.Sprintf("UPDATE runs SET %s, finished_at = $%d WHERE id = $%d", strings.Join(set, ", "), n+1, n+2)
	tag, err := tx.Exec(ctx, q, append(runArgs(r), ts(s.now()), r.ID)...)
	if err != nil {
		return fmt.Errorf("update run: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	for _, table := range []string{"steps", "events", "screenshots"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE run_id = $1", r.ID); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	return nil
}

// saveChildren inserts r's steps, events and screenshots with COPY.
func saveChildren(ctx context.Context, tx pgx.Tx, r *result.Run) error {
	steps := make([][]any, len(r.Steps))
	for i, st := range r.Steps {
		steps[i] = []any{r.ID, i, red(st.Name), ts(st.StartedAt), int64(st.Duration),
			red(string(st.Outcome)), red(st.Error), st.Always}
	}
	events := make([][]any, len(r.Events))
	for i, e := range r.Events {
		events[i] = []any{r.ID, i, ts(e.Time), red(string(e.Kind)), red(e.Level), red(e.Text),
			red(e.Source), red(e.Method), red(e.URL), e.Status, red(e.ClerkCode), red(e.TraceID),
			int64(e.Duration), red(string(e.Failure)), red(e.BlockedBy)}
	}
	shots := make([][]any, len(r.Screenshots))
	for i, sc := range r.Screenshots {
		data := sc.Data
		if data == nil {
			data = []byte{}
		}
		shots[i] = []any{r.ID, i, red(sc.Step), red(sc.When), red(sc.Format), ts(sc.TakenAt), data}
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"steps", []string{"run_id", "seq", "name", "started_at", "duration_ns", "outcome", "error", "always"}, steps},
		{"events", []string{"run_id", "seq", "time", "kind", "level", "text", "source", "method", "url", "status", "clerk_code", "trace_id", "duration_ns", "failure", "blocked_by"}, events},
		{"screenshots", []string{"run_id", "seq", "step", "kind", "format", "taken_at", "data"}, shots},
	}
	for _, c := range copies {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("insert %s: %w", c.table, err)
		}
	}
	return nil
}

// keepNewestFinal: of a flow's passing runs, only the newest one with a
// "final" screenshot keeps it (by start time, so runs finishing out of order
// keep the right one).
func keepNewestFinal(ctx context.Context, tx pgx.Tx, r *result.Run) error {
	if r.Outcome != result.Pass || !hasFinal(r) {
		return nil
	}
	_, err := tx.Exec(ctx, `
DELETE FROM screenshots
WHERE kind = 'final'
  AND run_id IN (SELECT id FROM runs WHERE flow = $1 AND outcome = 'pass')
  AND run_id <> (
    SELECT r.id FROM runs r
    WHERE r.flow = $1 AND r.outcome = 'pass'
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
