package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// testLocation: a run's location (result.Run.Probe) is stored, read back,
// and selects runs.
func testLocation(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	for i, loc := range []string{"eu-west", "us-east", "eu-west"} {
		r := run("sign-in", result.Fail, T0.Add(time.Duration(i)*time.Minute))
		r.Probe = loc
		save(t, db, r)
	}
	runs, err := db.Runs(ctx, store.Query{Location: "eu-west"})
	must(t, err)
	if len(runs) != 2 || runs[0].Probe != "eu-west" || runs[1].Probe != "eu-west" {
		t.Errorf("runs at eu-west = %+v, want 2", runs)
	}
	got, err := db.Run(ctx, runs[0].ID)
	must(t, err)
	if got.Probe != "eu-west" {
		t.Errorf("Run(%d).Probe = %q, want eu-west", got.ID, got.Probe)
	}
}

// testClaimSlot: of several processes claiming one (flow, location, slot) at
// once, exactly one gets it; another location or another slot is a claim of
// its own; a later claim of a taken slot is refused; slots go with runs in
// retention.
func testClaimSlot(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := &Clock{now: T0}
	dbs := []store.DB{process(t, open, "host-a", clock), process(t, open, "host-b", clock), process(t, open, "host-c", clock)}
	slot := T0.Truncate(time.Minute)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for _, db := range dbs {
		for range 4 {
			wg.Go(func() {
				ok, err := db.ClaimSlot(ctx, "sign-in", "eu-west", slot)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d of 12 concurrent claims won the slot, want 1", wins)
	}
	claims := []struct {
		flow, loc string
		slot      time.Time
	}{
		{"sign-in", "eu-west", slot},                  // taken
		{"sign-in", "us-east", slot},                  // another location
		{"sign-in", "eu-west", slot.Add(time.Minute)}, // the next slot
		{"sign-up", "eu-west", slot},                  // another flow
		{"sign-in", "us-east", slot},                  // taken now
	}
	var got []bool
	for _, c := range claims {
		ok, err := dbs[1].ClaimSlot(ctx, c.flow, c.loc, c.slot)
		must(t, err)
		got = append(got, ok)
	}
	if want := []bool{false, true, true, true, false}; !reflect.DeepEqual(got, want) {
		t.Errorf("claims = %v, want %v", got, want)
	}
	clock.Set(T0.Add(31 * 24 * time.Hour))
	p, err := dbs[0].Prune(ctx, store.Policy{Runs: 30 * 24 * time.Hour})
	must(t, err)
	if p.Slots != 4 {
		t.Errorf("Prune deleted %d slots, want 4", p.Slots)
	}
	if ok, err := dbs[0].ClaimSlot(ctx, "sign-in", "eu-west", T0.Add(31*24*time.Hour)); err != nil || !ok {
		t.Errorf("a new slot after pruning: %v, %v; want claimed", ok, err)
	}
}
