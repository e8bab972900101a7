// Package browser runs headless Chromium for loginprobe: one browser process
// per Browser, a fresh browser context (like an incognito window) per Tab,
// evidence capture (console messages, exceptions, browser log entries,
// requests), screenshots, Fetch interception for Clerk testing tokens and
// request pacing, and crash detection with transparent restarts and
// recycling. It knows nothing about Clerk's flows.
package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// ErrNoChromium is returned by New when no Chromium executable is found.
var ErrNoChromium = errors.New(`Chromium not found (looked for $LOGINPROBE_CHROME, chromium, chromium-browser, google-chrome, google-chrome-stable): install it with "apt-get install -y chromium" (Debian/Ubuntu) or set browser.path / LOGINPROBE_CHROME`)

// ErrBrowserDied marks an error caused by the browser process crashing, being
// killed or hanging: the run failed because of loginprobe, not the target.
var ErrBrowserDied = errors.New("the browser died (crashed, killed or hung)")

// ErrClosed is returned by NewTab after Close.
var ErrClosed = errors.New("browser: closed")

// Options configures a Browser. The zero value is usable.
type Options struct {
	ExecPath     string              // "" → $LOGINPROBE_CHROME, then chromium, chromium-browser, google-chrome, google-chrome-stable in PATH
	ExecPathFrom string              // the setting ExecPath came from, named in start errors (e.g. "browser.path in the config"); "" → "the browser path option"
	Env          func(string) string // reads LOGINPROBE_CHROME, PATH and Chromium's environment; nil → os.Getenv
	RecycleAfter int                 // start a new browser process after this many tabs; 0 → 50
	Flags        []string            // extra flags "--x=y" (--disable-web-security and --enable-automation are dropped)
	Viewport     [2]int              // window size; zero → 1280x900
	Logger       *slog.Logger        // nil → slog.Default()
	Timeout      time.Duration       // bound on opening a tab (and on BrowserResponsive's ping) before the browser counts as hung; 0 → 30s
	StartTimeout time.Duration       // bound on starting Chromium; 0 → 60s (a cold start on a loaded machine is slow)
}

// Browser owns one Chromium process at a time (a generation) and opens tabs
// in it. A process that dies or hangs is replaced on the next NewTab, and a
// process that has served RecycleAfter tabs is retired once its open tabs
// close. It is safe for concurrent use.
type Browser struct {
	opts     Options
	execPath string
	execFrom string // which setting chose execPath (resolveExec)
	log      *slog.Logger

	startMu sync.Mutex // serialises generation start-ups

	mu     sync.Mutex
	cur    *generation
	gens   map[*generation]struct{} // live generations, including retiring ones
	nextID int
	closed bool
}

// New resolves the Chromium executable and returns a Browser. Chromium starts
// lazily on the first NewTab. It returns an error wrapping ErrNoChromium when
// no executable is found.
func New(opts Options) (*Browser, error) {
	if opts.Env == nil {
		opts.Env = os.Getenv
	}
	if opts.RecycleAfter <= 0 {
		opts.RecycleAfter = 50
	}
	if opts.Viewport[0] <= 0 || opts.Viewport[1] <= 0 {
		opts.Viewport = [2]int{1280, 900}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	path, from, err := resolveExec(opts.ExecPath, opts.ExecPathFrom, opts.Env)
	if err != nil {
		return nil, err
	}
	return &Browser{
		opts:     opts,
		execPath: path,
		execFrom: from,
		log:      opts.Logger.With("component", "browser"),
		gens:     map[*generation]struct{}{},
	}, nil
}

// ExecPath returns the resolved Chromium executable.
func (b *Browser) ExecPath() string { return b.execPath }

// Close kills every browser process and waits for them to exit. Open tabs
// fail from then on. It is idempotent.
func (b *Browser) Close() error {
	b.mu.Lock()
	b.closed = true
	gens := make([]*generation, 0, len(b.gens))
	for g := range b.gens {
		gens = append(gens, g)
	}
	b.gens = map[*generation]struct{}{}
	b.cur = nil
	b.mu.Unlock()
	for _, g := range gens {
		g.stop()
	}
	return nil
}

// PIDs returns the pid of every running browser process and of their
// descendants (renderers, the GPU and network services, zygotes).
func (b *Browser) PIDs() []int {
	b.mu.Lock()
	var roots []int
	for g := range b.gens {
		if !g.isDead() {
			roots = append(roots, g.pid)
		}
	}
	b.mu.Unlock()
	return withDescendants(roots)
}

// acquire returns the generation a new tab opens in, starting a new one when
// there is none, the current one died, or it has served RecycleAfter tabs.
// It counts the tab as open on the generation.
func (b *Browser) acquire(ctx context.Context) (*generation, error) {
	b.startMu.Lock()
	defer b.startMu.Unlock()

	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, ErrClosed
	}
	g := b.cur
	var stopNow *generation
	if g != nil && (g.isDead() || g.opened >= b.opts.RecycleAfter) {
		g.retired = true
		if g.open == 0 {
			stopNow = g
			delete(b.gens, g)
		}
		b.cur, g = nil, nil
	}
	b.nextID++
	id := b.nextID
	b.mu.Unlock()
	if stopNow != nil {
		stopNow.stop()
	}

	if g == nil {
		ng, err := startGeneration(ctx, id, b)
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			ng.stop()
			return nil, ErrClosed
		}
		b.cur, g = ng, ng
		b.gens[ng] = struct{}{}
		b.mu.Unlock()
	}
	b.mu.Lock()
	g.opened++
	g.open++
	b.mu.Unlock()
	return g, nil
}

// release undoes acquire when a tab closes (or failed to open), and stops a
// retired or dead generation once its last tab is gone.
func (b *Browser) release(g *generation) {
	b.mu.Lock()
	g.open--
	stop := g.open == 0 && (g.retired || g.isDead() || b.cur != g)
	if stop {
		delete(b.gens, g)
		if b.cur == g {
			b.cur = nil
		}
	}
	b.mu.Unlock()
	if stop {
		g.stop()
	}
}

// retire marks g as taking no new tabs (it hung or died).
func (b *Browser) retire(g *generation) {
	b.mu.Lock()
	g.retired = true
	if b.cur == g {
		b.cur = nil
	}
	b.mu.Unlock()
}

// NewTab opens a tab in a new browser context (no cookies or storage from
// other tabs), with event recording and, if asked, Fetch interception set up
// before it returns, so that nothing the caller's navigation causes is
// missed. ctx bounds only the opening; the tab lives until Close. If the
// browser is dead it starts a new one; if it hangs for Options.Timeout it is
// killed and replaced, once.
func (b *Browser) NewTab(ctx context.Context, o TabOptions) (*Tab, error) {
	if (o.TestingToken != nil || o.Pace != nil) && o.FAPIPrefix == "" {
		return nil, errors.New("browser: TestingToken and Pace need FAPIPrefix")
	}
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		g, err := b.acquire(ctx)
		if err != nil {
			return nil, err
		}
		t, err := openTab(ctx, b, g, o)
		if err == nil {
			return t, nil
		}
		b.release(g)
		if ctx.Err() != nil || !errors.Is(err, ErrBrowserDied) {
			return nil, err
		}
		b.log.Warn("browser died or hung while opening a tab; starting a new one", "generation", g.id, "err", err)
		lastErr = err
	}
	return nil, lastErr
}

// Classify wraps err with ErrBrowserDied when it says that the connection to
// the browser was lost, the browser process exited, or the page crashed;
// otherwise it returns err unchanged. A bare context.Canceled can also come
// from a dead browser: Tab.Classify knows, Classify cannot.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrBrowserDied) {
		return err
	}
	msg := err.Error()
	for _, s := range []string{
		"lost the connection to the browser", // chromedp v0.23 Browser.lostError
		"browser process exited",             // chromedp v0.23 browserExitError
		"chrome failed to start",
		"Target crashed",
	} {
		if strings.Contains(msg, s) {
			return diedError{err}
		}
	}
	return err
}

// diedError wraps an error with ErrBrowserDied.
type diedError struct{ err error }

func (e diedError) Error() string   { return fmt.Sprintf("%v: %v", ErrBrowserDied, e.err) }
func (e diedError) Unwrap() []error { return []error{ErrBrowserDied, e.err} }
