package serve_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/serve"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// smallDisk mounts a tmpfs of size bytes (root only; the test is skipped
// where mounting is not allowed) and returns its folder, unmounted when the
// test ends.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small disk for the test: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestServeDatabaseFull: the database's disk fills up while serving. Runs
// become loginprobe's errors (never the target's fails), /readyz says the
// database failed, no flow incident opens; when space is back, /readyz is
// ready again and runs are recorded as passes.
func TestServeDatabaseFull(t *testing.T) {
	disk := smallDisk(t, "24m")
	ck := testkit.SharedClerk(t)
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"clerk-health": 100 * time.Millisecond}), func(cfg *config.Config) {
		cfg.Database = filepath.Join(disk, "loginprobe.db")
		cfg.Alerts.CannotJudge.Threshold = 1000 // this test is about flow incidents
	})
	srv := start(t, cfg, serve.Options{Store: store.Options{BeatEvery: 200 * time.Millisecond}})
	st := readStore(t, cfg)
	waitFor(t, "two passes", 30*time.Second, func() bool { return count(runs(t, st, "clerk-health"), result.Pass) >= 2 })

	filler := filepath.Join(disk, "filler")
	fill(t, filler)
	waitFor(t, "/readyz to fail on the database", 60*time.Second, func() bool {
		code, body := get(t, srv.base+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "database: failed: ") && strings.Contains(body, "full")
	})
	waitFor(t, "two runs judged as loginprobe's errors", 90*time.Second, func() bool {
		_, body := get(t, srv.base+"/metrics")
		return metricAtLeast(body, `loginprobe_runs_total{cause="monitor",flow="clerk-health",outcome="error"}`, 2)
	})
	if code, healthz := get(t, srv.base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %q while the disk is full: the process is alive", code, healthz)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz ready again", 60*time.Second, func() bool { code, _ := get(t, srv.base+"/readyz"); return code == http.StatusOK })
	passes := count(runs(t, st, "clerk-health"), result.Pass)
	waitFor(t, "passes recorded again", 60*time.Second, func() bool { return count(runs(t, st, "clerk-health"), result.Pass) >= passes+2 })
	srv.stop()
	incs, err := st.Incidents(context.Background(), store.IncidentQuery{Kind: result.IncidentFlow})
	if err != nil || len(incs) != 0 {
		t.Errorf("flow incidents = %+v (%v), want none: a full disk is loginprobe's problem", incs, err)
	}
	if n := count(runs(t, st, "clerk-health"), result.Fail); n != 0 {
		t.Errorf("%d runs recorded as fail, want none", n)
	}
}

// metricAtLeast reports whether the exposition text has series at value >= min.
func metricAtLeast(body, series string, min float64) bool {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil && f >= min {
				return true
			}
		}
	}
	return false
}

// TestServeChromiumKilled: Chromium killed while a browser flow runs: that
// run is loginprobe's error, the next one passes in a new Chromium, the
// schedule goes on and no incident opens.
func TestServeChromiumKilled(t *testing.T) {
	ck := testkit.SharedClerk(t)
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"sign-in": 500 * time.Millisecond}), func(cfg *config.Config) {
		cfg.Retries = 0
	})
	b := testkit.Browser(t)
	srv := start(t, cfg, serve.Options{Browser: b})
	st := readStore(t, cfg)
	ctx := context.Background()
	var victim int64
	waitFor(t, "a sign-in run with a step done", 60*time.Second, func() bool {
		for _, r := range runs(t, st, "sign-in") {
			if r.Outcome != result.Running {
				continue
			}
			if full, err := st.Run(ctx, r.ID); err == nil && len(full.Steps) > 0 {
				victim = r.ID
				return true
			}
		}
		return false
	})
	for _, pid := range b.PIDs() {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	var killed *result.Run
	waitFor(t, "the killed run's verdict", 60*time.Second, func() bool {
		r, err := st.Run(ctx, victim)
		killed = r
		return err == nil && r.Outcome != result.Running
	})
	if killed.Outcome != result.Error {
		t.Errorf("killed run: %s %q, want error", killed.Outcome, killed.Message)
	}
	waitFor(t, "a pass after the kill", 60*time.Second, func() bool {
		for _, r := range runs(t, st, "sign-in") {
			if r.ID > victim && r.Outcome == result.Pass {
				return true
			}
		}
		return false
	})
	srv.stop()
	incs, err := st.Incidents(ctx, store.IncidentQuery{})
	if err != nil || len(incs) != 0 {
		t.Errorf("incidents = %+v (%v), want none for a killed Chromium", incs, err)
	}
}
