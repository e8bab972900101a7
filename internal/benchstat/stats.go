// Package benchstat measures a benchmark of flows: the percentiles of their
// durations, runs per minute, and the proportional memory (PSS) of a process
// tree sampled while they run. It knows nothing about flows or browsers.
package benchstat

import (
	"math"
	"slices"
	"time"
)

// Summary describes a set of durations.
type Summary struct {
	N   int           `json:"n"`
	P50 time.Duration `json:"p50_ns"`
	P95 time.Duration `json:"p95_ns"`
	Max time.Duration `json:"max_ns"`
}

// Summarize returns the count, median, 95th percentile and maximum of ds,
// each one of the observed values (nearest rank). It does not change ds.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Summary{N: len(s), P50: Percentile(s, 50), P95: Percentile(s, 95), Max: s[len(s)-1]}
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of the sorted
// durations by the nearest-rank method: the smallest value with at least p %
// of the values at or below it. It returns 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// PerMinute returns how many runs per minute n runs in elapsed make.
func PerMinute(n int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) / elapsed.Minutes()
}
