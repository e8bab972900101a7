package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// testRetention: with backdated records, Prune deletes old runs (not running
// ones), old screenshots of passed runs (not the newest per flow, not failed
// runs'), and old resolved incidents with their notifications (not open
// ones), in batches larger than one transaction's.
func testRetention(t *testing.T, open Opener) {
	ctx := context.Background()
	day := 24 * time.Hour
	clock := &Clock{now: T0.Add(40 * day)}
	db := process(t, open, "host-a", clock)
	shot := func(r *result.Run, when string) *result.Run {
		r.Screenshots = append(r.Screenshots, result.Screenshot{Step: "step-0", When: when, Format: "png",
			TakenAt: r.StartedAt, Data: []byte("png bytes of " + when)})
		return r
	}
	// 600 runs more than 30 days old: more than one batch.
	var oldIDs []int64
	for i := range 600 {
		oldIDs = append(oldIDs, save(t, db, shot(run("sign-in", result.Fail, T0.Add(time.Duration(i)*time.Minute)), "failure")))
	}
	running := run("sign-in", result.Running, T0)
	must(t, db.StartRun(ctx, running))
	now := clock.Now()
	oldPass := save(t, db, shot(run("sign-in", result.Pass, now.Add(-3*day)), "failure")) // a "final" would drop the older ones at once
	newestPass := save(t, db, shot(run("sign-in", result.Pass, now.Add(-2*day)), "failure"))
	otherFlowPass := save(t, db, shot(run("sign-up", result.Pass, now.Add(-5*day)), "failure"))
	recentFail := save(t, db, shot(run("sign-in", result.Fail, now.Add(-3*day)), "failure"))

	oldInc := incident("sign-in", run("sign-in", result.Fail, now.Add(-500*day)))
	must(t, db.OpenIncident(ctx, oldInc))
	must(t, db.ResolveIncident(ctx, oldInc.ID, now.Add(-499*day), 0))
	must(t, db.RecordNotification(ctx, result.Notification{IncidentID: oldInc.ID, Channel: "c", Kind: "slack", Event: result.NotifyOpen, At: now.Add(-500 * day), OK: true}))
	openOld := incident("sign-up", run("sign-up", result.Fail, now.Add(-450*day)))
	must(t, db.OpenIncident(ctx, openOld))

	p, err := db.Prune(ctx, store.Policy{Runs: 30 * day, PassScreenshots: day, Incidents: 400 * day})
	must(t, err)
	if p.Runs != 600 || p.Screenshots != 1 || p.Incidents != 1 {
		t.Errorf("Prune = %+v, want 600 runs, 1 screenshot, 1 incident", p)
	}
	for _, id := range []int64{oldIDs[0], oldIDs[599]} {
		if _, err := db.Run(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old run %d: %v, want ErrNotFound", id, err)
		}
	}
	if r, err := db.Run(ctx, running.ID); err != nil || r.Outcome != result.Running {
		t.Errorf("running run: %v, %v; want kept", r, err)
	}
	for id, want := range map[int64]int{oldPass: 0, newestPass: 1, otherFlowPass: 1, recentFail: 1} {
		shots, err := db.Screenshots(ctx, id)
		must(t, err)
		if len(shots) != want {
			t.Errorf("run %d has %d screenshots, want %d", id, len(shots), want)
		}
	}
	if _, err := db.Incident(ctx, oldInc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old resolved incident: %v, want ErrNotFound", err)
	}
	if n, err := db.Notifications(ctx, oldInc.ID); err != nil || len(n) != 0 {
		t.Errorf("its notifications: %v, %v; want none", n, err)
	}
	if _, err := db.Incident(ctx, openOld.ID); err != nil {
		t.Errorf("open incident pruned: %v", err)
	}
	if p, err := db.Prune(ctx, store.Policy{Runs: 30 * day, PassScreenshots: day, Incidents: 400 * day}); err != nil ||
		p.Runs+p.Screenshots+p.Incidents != 0 {
		t.Errorf("second Prune = %+v, %v; want nothing left to delete", p, err)
	}
}
