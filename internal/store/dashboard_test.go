package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestRollupsBackfilled: a file from before migration 0005 gets daily
// rollups of the runs it holds (a retried pass counts as flaky and
// supersedes a fail; running runs are no verdict).
func TestRollupsBackfilled(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{ms[0].sql, "PRAGMA user_version = 1",
		`INSERT INTO runs (flow, started_at, outcome, attempt) VALUES
		 ('sign-in', '2026-01-01T00:00:00.000000000Z', 'pass', 1),
		 ('sign-in', '2026-01-01T08:00:00.000000000Z', 'fail', 1),
		 ('sign-in', '2026-01-01T08:00:10.000000000Z', 'pass', 2),
		 ('sign-in', '2026-01-02T08:00:00.000000000Z', 'error', 1),
		 ('sign-in', '2026-01-02T09:00:00.000000000Z', 'running', 1)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.DayStats(context.Background(), time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := []DayStat{
		{Flow: "sign-in", Day: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Pass: 2, Flaky: 1, Fail: 1, Retried: 1},
		{Flow: "sign-in", Day: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Error: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DayStats =\n%+v\nwant\n%+v", got, want)
	}
}
