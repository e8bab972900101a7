package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// unreachable is a real SQLite store that answers as an unreachable server
// would while down is set (the PostgreSQL outage itself is tested in
// store/postgres with a real server stopped and started).
type unreachable struct {
	*Store
	down atomic.Bool
}

var errDown = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (u *unreachable) FinishRun(ctx context.Context, r *result.Run) error {
	if u.down.Load() {
		return errDown
	}
	return u.Store.FinishRun(ctx, r)
}

func (u *unreachable) Heartbeat(ctx context.Context) error {
	if u.down.Load() {
		return errDown
	}
	return u.Store.Heartbeat(ctx)
}

// TestBufferBoundAndOrder: the byte bound drops the oldest runs and counts
// them; the runs kept are written oldest first, before a newer run; a run
// the store refuses while it is reachable is an error, not buffered, and one
// buffered while it was down is dropped when it refuses it refuseLimit times.
func TestBufferBoundAndOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &unreachable{Store: openTest(t)}
	buf := NewBuffer(db, BufferOptions{MaxBytes: 3 * (1024 + 10_000)})
	db.down.Store(true)
	for i := range 5 {
		r := sampleRun("sign-in", result.Fail, t0.Add(time.Duration(i)*time.Minute), 0, 0, 10_000, "failure")
		if err := buf.FinishRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Buffered() != 2 || buf.Dropped() != 3 {
		t.Fatalf("buffered %d, dropped %d; want 2 kept under the byte bound, 3 dropped", buf.Buffered(), buf.Dropped())
	}
	if err := buf.Healthy(ctx); err == nil {
		t.Error("Healthy while down = nil")
	}
	db.down.Store(false)
	last := sampleRun("sign-in", result.Pass, t0.Add(time.Hour), 0, 0, 0)
	if err := buf.FinishRun(ctx, &last); err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(runs, func(a, b result.Run) int { return cmp.Compare(a.ID, b.ID) }) // the order they were written
	var starts []time.Duration
	for _, r := range runs {
		starts = append(starts, r.StartedAt.Sub(t0))
	}
	if !slices.Equal(starts, []time.Duration{3 * time.Minute, 4 * time.Minute, time.Hour}) {
		t.Errorf("written %v, want the two newest buffered runs (3m, 4m) then the new one (1h)", starts)
	}
	bad := sampleRun("sign-in", result.Running, t0, 0, 0, 0)
	if err := buf.FinishRun(ctx, &bad); err == nil || buf.Buffered() != 0 {
		t.Errorf("a refused run: %v, %d buffered; want the error and nothing buffered", err, buf.Buffered())
	}
	db.down.Store(true) // while down, the store's verdict on it cannot be told: buffered
	if err := buf.FinishRun(ctx, &bad); err != nil || buf.Buffered() != 1 {
		t.Fatalf("a refused run while down: %v, %d buffered", err, buf.Buffered())
	}
	db.down.Store(false)
	for i := 1; i < refuseLimit; i++ { // a failure once back may be a dead connection: kept
		if _, err := buf.Flush(ctx); err == nil || buf.Buffered() != 1 {
			t.Fatalf("Flush %d of a run the store refuses = %v, %d buffered; want it kept for now", i, err, buf.Buffered())
		}
	}
	if n, err := buf.Flush(ctx); n != 0 || err != nil || buf.Buffered() != 0 || buf.Dropped() != 4 {
		t.Errorf("Flush of a run the store refuses = %d, %v (buffered %d, dropped %d); want it dropped, counted", n, err, buf.Buffered(), buf.Dropped())
	}
}
