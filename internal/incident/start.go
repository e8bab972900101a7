package incident

import (
	"context"
	"sort"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// resendWindow is how long after its end a resolve is sent again at start
// to the channels that never got it.
const resendWindow = 24 * time.Hour

// unscheduledNote is the resolve message's summary for an incident of a
// flow removed from the schedule.
const unscheduledNote = "flow no longer scheduled: resolved when loginprobe started without it"

// resend hands the sender the open of every open incident and the resolve
// of the incidents resolved within resendWindow, oldest first. The incidents
// table is the outbox: a row is written in the transaction that opens or
// resolves, and the dispatcher skips a channel that already took the event.
func (t *Tracker) resend(ctx context.Context) error {
	if t.send == nil {
		return nil
	}
	recent, err := t.st.Incidents(ctx, store.IncidentQuery{Since: t.o.Now().Add(-resendWindow)})
	if err != nil {
		return err
	}
	sort.Slice(recent, func(i, j int) bool { return recent[i].ID < recent[j].ID })
	for _, in := range recent {
		if in.Location != t.o.Location {
			continue
		}
		if in.Open() {
			t.send.Send(result.NotifyOpen, in)
		} else {
			t.send.Send(result.NotifyResolve, in)
		}
	}
	return nil
}

// resolveUnscheduled resolves the open incidents of flows not in
// Options.Flows (removed or disabled in the config): no run of theirs will
// ever resolve them.
func (t *Tracker) resolveUnscheduled(ctx context.Context) error {
	if t.o.Flows == nil {
		return nil
	}
	for name, fs := range t.flows {
		if _, ok := t.o.Flows[name]; ok || fs.open == nil {
			continue
		}
		in, now := fs.open, t.o.Now()
		if err := t.st.ResolveIncident(ctx, in.ID, now, 0); err != nil {
			return err
		}
		t.o.Log.Info("incident resolved: flow no longer scheduled", "id", in.ID, "flow", name)
		in.ResolvedAt = now
		msg := *in
		msg.LatestDiagnosis = result.Diagnosis{Summary: unscheduledNote}
		t.notify(ctx, result.NotifyResolve, &msg, now)
		fs.open, fs.fails, fs.passes = nil, nil, 0
	}
	return nil
}
