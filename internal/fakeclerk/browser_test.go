package fakeclerk

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// Deadlines of browser steps. They only matter when a step fails; they are
// generous because other packages' browser tests share the CPU.
const (
	pageTimeout = 30 * time.Second // a navigation, Clerk's load and the component's mount
	stepTimeout = 20 * time.Second // one step on a loaded page
)

// One Chromium for the whole test binary, started on first use; each test
// gets its own browser context (an incognito-like profile).

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if browserCancel != nil {
		browserCancel()
	}
	os.Exit(code)
}

func startBrowser() {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-blink-features", "AutomationControlled"),
		chromedp.Flag("enable-automation", false),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	browserCancel = func() { cancel(); cancelAlloc() }
	browserCtx = ctx
	// Start the browser with no deadline: a deadline here would kill it later.
	browserErr = chromedp.Do(ctx)
}

// newTab opens a tab in a fresh browser context. It is closed at test end.
func newTab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(startBrowser)
	if browserErr != nil {
		t.Fatalf("start Chromium (/usr/bin/chromium; scripts/install-deps.sh installs it): %v", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// logBuffer collects the server's log records for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// problems returns the WARN and ERROR lines.
func (b *logBuffer) problems() []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return out
}

// startServer starts an instance on a free port for one test. Unless the
// test set allowWarnings, it fails the test if the server logged a WARN or ERROR.
func startServer(t *testing.T, opts Options) (*Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	// A refresh may return the identical token (see Options.DeterministicTokens).
	opts.DeterministicTokens = true
	s, err := New(opts)
	if err != nil {
		t.Fatalf("fakeclerk.New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if os.Getenv("FAKECLERK_TEST_LOG") != "" {
			t.Logf("server log:\n%s", logs.String())
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, logs
}

// checkLogs fails the test when the server logged a WARN or ERROR.
func checkLogs(t *testing.T, logs *logBuffer) {
	t.Helper()
	if p := logs.problems(); len(p) > 0 {
		t.Errorf("server logged %d warnings/errors, want none:\n%s", len(p), strings.Join(p, "\n"))
	}
}

// do runs browser steps under a deadline and fails the test with the step
// name, the page URL and what the page shows.
func do(t *testing.T, ctx context.Context, name string, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v (%s)", name, err, pageState(ctx))
	}
}

// pageState describes the page for failure messages.
func pageState(ctx context.Context) string {
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Evaluate[string](`location.href + " | " + (window.__loadError || "") + " | " + (document.body ? document.body.innerText.slice(0, 300).replace(/\s+/g, " ") : "")`))
	if err != nil {
		return "page state unavailable: " + err.Error()
	}
	return "page: " + s
}

// waitFor evaluates expr every 100 ms until it returns a non-empty string,
// ignoring errors while the page navigates, and returns that string.
func waitFor(t *testing.T, ctx context.Context, what, expr string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ectx, cancel := context.WithTimeout(ctx, 2*time.Second)
		v, err := chromedp.Run(ectx, chromedp.Evaluate[string](`(function(){ try { return String((`+expr+`) || ""); } catch (e) { return ""; } })()`))
		cancel()
		if err == nil && v != "" {
			return v
		}
		last = err
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("waiting for %s: not seen after %s (last error: %v; %s)", what, timeout, last, pageState(ctx))
	return ""
}

// signedInEmail waits for the home page to show the signed-in user.
func signedInEmail(t *testing.T, ctx context.Context) string {
	t.Helper()
	return waitFor(t, ctx, "the signed-in home page (#user-email)",
		`location.pathname === "/" && window.__app && window.__app.email && document.querySelector("#user-email").textContent`, pageTimeout)
}

// fill focuses a field and inserts text as one input event, as a paste
// does: React's onChange sees it, and it costs one round trip instead of
// three per character (SendKeys), which matters when the CPU is shared.
func fill(sel chromedp.CSS, text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Focus(sel)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return chromedp.Void{}, err
	}
}

// typeOTP types a 6-digit code into the one-time-code input (it auto-submits).
func typeOTP(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	otp := chromedp.CSS(`input[autocomplete="one-time-code"]`)
	do(t, ctx, "type the code", stepTimeout, chromedp.WaitVisible(otp), chromedp.SendKeys(otp, code))
}

// seeded returns the seeded user with this role.
func seeded(t *testing.T, s *Server, role string) SeededUser {
	t.Helper()
	for _, u := range s.Info().Users {
		if u.Role == role {
			return u
		}
	}
	t.Fatalf("no seeded user with role %q", role)
	return SeededUser{}
}
