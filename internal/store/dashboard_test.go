package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRollupsBackfilled: a file from before migration 0005 gets daily
// rollups of the runs it holds (a retried pass counts as flaky and
// supersedes a fail; running runs are no verdict).
func TestRollupsBackfilled(t *testing.T) {
	t.Parallel()
	path := schema1File(t, `INSERT INTO runs (flow, started_at, outcome, attempt) VALUES
		 ('sign-in', '2026-01-01T00:00:00.000000000Z', 'pass', 1),
		 ('sign-in', '2026-01-01T08:00:00.000000000Z', 'fail', 1),
		 ('sign-in', '2026-01-01T08:00:10.000000000Z', 'pass', 2),
		 ('sign-in', '2026-01-02T08:00:00.000000000Z', 'error', 1),
		 ('sign-in', '2026-01-02T09:00:00.000000000Z', 'running', 1)`)
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

// TestRunPageUsesOutcomeIndex: a flow page filtered by outcome reads the
// index (flow, outcome, started_at) in order, with no sort and no scan of
// the flow's other runs.
func TestRunPageUsesOutcomeIndex(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	q, args := runPageQuery(RunFilter{Flow: "sign-in", Outcome: "error", Offset: 5000})
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INDEX runs_flow_outcome_started (flow=? AND outcome=?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("query plan %q: want the (flow, outcome, started_at) index and no sort", got)
	}
}
