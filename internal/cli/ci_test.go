package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	junit "github.com/joshdk/go-junit"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// storedRuns reads every run of a database, oldest first.
func storedRuns(t *testing.T, db string) []result.Run {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	return runs
}

// ciConfig writes srv's config with only the named flows enabled; the others
// are disabled, so `run` reports them skipped.
func ciConfig(t *testing.T, info fakeclerk.Info, enabled ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "loginprobe.yaml")
	if err := writeConfigFile(path, info); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("flows:\n")
	for _, name := range config.FlowNames {
		on := false
		for _, e := range enabled {
			on = on || e == name
		}
		fmt.Fprintf(&b, "  %s:\n    enabled: %v\n", name, on)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCIReports: one run with a pass (clerk-health), a fail (sign-in under
// password_incorrect), an error (sign-up, its browser killed as the page
// loads) and five flows disabled in the config writes a JUnit file that a
// JUnit library parses into those outcomes, artifacts (the failure
// screenshot and run-<id>.json as `show --json` prints it), and, with
// GITHUB_ACTIONS=true, annotations on stdout and a summary table.
func TestCIReports(t *testing.T) {
	t.Parallel()
	b, err := browser.New(browser.Options{Env: func(k string) string { return os.Getenv(k) }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	srv, err := fakeclerk.New(fakeclerk.Options{Faults: []fakeclerk.Fault{fakeclerk.FaultPasswordIncorrect}})
	if err != nil {
		t.Fatal(err)
	}
	killed := make(chan struct{}, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sign-up" { // the browser dies as the sign-up page loads
			if pids := b.PIDs(); len(pids) > 0 {
				syscall.Kill(pids[0], syscall.SIGKILL)
				killed <- struct{}{}
			}
			<-r.Context().Done()
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { ts.Close(); srv.Close() })
	srv.SetURL(ts.URL)
	cfg := ciConfig(t, srv.Info(), "sign-in", "sign-up", "clerk-health")

	dir := t.TempDir()
	db, xmlPath, arts, summary := filepath.Join(dir, "lp.db"), filepath.Join(dir, "report", "junit.xml"), filepath.Join(dir, "artifacts"), filepath.Join(dir, "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	o := runWith(t, env, b, "run", "--config", cfg, "--db", db, "--junit", xmlPath, "--artifacts", arts)
	if o.code != ExitFail {
		t.Fatalf("exit %d, want 1 (a fail wins over an error)\n%s%s", o.code, o.stdout, o.stderr)
	}
	select {
	case <-killed:
	default:
		t.Fatal("the browser was never killed: the sign-up page was not requested")
	}
	runs := map[string]result.Run{}
	for _, r := range storedRuns(t, db) {
		runs[r.Flow] = r
	}
	if runs["sign-in"].Outcome != result.Fail || runs["sign-up"].Outcome != result.Error || runs["clerk-health"].Outcome != result.Pass {
		t.Fatalf("stored runs: %+v\nstdout:\n%s", runs, o.stdout)
	}
	shot := filepath.Join(arts, fmt.Sprintf("run-%d-1-failure.jpg", runs["sign-in"].ID))
	assertJUnit(t, xmlPath, shot, runs)
	assertArtifacts(t, arts, shot, runs["sign-in"])
	assertGitHub(t, o.stdout, summary)
	assertNoSecret(t, srv.Info(), o.stdout+o.stderr, xmlPath, summary, filepath.Join(arts, fmt.Sprintf("run-%d.json", runs["sign-in"].ID)))
}

// assertNoSecret checks that the local Clerk's secret key and passwords
// appear neither in text nor in the files.
func assertNoSecret(t *testing.T, info fakeclerk.Info, text string, files ...string) {
	t.Helper()
	places := map[string]string{"output": text}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		places[f] = string(data)
	}
	secrets := []string{info.SecretKey}
	for _, u := range info.Users {
		if u.Password != "" {
			secrets = append(secrets, u.Password)
		}
	}
	for where, s := range places {
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				t.Errorf("%s holds a secret (%.6s…)", where, sec)
			}
		}
	}
}

func assertJUnit(t *testing.T, path, shot string, runs map[string]result.Run) {
	t.Helper()
	suites, err := junit.IngestFile(path)
	if err != nil || len(suites) != 1 {
		t.Fatalf("JUnit %s: %v, %d suites", path, err, len(suites))
	}
	s := suites[0]
	if s.Name != "loginprobe" || s.Totals.Tests != 8 || s.Totals.Passed != 1 || s.Totals.Failed != 1 || s.Totals.Error != 1 || s.Totals.Skipped != 5 {
		t.Errorf("suite %q totals %+v, want 8 tests: 1 passed, 1 failed, 1 error, 5 skipped", s.Name, s.Totals)
	}
	cases := map[string]junit.Test{}
	for _, c := range s.Tests {
		cases[c.Name] = c
		if c.Classname != fakeclerk.DefaultInstanceHost {
			t.Errorf("%s: classname %q, want the instance host", c.Name, c.Classname)
		}
	}
	in, up := cases["sign-in"], cases["sign-up"]
	if in.Status != junit.StatusFailed || in.Message != runs["sign-in"].Diagnosis.Summary || in.Message == "" {
		t.Errorf("sign-in: %s %q, want failed with the diagnosis summary %q", in.Status, in.Message, runs["sign-in"].Diagnosis.Summary)
	}
	if body := in.Error.Error(); !strings.Contains(body, "form_password_incorrect") {
		t.Errorf("sign-in failure body lacks the evidence:\n%s", body)
	}
	if !strings.Contains(in.SystemOut, "[[ATTACHMENT|"+shot+"]]") {
		t.Errorf("sign-in system-out %q lacks [[ATTACHMENT|%s]]", in.SystemOut, shot)
	}
	if up.Status != junit.StatusError || !strings.Contains(up.Error.Error(), "browser") {
		t.Errorf("sign-up: %s %v, want an error about the browser", up.Status, up.Error)
	}
	if c := cases["session"]; c.Status != junit.StatusSkipped || c.Message != "disabled in the config" {
		t.Errorf("session: %s %q, want skipped: disabled in the config", c.Status, c.Message)
	}
	if cases["clerk-health"].Status != junit.StatusPassed {
		t.Errorf("clerk-health: %s", cases["clerk-health"].Status)
	}
}

func assertArtifacts(t *testing.T, dir, shot string, failed result.Run) {
	t.Helper()
	if fi, err := os.Stat(shot); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
		t.Errorf("screenshot %s: %v %v", shot, fi, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("run-%d.json", failed.ID)))
	var r result.Run
	if err != nil || json.Unmarshal(data, &r) != nil || r.ID != failed.ID || r.Outcome != result.Fail || len(r.Steps) == 0 {
		t.Errorf("run-%d.json: %v\n%.300s", failed.ID, err, data)
	}
}

func assertGitHub(t *testing.T, stdout, summary string) {
	t.Helper()
	for _, want := range []string{"\n::error title=loginprobe%3A sign-in fail (test_data)::", "\n::warning title=loginprobe%3A sign-up error (monitor)::"} {
		if !strings.Contains("\n"+stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Count(stdout, "::error ") != 1 || strings.Count(stdout, "::warning ") != 1 {
		t.Errorf("want one ::error and one ::warning:\n%s", stdout)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### loginprobe: 1 of 3 flows passed on " + fakeclerk.DefaultInstanceHost + " (5 skipped)", "| Flow | Outcome | Cause | Duration | Summary |", "| sign-in | ❌ fail | test_data |", "| sign-up | ⚠️ error | monitor |",
		"| clerk-health | ✅ pass |", "| oauth-github | ⏭️ skipped |  |  | disabled in the config |", "- sign-in: `run-"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("job summary lacks %q:\n%s", want, md)
		}
	}
}

// runWith is run on the browser b (the shared one, or the test's own).
func runWith(t *testing.T, env map[string]string, b *browser.Browser, args ...string) outcome {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "PATH" || k == "HOME" {
			return os.Getenv(k)
		}
		return ""
	}
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: getenv, browser: b})
	return outcome{code, out.String(), errb.String()}
}

// TestSetupThenRunOnAPreview: without a secret key, setup says what to
// create in the dashboard (exit 2); with it, it creates the missing monitor
// and password-reset users. `check --base-url` shows the preview's pages;
// `run --setup --base-url` then finds the users (creating nothing) and
// signs in on the local Clerk's second listener (a preview deployment
// sharing the instance): the recorded page URL has the preview's origin.
func TestSetupThenRunOnAPreview(t *testing.T) {
	t.Parallel()
	srv := testkit.NewClerk(t, fakeclerk.Options{})
	cfg, info := testkit.WriteConfig(t, srv), srv.Info()
	bapi := &clerk.Backend{BaseURL: info.BackendAPIURL, SecretKey: secret.New(info.SecretKey), HTTP: http.DefaultClient}
	for _, u := range info.Users {
		if u.Role != fakeclerk.RoleOAuth {
			if err := bapi.DeleteUser(context.Background(), u.UserID); err != nil {
				t.Fatal(err)
			}
		}
	}
	yaml, _ := os.ReadFile(cfg)
	noKey := filepath.Join(t.TempDir(), "nokey.yaml")
	os.WriteFile(noKey, []byte(strings.Replace(string(yaml), lineWith(t, string(yaml), "secret_key:"), "", 1)), 0o600)
	o := run(t, nil, "setup", "--config", noKey)
	if o.code != ExitError || !strings.Contains(o.stderr, "Users → Create user") || !strings.Contains(o.stderr, fakeclerk.SeedSignInEmail) || !strings.Contains(o.stderr, fakeclerk.SeedResetEmail) {
		t.Errorf("setup without a secret key: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	o = run(t, nil, "setup", "--config", cfg)
	if o.code != ExitOK || !strings.Contains(o.stdout, "created monitor user "+fakeclerk.SeedSignInEmail) || !strings.Contains(o.stdout, "created password-reset user "+fakeclerk.SeedResetEmail) {
		t.Fatalf("setup: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}

	preview, err := srv.StartPreview()
	if err != nil {
		t.Fatal(err)
	}
	chk := run(t, nil, "check", "--config", cfg, "--base-url", preview)
	if chk.code != ExitOK || !strings.Contains(chk.stdout, preview+"/sign-in") || !strings.Contains(chk.stdout, preview+"/sign-up") ||
		!strings.Contains(chk.stdout, srv.URL()+"/__clerk") {
		t.Fatalf("check --base-url: exit %d\n%s%s", chk.code, chk.stdout, chk.stderr)
	}
	db := filepath.Join(t.TempDir(), "lp.db")
	o = runWith(t, nil, testkit.Browser(t), "run", "--setup", "--config", cfg, "--flow", "sign-in", "--db", db, "--base-url", preview)
	if o.code != ExitOK || strings.Contains(o.stdout, "created") || !strings.Contains(o.stdout, "found   monitor user "+fakeclerk.SeedSignInEmail) {
		t.Fatalf("run --setup --base-url: exit %d, want 0 and nothing created\n%s%s", o.code, o.stdout, o.stderr)
	}
	show := run(t, nil, "show", "1", "--db", db, "--json")
	var r result.Run
	if err := json.Unmarshal([]byte(show.stdout), &r); err != nil {
		t.Fatalf("show --json: %v\n%s", err, show.stdout)
	}
	if !strings.HasPrefix(r.PageURL, preview+"/") || !strings.Contains(r.Target, preview+"/sign-in") {
		t.Errorf("recorded page %q, target %q: want the preview's origin %s", r.PageURL, r.Target, preview)
	}
}

// TestTimeoutCutsTheRun: --timeout 5s on a sign-in held by fapi_slow exits
// 2, and the cut run is recorded as an error.
func TestTimeoutCutsTheRun(t *testing.T) {
	t.Parallel()
	cfg := testkit.WriteConfig(t, testkit.NewClerk(t, fakeclerk.Options{Faults: []fakeclerk.Fault{fakeclerk.FaultFAPISlow}}))
	db := filepath.Join(t.TempDir(), "lp.db")
	o := runWith(t, nil, testkit.Browser(t), "run", "--config", cfg, "--flow", "sign-in", "--flow", "clerk-health", "--db", db, "--timeout", "5s")
	if o.code != ExitError {
		t.Fatalf("exit %d, want 2\n%s%s", o.code, o.stdout, o.stderr)
	}
	runs := storedRuns(t, db)
	if len(runs) != 1 || runs[0].Flow != "sign-in" || runs[0].Outcome != result.Error {
		t.Fatalf("stored runs %+v, want the sign-in run, cut (error)", runs)
	}
	if !strings.Contains(o.stdout, "SKIP  clerk-health: not run: the --timeout of 5s was reached") {
		t.Errorf("the unstarted flow is not reported:\n%s", o.stdout)
	}
}

// TestRetriesReportFlaky: --retries 1 against a blip that fails only the
// first sign-in (sign_in_500_once) passes on the retry: flaky, exit 0, both
// attempts recorded, and the JUnit testcase passes with a flaky note.
func TestRetriesReportFlaky(t *testing.T) {
	t.Parallel()
	cfg := testkit.WriteConfig(t, testkit.NewClerk(t, fakeclerk.Options{Faults: []fakeclerk.Fault{fakeclerk.FaultSignIn500Once}}))
	dir := t.TempDir()
	db, xmlPath := filepath.Join(dir, "lp.db"), filepath.Join(dir, "junit.xml")
	o := runWith(t, nil, testkit.Browser(t), "run", "--config", cfg, "--flow", "sign-in", "--db", db, "--retries", "1", "--junit", xmlPath)
	if o.code != ExitOK || !strings.Contains(o.stdout, "flaky: passed on attempt 2") {
		t.Fatalf("exit %d, want 0 and a flaky pass\n%s%s", o.code, o.stdout, o.stderr)
	}
	runs := storedRuns(t, db)
	if len(runs) != 2 || runs[0].Outcome != result.Fail || runs[0].Attempt != 1 || runs[1].Outcome != result.Pass || runs[1].Attempt != 2 {
		t.Fatalf("stored runs %+v, want attempt 1 fail and attempt 2 pass", runs)
	}
	suites, err := junit.IngestFile(xmlPath)
	if err != nil || len(suites) != 1 || len(suites[0].Tests) != 1 {
		t.Fatalf("JUnit: %v %+v", err, suites)
	}
	shot := filepath.Join(dir, fmt.Sprintf("run-%d-1-failure.jpg", runs[0].ID)) // the failed attempt's
	if c := suites[0].Tests[0]; c.Status != junit.StatusPassed || !strings.Contains(c.SystemOut, "flaky: sign-in passed on attempt 2") ||
		!strings.Contains(c.SystemOut, "[[ATTACHMENT|"+shot+"]]") {
		t.Errorf("testcase %+v, want passed with a flaky note and the failed attempt's screenshot", c)
	}
	if _, err := os.Stat(shot); err != nil {
		t.Error(err)
	}
}

// TestCIFlagsInvalid: a bad CI flag exits 2 with one line naming it,
// before anything runs.
func TestCIFlagsInvalid(t *testing.T) {
	t.Parallel()
	cfg := testkit.WriteConfig(t, testkit.SharedClerk(t))
	for _, tt := range [][2]string{
		{"--fail-on=warn", `--fail-on "warn": want error or fail`},
		{"--retries=-1", "--retries -1: want 0 or more"},
		{"--base-url=app.example.com", `--base-url "app.example.com": want an absolute URL`},
		{"--timeout=-5s", "--timeout -5s: want a positive duration"},
	} {
		o := run(t, nil, "run", "--config", cfg, "--flow", "sign-in", tt[0])
		if o.code != ExitError || strings.Count(o.stderr, "\n") != 1 || !strings.Contains(o.stderr, tt[1]) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line with %q", tt[0], o.code, o.stderr, tt[1])
		}
	}
}

// TestFailOnFail: --fail-on fail turns loginprobe's own errors into exit 0
// with a warning; a fail still exits 1.
func TestFailOnFail(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{}
	errored := []*result.Run{{Flow: "sign-in", Outcome: result.Error}}
	for _, tt := range []struct {
		failOn  string
		code    int
		want    int
		warning bool
	}{
		{"fail", ExitError, ExitOK, true},
		{"fail", ExitFail, ExitFail, false},
		{"error", ExitError, ExitError, false},
	} {
		var out, errb bytes.Buffer
		c := ciOptions{failOn: tt.failOn}
		got := c.finish(context.Background(), Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, ciRun{cfg: cfg, runs: errored}, tt.code)
		if got != tt.want || strings.Contains(errb.String(), "warning") != tt.warning {
			t.Errorf("--fail-on %s with exit %d: got %d, stderr %q", tt.failOn, tt.code, got, errb.String())
		}
	}
}
