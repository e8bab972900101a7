package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/diagnose"
	"github.com/loginprobe/loginprobe/internal/result"
)

// finish sets the outcome, the message, the events and the diagnosis. A
// failure whose diagnosis blames loginprobe's side (its own network, its
// state, Clerk's per-IP rate limit on the monitor) says nothing about the
// target, so it becomes an error, never a fail.
func (rn *Runner) finish(ctx context.Context, r *Run, err error) {
	rec := r.rec
	rec.Duration = time.Since(rec.StartedAt)
	rec.Events = append(r.events, rec.Events...)
	switch {
	case err == nil:
		rec.Outcome, rec.Message = result.Pass, ""
		return
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The caller's overall deadline (run --timeout) cut the run: the
		// target was not judged, so it is loginprobe's error, not a fail.
		rec.Outcome = result.Error
		rec.Message = r.redact(fmt.Sprintf("the overall deadline ended the run before it finished (%v)", err))
	case ctx.Err() != nil:
		// The caller gave up (SIGTERM or SIGINT, a scheduler shutting down):
		// the same verdict as a process killed outright, which the store
		// marks interrupted at the next start.
		rec.Outcome = result.Interrupted
		rec.Message = r.redact(fmt.Sprintf("interrupted: loginprobe was stopped before the run finished (%v)", err))
	default:
		rec.Outcome, rec.Message = outcomeOf(err), r.redact(err.Error())
	}
	if r.ownVerdict(err) {
		return
	}
	ev := diagnose.Evidence{
		Flow: rec.Flow, Outcome: rec.Outcome, FailedStep: failedStep(rec), Message: rec.Message,
		Events: flowEvents(rec.Events, r.flowEnd), ClerkStatus: rec.ClerkStatus, ClerkLoaded: rec.ClerkVersion != "",
		PageURL: rec.PageURL, PageTitle: rec.PageTitle, AppURL: rn.Config.Pages.SignInURL,
		FAPIPrefix: rn.Config.Clerk.FrontendAPIURL, BAPIPrefix: rn.Config.Clerk.BackendAPIURL,
	}
	if rec.Outcome == result.Fail {
		ev.Status = rn.clerkStatus(ctx)
	}
	rec.Diagnosis = diagnose.Diagnose(ev)
	if rec.Outcome == result.Fail && (rec.Diagnosis.Cause == result.CauseMonitor || rec.Diagnosis.Cause == result.CauseRateLimited) {
		rec.Outcome = result.Error
		ev.Outcome = result.Error
		d := diagnose.Diagnose(ev)
		if rec.Diagnosis.Cause == result.CauseRateLimited {
			d = rec.Diagnosis // keep the rate-limit explanation
		}
		rec.Diagnosis = d
	}
	if rec.Outcome == result.Error || rec.Outcome == result.Interrupted {
		for i := range rec.Steps { // the failed step shares its run's verdict
			if s := &rec.Steps[i]; !s.Always && (s.Outcome == result.Fail || s.Outcome == result.Error) {
				s.Outcome = rec.Outcome
			}
		}
	}
}

// flowEvents returns the events up to the end of the flow proper: what the
// cleanups did afterwards is not evidence of why the flow failed.
func flowEvents(evs []result.Event, end time.Time) []result.Event {
	if end.IsZero() {
		return evs
	}
	out := make([]result.Event, 0, len(evs))
	for _, e := range evs {
		if !e.Time.After(end) {
			out = append(out, e)
		}
	}
	return out
}

// store records the finished run. A failed write is retried; as a last
// resort the run is written without its screenshots, which are the likely
// cause. The verdict about the target is kept; the storage problem is added
// as a note and logged, and the run is returned whatever happens.
func (rn *Runner) store(ctx context.Context, rec *result.Run) {
	if rn.Store == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	var err error
	for attempt, wait := 0, 200*time.Millisecond; attempt < 3; attempt, wait = attempt+1, wait*4 {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = rn.Store.FinishRun(wctx, rec)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(wait) // backing off from a busy database, not waiting for a page
	}
	rn.Log.Error("recording the run", "flow", rec.Flow, "db", rn.Store.Path(), "err", err)
	shots := rec.Screenshots
	rec.Screenshots = nil
	rec.Notes = append(rec.Notes, fmt.Sprintf("recording the run failed (%v); stored without its %d screenshots", err, len(shots)))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err2 := rn.Store.FinishRun(wctx, rec); err2 != nil {
		rn.Log.Error("recording the run without screenshots", "flow", rec.Flow, "err", err2)
		rec.Notes = append(rec.Notes, fmt.Sprintf("the run is not in %s: %v", rn.Store.Path(), err2))
	}
	rec.Screenshots = shots
}

// clerkStatus reads Clerk's status page for the diagnosis; nil when unknown.
func (rn *Runner) clerkStatus(ctx context.Context) *clerk.Status {
	u := rn.Config.Clerk.StatusPageURL
	if u == "" {
		return nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	st, err := clerk.FetchStatus(sctx, &http.Client{Timeout: 5 * time.Second}, u)
	if err != nil {
		return nil
	}
	return &st
}

func failedStep(rec *result.Run) string {
	for _, s := range rec.Steps {
		if s.Outcome != result.Pass && !s.Always {
			return s.Name
		}
	}
	return ""
}
