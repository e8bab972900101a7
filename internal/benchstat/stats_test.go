package benchstat

import (
	"os"
	"testing"
	"time"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want Summary
	}{
		{"none", nil, Summary{}},
		{"one", ms(700), Summary{N: 1, P50: 700 * time.Millisecond, P95: 700 * time.Millisecond, Max: 700 * time.Millisecond}},
		{"two: the median is the lower", ms(900, 100), Summary{N: 2, P50: 100 * time.Millisecond, P95: 900 * time.Millisecond, Max: 900 * time.Millisecond}},
		{"odd, unsorted", ms(5, 1, 4, 2, 3), Summary{N: 5, P50: 3 * time.Millisecond, P95: 5 * time.Millisecond, Max: 5 * time.Millisecond}},
		{"twenty: p95 is the 19th", ms(20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1),
			Summary{N: 20, P50: 10 * time.Millisecond, P95: 19 * time.Millisecond, Max: 20 * time.Millisecond}},
		{"one slow outlier", ms(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5000),
			Summary{N: 21, P50: 10 * time.Millisecond, P95: 10 * time.Millisecond, Max: 5 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tc.in...)
			if got := Summarize(tc.in); got != tc.want {
				t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
			}
			for i := range in {
				if in[i] != tc.in[i] {
					t.Fatalf("Summarize reordered its input: %v", tc.in)
				}
			}
		})
	}
}

func TestPerMinute(t *testing.T) {
	for _, tc := range []struct {
		n       int
		elapsed time.Duration
		want    float64
	}{
		{20, time.Minute, 20},
		{20, 30 * time.Second, 40},
		{1, 500 * time.Millisecond, 120},
		{5, 0, 0},
	} {
		if got := PerMinute(tc.n, tc.elapsed); got != tc.want {
			t.Errorf("PerMinute(%d, %s) = %v, want %v", tc.n, tc.elapsed, got, tc.want)
		}
	}
}

func TestPSSOfThisProcess(t *testing.T) {
	self := PSS([]int{os.Getpid()})
	if self <= 0 {
		t.Fatalf("PSS of this process = %d, want > 0", self)
	}
	if got := PSS([]int{-1, 1 << 30}); got != 0 {
		t.Errorf("PSS of processes that do not exist = %d, want 0", got)
	}
	p := StartPeak(time.Hour, func() []int { return []int{os.Getpid()} })
	if peak := p.Stop(); peak <= 0 {
		t.Errorf("Peak sampled nothing before Stop: %d", peak)
	}
}
