package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/loginprobe/loginprobe/internal/benchstat"
	"github.com/loginprobe/loginprobe/internal/result"
)

// benchReport is what `loginprobe bench` prints.
type benchReport struct {
	Flow      string            `json:"flow"`
	N         int               `json:"n"`
	C         int               `json:"c"`
	Paced     bool              `json:"paced"`
	WarmUp    time.Duration     `json:"warm_up_ns"`
	Elapsed   time.Duration     `json:"elapsed_ns"`
	Own       benchstat.Summary `json:"own"`  // each run's duration less the pacer's holds
	Held      benchstat.Summary `json:"held"` // the pacer's holds per run
	HeldTotal time.Duration     `json:"held_total_ns"`
	PerMinute float64           `json:"runs_per_minute"`
	Failures  int               `json:"failures"` // runs that did not pass (fail or error)
	Problems  []string          `json:"problems,omitempty"`
	PeakPSS   int64             `json:"peak_pss_bytes"` // loginprobe and its Chromium, summed over the process tree
	Steps     []benchStep       `json:"steps"`          // where a passing run's time goes
	Timeline  []benchMark       `json:"timeline,omitempty"`
}

// benchStep is the median of one step over the passing runs.
type benchStep struct {
	Name string        `json:"name"`
	P50  time.Duration `json:"p50_ns"`
}

// The parts of a run outside its steps.
const (
	partOpen    = "(record the start, open a browser context)"
	partCapture = "(final capture: page state, screenshot)"
	partClose   = "(close the browser context)"
)

// add fills the figures from the timed runs.
func (rep *benchReport) add(runs []*result.Run) {
	var own, held []time.Duration
	var passed []*result.Run
	for _, r := range runs {
		own = append(own, ownTime(r))
		held = append(held, r.Held)
		rep.HeldTotal += r.Held
		if r.Outcome == result.Pass {
			passed = append(passed, r)
			continue
		}
		rep.Failures++
		if len(rep.Problems) < 5 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("run %d %s: %s", r.ID, r.Outcome, r.Message))
		}
	}
	rep.Own, rep.Held = benchstat.Summarize(own), benchstat.Summarize(held)
	rep.PerMinute = benchstat.PerMinute(len(runs), rep.Elapsed)
	rep.Steps = stepProfile(passed)
}

// ownTime is the flow's own time: the run less the pacer's holds.
func ownTime(r *result.Run) time.Duration { return r.Duration - r.Held }

// stepProfile returns each step's median over runs, in the order the steps
// ran, with the parts of a run outside its steps.
func stepProfile(runs []*result.Run) []benchStep {
	if len(runs) == 0 {
		return nil
	}
	var order []string
	byName := map[string][]time.Duration{}
	add := func(name string, d time.Duration) {
		if _, seen := byName[name]; !seen {
			order = append(order, name)
		}
		byName[name] = append(byName[name], d)
	}
	for _, r := range runs {
		end := r.StartedAt
		for i, s := range r.Steps {
			switch {
			case i == 0:
				add(partOpen, s.StartedAt.Sub(r.StartedAt))
			case s.Always && !r.Steps[i-1].Always:
				add(partCapture, s.StartedAt.Sub(end))
			}
			add(s.Name, s.Duration)
			end = s.StartedAt.Add(s.Duration)
		}
		add(partClose, r.StartedAt.Add(r.Duration).Sub(end))
	}
	out := make([]benchStep, 0, len(order))
	for _, name := range order {
		out = append(out, benchStep{Name: name, P50: benchstat.Summarize(byName[name]).P50})
	}
	return out
}

func (rep *benchReport) print(w io.Writer) {
	fmt.Fprintf(w, "bench %s: %d runs, %d at once, one warm browser, a new browser context per run (warm-up run %s)\n",
		rep.Flow, rep.N, rep.C, secs(rep.WarmUp))
	fmt.Fprintf(w, "  flow time    p50 %s  p95 %s  max %s  (without the pacer's holds)\n", secs(rep.Own.P50), secs(rep.Own.P95), secs(rep.Own.Max))
	fmt.Fprintf(w, "  throughput   %.1f runs/min (%d in %s)\n", rep.PerMinute, rep.Own.N, secs(rep.Elapsed))
	fmt.Fprintf(w, "  failures     %d of %d\n", rep.Failures, rep.Own.N)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "               %s\n", p)
	}
	fmt.Fprintf(w, "  peak memory  %.0f MiB PSS (loginprobe + Chromium)\n", float64(rep.PeakPSS)/(1<<20))
	switch {
	case !rep.Paced:
		fmt.Fprintln(w, "  pacing       off (--no-pacing)")
	case rep.HeldTotal < 10*time.Millisecond:
		fmt.Fprintln(w, "  pacing       no request held: Clerk's rate limits did not cap this bench")
	default:
		fmt.Fprintf(w, "  pacing       held requests for %s in all (p50 %s, max %s a run) to stay within Clerk's per-IP rate limits: they, not the flow, capped the throughput\n",
			secs(rep.HeldTotal), secs(rep.Held.P50), secs(rep.Held.Max))
	}
	if len(rep.Steps) > 0 {
		fmt.Fprintln(w, "  steps (p50 of passing runs):")
		for _, s := range rep.Steps {
			fmt.Fprintf(w, "    %-42s %s\n", s.Name, secs(s.P50))
		}
	}
	if len(rep.Timeline) > 0 {
		printTimeline(w, rep.Timeline)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
