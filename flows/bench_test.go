package flows_test

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// BenchmarkSignIn runs the sign-in flow against the local Clerk on a warm
// browser and reports its median and p95 duration, and the peak resident
// memory of Chromium (all its processes) during the runs.
//
//	go test ./flows -run '^$' -bench SignIn -benchtime 20x
func BenchmarkSignIn(b *testing.B) {
	benchFlow(b, "sign-in")
}

// BenchmarkEveryFlow runs each flow in turn (a `loginprobe run` with no
// --flow) and reports the same figures per whole suite.
func BenchmarkEveryFlow(b *testing.B) {
	for _, name := range []string{"clerk-health", "sign-in", "sign-up", "oauth-github", "oauth-google", "password-reset", "session", "user-api"} {
		b.Run(name, func(b *testing.B) { benchFlow(b, name) })
	}
}

func benchFlow(b *testing.B, name string) {
	h := newHarness(b)
	if r := h.run(b, name); r.Outcome != result.Pass { // warm the browser and the instance
		b.Fatalf("warm-up: %s", describe(r))
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // sample Chromium's memory while the runs go on
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if rss := rssKB(sharedBrowser.PIDs()); rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		r := h.run(b, name)
		if r.Outcome != result.Pass {
			b.Fatalf("%s", describe(r))
		}
		durs = append(durs, r.Duration)
	}
	b.StopTimer()
	close(stop)
	<-done
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)/2].Milliseconds()), "median-ms")
	b.ReportMetric(float64(durs[(len(durs)*95+99)/100-1].Milliseconds()), "p95-ms")
	b.ReportMetric(float64(peak.Load())/1024, "chromium-peak-MiB")
}

// rssKB sums VmRSS over pids, from /proc.
func rssKB(pids []int) int64 {
	var total int64
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				total += n
			}
		}
	}
	return total
}
