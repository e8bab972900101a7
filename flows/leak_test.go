package flows_test

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestRoundsLeaveNothing runs every flow several times in a row (the flows of
// a round at once, as the scheduler does) on one browser, and checks that
// nothing accumulates: no synthetic users, no Chromium process beyond the one
// browser's, no growth in this process's open file descriptors.
// It is not parallel, so other tests' tabs and servers do not blur the count.
//
// The default suite runs 3 rounds (a warm-up and two measured) to keep its
// time; scripts/soak.sh sets LOGINPROBE_LEAK_ROUNDS=10 or more.
func TestRoundsLeaveNothing(t *testing.T) {
	rounds := 3
	if v := os.Getenv("LOGINPROBE_LEAK_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			t.Fatalf("LOGINPROBE_LEAK_ROUNDS=%q: want a whole number of at least 2", v)
		}
		rounds = n
	}
	b, err := browser.New(browser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := newHarness(t)
	h.runner.Browser = b
	round := func(i int) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for _, f := range flows.All() {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				if r := h.runner.Run(t.Context(), f); r.Outcome != result.Pass {
					t.Errorf("round %d: %s", i, describe(r))
				}
			})
		}
		wg.Wait()
	}
	round(0) // warm: the browser, the database, the HTTP clients' connections
	fds, procs := openFDs(t), len(b.PIDs())
	for i := 1; i < rounds; i++ {
		round(i)
	}
	if t.Failed() {
		return
	}
	assertNoSyntheticUsers(t, h)
	if got := openFDs(t); got > fds+8 {
		t.Errorf("open file descriptors grew from %d to %d over %d rounds", fds, got, rounds-1)
	}
	pids := b.PIDs()
	if len(pids) > procs+4 {
		t.Errorf("Chromium processes grew from %d to %d", procs, len(pids))
	}
	if stray := strayChromium(append(pids, sharedBrowser.PIDs()...)); len(stray) > 0 {
		t.Errorf("Chromium processes outside the one browser: %v", stray)
	}
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// strayChromium lists Chromium processes started by this test process that
// are not part of the given browsers' process trees.
func strayChromium(browserPIDs []int) []int {
	ours := map[int]bool{}
	for _, p := range browserPIDs {
		ours[p] = true
	}
	self := os.Getpid()
	var stray []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || ours[pid] {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		if !strings.Contains(string(comm), "chrom") || !descendsFrom(pid, self) {
			continue
		}
		stray = append(stray, pid)
	}
	return stray
}

func descendsFrom(pid, ancestor int) bool {
	for i := 0; i < 32 && pid > 1; i++ {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 || f[0] == "Z" {
			return false
		}
		pid, _ = strconv.Atoi(f[1])
		if pid == ancestor {
			return true
		}
	}
	return false
}
