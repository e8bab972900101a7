package benchstat

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strconv"
	"sync"
	"time"
)

// PSS returns the proportional set size, in bytes, summed over pids (from
// /proc/PID/smaps_rollup, Linux 4.14+): shared pages count once across the
// tree, split among the processes that map them, so Chromium's many
// processes are not counted several times over. Processes that are gone, or
// unreadable, count as 0.
func PSS(pids []int) int64 {
	var total int64
	for _, pid := range pids {
		total += pssOf(pid)
	}
	return total
}

func pssOf(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "Pss:" {
			kb, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Peak samples the PSS of the processes pids returns, every interval, until
// Stop, and keeps the highest sum.
type Peak struct {
	mu   sync.Mutex
	peak int64
	stop context.CancelFunc
	done chan struct{}
}

// StartPeak starts sampling at once and then every interval.
func StartPeak(interval time.Duration, pids func() []int) *Peak {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Peak{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			p.sample(pids())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *Peak) sample(pids []int) {
	v := PSS(pids)
	p.mu.Lock()
	p.peak = max(p.peak, v)
	p.mu.Unlock()
}

// Stop ends the sampling and returns the peak, in bytes.
func (p *Peak) Stop() int64 {
	p.stop()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}
