package dashboard

import (
	"slices"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// UptimeDefinition is written on the pages and in the README.
const UptimeDefinition = "Uptime is the share of verdicts that were up: a pass (a flaky pass, one that passed only on a retry, counts as up) against a fail. " +
	"Error runs (loginprobe could not judge), interrupted and skipped runs are left out, and a failed attempt that a retry superseded is not a verdict. " +
	"24 h counts the runs of the last 24 hours; 7, 30 and 90 days count whole UTC days, today included."

// Tally counts verdicts.
type Tally struct {
	Up    int `json:"up"`    // passes, flaky ones included
	Down  int `json:"down"`  // fails not superseded by a retry
	Flaky int `json:"flaky"` // passes on a retry
	Error int `json:"error"` // loginprobe could not judge; not in the uptime
}

// Uptime is Up/(Up+Down) as a percentage; ok is false without verdicts.
func (t Tally) Uptime() (pct float64, ok bool) {
	if t.Up+t.Down == 0 {
		return 0, false
	}
	return 100 * float64(t.Up) / float64(t.Up+t.Down), true
}

func (t *Tally) addDay(d store.DayStat) {
	t.Up += d.Pass
	t.Down += d.Down()
	t.Flaky += d.Flaky
	t.Error += d.Error
}

// tallyPoints counts runs: a run with attempt > 1 supersedes one failed
// attempt, as store.DayStat.Down does.
func tallyPoints(ps []store.RunPoint) Tally {
	var t Tally
	fails, retried := 0, 0
	for _, p := range ps {
		if p.Attempt > 1 {
			retried++
		}
		switch p.Outcome {
		case result.Pass:
			t.Up++
			if p.Attempt > 1 {
				t.Flaky++
			}
		case result.Fail:
			fails++
		case result.Error:
			t.Error++
		}
	}
	t.Down = max(fails-retried, 0)
	return t
}

// Day is one UTC day of one flow (or one status component).
type Day struct {
	Day   time.Time `json:"day"`
	State string    `json:"state"` // up, degraded, down, error (only loginprobe errors), none
	Tally
}

func dayState(t Tally) string {
	switch {
	case t.Up+t.Down == 0 && t.Error > 0:
		return "error"
	case t.Up+t.Down == 0:
		return "none"
	case t.Down == 0:
		return "up"
	case t.Up > t.Down:
		return "degraded"
	}
	return "down"
}

// days returns the n days ending today (UTC), oldest first, from rollups of
// any of flows.
func days(stats []store.DayStat, flows []string, today time.Time, n int) []Day {
	first := today.AddDate(0, 0, -(n - 1))
	out := make([]Day, n)
	for i := range out {
		out[i].Day = first.AddDate(0, 0, i)
	}
	for _, s := range stats {
		if !slices.Contains(flows, s.Flow) {
			continue
		}
		i := int(s.Day.Sub(first).Hours() / 24)
		if i >= 0 && i < n {
			out[i].addDay(s)
		}
	}
	for i := range out {
		out[i].State = dayState(out[i].Tally)
	}
	return out
}

// Uptimes are a flow's uptime over the standard windows; nil when there is
// no verdict in the window.
type Uptimes struct {
	H24 *float64 `json:"24h"`
	D7  *float64 `json:"7d"`
	D30 *float64 `json:"30d"`
	D90 *float64 `json:"90d"`
}

func pctPtr(t Tally) *float64 {
	if p, ok := t.Uptime(); ok {
		return &p
	}
	return nil
}

func uptimes(last24h Tally, ds []Day) Uptimes {
	sum := func(n int) Tally {
		var t Tally
		for _, d := range ds[len(ds)-n:] {
			t.Up, t.Down, t.Flaky, t.Error = t.Up+d.Up, t.Down+d.Down, t.Flaky+d.Flaky, t.Error+d.Error
		}
		return t
	}
	return Uptimes{H24: pctPtr(last24h), D7: pctPtr(sum(7)), D30: pctPtr(sum(30)), D90: pctPtr(sum(90))}
}

// Trend is duration percentiles per time bucket, of passing runs.
type Trend struct {
	Start  time.Time       `json:"start"`
	Bucket time.Duration   `json:"bucket_ns"`
	P50    []time.Duration `json:"p50_ns"` // 0 where the bucket has no pass
	P95    []time.Duration `json:"p95_ns"`
}

func trend(ps []store.RunPoint, start time.Time, bucket time.Duration, n int) Trend {
	tr := Trend{Start: start, Bucket: bucket, P50: make([]time.Duration, n), P95: make([]time.Duration, n)}
	per := make([][]time.Duration, n)
	for _, p := range ps {
		i := int(p.StartedAt.Sub(start) / bucket)
		if p.Outcome == result.Pass && i >= 0 && i < n {
			per[i] = append(per[i], p.Duration)
		}
	}
	for i, ds := range per {
		tr.P50[i], tr.P95[i] = percentile(ds, 50), percentile(ds, 95)
	}
	return tr
}

// percentile is the nearest-rank percentile of ds (sorted in place).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := (p*len(ds)+99)/100 - 1
	return ds[max(i, 0)]
}
