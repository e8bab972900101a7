package cli

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// storeRun records r as a finished run in a new database and returns its path.
func storeRun(t *testing.T, r result.Run) string {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "lp.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := result.Run{Flow: r.Flow, Target: r.Target, StartedAt: r.StartedAt}
	if err := st.StartRun(ctx, &start); err != nil {
		t.Fatal(err)
	}
	r.ID = start.ID
	if err := st.FinishRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	return db
}

// craftedRun is a run whose stored fields try to steer file names.
func craftedRun() result.Run {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	return result.Run{Flow: "sign-in", Target: "t", StartedAt: at, Outcome: result.Fail, Duration: time.Second,
		Screenshots: []result.Screenshot{
			{Step: "../../escaped", When: "../../../escaped", Format: "png", TakenAt: at, Data: []byte("one")},
			{Step: "s", When: "failure", Format: "/../../escaped", TakenAt: at, Data: []byte("two")},
		}}
}

// TestShowScreenshotsNames: names come from the run id and a counter only;
// the crafted step, moment and format write nothing outside DIR; files are
// 0600.
func TestShowScreenshotsNames(t *testing.T) {
	t.Parallel()
	db := storeRun(t, craftedRun())
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "shots")
	o := run(t, nil, "show", "1", "--db", db, "--screenshots", dir)
	if o.code != ExitOK {
		t.Fatalf("show: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	var got []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			got = append(got, rel)
			if fi, _ := d.Info(); fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", rel, fi.Mode().Perm())
			}
		}
		return nil
	})
	want := []string{"a/b/shots/run-1-1.png", "a/b/shots/run-1-2.bin"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files written: %v, want %v", got, want)
	}
}

// TestShowScreenshotsNoFollow: a link planted at the name a screenshot will
// get is not written through; show fails naming the file, and the link's
// target keeps its content.
func TestShowScreenshotsNoFollow(t *testing.T) {
	t.Parallel()
	db := storeRun(t, craftedRun())
	dir, victim := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "run-1-1.png")); err != nil {
		t.Fatal(err)
	}
	o := run(t, nil, "show", "1", "--db", db, "--screenshots", dir)
	if o.code == ExitOK || !strings.Contains(o.stderr, "run-1-1.png") || !strings.Contains(o.stderr, "file exists") {
		t.Fatalf("show over a planted link: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("the link's target was written: %q", b)
	}
}

// clearScreen is what a hostile page logs to wipe the operator's terminal.
const clearScreen = "\x1b[2J\x1b[3J\x1b[H"

// hostileRun carries clearScreen in every text the page or a server controls.
func hostileRun() result.Run {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	x := func(s string) string { return s + clearScreen + "\r\x07" }
	return result.Run{Flow: "sign-in", Target: x("target"), StartedAt: at, Outcome: result.Fail, Duration: time.Second,
		Message: x("message"), PageURL: x("https://app.example.com/"), PageTitle: x("title"),
		ClerkStatus: x("degraded"), ClerkVersion: x("5.0"), Notes: []string{x("note")},
		Diagnosis: result.Diagnosis{Cause: result.CauseUnknown, Summary: x("summary"), Next: x("next"), Evidence: []string{x("evidence")}},
		Steps:     []result.Step{{Name: "load", StartedAt: at, Outcome: result.Fail, Error: x("step error")}},
		Events: []result.Event{
			{Time: at, Kind: result.EventConsole, Level: "log", Text: x("console")},
			{Time: at, Kind: result.EventRequest, Method: "GET", URL: x("https://x/v1/client"), Status: 500, ClerkCode: x("code"), TraceID: x("trace")},
			{Time: at, Kind: result.EventRequestFailed, Method: "GET", URL: x("https://x/"), Text: x("net::ERR")},
		},
		Screenshots: []result.Screenshot{{Step: x("load"), When: x("failure"), Format: "png", TakenAt: at, Data: []byte("p")}},
	}
}

// TestTextOutputsClean: the results table, show, run's summary lines and an
// error message print no control character a page put in its texts.
func TestTextOutputsClean(t *testing.T) {
	t.Parallel()
	r := hostileRun()
	db := storeRun(t, r)
	var summary strings.Builder
	printSummary(&summary, []*result.Run{&r}, []string{"oauth-google" + clearScreen}, db)
	var errOut strings.Builder
	fail(Env{Stderr: &errOut}, "run", errors.New("page says "+clearScreen+"\nsecond line\r"))
	outputs := map[string]string{
		"results": run(t, nil, "results", "--db", db).stdout,
		"show":    run(t, nil, "show", "1", "--db", db, "--screenshots", t.TempDir()).stdout,
		"run":     summary.String(),
		"error":   errOut.String(),
	}
	for name, out := range outputs {
		if !strings.Contains(out, "sign-in") && name != "error" {
			t.Errorf("%s printed no run:\n%s", name, out)
		}
		if i := strings.IndexFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }); i >= 0 {
			t.Errorf("%s output holds control character %q: %q", name, out[i], out)
		}
	}
	if !strings.Contains(outputs["show"], "console.log: console") || !strings.Contains(outputs["error"], "page says") {
		t.Errorf("the texts themselves are gone:\n%s\n%s", outputs["show"], outputs["error"])
	}
}

// TestChromeStartFailureNamesSetting: LOGINPROBE_CHROME=/bin/false makes the
// run an error that names the setting and how the program ended.
func TestChromeStartFailureNamesSetting(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t)
	o := run(t, map[string]string{"LOGINPROBE_CHROME": "/bin/false"}, "run", "--config", cfg, "--flow", "sign-in", "--db", filepath.Join(t.TempDir(), "lp.db"))
	want := "starting chromium /bin/false (chosen by LOGINPROBE_CHROME): the browser died (crashed, killed or hung): chrome failed to start: it ended with exit status 1 and printed nothing"
	if o.code != ExitError || !strings.Contains(o.stdout, want) {
		t.Fatalf("exit %d, want 2 and %q\n%s%s", o.code, want, o.stdout, o.stderr)
	}
}

// TestRunInterruptedBySignal: cancelling run's context (what SIGTERM and
// SIGINT do through signal.NotifyContext) while a browser flow waits on a
// slow Frontend API records the run as interrupted, as a SIGKILL does, and
// exits 2.
func TestRunInterruptedBySignal(t *testing.T) {
	t.Parallel()
	srv, err := fakeclerk.New(fakeclerk.Options{Faults: []fakeclerk.Fault{fakeclerk.FaultFAPISlow}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__clerk/v1/") {
			once.Do(func() { close(waiting) }) // the flow now waits on fapi_slow
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	defer ts.CloseClientConnections()
	srv.SetURL(ts.URL)
	cfg := filepath.Join(t.TempDir(), "loginprobe.yaml")
	if err := writeConfigFile(cfg, srv.Info()); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "lp.db")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb strings.Builder
	done := make(chan int, 1)
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "PATH" || k == "HOME" {
			return os.Getenv(k)
		}
		return ""
	}}
	go func() { done <- Main(ctx, []string{"run", "--config", cfg, "--flow", "sign-in", "--db", db}, env) }()
	select {
	case <-waiting:
	case code := <-done:
		t.Fatalf("run ended (exit %d) before reaching the Frontend API\n%s%s", code, out.String(), errb.String())
	}
	cancel()
	code := <-done
	if code != ExitError || !strings.Contains(out.String(), "INTERRUPTED sign-in") {
		t.Fatalf("exit %d, want 2 and an INTERRUPTED line\n%s%s", code, out.String(), errb.String())
	}
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Run(context.Background(), 1)
	if err != nil || r.Outcome != result.Interrupted || !strings.HasPrefix(r.Message, "interrupted:") {
		t.Fatalf("stored run: %+v, %v; want interrupted", r, err)
	}
	for _, s := range r.Steps {
		if !s.Always && s.Outcome != result.Pass && s.Outcome != result.Interrupted {
			t.Errorf("step %q is %s in an interrupted run", s.Name, s.Outcome)
		}
	}
}
