package flows_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// One Chromium for the whole package; every run gets its own browser context.
var (
	sharedBrowser *browser.Browser
	logBuf        testkit.SyncBuffer
)

func TestMain(m *testing.M) {
	b, err := browser.New(browser.Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "flows tests:", err)
		os.Exit(2)
	}
	sharedBrowser = b
	code := m.Run()
	b.Close()
	os.Exit(code)
}

// harness is one local Clerk, a config written by it as `loginprobe
// fakeclerk --config-out` writes it, a database and a runner.
type harness struct {
	srv    *fakeclerk.Server
	cfg    *config.Config
	st     *store.Store
	runner *probe.Runner
	dir    string
	log    *testkit.SyncBuffer
}

// harnessSettings are what a test may change before the harness starts.
type harnessSettings struct {
	fake     fakeclerk.Options
	noSecret bool // the config has no secret key
}

type harnessOption func(*harnessSettings)

// withoutSecretKey removes the secret key from the config.
func withoutSecretKey() harnessOption { return func(s *harnessSettings) { s.noSecret = true } }

// withRateLimits makes the local Clerk enforce Clerk's per-IP limits.
func withRateLimits() harnessOption { return func(s *harnessSettings) { s.fake.RateLimits = true } }

// withClock gives the local Clerk its own clock.
func withClock(now func() time.Time) harnessOption {
	return func(s *harnessSettings) { s.fake.Now = now }
}

// withFaults starts the local Clerk with faults.
func withFaults(f ...fakeclerk.Fault) harnessOption {
	return func(s *harnessSettings) { s.fake.Faults = f }
}

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{dir: t.TempDir(), log: &testkit.SyncBuffer{}}
	// Every run meets a Clerk whose refreshed token may equal the previous
	// one (no jti, whole-second iat): no check may rest on tokens differing.
	set := harnessSettings{fake: fakeclerk.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(h.log, nil)), DeterministicTokens: true}}
	for _, o := range opts {
		o(&set)
	}
	srv, err := fakeclerk.New(set.fake)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h.srv = srv

	var buf bytes.Buffer
	if err := fakeclerk.WriteConfig(&buf, srv.Info()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(h.dir, "loginprobe.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(k string) string { return "" })
	if err != nil {
		t.Fatalf("config written by fakeclerk does not load: %v", err)
	}
	if set.noSecret {
		cfg.Clerk.SecretKey = secret.Secret{}
	}
	cfg.Database = filepath.Join(h.dir, "loginprobe.db")
	// The production defaults (20 s a step): packages run in parallel, each
	// with its own Chromium, on two cores.
	h.cfg = cfg
	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	h.runner = probe.NewRunner(cfg, sharedBrowser, st, slog.New(slog.NewTextHandler(h.log, nil)))
	if !set.fake.RateLimits {
		// This local Clerk enforces no rate limits: pacing would only make
		// the test wait. TestEveryFlowPasses runs with both.
		h.runner.Pacer = probe.NewPacerWith(1000, 1000)
	}
	return h
}

// run runs one flow once.
func (h *harness) run(t testing.TB, name string) *result.Run {
	t.Helper()
	f := flows.ByName(name)
	if f == nil {
		t.Fatalf("no flow %q", name)
	}
	return h.runner.Run(context.Background(), f)
}

// setFaults sets the local Clerk's faults.
func (h *harness) setFaults(t testing.TB, faults ...fakeclerk.Fault) {
	t.Helper()
	if err := h.srv.SetFaults(faults...); err != nil {
		t.Fatal(err)
	}
}

// describe renders a run for a test failure message.
func describe(r *result.Run) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s: %s\n  diagnosis: %+v\n", r.Flow, r.Outcome, r.Message, r.Diagnosis)
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "  step %-35s %-5s %s\n", s.Name, s.Outcome, s.Error)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note %s\n", n)
	}
	for _, e := range r.Events {
		if e.Kind == result.EventRequest && e.Status < 400 {
			continue
		}
		fmt.Fprintf(&b, "  event %s %s %s %s %d %s\n", e.Kind, e.Level, e.Text, e.URL, e.Status, e.ClerkCode)
	}
	return b.String()
}
