package store

import (
	"context"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestSuccessScreenshotRetention: of a flow's passing runs, only the newest
// keeps its final screenshot, whatever order they finish in; failure
// screenshots, failed runs' screenshots and other flows are untouched.
func TestSuccessScreenshotRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		order []int // finishing order of the three passing runs (by start)
	}{
		{"in order", []int{0, 1, 2}},
		{"newest finishes first", []int{2, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := openTest(t)
			ctx := context.Background()
			other := store(t, s, sampleRun("sign-up", result.Pass, t0, 1, 0, 10, "final"))
			fail1 := store(t, s, sampleRun("sign-in", result.Fail, t0, 1, 0, 10, "failure", "final"))
			pass := make([]int64, 3)
			for _, i := range tt.order {
				pass[i] = store(t, s, sampleRun("sign-in", result.Pass, t0.Add(time.Duration(i+1)*time.Hour), 1, 0, 10, "final"))
			}
			fail2 := store(t, s, sampleRun("sign-in", result.Fail, t0.Add(5*time.Hour), 1, 0, 10, "failure"))
			want := map[int64]int{other: 1, fail1: 2, pass[0]: 0, pass[1]: 0, pass[2]: 1, fail2: 1}
			for id, n := range want {
				shots, err := s.Screenshots(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if len(shots) != n {
					t.Errorf("run %d has %d screenshots, want %d", id, len(shots), n)
				}
			}
		})
	}
}

// TestPassWithoutFinalKeepsOlder: a passing run without a final screenshot
// does not remove the newest one there is.
func TestPassWithoutFinalKeepsOlder(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	old := store(t, s, sampleRun("sign-in", result.Pass, t0, 1, 0, 10, "final"))
	store(t, s, sampleRun("sign-in", result.Pass, t0.Add(time.Hour), 1, 0, 0))
	if n := count(t, s, "SELECT count(*) FROM screenshots WHERE run_id = ?", old); n != 1 {
		t.Errorf("run %d has %d screenshots, want 1", old, n)
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	now := t0.Add(32 * 24 * time.Hour) // runs of the first two days are more than 30 days old
	s := openTestWith(t, Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	var ids []int64
	for i := range 4 {
		ids = append(ids, store(t, s, sampleRun("sign-in", result.Fail, t0.Add(time.Duration(i)*24*time.Hour), 2, 3, 10, "failure")))
	}
	running := result.Run{Flow: "sign-in", StartedAt: t0.Add(-time.Hour)}
	if err := s.StartRun(ctx, &running); err != nil {
		t.Fatal(err)
	}
	p, err := s.Prune(ctx, Policy{Runs: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Runs; n != 2 {
		t.Errorf("Prune deleted %d runs, want 2", n)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM runs":        3, // 2 kept + the running one
		"SELECT count(*) FROM steps":       4,
		"SELECT count(*) FROM events":      6,
		"SELECT count(*) FROM screenshots": 2,
	} {
		if got := count(t, s, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	for _, id := range ids[:2] {
		if n := count(t, s, "SELECT count(*) FROM events WHERE run_id = ?", id); n != 0 {
			t.Errorf("pruned run %d still has %d events", id, n)
		}
	}
	if _, err := s.Run(ctx, running.ID); err != nil {
		t.Errorf("running run pruned: %v", err)
	}
}
