package serve_test

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/serve"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds loginprobe once per test binary: signals are best tested on
// the real process.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "loginprobe-serve-test-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "loginprobe")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/loginprobe/loginprobe/cmd/loginprobe").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binPath)
	}
	return binPath
}

// serveConfig writes the config of a local Clerk whose clerk.browser.js
// never finishes loading, with only clerk-health scheduled (every 30 s: the
// first round starts at once) and the given grace. A clerk-health run then
// passes its first two steps (Frontend API health and environment) and
// waits in the third (Clerk's scripts): a run in flight, without a browser.
func serveConfig(t *testing.T, grace string) (path string, cfg *config.Config) {
	t.Helper()
	ck := testkit.NewClerk(t, fakeclerk.Options{Faults: []fakeclerk.Fault{fakeclerk.FaultClerkJSTimeout}})
	path = testkit.WriteConfig(t, ck)
	extra := "flows:\n"
	for _, name := range config.FlowNames {
		extra += "  " + name + ": {enabled: " + map[bool]string{true: "true", false: "false"}[name == "clerk-health"] + ", interval: 30s}\n"
	}
	extra += "shutdown_grace: " + grace + "\n"
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(extra)
	f.Close()
	cfg, err = config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = filepath.Join(filepath.Dir(path), "loginprobe.db")
	return path, cfg
}

// startBinary starts `loginprobe serve` on cfgPath as host name host.
func startBinary(t *testing.T, cfgPath, host string) (*exec.Cmd, *testkit.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(binary(t), "serve", "--config", cfgPath, "--listen", "127.0.0.1:0")
	cmd.Dir = filepath.Dir(cfgPath)
	cmd.Env = append(os.Environ(), "LOGINPROBE_HOSTNAME="+host)
	logs := &testkit.SyncBuffer{}
	cmd.Stderr, cmd.Stdout = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("serve (%s) log:\n%s", host, logs.String())
		}
	})
	return cmd, logs
}

// waitRunning waits for a clerk-health run in progress with at least steps
// steps stored, and returns its id.
func waitRunning(t *testing.T, st *store.Store, steps int) int64 {
	t.Helper()
	var id int64
	waitFor(t, "a clerk-health run in progress", 90*time.Second, func() bool {
		for _, r := range runs(t, st, "clerk-health") {
			if r.Outcome != result.Running {
				continue
			}
			if full, err := st.Run(context.Background(), r.ID); err == nil && len(full.Steps) >= steps {
				id = r.ID
				return true
			}
		}
		return false
	})
	return id
}

// TestServeSIGTERM: SIGTERM while a run is in flight: the process exits 0
// within the grace (plus the time to close), and the run, which cannot
// finish within the grace, is stored as interrupted with the steps it
// passed, never left running or judged an error.
func TestServeSIGTERM(t *testing.T) {
	path, cfg := serveConfig(t, "2s")
	cmd, logs := startBinary(t, path, "host-a")
	st := readStore(t, cfg)
	id := waitRunning(t, st, 2)
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v (want exit 0)", err)
		}
	case <-time.After(2*time.Second + time.Minute): // the grace, plus closing on a loaded machine
		t.Fatal("serve did not exit after SIGTERM")
	}
	t.Logf("exited %s after SIGTERM (grace 2s)", time.Since(sent).Round(time.Millisecond))
	r, err := st.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != result.Interrupted || len(r.Steps) < 2 {
		t.Errorf("the run in flight is %s (%s) with %d steps, want interrupted with its steps", r.Outcome, r.Message, len(r.Steps))
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", logs.String())
	}
}

// TestServeKill9Restart: kill -9 during a run, then a restart under another
// host name (as a new container gets): the database passes integrity_check
// and the old run is marked interrupted with the steps it reached.
func TestServeKill9Restart(t *testing.T) {
	path, cfg := serveConfig(t, "20s")
	cmd, _ := startBinary(t, path, "container-1")
	st := readStore(t, cfg)
	id := waitRunning(t, st, 2)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	before, err := st.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}

	// The restart: in-process, as host container-2, which takes a heartbeat
	// older than a second for a dead process (the default is minutes). Its
	// own clerk-health run waits on the script too: a short grace ends it.
	cfg.ShutdownGrace = 200 * time.Millisecond
	start(t, cfg, serve.Options{Store: store.Options{Host: "container-2", StaleAfter: time.Second, BeatEvery: 200 * time.Millisecond}})
	var after *result.Run
	waitFor(t, "the killed run marked interrupted", 30*time.Second, func() bool {
		after, err = st.Run(context.Background(), id)
		return err == nil && after.Outcome == result.Interrupted
	})
	if len(after.Steps) < 2 || len(after.Steps) < len(before.Steps) {
		t.Errorf("interrupted run has %d steps, had %d when killed: want the steps it reached", len(after.Steps), len(before.Steps))
	}
	db, err := sql.Open("sqlite3", "file:"+cfg.Database+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
}
