package cli

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
)

// localClerk starts a local Clerk and writes its config as `loginprobe
// fakeclerk --config-out` does; it returns the config path.
func localClerk(t *testing.T, faults ...fakeclerk.Fault) (*fakeclerk.Server, string) {
	t.Helper()
	srv, err := fakeclerk.New(fakeclerk.Options{Addr: "127.0.0.1:0", Faults: faults, Logger: slog.New(slog.DiscardHandler), DeterministicTokens: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	path := filepath.Join(t.TempDir(), "loginprobe.yaml")
	if err := writeConfigFile(path, srv.Info()); err != nil {
		t.Fatal(err)
	}
	return srv, path
}

type outcome struct {
	code           int
	stdout, stderr string
}

// run runs loginprobe with its own browser. The environment is the test's
// alone (no CLERK_* leaks in), but for PATH and HOME, which finding
// Chromium needs.
func run(t *testing.T, env map[string]string, args ...string) outcome {
	t.Helper()
	return runWith(t, env, nil, args...)
}

// TestRunSignIn: `loginprobe run --config <fakeclerk config>` passes sign-in,
// exits 0, and `results` and `show` read the run back.
func TestRunSignIn(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t)
	db := filepath.Join(t.TempDir(), "lp.db")
	o := run(t, nil, "run", "--config", cfg, "--flow", "sign-in", "--db", db)
	if o.code != ExitOK || !strings.Contains(o.stdout, "PASS  sign-in") {
		t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", o.code, o.stdout, o.stderr)
	}
	res := run(t, nil, "results", "--db", db)
	if res.code != ExitOK || !strings.Contains(res.stdout, "sign-in") || !strings.Contains(res.stdout, "pass") {
		t.Fatalf("results: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	shots := t.TempDir()
	show := run(t, nil, "show", "1", "--db", db, "--screenshots", shots)
	if show.code != ExitOK || !strings.Contains(show.stdout, "enter email code") {
		t.Fatalf("show: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(shots, "run-1-*")); len(files) != 1 {
		t.Fatalf("show --screenshots wrote %v, want the final screenshot", files)
	}
}

// TestRunFailExitsOne: a Clerk outage is a fail (exit 1) with a diagnosis.
func TestRunFailExitsOne(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t, fakeclerk.FaultFAPI500)
	o := run(t, nil, "run", "--config", cfg, "--flow", "sign-in", "--db", filepath.Join(t.TempDir(), "lp.db"), "--json")
	if o.code != ExitFail {
		t.Fatalf("exit %d, want 1\n%s%s", o.code, o.stdout, o.stderr)
	}
	var out struct {
		Runs []struct {
			Outcome   string
			Message   string
			Diagnosis struct{ Cause string }
		}
	}
	if err := json.Unmarshal([]byte(o.stdout), &out); err != nil || len(out.Runs) != 1 {
		t.Fatalf("--json output does not parse: %v\n%s", err, o.stdout)
	}
	if r := out.Runs[0]; r.Outcome != "fail" || r.Diagnosis.Cause != "clerk_outage" || !strings.Contains(r.Message, "internal_clerk_error") {
		t.Fatalf("run = %+v", r)
	}
}

// TestInvalidInputs: each bad input exits 2 with one line naming the problem.
func TestInvalidInputs(t *testing.T) {
	t.Parallel()
	_, good := localClerk(t)
	goodYAML, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, body string) string {
		p := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	replace := func(old, new string) string {
		if !strings.Contains(string(goodYAML), old) {
			t.Fatalf("config has no %q", old)
		}
		return strings.Replace(string(goodYAML), old, new, 1)
	}
	pkLine := lineWith(t, string(goodYAML), "publishable_key:")
	pwLine := lineWith(t, string(goodYAML), "password:")
	tests := []struct {
		name string
		env  map[string]string
		args func(t *testing.T) []string
		want string
	}{
		{"unknown config key", nil, func(t *testing.T) []string {
			return []string{"run", "--config", write(t, replace("clerk:", "clerk:\n  publishable: x"))}
		}, `unknown key "publishable"`},
		{"missing publishable key", nil, func(t *testing.T) []string {
			return []string{"run", "--config", write(t, replace(pkLine, ""))}
		}, "clerk.publishable_key: missing"},
		{"missing publishable key, no file", nil, func(t *testing.T) []string { return []string{"run"} }, "clerk.publishable_key: missing"},
		{"malformed publishable key", nil, func(t *testing.T) []string {
			return []string{"run", "--config", write(t, replace(pkLine, "  publishable_key: pk_test_JA=="))}
		}, "clerk.publishable_key: malformed"},
		{"missing password", nil, func(t *testing.T) []string {
			return []string{"run", "--flow", "sign-in", "--config", write(t, replace(pwLine, ""))}
		}, "monitor.password"},
		{"unreachable database", nil, func(t *testing.T) []string {
			return []string{"run", "--flow", "sign-in", "--config", good, "--db", "/nonexistent/dir/lp.db"}
		}, "/nonexistent/dir"},
		{"chromium missing", map[string]string{"LOGINPROBE_CHROME": "/nonexistent/chromium", "PATH": "/nonexistent"}, func(t *testing.T) []string {
			return []string{"run", "--flow", "sign-in", "--config", good, "--db", filepath.Join(t.TempDir(), "lp.db")}
		}, "apt-get install -y chromium"},
		{"unknown flow", nil, func(t *testing.T) []string { return []string{"run", "--config", good, "--flow", "signin"} }, `unknown flow "signin"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := run(t, tt.env, tt.args(t)...)
			lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
			if o.code != ExitError || len(lines) != 1 || !strings.Contains(o.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q: want exit 2 and one line containing %q", o.code, o.stderr, tt.want)
			}
		})
	}
}

func lineWith(t *testing.T, text, key string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, key) {
			return l
		}
	}
	t.Fatalf("no line with %q in\n%s", key, text)
	return ""
}
