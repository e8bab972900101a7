package flows_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestStoredSize: a passing sign-in is stored in at most 5 KB (its steps,
// timings, Clerk requests and console warnings; the newest passing run's
// final screenshot, one per flow, is counted apart), a failing one in at most
// 100 KB with everything and its failure screenshot.
func TestStoredSize(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pass := h.run(t, "sign-in")
	if pass.Outcome != result.Pass {
		t.Fatalf("sign-in: %s", describe(pass))
	}
	h.setFaults(t, fakeclerk.FaultFAPI500)
	failed := h.run(t, "sign-in")
	if failed.Outcome != result.Fail {
		t.Fatalf("sign-in under fapi_500: %s", describe(failed))
	}
	db, err := sql.Open("sqlite3", h.cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	passRows, _ := storedBytes(t, db, pass.ID, "kind <> 'final'")
	if passRows > 5<<10 || passRows == 0 {
		t.Errorf("a passing sign-in stores %d bytes (%d events of %d), want 1 to %d", passRows, eventCount(t, db, pass.ID), len(pass.Events), 5<<10)
	}
	rows, shots := storedBytes(t, db, failed.ID, "1")
	if rows+shots > 100<<10 || shots == 0 {
		t.Errorf("a failing sign-in stores %d bytes of rows and %d of screenshots, want a screenshot and at most %d in all", rows, shots, 100<<10)
	}
	t.Logf("stored: passing %d bytes, %d events; failing %d bytes of rows + %d of screenshot", passRows, eventCount(t, db, pass.ID), rows, shots)
}

// storedBytes sums the bytes of a run's values as SQLite holds them (text and
// blob lengths; numbers as their text): its run, step and event rows, and
// apart, its screenshots matching where.
func storedBytes(t *testing.T, db *sql.DB, id int64, where string) (rows, shots int64) {
	t.Helper()
	q := `SELECT
  (SELECT coalesce(sum(length(flow)+length(target)+length(probe)+length(started_at)+length(duration_ns)+length(outcome)+length(message)+length(cause)+length(summary)+length(next_step)+length(evidence)+length(clerk_status)+length(clerk_version)+length(page_url)+length(page_title)+length(notes)+length(host)+length(pid)+length(proc_start)+length(finished_at)), 0) FROM runs WHERE id = ?1)
+ (SELECT coalesce(sum(length(name)+length(started_at)+length(duration_ns)+length(outcome)+length(error)+8), 0) FROM steps WHERE run_id = ?1)
+ (SELECT coalesce(sum(length(time)+length(kind)+length(level)+length(text)+length(source)+length(method)+length(url)+length(status)+length(clerk_code)+length(trace_id)+length(duration_ns)+8), 0) FROM events WHERE run_id = ?1),
  (SELECT coalesce(sum(length(data)+length(step)+length(kind)+length(format)+length(taken_at)), 0) FROM screenshots WHERE run_id = ?1 AND ` + where + `)`
	if err := db.QueryRowContext(context.Background(), q, id).Scan(&rows, &shots); err != nil {
		t.Fatal(err)
	}
	return rows, shots
}

func eventCount(t *testing.T, db *sql.DB, id int64) (n int) {
	t.Helper()
	if err := db.QueryRow("SELECT count(*) FROM events WHERE run_id = ?", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
