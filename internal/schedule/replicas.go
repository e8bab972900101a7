package schedule

import (
	"context"
	"time"
)

// ClaimFunc claims the scheduled run of flow for slot (store.Slots'
// ClaimSlot with the replica's location bound): true when this replica is
// the first, false when another already ran it.
type ClaimFunc func(ctx context.Context, flow string, slot time.Time) (bool, error)

// claimTimeout bounds one claim: a database that does not answer quickly is
// treated as down.
const claimTimeout = 3 * time.Second

// Replicas of one location share a schedule through the database. With
// Options.Claim set, every flow's runs are aligned to the wall clock: its
// slots start at whole multiples of its interval plus its offset, the same
// instants in every replica, so the slot a run belongs to is the same
// whichever replica runs it. Before each run the replica claims the slot;
// a slot another replica already claimed is skipped. Together with the
// elector (only the leader runs jobs) a slot runs once per location, also
// in the moments around a failover when two replicas may both believe
// they lead.
//
// When the claim itself fails (the database is down), the run goes ahead:
// a monitor that stops probing while its database is away would be blind
// exactly when it is needed, and a duplicate run is the smaller harm.

// alignedStart is the first slot of a job at or after now: the next instant
// that is offset past a whole multiple of interval.
func alignedStart(now time.Time, interval, offset time.Duration) time.Time {
	t := now.Truncate(interval).Add(offset % interval)
	for t.Before(now) {
		t = t.Add(interval)
	}
	return t
}

// slotOf is the slot a run of j starting at t belongs to: the scheduled
// instant, found by undoing the offset and truncating to the interval (a
// run starts a few milliseconds after its slot, never a whole interval).
func (s *Scheduler) slotOf(i int, t time.Time) time.Time {
	j := s.o.Jobs[i]
	off := s.plan[i].Offset % j.Interval
	return t.Add(-off).Truncate(j.Interval).Add(off)
}

// claim reports whether this replica should run j now.
func (s *Scheduler) claim(ctx context.Context, j Job, now time.Time) bool {
	if s.o.Claim == nil {
		return true
	}
	i := s.index(j.Flow.Name())
	slot := s.slotOf(i, now)
	cctx, cancel := context.WithTimeout(ctx, claimTimeout)
	defer cancel()
	ok, err := s.o.Claim(cctx, j.Flow.Name(), slot)
	if err != nil {
		s.log.Warn("cannot claim the slot (database unreachable?): running it anyway", "flow", j.Flow.Name(), "slot", slot.UTC().Format(time.RFC3339Nano), "err", err)
		return true
	}
	if !ok {
		s.log.Info("slot already run by another replica: skipped", "flow", j.Flow.Name(), "slot", slot.UTC().Format(time.RFC3339Nano))
	}
	return ok
}

func (s *Scheduler) index(flow string) int {
	for i, j := range s.o.Jobs {
		if j.Flow.Name() == flow {
			return i
		}
	}
	return 0
}

// TookOver tells the scheduler this replica has just become its location's
// leader: the overdue check counts from now, not from runs a standby never
// made.
func (s *Scheduler) TookOver(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startAt = now
	clear(s.last)
}
