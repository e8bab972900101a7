package dashboard

import (
	"context"
	"net/http"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// historyDays is how many days the bars show.
const historyDays = 90

// FlowRow is one flow on the overview.
type FlowRow struct {
	Flow     string           `json:"flow"`
	State    string           `json:"state"` // pass, failing, error, flaky
	Cause    result.Cause     `json:"cause,omitempty"`
	Summary  string           `json:"summary,omitempty"`
	LastRun  *RunRef          `json:"last_run,omitempty"`
	Uptime   Uptimes          `json:"uptime"`
	Last24h  Tally            `json:"last_24h"`
	Days     []Day            `json:"days"`
	Trend    Trend            `json:"trend_24h"`
	Incident *result.Incident `json:"open_incident,omitempty"`
}

// RunRef is a run as a row names it.
type RunRef struct {
	ID        int64          `json:"id"`
	StartedAt time.Time      `json:"started_at"`
	Duration  time.Duration  `json:"duration_ns"`
	Outcome   result.Outcome `json:"outcome"`
	Attempt   int            `json:"attempt"`
}

func refOf(r *result.Run) *RunRef {
	return &RunRef{ID: r.ID, StartedAt: r.StartedAt, Duration: r.FlowDuration(), Outcome: r.Outcome, Attempt: r.Attempt}
}

// Overview is the page at /.
type Overview struct {
	Now              time.Time         `json:"now"`
	Flows            []FlowRow         `json:"flows"`
	Clerk            *ClerkView        `json:"clerk"`
	OpenIncidents    []result.Incident `json:"open_incidents"`
	UptimeDefinition string            `json:"uptime_definition"`
}

// state names a flow's current state from its newest verdict.
func state(r *result.Run) string {
	switch {
	case r.Flaky():
		return "flaky"
	case r.Outcome == result.Pass:
		return "pass"
	case r.Outcome == result.Fail:
		return "failing"
	}
	return "error"
}

func (h *handler) overview(ctx context.Context) (*Overview, error) {
	now := h.now()
	today := now.UTC().Truncate(24 * time.Hour)
	flows, err := h.db.Flows(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := h.db.DayStats(ctx, today.AddDate(0, 0, -(historyDays-1)))
	if err != nil {
		return nil, err
	}
	open, err := h.db.OpenIncidents(ctx)
	if err != nil {
		return nil, err
	}
	ov := &Overview{Now: now, OpenIncidents: open, UptimeDefinition: UptimeDefinition, Clerk: h.clerkView()}
	for _, f := range flows {
		row, err := h.flowRow(ctx, f, now, today, stats)
		if err != nil {
			return nil, err
		}
		for i := range open {
			if open[i].Flow == f && open[i].Kind == result.IncidentFlow {
				row.Incident = &open[i]
			}
		}
		ov.Flows = append(ov.Flows, row)
	}
	return ov, nil
}

func (h *handler) flowRow(ctx context.Context, flow string, now, today time.Time, stats []store.DayStat) (FlowRow, error) {
	row := FlowRow{Flow: flow}
	last, err := h.db.LastVerdict(ctx, flow)
	if err != nil {
		return row, err
	}
	if last != nil {
		row.State, row.LastRun = state(last), refOf(last)
		if last.Outcome != result.Pass {
			row.Cause, row.Summary = last.Diagnosis.Cause, last.Diagnosis.Summary
		}
	}
	since := now.Add(-24 * time.Hour)
	pts, err := h.db.RunPoints(ctx, flow, since)
	if err != nil {
		return row, err
	}
	row.Last24h = tallyPoints(pts)
	row.Days = days(stats, []string{flow}, today, historyDays)
	row.Uptime = uptimes(row.Last24h, row.Days)
	row.Trend = trend(pts, since.Truncate(time.Hour), time.Hour, 25)
	return row, nil
}

func (h *handler) serveOverview(w http.ResponseWriter, r *http.Request) {
	ov, err := h.overview(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "overview", "Overview", ov)
}
