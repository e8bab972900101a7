package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestRunAllFlows: with no --flow, `run` runs all eight flows against the
// local Clerk and all pass, and none of the secrets they handle is recorded;
// then the OAuth flows pass in full mode too (the other flows do not depend
// on the mode).
func TestRunAllFlows(t *testing.T) {
	t.Parallel()
	srv, cfg := localClerk(t)
	db := filepath.Join(t.TempDir(), "lp.db")
	o := run(t, nil, "run", "--config", cfg, "--db", db, "--json")
	if o.code != ExitOK {
		t.Fatalf("exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	var out struct {
		Runs []struct{ Flow, Outcome, Message string }
	}
	if err := json.Unmarshal([]byte(o.stdout), &out); err != nil {
		t.Fatalf("--json output: %v", err)
	}
	passed := map[string]bool{}
	for _, r := range out.Runs {
		passed[r.Flow] = r.Outcome == "pass"
		if r.Outcome != "pass" {
			t.Errorf("%s: %s: %s", r.Flow, r.Outcome, r.Message)
		}
	}
	for _, name := range config.FlowNames {
		if !passed[name] {
			t.Errorf("%s did not pass", name)
		}
	}
	assertSecretsNeverRecorded(t, srv.Info(), db, o)
	body, _ := os.ReadFile(cfg)
	if strings.Count(string(body), "mode: initiate") != 2 {
		t.Fatalf("the fakeclerk config does not set both OAuth modes:\n%s", body)
	}
	full := filepath.Join(t.TempDir(), "full.yaml")
	os.WriteFile(full, []byte(strings.ReplaceAll(string(body), "mode: initiate", "mode: full")), 0o600)
	o = run(t, nil, "run", "--config", full, "--db", db, "--flow", "oauth-github", "--flow", "oauth-google")
	if o.code != ExitOK || strings.Count(o.stdout, "PASS  oauth-") != 2 {
		t.Fatalf("OAuth in full mode: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
}

// TestFlowsCommand lists every flow and says why one cannot run.
func TestFlowsCommand(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t)
	body, _ := os.ReadFile(cfg)
	noSecret := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(noSecret, []byte(strings.Replace(string(body), lineWith(t, string(body), "secret_key:"), "", 1)), 0o600)
	o := run(t, nil, "flows", "--config", noSecret)
	if o.code != ExitOK {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	for _, name := range config.FlowNames {
		if !strings.Contains(o.stdout, name) {
			t.Errorf("flow %s not listed", name)
		}
	}
	if !strings.Contains(o.stdout, "cannot run: clerk.secret_key") {
		t.Errorf("user-api without a secret key is not explained:\n%s", o.stdout)
	}
	c := run(t, nil, "check", "--config", noSecret)
	if c.code != ExitOK || !strings.Contains(c.stdout, "warning: sign-up") {
		t.Errorf("check: exit %d, want a sign-up cleanup warning:\n%s%s", c.code, c.stdout, c.stderr)
	}
}

func TestExitCode(t *testing.T) {
	runs := func(o ...result.Outcome) []*result.Run {
		var rs []*result.Run
		for _, x := range o {
			rs = append(rs, &result.Run{Outcome: x})
		}
		return rs
	}
	tests := []struct {
		runs      []*result.Run
		cancelled bool
		want      int
	}{
		{runs(result.Pass, result.Pass), false, ExitOK},
		{runs(result.Pass, result.Fail), false, ExitFail},
		{runs(result.Pass, result.Error), false, ExitError},
		{runs(result.Fail, result.Error), false, ExitFail},
		{runs(result.Error, result.Fail), false, ExitFail},
		{runs(result.Pass), true, ExitError},
	}
	for _, tt := range tests {
		if got := exitCode(tt.runs, tt.cancelled); got != tt.want {
			t.Errorf("exitCode(%v, %v) = %d, want %d", tt.runs, tt.cancelled, got, tt.want)
		}
	}
}

// TestFakeClerkCommand: `loginprobe fakeclerk --config-out` serves until
// cancelled and writes a config that `check` accepts; bad input is one line.
func TestFakeClerkCommand(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	out := filepath.Join(t.TempDir(), "lp.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"fakeclerk", "--addr", addr, "--config-out", out}, Env{Stdout: &stdout, Stderr: &stderr, Getenv: os.Getenv})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(out); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no config written; stderr: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond) // polling a file another goroutine writes, not a page
	}
	if c := run(t, nil, "check", "--config", out); c.code != ExitOK {
		t.Errorf("check of the written config: exit %d: %s", c.code, c.stderr)
	}
	busy := run(t, map[string]string{"LOGINPROBE_CLERK_ASSETS": os.Getenv("LOGINPROBE_CLERK_ASSETS")}, "fakeclerk", "--addr", addr)
	if busy.code != ExitError || strings.Count(strings.TrimSpace(busy.stderr), "\n") != 0 || !strings.Contains(busy.stderr, "--addr") {
		t.Errorf("busy port: exit %d, stderr %q", busy.code, busy.stderr)
	}
	bad := run(t, nil, "fakeclerk", "--fault", "fapi_5000")
	if bad.code != ExitError || !strings.Contains(bad.stderr, `unknown fault "fapi_5000"`) {
		t.Errorf("unknown fault: exit %d, stderr %q", bad.code, bad.stderr)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Errorf("fakeclerk exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "publishable key:") {
		t.Errorf("fakeclerk did not print its keys:\n%s", stdout.String())
	}
}
