package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

func TestRuns(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	ids := []int64{
		store(t, s, sampleRun("sign-in", result.Pass, h(0), 1, 0, 0)),
		store(t, s, sampleRun("sign-up", result.Fail, h(1), 1, 0, 0)),
		store(t, s, sampleRun("sign-in", result.Fail, h(2), 1, 0, 0)),
		store(t, s, sampleRun("sign-in", result.Pass, h(3), 1, 0, 0)),
	}
	tests := []struct {
		name string
		q    Query
		want []int64 // newest first
	}{
		{"all", Query{}, []int64{ids[3], ids[2], ids[1], ids[0]}},
		{"flow", Query{Flow: "sign-in"}, []int64{ids[3], ids[2], ids[0]}},
		{"outcome", Query{Outcome: result.Fail}, []int64{ids[2], ids[1]}},
		{"limit", Query{Limit: 2}, []int64{ids[3], ids[2]}},
		{"since", Query{Since: h(1)}, []int64{ids[3], ids[2], ids[1]}},
		{"all filters", Query{Flow: "sign-in", Outcome: result.Pass, Since: h(1), Limit: 5}, []int64{ids[3]}},
		{"none", Query{Flow: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := s.Runs(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range runs {
				got = append(got, r.ID)
			}
			equal(t, "ids", got, tt.want)
		})
	}
}

func TestLastRuns(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	store(t, s, sampleRun("sign-in", result.Pass, h(0), 0, 0, 0))
	failed := store(t, s, sampleRun("sign-in", result.Fail, h(1), 0, 0, 0))
	store(t, s, sampleRun("sign-in", result.Interrupted, h(2), 0, 0, 0))
	store(t, s, sampleRun("sign-in", result.Skipped, h(3), 0, 0, 0))
	if err := s.StartRun(ctx, &result.Run{Flow: "sign-in", StartedAt: h(4)}); err != nil {
		t.Fatal(err)
	}
	errored := store(t, s, sampleRun("oauth", result.Error, h(0), 0, 0, 0))
	last, err := s.LastRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for flow, r := range last {
		got[flow] = r.ID
		if flow != r.Flow {
			t.Errorf("last[%q] is a run of %q", flow, r.Flow)
		}
	}
	equal(t, "last run ids", got, map[string]int64{"sign-in": failed, "oauth": errored})
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Run(ctx, 42); !errors.Is(err, ErrNotFound) || err.Error() != "run 42: not found" {
		t.Errorf("Run(42) = %v, want run 42: not found", err)
	}
	if _, err := s.Screenshots(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Screenshots(42) = %v, want ErrNotFound", err)
	}
}
