package store

import (
	"context"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Dashboard is what the dashboard and the status page read: runs and
// incidents as Reader and Incidents give them, plus the daily rollups and
// light run rows the overview needs to stay fast over millions of runs.
// Part of DB: *Store (SQLite) and the PostgreSQL store implement it, both
// with a rollup table kept by triggers.
type Dashboard interface {
	Reader
	// Flows lists every flow that has a verdict, sorted by name.
	Flows(ctx context.Context) ([]string, error)
	// DayStats returns the daily rollups of every flow from the UTC day of
	// since on, oldest first. Rollups outlive the runs they count.
	DayStats(ctx context.Context, since time.Time) ([]DayStat, error)
	// RunPoints returns the verdict runs (pass, fail, error) of flow that
	// started at or after since, oldest first, in their light form.
	RunPoints(ctx context.Context, flow string, since time.Time) ([]RunPoint, error)
	// LastVerdict returns the newest run of flow with a verdict (without
	// steps), or nil when it has none.
	LastVerdict(ctx context.Context, flow string) (*result.Run, error)
	// RunPage returns the runs f selects, newest first, without steps.
	RunPage(ctx context.Context, f RunFilter) ([]result.Run, error)
	// Causes lists the causes the runs of flow carry, sorted.
	Causes(ctx context.Context, flow string) ([]result.Cause, error)
	// LastPass returns the newest passing run of flow that started before
	// before, with its steps, events and screenshots' metadata; nil if none.
	LastPass(ctx context.Context, flow string, before time.Time) (*result.Run, error)

	OpenIncidents(ctx context.Context) ([]result.Incident, error)
	Incidents(ctx context.Context, q IncidentQuery) ([]result.Incident, error)
	Incident(ctx context.Context, id int64) (*result.Incident, error)
	Notifications(ctx context.Context, incidentID int64) ([]result.Notification, error)
	// NotificationsOf returns, for each of ids, its newest per notifications
	// (oldest first) and its total, in one query.
	NotificationsOf(ctx context.Context, ids []int64, per int) (map[int64]Notes, error)
}

var _ Dashboard = (*Store)(nil)

// DayStat is one flow's verdicts on one UTC day.
type DayStat struct {
	Flow  string    `json:"flow"`
	Day   time.Time `json:"day"` // midnight UTC
	Pass  int       `json:"pass"`
	Flaky int       `json:"flaky"` // passes on a retry (also counted in Pass)
	Fail  int       `json:"fail"`
	Error int       `json:"error"`
	// Retried counts the failed attempts of this day that a later attempt
	// of the same scheduled run superseded (linked by retry_of; before
	// schema 6, runs with attempt > 1): their fail is not a verdict (see Down).
	Retried int `json:"retried"`
}

// Down is the number of fail verdicts: fails not superseded by a retry.
func (d DayStat) Down() int { return max(d.Fail-d.Retried, 0) }

// RunPoint is the light form of a run: what charts and uptime read.
type RunPoint struct {
	ID        int64          `json:"id"`
	StartedAt time.Time      `json:"started_at"`
	Duration  time.Duration  `json:"duration_ns"` // without loginprobe's own pacing holds (Run.FlowDuration)
	Outcome   result.Outcome `json:"outcome"`
	Attempt   int            `json:"attempt"`
}

// RunFilter selects a page of runs for RunPage. Zero fields do not filter.
type RunFilter struct {
	Flow    string
	Outcome result.Outcome
	Cause   result.Cause
	Offset  int
	Limit   int // 0 means 50
}

// dayLayout is run_days.day.
const dayLayout = "2006-01-02"
