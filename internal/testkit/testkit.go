// Package testkit is what loginprobe's tests share: one Chromium per test
// binary, local Clerk instances with the config they write, and a runner
// wired to a real SQLite file in the test's temporary folder. It is imported
// only by tests.
//
// A package's TestMain calls Main, so the shared Chromium (started on first
// use) is closed when the package's tests end:
//
//	func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }
package testkit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/store"
)

var (
	browserOnce sync.Once
	browserErr  error
	shared      *browser.Browser
	// BrowserLog collects the shared browser's log lines.
	BrowserLog SyncBuffer

	clerkOnce sync.Once
	clerkErr  error
	sharedCk  *fakeclerk.Server
	// ClerkLog collects the shared local Clerk's log lines.
	ClerkLog SyncBuffer
)

// Main runs the package's tests and then closes what they shared.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		_ = shared.Close()
	}
	if sharedCk != nil {
		sharedCk.Close()
	}
	if pgSrv != nil {
		pgSrv.stop()
	}
	return code
}

// Browser returns the test binary's one Chromium, starting it on first use.
// Each run opens its own browser context in it.
func Browser(t testing.TB) *browser.Browser {
	t.Helper()
	browserOnce.Do(func() {
		shared, browserErr = browser.New(browser.Options{Logger: slog.New(slog.NewTextHandler(&BrowserLog, nil))})
	})
	if browserErr != nil {
		t.Fatalf("testkit: %v", browserErr)
	}
	return shared
}

// SharedClerk returns the test binary's one healthy local Clerk (no faults,
// no rate limits), started on first use. Tests that set faults must use
// NewClerk instead: faults are instance-wide.
func SharedClerk(t testing.TB) *fakeclerk.Server {
	t.Helper()
	clerkOnce.Do(func() {
		sharedCk, clerkErr = startClerk(fakeclerk.Options{Logger: slog.New(slog.NewTextHandler(&ClerkLog, nil))})
	})
	if clerkErr != nil {
		t.Fatalf("testkit: %v", clerkErr)
	}
	return sharedCk
}

// NewClerk starts a local Clerk of the test's own (closed when it ends).
func NewClerk(t testing.TB, o fakeclerk.Options) *fakeclerk.Server {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := startClerk(o)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func startClerk(o fakeclerk.Options) (*fakeclerk.Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	// Every test meets a Clerk whose refreshed token may equal the previous
	// one (no jti, whole-second iat): no check may rest on tokens differing.
	o.DeterministicTokens = true
	srv, err := fakeclerk.New(o)
	if err != nil {
		return nil, fmt.Errorf("local Clerk: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("local Clerk: %w", err)
	}
	return srv, nil
}

// WriteConfig writes srv's config as `loginprobe fakeclerk --config-out`
// does, into a new temporary folder with the database beside it, and
// returns the file's path.
func WriteConfig(t testing.TB, srv *fakeclerk.Server) string {
	t.Helper()
	var buf bytes.Buffer
	if err := fakeclerk.WriteConfig(&buf, srv.Info()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "loginprobe.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Config loads the config srv writes, with its database in a new temporary
// folder. Options may change it before it is used.
func Config(t testing.TB, srv *fakeclerk.Server, opts ...func(*config.Config)) *config.Config {
	t.Helper()
	path := WriteConfig(t, srv)
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("testkit: the config written by the local Clerk does not load: %v", err)
	}
	cfg.Database = filepath.Join(filepath.Dir(path), "loginprobe.db")
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

// WithoutSecretKey removes the secret key from a config.
func WithoutSecretKey(cfg *config.Config) { cfg.Clerk.SecretKey = secret.Secret{} }

// Store opens cfg's database, closed when the test ends.
func Store(t testing.TB, cfg *config.Config) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Runner returns a runner for cfg on the shared Chromium, recording into st
// (nil: not recorded). The local Clerk enforces no rate limits unless asked,
// so the pacer is relaxed: pacing would only make the test wait.
func Runner(t testing.TB, cfg *config.Config, st *store.Store, log *slog.Logger) *probe.Runner {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rn := probe.NewRunner(cfg, Browser(t), st, log)
	rn.Pacer = probe.NewPacerWith(1000, 1000)
	return rn
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers (slog handlers).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
