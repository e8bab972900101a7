package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchRefusesBadInput: bad input ends the bench at once with one line
// naming the problem and its fix, exit 2, before any browser starts.
func TestBenchRefusesBadInput(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t)
	const remote = "clerk: {publishable_key: pk_test_Y2xlcmsuZXhhbXBsZS5jb20k}\nmonitor: {identifier: m+clerk_test@example.com, password: x}\n"
	remoteCfg := writeTemp(t, "remote.yaml", remote)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no runs", []string{"-n", "0"}, "loginprobe bench: -n 0: run the flow at least once, e.g. -n 20"},
		{"more at once than the config allows", []string{"--config", cfg, "-c", "3"},
			"loginprobe bench: -c 3 is not between 1 and browser.max_concurrent (2): use a smaller -c or raise browser.max_concurrent in the config (at most 16)"},
		{"unknown flow", []string{"--config", cfg, "--flow", "sign-on"}, `loginprobe bench: unknown flow "sign-on": known flows are clerk-health, sign-in, `},
		{"no pacing against a real Clerk", []string{"--config", remoteCfg, "--no-pacing"},
			"loginprobe bench: --no-pacing: the Frontend API https://clerk.example.com is not on this machine: a real Clerk rate-limits this IP, keep the pacing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := run(t, nil, append([]string{"bench"}, tt.args...)...)
			if o.code != ExitError || o.stdout != "" || strings.Count(o.stderr, "\n") != 1 || !strings.HasPrefix(o.stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit 2 and the one line %q", o.code, o.stdout, o.stderr, tt.want)
			}
		})
	}
}

// TestBenchUserAPI: a tiny real bench (a flow without a browser, two at
// once) against the local Clerk reports every figure.
func TestBenchUserAPI(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t)
	o := run(t, nil, "bench", "--config", cfg, "--flow", "user-api", "-n", "4", "-c", "2", "--json")
	if o.code != ExitOK {
		t.Fatalf("exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, o.stdout)
	}
	switch {
	case rep.Flow != "user-api" || rep.N != 4 || rep.C != 2 || !rep.Paced:
		t.Errorf("header: %+v", rep)
	case rep.Own.N != 4 || rep.Failures != 0:
		t.Errorf("%d runs, %d failures (%v), want 4 and 0", rep.Own.N, rep.Failures, rep.Problems)
	case rep.Own.P50 <= 0 || rep.Own.P50 > rep.Own.P95 || rep.Own.P95 > rep.Own.Max:
		t.Errorf("flow time out of order: %+v", rep.Own)
	case rep.PerMinute <= 0 || rep.Elapsed <= 0 || rep.PeakPSS <= 0:
		t.Errorf("throughput %v/min in %s, peak PSS %d: want all positive", rep.PerMinute, rep.Elapsed, rep.PeakPSS)
	case len(rep.Steps) < 2 || rep.Steps[len(rep.Steps)-1].Name != partClose:
		t.Errorf("step profile: %+v", rep.Steps)
	}
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
